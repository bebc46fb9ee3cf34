import Adapters
import FixtureServer
import Foundation
import Ingest
@testable import Pipeline
import Projections
import ReadModel
import SiglogCore
import SiglogRecords
import Synchronization
import Testing

private let march1 = Day.ymd(2026, 3, 1)

/// An adapter whose fetch the test writes; it remembers every `since` it was asked for.
private final class ScriptedAdapter: SourceAdapter, Sendable {
    let sourceName: String
    private let fetch: @Sendable (Timestamp) throws -> [RawEvent]
    private let asked = Mutex<[Timestamp]>([])

    init(_ name: String, fetch: @escaping @Sendable (Timestamp) throws -> [RawEvent]) {
        sourceName = name
        self.fetch = fetch
    }

    var sinces: [Timestamp] { asked.withLock { $0 } }

    func fetchEvents(since: Timestamp) async throws -> [RawEvent] {
        asked.withLock { $0.append(since) }
        return try fetch(since)
    }
}

private struct Unreachable: Error, CustomStringConvertible {
    var description: String { "connection refused" }
}

private func event(_ source: String, _ id: String, company: String, type: String = "funding_raised",
                   at time: Timestamp = .at(Day.ymd(2026, 2, 28), 12)) -> RawEvent {
    RawEvent(source: source, sourceEventID: id, companyName: company, domain: "\(company.lowercased()).example",
             eventType: type, eventTime: time, title: "\(company) news")
}

/// Runs a blocking pipeline call on a thread of its own, so a test never blocks the shared pool
/// (the server the adapters talk to runs on it).
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

