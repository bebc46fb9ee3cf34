import EventLog
import Foundation
import Ingest
import ReadModel
import Testing
@testable import Pipeline
import Projections
import SignalPacks
import SiglogCore
import SiglogRecords

/// A store initialized like `siglog-append init` (bundled pack from Fixtures/packs, default
/// workspace), in its own temporary directory.
private final class IngestFixture {
    let directory: URL
    let path: String
    let pipeline: StageRunner
    var store: Store { pipeline.store }

    init(now: Timestamp = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-ingest-\(UUID().uuidString)")
        path = directory.appendingPathComponent("store").path
        pipeline = StageRunner(store: try Store(path: path, mode: .create, durable: false), clock: FixedClock(now),
                            rateLimitPerHour: 0)
        try pipeline.initialize(bundledPack: try IngestFixture.ctoPack())
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func ctoPack() throws -> Pack {
        try PackLoader.load(directory: root.appendingPathComponent("Fixtures/packs/fractional_cto_v1"))
    }

    /// Ingests `lines` (joined with newlines) as if read from a file named `name`.
    func ingest(_ lines: [String], name: String = "input.ndjson", configure: (inout IngestOptions) -> Void = { _ in })
        throws -> JSONObject
    {
        let file = directory.appendingPathComponent(UUID().uuidString + ".ndjson")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        return try ingest(file: file, name: name, configure: configure)
    }

    func ingest(file: URL, name: String? = nil, configure: (inout IngestOptions) -> Void = { _ in }) throws -> JSONObject {
        var options = IngestOptions(inputName: name ?? file.lastPathComponent)
        configure(&options)
        return try pipeline.ingest(from: try FileHandle(forReadingFrom: file), options: options).json
    }

    func companies() throws -> [CompanyRow] { try store.read { try $0.allCompanies() } }
}

private func line(_ fields: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
}

private func count(_ result: JSONObject, _ key: String) -> Int64? {
    if case .int(let value)? = result[key] { return value }
    return nil
}

@Suite("Ingest stage")
struct IngestStageTests {
    static let testAdapter = IngestFixture.root.appendingPathComponent("Fixtures/events/test_adapter.ndjson")
    static let sample = IngestFixture.root.appendingPathComponent("Fixtures/events/sample.ndjson")

    @Test("§11.15 TestAdapter: 3 inserted and 3 companies; a second run inserts 0 and skips 3 duplicates")
    func testAdapterTwice() throws {
        let fixture = try IngestFixture()
        let first = try fixture.ingest(file: Self.testAdapter)
        #expect(count(first, "inserted") == 3)
        #expect(count(first, "skipped_duplicate") == 0)
        #expect(count(first, "skipped_invalid") == 0)
        #expect(count(first, "errors_count") == 0)
        let companies = try fixture.companies()
        #expect(companies.map(\.name) == ["Test Company A", "Test Company B", "Test Company C"])
        #expect(companies.map(\.created.domain) == ["testa.example.com", "testb.example.com", "testc.example.com"])
        #expect(companies[2].created.websiteURL == "https://testc.example.com")
        let second = try fixture.ingest(file: Self.testAdapter)
        #expect(count(second, "inserted") == 0)
        #expect(count(second, "skipped_duplicate") == 3)
        #expect(try fixture.companies().count == 3)
        #expect(first["job_run_id"] != second["job_run_id"])
    }

    @Test("round trip: reopening the store read-only shows the same companies and events")
    func reopenRoundTrip() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest(file: Self.testAdapter)
        let reopened = try Store(path: fixture.path, mode: .readOnly)
        let (names, events) = try reopened.read { reader in
            (try reader.allCompanies().map(\.name), try reader.allCompanies().flatMap { try reader.events(ofCompany: $0.id) })
        }
        #expect(names == ["Test Company A", "Test Company B", "Test Company C"])
        #expect(events.map(\.record.eventType) == ["funding_raised", "job_posted_engineering", "cto_role_posted"])
        #expect(events.map(\.record.eventTime.isoNaive) == ["2026-02-18T10:00:00", "2026-02-18T11:00:00", "2026-02-18T12:00:00"])
        #expect(events[0].record.title == "Series A")
        #expect(events[0].record.confidence == nil, "absent confidence stays null (D16)")
        #expect(events[0].record.sourceEventID == "test-adapter-001")
    }

