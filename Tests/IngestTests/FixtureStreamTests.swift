import Foundation
import Ingest
import SiglogCore
import Testing

/// Runs the committed event streams through the ingest rules the way the pipeline does (parse,
/// accept for a core-only pack such as fractional_cto_v1, normalize, resolve, de-duplicate by
/// `(source, source_event_id)`), and checks the counts `Fixtures/events/README.md` states.
@Suite("Fixture event streams")
struct FixtureStreamTests {
    struct Tally {
        var lines = 0
        var lineErrors: [RawEventLineError] = []
        var skippedInvalid = 0
        var skippedDuplicate = 0
        var inserted: [NormalizedEvent] = []
        var companyOfEvent: [Int] = []
        var directory = InMemoryCompanyDirectory()
    }

    static let eventsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/events")

    static func ingest(_ name: String) throws -> Tally {
        let data = try Data(contentsOf: eventsDirectory.appendingPathComponent(name))
        let bytes = [UInt8](data)
        let parser = RawEventLineParser()
        let acceptance = EventTypeAcceptance.coreOnly
        var tally = Tally()
        var seen = Set<[String]>()
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the final line break ends the last line
        var lineNumber = 0
        for line in lines {
            lineNumber += 1
            tally.lines += 1
            let raw: RawEvent
            do {
                guard let parsed = try parser.parse(line, lineNumber: lineNumber) else { continue }
                raw = parsed
            } catch {
                tally.lineErrors.append(error)
                continue
            }
            guard acceptance.accepts(raw.eventType) else {
                tally.skippedInvalid += 1
                continue
            }
            let (event, company) = EventNormalizer.normalize(raw)
            let companyID = tally.directory.resolveOrCreate(company).id
            if let id = event.sourceEventID, !seen.insert([event.source, id]).inserted {
                tally.skippedDuplicate += 1
                continue
            }
            tally.inserted.append(event)
            tally.companyOfEvent.append(companyID)
        }
        return tally
    }

    @Test("test_adapter.ndjson: 3 events, 3 companies (§11.1)")
    func testAdapterFixture() throws {
        let tally = try Self.ingest("test_adapter.ndjson")
        #expect(tally.lines == 3 && tally.lineErrors.isEmpty && tally.skippedInvalid == 0 && tally.skippedDuplicate == 0)
        #expect(tally.inserted.map(\.sourceEventID) == ["test-adapter-001", "test-adapter-002", "test-adapter-003"])
        #expect(tally.inserted.map(\.eventType) == ["funding_raised", "job_posted_engineering", "cto_role_posted"])
        #expect(tally.inserted.map(\.eventTime) == [10, 11, 12].map { Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: $0) })
        #expect(tally.inserted.allSatisfy { $0.source == "test" && $0.confidence == nil })
        #expect(tally.inserted[0].rawPayload == ["amount": 5_000_000])
        #expect(tally.inserted[1].rawPayload == ["roles": ["engineer"]])
        #expect(tally.companyOfEvent == [1, 2, 3])
        let companies = (1...3).compactMap { tally.directory.companies[$0] }
        #expect(companies.map(\.name) == ["Test Company A", "Test Company B", "Test Company C"])
        #expect(companies.map(\.websiteURL) == ["https://testa.example.com", "https://testb.example.com", "https://testc.example.com"])
        #expect(companies.map(\.domain) == ["testa.example.com", "testb.example.com", "testc.example.com"])
    }

    @Test("sample.ndjson: counts stated in the README")
    func sampleFixture() throws {
        let tally = try Self.ingest("sample.ndjson")
        #expect(tally.lines == 296)
        #expect(tally.inserted.count == 282)
        #expect(tally.skippedDuplicate == 8)
        #expect(tally.skippedInvalid == 1)
        #expect(tally.lineErrors.count == 5)
        #expect(tally.directory.count == 40)
        #expect(tally.inserted.filter { $0.sourceEventID == nil }.count == 3)
    }

    @Test("sample.ndjson: each bad line is reported with its line and field")
    func sampleBadLines() throws {
        let tally = try Self.ingest("sample.ndjson")
        let reported = tally.lineErrors.map { "\($0.line) \($0.field ?? "-") \($0.kind)" }
        #expect(reported == [
            "51 - invalidJSON", "59 company_name missingField", "99 company_name wrongType",
            "216 event_time invalidTime", "219 confidence wrongType",
        ])
        let formatted = tally.lineErrors.map { $0.formatted(file: "sample.ndjson") }
        #expect(formatted.dropFirst() == [
            "sample.ndjson:59: company_name: missing required field",
            "sample.ndjson:99: company_name: expected a string, got a number",
            #"sample.ndjson:216: event_time: not an ISO-8601 date or date-time: "last tuesday""#,
            "sample.ndjson:219: confidence: expected a number, got a string",
        ])
        #expect(formatted.first?.hasPrefix("sample.ndjson:51: invalid JSON: ") == true)
    }

    @Test("sample.ndjson: every core event type occurs, inside the stated year")
    func sampleCoverage() throws {
        let tally = try Self.ingest("sample.ndjson")
        #expect(Set(tally.inserted.map(\.eventType)) == CoreTaxonomy.signalIDSet)
        let first = Day(year: 2025, month: 3, day: 1)!.midnight
        let end = Day(year: 2026, month: 3, day: 1)!.midnight
        #expect(tally.inserted.allSatisfy { $0.eventTime >= first && $0.eventTime < end })
        #expect(Set(tally.inserted.map(\.source)) == ["crunchbase", "producthunt", "newsapi", "github", "greenhouse", "test"])
        let confidences = tally.inserted.compactMap(\.confidence)
        #expect(!confidences.isEmpty && confidences.allSatisfy { (0.6...0.95).contains($0) })
        #expect(tally.inserted.filter { $0.eventType == "cto_hired" }.count < tally.inserted.filter { $0.eventType == "repo_activity" }.count)
    }
}