@Suite("Daily ingest from the source adapters")
struct DailyIngestTests {
    @Test("D18: since is now − 24 h at first; a run whose adapters all failed or a file ingest keeps it; a run with one fetch moves it to its finished_at")
    func sinceMovesOnlyWhenAnAdapterFetched() async throws {
        let fixture = try StageFixture(now: .at(march1, 6))
        let good = ScriptedAdapter("test") { _ in [event("test", "a", company: "Acme")] }
        let broken = ScriptedAdapter("crunchbase") { _ in throw Unreachable() }

        // 1. Only a failing adapter: completed, error recorded, since stays at now − 24 h.
        let first = try await fixture.pipeline(at: .at(march1, 6)).ingestDaily(options: IngestOptions(inputName: ""), adapters: [broken])
        #expect(first.status == .completed)
        #expect(first.since == .at(march1.adding(days: -1), 6))
        #expect(first.error == "crunchbase: connection refused")
        #expect(first.sources == [SourceOutcome(source: "crunchbase", fetched: nil, error: "connection refused")])
        #expect(!first.movesSince)

        // 2. A file ingest completes but never moves since.
        let file = fixture.directory.appendingPathComponent("one.ndjson")
        try Data(#"{"source":"file","source_event_id":"f1","company_name":"Filed","event_type":"funding_raised","event_time":"2026-02-28"}"#.utf8)
            .write(to: file)
        _ = try fixture.pipeline(at: .at(march1, 7)).ingest(from: try FileHandle(forReadingFrom: file), options: IngestOptions(inputName: "one"))

        // 3. Still since = now − 24 h (of this run's clock); this time one adapter fetches.
        let second = try await fixture.pipeline(at: .at(march1, 8)).ingestDaily(options: IngestOptions(inputName: ""), adapters: [broken, good])
        #expect(second.since == .at(march1.adding(days: -1), 8))
        #expect(second.inserted == 1 && second.errorsCount == 1 && second.movesSince)
        #expect(broken.sinces.last == good.sinces.last, "every adapter of a run gets the same since")

        // 4. The next run starts where the run that fetched finished, whichever workspace runs it.
        _ = try fixture.store.write { writer in
            try writer.append(WorkspaceCreated(workspaceID: UUID(uuidString: "00000000-0000-4000-8000-0000000000b2")!, name: "second",
                                               activePack: StageFixture.ctoPack), at: .at(march1, 9))
        }
        let third = try await fixture.pipeline(at: .at(march1.adding(days: 1), 6)).ingestDaily(
            options: { var o = IngestOptions(inputName: ""); o.workspace = UUID(uuidString: "00000000-0000-4000-8000-0000000000b2"); return o }(),
            adapters: [good])
        #expect(third.since == .at(march1, 8))
        #expect(third.inserted == 0 && third.skippedDuplicate == 1)
        #expect(try Replayer(store: fixture.store).verify().isOK)
    }

    @Test("§7 steps 5–6: one adapter's failure does not stop the others; totals summed; error_message holds the first ten errors")
    func failuresAndTotals() async throws {
        let fixture = try StageFixture(now: .at(march1, 6))
        let failing = (0..<11).map { i in ScriptedAdapter("source\(i)") { _ in throw Unreachable() } }
        let a = ScriptedAdapter("alpha") { _ in
            [event("alpha", "1", company: "Acme"), event("alpha", "2", company: "Bolt", type: "podcast_appearance"),
             event("alpha", "1", company: "Acme")]
        }
        let b = ScriptedAdapter("beta") { _ in [event("beta", "1", company: "Acme", type: "cto_role_posted")] }
        let result = try await fixture.pipeline.ingestDaily(options: IngestOptions(inputName: ""), adapters: [a] + failing + [b])
        #expect(result.status == .completed)
        #expect(result.inserted == 2 && result.skippedDuplicate == 1 && result.skippedInvalid == 1)
        #expect(result.errorsCount == 11)
        #expect(result.error == (0..<11).map { "source\($0): connection refused" }.joined(separator: "; "))
        #expect(result.rejectedTypes == [#"alpha:2: event_type: "podcast_appearance" is not accepted by pack fractional_cto_v1"#])
        #expect(result.sources?.map(\.source) == ["alpha"] + (0..<11).map { "source\($0)" } + ["beta"])
        #expect(result.sources?.first == SourceOutcome(source: "alpha", fetched: 3, inserted: 1, skippedDuplicate: 1, skippedInvalid: 1))
        let job = try #require(try fixture.jobs().last)
        #expect(job.status == .completed && job.companiesProcessed == 2)
        #expect(job.errorMessage == (0..<10).map { "source\($0): connection refused" }.joined(separator: "; "))
        // Both events landed on one company (matched by domain), each with the run's id.
        let companies = try fixture.read { try $0.allCompanies() }
        #expect(companies.count == 1)
        // The recorded answer reads back whole: a repeated key returns it, sources included.
        var options = IngestOptions(inputName: "")
        options.idempotencyKey = "nightly"
        let keyed = try await fixture.pipeline.ingestDaily(options: options, adapters: [b])
        let again = try await fixture.pipeline.ingestDaily(options: options, adapters: [b])
        #expect(again.jobRunID == keyed.jobRunID && again.sources == keyed.sources && again.since == keyed.since)
        #expect(b.sinces.count == 2, "the repeated key fetched nothing")
    }

    @Test("D20: an unknown workspace is refused before any run exists; an interruption fails the run and is thrown")
    func refusalsAndInterruption() async throws {
        let fixture = try StageFixture(now: .at(march1, 6))
        let adapter = ScriptedAdapter("alpha") { _ in [event("alpha", "1", company: "Acme")] }
        var options = IngestOptions(inputName: "")
        options.workspace = UUID(uuidString: "0b0b0b0b-0000-4000-8000-00000000dead")
        let head = try fixture.store.log.head()
        await #expect(throws: SiglogError.self) { try await fixture.pipeline.ingestDaily(options: options, adapters: [adapter]) }
        #expect(try fixture.store.log.head() == head && adapter.sinces.isEmpty)

        let runner = fixture.pipeline(at: .at(march1, 7))
        runner.interruption.request()
        await #expect(throws: SiglogError.interrupted) {
            try await runner.ingestDaily(options: IngestOptions(inputName: ""), adapters: [adapter])
        }
        let job = try #require(try fixture.jobs().last)
        #expect(job.status == .failed && job.errorMessage == "\(SiglogError.interrupted)")
        #expect(adapter.sinces.isEmpty, "no fetch starts once the run is asked to stop")
    }

    @Test("a raw event written as an ingest line reads back equal (fetch --out, then events)")
    func rawEventLineRoundTrip() throws {
        let events = [
            RawEvent(source: "newsapi", sourceEventID: String(repeating: "a", count: 64), companyName: "Acme\nCorp",
                     eventType: "funding_raised", eventTime: Timestamp(microseconds: 1_772_409_600_123_456), title: "T",
                     summary: "  padded  ", url: " https://x/a ", confidence: 0.85,
                     rawPayload: ["source_name": "Wire", "title": "T", "nested": .object(["b": 1, "a": .array([true, .null])])]),
            RawEvent(source: "delaware_socrata", companyName: "Ünïcode Inc", domain: "", websiteURL: nil,
                     eventType: "incorporation", eventTime: .at(march1, 0)),
        ]
        let parser = RawEventLineParser(defaultSource: nil)
        for (i, event) in events.enumerated() {
            let line = JSONWriter().string(.object(event.json))
            #expect(try parser.parse(line, lineNumber: i + 1) == event, "\(line)")
        }
    }