    @Test("the sample stream: 282 inserted, 8 duplicates, 1 unknown type, 5 bad lines named FILE:LINE: field: reason")
    func sampleStream() throws {
        let fixture = try IngestFixture()
        let result = try fixture.ingest(file: Self.sample, name: "sample.ndjson")
        #expect(count(result, "inserted") == 282)
        #expect(count(result, "skipped_duplicate") == 8)
        #expect(count(result, "skipped_invalid") == 1)
        #expect(count(result, "errors_count") == 5)
        let errors = result["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(errors.contains("sample.ndjson:59: company_name: missing required field"))
        #expect(errors.contains { $0.hasPrefix("sample.ndjson:219: confidence:") })
        #expect(errors.contains { $0.hasPrefix("sample.ndjson:216: event_time:") })
        #expect(try fixture.companies().count == 40)
    }

    @Test("--strict: one bad line fails the run and writes nothing")
    func strictWritesNothing() throws {
        let fixture = try IngestFixture()
        let head = try fixture.store.log.head()
        let good = line(["source": "s", "source_event_id": "1", "company_name": "Good Co", "event_type": "funding_raised",
                         "event_time": "2026-01-01"])
        do {
            _ = try fixture.ingest([good, "{not json"]) { $0.strict = true }
            Issue.record("strict ingest accepted a bad line")
        } catch let error as SiglogError {
            #expect(error.kind == .badInput)
            #expect(error.message.contains("input.ndjson:2"))
        }
        #expect(try fixture.store.log.head() == head)
        // Without --strict the good line commits and the bad one is reported.
        let lenient = try fixture.ingest([good, "{not json"])
        #expect(count(lenient, "inserted") == 1)
        #expect(count(lenient, "errors_count") == 1)
    }

    @Test("D2: a repeated (source, source_event_id) inside one input is a duplicate, not an error; no id → no dedup")
    func dedupWithinInput() throws {
        let fixture = try IngestFixture()
        let event = line(["source": "crunchbase", "source_event_id": "r-1", "company_name": "Acme", "domain": "acme.io",
                          "event_type": "funding_raised", "event_time": "2026-01-05T09:00:00Z"])
        let noID = line(["source": "crunchbase", "company_name": "Acme", "domain": "acme.io",
                         "event_type": "funding_raised", "event_time": "2026-01-05T09:00:00Z"])
        let result = try fixture.ingest([event, event, noID, noID]) { $0.batchSize = 1 }
        #expect(count(result, "inserted") == 3)
        #expect(count(result, "skipped_duplicate") == 1)
        #expect(count(result, "errors_count") == 0)
    }

    @Test("D2: the same event ingested for another pack is a duplicate")
    func crossPackDuplicate() throws {
        let fixture = try IngestFixture()
        let other = try PackLoader.load(directory: IngestFixture.root.appendingPathComponent("Fixtures/packs/example_v2"))
        let otherID = try fixture.pipeline.installPack(other).uuid
        let event = line(["source": "crunchbase", "source_event_id": "r-9", "company_name": "Acme", "domain": "acme.io",
                          "event_type": "funding_raised", "event_time": "2026-01-05"])
        #expect(count(try fixture.ingest([event]), "inserted") == 1)
        let again = try fixture.ingest([event]) { $0.pack = otherID }
        #expect(count(again, "inserted") == 0)
        #expect(count(again, "skipped_duplicate") == 1)
    }

    @Test("§2.4: an event type outside the pack's taxonomy is skipped_invalid")
    func unknownTypeSkipped() throws {
        let fixture = try IngestFixture()
        let event = line(["source": "x", "company_name": "Acme", "event_type": "layoffs_announced", "event_time": "2026-01-05"])
        let result = try fixture.ingest([event])
        #expect(count(result, "skipped_invalid") == 1)
        #expect(count(result, "inserted") == 0)
    }

    @Test("D12: same normalized name with different domains makes two companies; a name-only event matches the lowest id")
    func nameAliases() throws {
        let fixture = try IngestFixture()
        let a = line(["source": "x", "company_name": "Acme Inc", "domain": "acme-one.com", "event_type": "launch_major", "event_time": "2026-01-01"])
        let b = line(["source": "x", "company_name": "Acme LLC", "domain": "acme-two.com", "event_type": "launch_major", "event_time": "2026-01-02"])
        let nameOnly = line(["source": "x", "company_name": "ACME", "event_type": "launch_major", "event_time": "2026-01-03"])
        let result = try fixture.ingest([a, b, nameOnly])
        #expect(count(result, "inserted") == 3)
        #expect(count(result, "errors_count") == 0)
        let companies = try fixture.companies()
        #expect(companies.count == 2)
        let eventsOfFirst = try fixture.store.read { try $0.events(ofCompany: companies[0].id) }
        #expect(eventsOfFirst.count == 2)
    }

    @Test("small batches still make one job run whose counts cover the whole input")
    func batchesShareOneRun() throws {
        let fixture = try IngestFixture()
        let lines = (1...5).map { i in
            line(["source": "x", "source_event_id": "\(i)", "company_name": "Co \(i)", "event_type": "repo_activity",
                  "event_time": "2026-01-0\(i)"])
        }
        let result = try fixture.ingest(lines) { $0.batchSize = 2 }
        #expect(count(result, "inserted") == 5)
        let jobs = try fixture.store.read { try $0.allJobs() }.filter { $0.started.jobType == .ingest }
        #expect(jobs.count == 1)
        #expect(jobs.first?.status == .completed)
        #expect(jobs.first?.companiesProcessed == 5)
        #expect(jobs.first.map { Int64($0.id) } == count(result, "job_run_id"))
    }

    @Test("a batch that takes the input's last events finishes the run: one commit per batch, none after",
          arguments: [0, 3])
    func lastFullBatchFinishes(badLinesAtEnd: Int) throws {
        let fixture = try IngestFixture()
        // 256 + 4,096 lines make the parsing thread's first two hand-overs; bad lines after them come
        // in one of their own.
        let lines = (1...4352).map { i in
            line(["source": "x", "source_event_id": "\(i)", "company_name": "Co \(i % 7)", "event_type": "repo_activity",
                  "event_time": "2026-01-0\(i % 9 + 1)"])
        } + Array(repeating: "{\"source\": 1}", count: badLinesAtEnd)
        let before = fixture.store.log.environment.lastTransactionID
        let result = try fixture.ingest(lines) { $0.batchSize = 2176 }
        #expect(fixture.store.log.environment.lastTransactionID - before == 2)
        #expect(count(result, "inserted") == 4352)
        #expect(count(result, "errors_count") == Int64(badLinesAtEnd))
        let jobs = try fixture.store.read { try $0.allJobs() }.filter { $0.started.jobType == .ingest }
        #expect(jobs.count == 1)
        #expect(jobs.first?.status == .completed)
        #expect(jobs.first?.companiesProcessed == 4352)
    }

    @Test("a file's events, prepared on the parsing thread: each stored payload is the whole record's encoding of the line's fields; dedup keys claimed")
    func preparedEvents() throws {
        let fixture = try IngestFixture()
        // 4,500 lines: the parser's hand-overs (256, 4,096, the rest) are cut by 1,000-line batches.
        typealias Expected = (source: String, id: String?, title: String?, summary: String?, url: String?, confidence: Double?)
        var lines: [String] = []
        var expected: [Expected] = []
        var claimed = Set<String>()
        var duplicates = 0
        for i in 1...4500 {
            let source = "src\(i % 4000 % 3)"
            var fields: [String: Any] = ["source": source, "company_name": "Co \(i % 50)", "domain": "co\(i % 50).io",
                                         "event_type": "repo_activity", "event_time": "2026-01-0\(i % 9 + 1)T10:00:00Z"]
            let id: String? = i % 11 == 0 ? nil : "e-\(i % 4000)"  // lines 4,001–4,500 repeat the keys of 1–500
            if let id { fields["source_event_id"] = id }
            let title: String? = i % 2 == 0 ? "Title \(i)" : nil
            let summary: String? = i % 3 == 0 ? "Summary with \\ and \"quotes\" \(i)" : nil  // the general parser's path
            let url: String? = i % 5 == 0 ? "https://example.com/\(i)" : nil
            let confidence: Double? = i % 7 == 0 ? Double(i % 10) / 10 : nil
            if let title { fields["title"] = title }
            if let summary { fields["summary"] = summary }
            if let url { fields["url"] = url }
            if let confidence { fields["confidence"] = confidence }
            let rejected = i % 97 == 0  // a type the pack does not take: nothing prepared, claimed or stored
            if rejected { fields["event_type"] = "not_a_signal" }
            lines.append(line(fields))
            if rejected { continue }
            if let id, !claimed.insert(source + "\u{0}" + id).inserted {
                duplicates += 1
                continue
            }
            expected.append((source, id, title, summary, url, confidence))
        }
        #expect(duplicates > 300)
        let result = try fixture.ingest(lines) { $0.batchSize = 1000 }
        let run = count(result, "job_run_id").map { UInt64($0) }
        #expect(count(result, "inserted") == Int64(expected.count))
        #expect(count(result, "skipped_duplicate") == Int64(duplicates))
        #expect(count(result, "skipped_invalid") == Int64(4500 / 97))
        #expect(count(result, "stored_without_id") == Int64(expected.filter { $0.id == nil }.count))
        var stored: [EventStored] = []
        try fixture.store.read { reader in
            try reader.forEachRecord { record in
                guard record.type == .eventStored else { return true }
                let event = try EventStored.decode(record)
                var whole = PayloadWriter()
                event.encode(into: &whole)
                #expect(record.withPayload { Array($0) } == whole.bytes)
                stored.append(event)
                return true
            }
        }
        #expect(stored.count == expected.count)
        for (event, want) in zip(stored, expected) {
            #expect(event.source == want.source && event.sourceEventID == want.id && event.title == want.title)
            #expect(event.summary == want.summary && event.url == want.url && event.confidence == want.confidence)
            #expect(event.eventType == "repo_activity" && event.jobRunID == run && event.evidenceBundleID == nil)
        }
        // The claimed keys are the dedup index's: the same file again stores only the events without an id.
        let again = try fixture.ingest(lines) { $0.batchSize = 1000 }
        #expect(count(again, "inserted") == Int64(expected.filter { $0.id == nil }.count))
        #expect(count(again, "skipped_duplicate") == Int64(claimed.count + duplicates))
    }

    @Test("a new company's website domain is its stored website's, also where the line's website or domain is padded with whitespace")
    func newCompanyWebsiteDomain() throws {
        let fixture = try IngestFixture()
        // Ingest reuses the event's domain (extracted from the line's website) as the new company's
        // website domain only when the company keeps that website as it is; a trimmed one is extracted again.
        let websites: [[String: Any]] = [
            ["website_url": "https://Plain.example/path"], ["website_url": "  https://padded.example  "],
            ["website_url": "https://trailing.example\t "], ["website_url": "\u{00A0}https://nbsp.example/\u{00A0}"],
            ["domain": " spaced-domain.example "], ["domain": "Upper.Example"], ["website_url": "not a url "],
            ["website_url": "   "], ["company_profile_url": "https://www.linkedin.com/company/only-profile"],
            ["company_profile_url": "https://profile.example/about "], [:],
        ]
        let lines = websites.enumerated().map { index, fields in
            var fields = fields
            fields["company_name"] = "Company \(index)"
            fields["source"] = "github"
            fields["source_event_id"] = "site-\(index)"
            fields["event_type"] = "repo_activity"
            fields["event_time"] = "2026-02-01T00:00:00Z"
            return line(fields)
        }
        let result = try fixture.ingest(lines)
        #expect(count(result, "inserted") == Int64(websites.count))
        let companies = try fixture.companies()
        #expect(companies.count == websites.count)
        for row in companies {
            #expect(row.created.websiteDomain == row.created.websiteURL.flatMap(CompanyIdentity.extractDomain),
                    "company \(row.created.companyID): website \(String(describing: row.created.websiteURL))")
        }
    }

