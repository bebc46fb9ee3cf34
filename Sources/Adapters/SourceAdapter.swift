public import Ingest
public import SiglogCore

/// A source of raw events (ADAPTERS.md §0.1): one outside API, or the fixed test list.
public protocol SourceAdapter: Sendable {
    /// The adapter's name, written as the `source` of every event it returns (`crunchbase`, `test`, …).
    var sourceName: String { get }
    /// Fetches the events published since `since`, in request order then item order, de-duplicated
    /// by `source_event_id` within this call. Throws only where ADAPTERS.md §0.4 says the reference
    /// throws; every event of the call is then lost.
    func fetchEvents(since: Timestamp) async throws -> [RawEvent]
}
