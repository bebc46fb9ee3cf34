import FixtureServer
import Foundation
import SiglogCore
import Synchronization
import Testing

/// The nightly job through the built tools: source adapters enabled by the environment, pointed at a
/// local server that stands in for the outside APIs.
@Suite("Source adapters through siglog-append")
struct SourceAdapterEndToEndTests {
    /// A tool run on a thread of its own: the test's server answers on the shared pool meanwhile.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]) async throws -> QueryFixtureStore.Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try FirstHourTests.run(tool, arguments, environment: environment) })
            }.start()
        }
    }

    /// A server with one NewsAPI article and one Delaware filing, both two hours old.
    static func withSources(_ body: (FixtureServer, [String: String]) async throws -> Void) async throws {
        let twoHoursAgo = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 - 7_200) * 1_000_000)
        try await FixtureServer.with({ request in
            switch request.path {
            case "/v2/everything":
                // The server's filter: articles published on or after `from` (a date).
                let items = twoHoursAgo.day.description >= (request.queryValue("from") ?? "")
                    ? [#"{"url":"https://news.example/acme","title":"Acme raises $5M seed round","description":"Seed","publishedAt":"\#(twoHoursAgo)","source":{"name":"Wire"}}"#]
                    : []
                return .json(#"{"status":"ok","totalResults":\#(items.count),"articles":[\#(items.joined(separator: ","))]}"#)
            case "/resource/abcd-1234.json":
                return .json(#"[{"entity_name":"Dawn Harbor Corp","file_date":"\#(twoHoursAgo)","entity_type":"Corporation"}]"#)
            default:
                return .status(404)
            }
        }) { server, base in
            try await body(server, [
                "INGEST_NEWSAPI_ENABLED": "1", "NEWSAPI_API_KEY": "secret-news-key", "NEWSAPI_BASE_URL": base,
                "INGEST_NEWSAPI_KEYWORDS": "funding",
                "INGEST_DELAWARE_SOCRATA_ENABLED": "true", "INGEST_DELAWARE_SOCRATA_DATASET_ID": "abcd-1234",
                "DELAWARE_SOCRATA_BASE_URL": base,
            ])
        }
    }

    @Test("stage daily-aggregation without --events fetches from the two enabled sources; a repeat stores nothing new")
    func dailyAggregationFetches() async throws {
        let s = try QueryFixtureStore()
        try await Self.withSources { server, environment in
            let first = try await Self.run("siglog-append", ["stage", "daily-aggregation", "--store", s.store], environment: environment)
            #expect(first.status == 0, "\(first.stderr)")
            let ingest = try #require(first.json?["ingest_result"])
            #expect(ingest["inserted"] == 2 && ingest["errors_count"] == 0, "\(first.stdout)")
            #expect(ingest["sources"]?.arrayValue?.compactMap { $0["source"]?.stringValue } == ["newsapi", "delaware_socrata"])
            #expect(first.stderr.contains("newsapi: fetched 1 events: 1 stored"))
            #expect(first.stderr.contains("delaware_socrata: fetched 1 events: 1 stored"))
            #expect(server.requests.contains { $0.path == "/v2/everything" && $0.queryValue("apiKey") == "secret-news-key" })
            #expect(!(first.stdout + first.stderr).contains("secret-news-key"), "the key is never printed")

            let second = try await Self.run("siglog-append", ["stage", "ingest", "--store", s.store], environment: environment)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.json?["inserted"] == 0, "\(second.stdout)")
            // It started where the first run finished.
            let jobs = try #require(try s.query(["jobs", "--type", "ingest", "--format", "json"]).json?.arrayValue)
            #expect(second.json?["since"] == jobs.first?["finished_at"], "\(jobs)")
        }
    }

    @Test("fetch --out, then events, gives the store a direct stage ingest gives")
    func fetchThenEventsEqualsIngest() async throws {
        let direct = try QueryFixtureStore(name: "direct")
        let viaFile = try QueryFixtureStore(name: "via-file")
        try await Self.withSources { _, environment in
            let since = "2026-01-01T00:00:00Z"
            let file = viaFile.directory.appendingPathComponent("fetched.ndjson").path
            var fetched = 0
            for source in ["newsapi", "delaware_socrata"] {
                let fetch = try await Self.run("siglog-append", ["fetch", "--source", source, "--since", since, "--out", file + source],
                                               environment: environment)
                #expect(fetch.status == 0 && fetch.stdout.isEmpty, "\(fetch.stderr)")
                #expect(fetch.stderr.contains("fetched 1 events from \(source)"), "\(fetch.stderr)")
                let events = try await Self.run("siglog-append", ["events", file + source, "--store", viaFile.store], environment: [:])
                #expect(events.status == 0, "\(events.stderr)")
                fetched += Int(events.json?["inserted"]?.numberValue ?? 0)
            }
            #expect(fetched == 2)
            // The direct ingest of the same two sources, in one run.
            let run = try await Self.run("siglog-append", ["stage", "ingest", "--store", direct.store], environment: environment)
            #expect(run.status == 0 && run.json?["inserted"] == 2, "\(run.stdout) \(run.stderr)")
        }
        func contents(_ s: QueryFixtureStore) throws -> [String] {
            // Event ids are log positions, which the job records in between shift, and ingested_at is the
            // append time; everything else matches.
            let events = try #require(try s.query(["events", "--format", "json"]).json?.arrayValue).map { event in
                var object = event.objectValue ?? [:]
                object["id"] = nil
                object["ingested_at"] = nil
                return JSONWriter().string(.object(object))
            }
            let companies = try #require(try s.query(["companies", "--format", "json"]).json?.arrayValue).map { company in
                var object = company.objectValue ?? [:]
                object["created_at"] = nil
                object["updated_at"] = nil
                return JSONWriter().string(.object(object))
            }
            return events + companies
        }
        let expected = try contents(direct)
        #expect(expected.count == 4)
        let got = try contents(viaFile)
        #expect(got == expected, "\(zip(got, expected).filter { $0 != $1 })")
    }

    @Test("a failing source is recorded as `{source}: {message}` in the job run; no key appears in any output, job run or exported record")
    func failureKeepsTheKeysSecret() async throws {
        let s = try QueryFixtureStore()
        try await FixtureServer.with({ request in
            switch request.path {
            // NewsAPI's key travels in the query string (an error quoting the URL would leak it); a
            // 500 moves it to the next keyword without an error (ADAPTERS.md §0).
            case "/v2/everything": return .status(500)
            // Crunchbase throws on a 200 with a body that is not JSON: the run records it.
            case "/v4/data/searches/funding_rounds": return .json("not json at all")
            default: return .status(404)
            }
        }) { server, base in
            let environment = [
                "INGEST_NEWSAPI_ENABLED": "1", "NEWSAPI_API_KEY": "secret-news-key", "NEWSAPI_BASE_URL": base,
                "INGEST_NEWSAPI_KEYWORDS": "funding",
                "INGEST_CRUNCHBASE_ENABLED": "1", "CRUNCHBASE_API_KEY": "secret-crunchbase-key", "CRUNCHBASE_BASE_URL": base,
            ]
            let run = try await Self.run("siglog-append", ["stage", "ingest", "--store", s.store], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(server.requests.contains { $0.queryValue("apiKey") == "secret-news-key" }, "the key was sent")
            #expect(server.requests.contains { $0.path == "/v4/data/searches/funding_rounds" })
            let jobs = try s.query(["jobs", "--type", "ingest", "--format", "json"])
            let job = try #require(jobs.json?.arrayValue?.first)
            #expect(job["error_message"]?.stringValue?.hasPrefix("crunchbase: ") == true, "\(jobs.stdout)")
            let export = try s.query(["export"])
            for text in [run.stdout, run.stderr, jobs.stdout, export.stdout] {
                for key in ["secret-news-key", "secret-crunchbase-key"] {
                    #expect(!text.contains(key), "\(key) leaked into: \(text.prefix(400))")
                }
            }
        }
    }
}