    @Test("timeline: a new company lists its creation then its event, each with the ingest run")
    func timelineLineage() throws {
        let fixture = try IngestFixture()
        let result = try fixture.ingest(file: Self.testAdapter)
        let run = count(result, "job_run_id").map { UInt64($0) }
        let entries = try fixture.store.read { try $0.timeline(ofCompany: 1) }
        #expect(entries.map(\.kind) == ["company_created", "event_stored"])
        #expect(entries.allSatisfy { $0.jobRunID == run })
        #expect(entries[1].detail.contains("funding_raised"))
    }

    @Test("init twice changes nothing; installing identical pack content is a no-op, different content is refused")
    func initAndPackInstall() throws {
        let fixture = try IngestFixture()
        let head = try fixture.store.log.head()
        #expect(try fixture.pipeline.initialize(bundledPack: try IngestFixture.ctoPack()) == false)
        #expect(try fixture.store.log.head() == head)
        let again = try fixture.pipeline.installPack(try IngestFixture.ctoPack())
        #expect(again == PackInstallResult(uuid: WellKnownIDs.fractionalCTOPack, installed: false))
        // Same (pack_id, version), different content.
        let original = try IngestFixture.ctoPack()
        var changedScoring = original.scoring.objectValue!
        changedScoring["minimum_threshold"] = 5
        let changed = try Pack(manifestDocument: original.manifestDocument, taxonomy: original.taxonomy,
                               scoring: .object(changedScoring), eslPolicy: original.eslPolicy, derivers: original.derivers,
                               playbooks: original.playbooks, promptBundles: original.promptBundles)
        #expect(changed.checksum != original.checksum)
        #expect(throws: SiglogError.self) { try fixture.pipeline.installPack(changed) }
        #expect(try fixture.store.log.head() == head)
    }

    @Test("invalid workspace and pack ids fail with the spec's texts")
    func invalidIDs() {
        #expect(throws: InvalidValue("Invalid workspace_id: must be a valid UUID")) {
            _ = try RequestIDs.workspaceID("not-a-uuid")
        }
        #expect(throws: InvalidValue("Invalid pack_id: must be a valid UUID")) {
            _ = try RequestIDs.packID("1234")
        }
        #expect((try? RequestIDs.workspaceID("  ")) == .some(nil))
    }
}