    @Test("end to end: two real adapters against a local server; the next day fetches only newer items; a repeat stores nothing new")
    func twoAdaptersOverThreeRuns() async throws {
        let fixture = try StageFixture(now: .at(march1, 6))
        // What the outside world has published by the simulated time of each run.
        let published = Mutex<Timestamp>(.at(march1, 6))
        let articles: [(String, Timestamp)] = [("Acme raises $5M seed round", .at(march1.adding(days: -1), 12)),
                                              ("Bolt secures Series A", .at(march1, 20))]
        let filings: [(String, String)] = [("Dawn Harbor Corp", "2026-02-28T12:00:00.000"), ("Ember Works LLC", "2026-03-01T21:00:00.000")]
        try await FixtureServer.with({ request in
            let now = published.withLock { $0 }
            switch request.path {
            case "/v2/everything":
                let from = request.queryValue("from") ?? ""
                let items = articles.filter { $0.1 <= now && $0.1.day.description >= from }.map { title, time in
                    #"{"url":"https://news.example/\#(title.count)","title":"\#(title)","description":"","publishedAt":"\#(time)","source":{"name":"Wire"}}"#
                }
                return .json(#"{"status":"ok","totalResults":\#(items.count),"articles":[\#(items.joined(separator: ","))]}"#)
            case "/resource/abcd-1234.json":
                let rows = filings.filter { (try? Timestamp(parsing: $0.1 + "Z")).map { $0 <= now } ?? false }
                    .map { #"{"entity_name":"\#($0.0)","file_date":"\#($0.1)","entity_type":"LLC"}"# }
                return .json("[" + rows.joined(separator: ",") + "]")
            default:
                return .status(404)
            }
        }) { server, base in
            let environment = AdapterEnvironment([
                "INGEST_NEWSAPI_ENABLED": "1", "NEWSAPI_API_KEY": "secret-news-key", "NEWSAPI_BASE_URL": base,
                "INGEST_NEWSAPI_KEYWORDS": "funding",
                "INGEST_DELAWARE_SOCRATA_ENABLED": "true", "INGEST_DELAWARE_SOCRATA_DATASET_ID": "abcd-1234",
                "DELAWARE_SOCRATA_BASE_URL": base,
            ])
            func day(_ time: Timestamp) async throws -> DailyAggregationResult {
                published.withLock { $0 = time }
                let runner = fixture.pipeline(at: time)
                let sources = runner.sourceAdapters(environment: environment, sleep: { _ in })
                #expect(sources.map(\.sourceName) == ["newsapi", "delaware_socrata"])
                return try await onThread { try runner.runDailyAggregation(asOf: time.day, events: URL?.none, sources: sources) }
            }
            let first = try await day(.at(march1, 6))
            #expect(first.status == .completed)
            #expect(first.ingest?.inserted == 2, "\(first.ingest?.json ?? [:])")
            #expect(first.ingest?.since == .at(march1.adding(days: -1), 6))
            #expect(server.requests.first { $0.path == "/v2/everything" }?.queryValue("from") == "2026-02-28")
            #expect(server.requests.first { $0.path == "/v2/everything" }?.queryValue("apiKey") == "secret-news-key")

            let count = server.requests.count
            let second = try await day(.at(march1.adding(days: 1), 6))
            // The clock is fixed, so the first ingest finished at 06:00 of its day.
            #expect(second.ingest?.since == .at(march1, 6))
            #expect(second.ingest?.inserted == 2 && second.ingest?.skippedDuplicate == 0, "only the newer article and filing")
            let secondRequests = server.requests.dropFirst(count)
            #expect(secondRequests.first { $0.path == "/v2/everything" }?.queryValue("from") == "2026-03-01")
            #expect(secondRequests.first { $0.path.hasPrefix("/resource/") }?.queryValue("$where") == "file_date >= '2026-03-01'")

            let repeatRun = try await day(.at(march1.adding(days: 1), 7))
            #expect(repeatRun.ingest?.inserted == 0)
            #expect(repeatRun.ingest?.since == .at(march1.adding(days: 1), 6))
            // The key never reaches a view, a job run or a result.
            let jobs = try fixture.jobs()
            #expect(!jobs.contains { JSONWriter().string($0.result).contains("secret-news-key") || ($0.errorMessage ?? "").contains("secret") })
        }
        #expect(try Replayer(store: fixture.store).verify().isOK)
    }
}
