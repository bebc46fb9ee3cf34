public import Ingest
public import SiglogCore

/// The fixed test source (ADAPTERS.md §1): three events, no request, `since` ignored, no
/// de-duplication.
public struct TestAdapter: SourceAdapter {
    /// `test`.
    public static let sourceName = "test"

    /// The adapter.
    public init() {}

    /// The source name written on every event.
    public var sourceName: String { Self.sourceName }

    /// Fetches as the type's comment says (`SourceAdapter.fetchEvents(since:)`).
    public func fetchEvents(since: Timestamp) async throws -> [RawEvent] { Self.events }

    /// The three events, in order.
    public static let events: [RawEvent] = {
        let day = Day(year: 2026, month: 2, day: 18)!
        return [
            RawEvent(source: sourceName, sourceEventID: "test-adapter-001", companyName: "Test Company A",
                     domain: "testa.example.com", websiteURL: "https://testa.example.com",
                     eventType: "funding_raised", eventTime: Timestamp(day: day, hour: 10),
                     title: "Series A", summary: "Raised $5M", url: "https://example.com/funding/testa",
                     rawPayload: ["amount": 5_000_000]),
            RawEvent(source: sourceName, sourceEventID: "test-adapter-002", companyName: "Test Company B",
                     domain: "testb.example.com", websiteURL: "https://testb.example.com",
                     eventType: "job_posted_engineering", eventTime: Timestamp(day: day, hour: 11),
                     title: "Senior Engineer", summary: "Hiring for growth", url: "https://example.com/jobs/testb",
                     rawPayload: ["roles": ["engineer"]]),
            RawEvent(source: sourceName, sourceEventID: "test-adapter-003", companyName: "Test Company C",
                     domain: "testc.example.com", eventType: "cto_role_posted",
                     eventTime: Timestamp(day: day, hour: 12), title: "CTO"),
        ]
    }()
}
