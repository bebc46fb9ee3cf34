@testable import Adapters
import FixtureServer
import Ingest
import SiglogCore
import Testing

@Suite("Delaware Socrata adapter (ADAPTERS.md §6)")
struct DelawareSocrataAdapterTests {
    func adapter(_ baseURL: String, _ recorder: RuntimeRecorder, dataset: String? = "abcd-1234", column: String? = nil,
                 timingOut slow: @escaping @Sendable (String) -> Bool = { _ in false }) -> DelawareSocrataAdapter {
        var values = ["DELAWARE_SOCRATA_BASE_URL": baseURL]
        if let dataset { values["INGEST_DELAWARE_SOCRATA_DATASET_ID"] = dataset }
        if let column { values["INGEST_DELAWARE_SOCRATA_DATE_COLUMN"] = column }
        return DelawareSocrataAdapter(configuration: .init(environment: AdapterEnvironment(values)),
                                      runtime: testRuntime(recorder, timingOut: slow))
    }

    static let workedExampleRows = """
        [{"entity_name": "Bluefin Analytics LLC", "file_date": "2026-03-03T00:00:00.000", "entity_type": "LLC"},
         {"EntityName": "  Cobalt Ridge Inc ", "filedate": "2026-03-03"},
         {"name": "Dawn Harbor Corp", "file_date": "2026-03-01T00:00:00.000"},
         {"entity_name": "Bluefin Analytics LLC", "file_date": "2026-03-03T00:00:00.000", "entity_type": "LLC"}]
        """

    @Test("worked example: the filtered query, same-day loss, the duplicate dropped, the hashed ids")
    func workedExample() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleRows) }) { server, url in
            let events = try await adapter(url, recorder, dataset: " abcd-1234 ").fetchEvents(since: exampleSince)
            #expect(events == [
                RawEvent(source: "delaware_socrata", sourceEventID: "abcd-1234:6df8ad6138f54db844a8e33620173659e6abb986b902b8a6",
                         companyName: "Bluefin Analytics LLC", eventType: "incorporation",
                         eventTime: instant("2026-03-03T00:00:00Z"), title: "LLC formation: Bluefin Analytics LLC",
                         summary: "LLC", url: "https://data.delaware.gov/resource/abcd-1234.json",
                         rawPayload: ["entity_type": "LLC", "dataset_id": "abcd-1234"]),
                RawEvent(source: "delaware_socrata", sourceEventID: "abcd-1234:b82509f57c79f46278f2e837a1cd862fd4ee77a4980433e0",
                         companyName: "Cobalt Ridge Inc", eventType: "incorporation",
                         eventTime: instant("2026-03-03T00:00:00Z"), title: "Incorporation: Cobalt Ridge Inc",
                         url: "https://data.delaware.gov/resource/abcd-1234.json",
                         rawPayload: ["entity_type": nil, "dataset_id": "abcd-1234"]),
            ])
            let requests = server.requests
            try #require(requests.count == 1)
            #expect(requests[0].method == "GET")
            #expect(requests[0].path == "/resource/abcd-1234.json")
            #expect(requests[0].rawQuery == "%24limit=1000&%24offset=0&%24where=file_date+%3E%3D+%272026-03-01%27")
            #expect(requests[0].query.map { [$0.0, $0.1] } == [["$limit", "1000"], ["$offset", "0"],
                                                                ["$where", "file_date >= '2026-03-01'"]])
            #expect(requests[0].header("User-Agent") == expectedUserAgent)
            #expect(requests[0].header("Authorization") == nil)
            #expect(requests[0].header("X-App-Token") == nil)
        }
    }

    @Test("the client filter compares instants: a filing at since itself is kept, one a microsecond earlier is not")
    func sinceBoundary() async throws {
        let recorder = RuntimeRecorder()
        let rows = """
            [{"name": "Midnight Co", "file_date": "2026-03-01"},
             {"name": "Exact Co", "file_date": "2026-03-01T06:00:00"},
             {"name": "Early Co", "file_date": "2026-03-01T05:59:59.999999"}]
            """
        try await FixtureServer.with({ _ in .json(rows) }) { _, url in
            let atMidnight = try await adapter(url, recorder).fetchEvents(since: instant("2026-03-01T00:00:00Z"))
            #expect(atMidnight.map(\.companyName) == ["Midnight Co", "Exact Co", "Early Co"])
            let atSix = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(atSix.map(\.companyName) == ["Exact Co"])
        }
    }

    /// `count` rows named `<prefix> i`, filed on 2026-03-02.
    static func rows(_ prefix: String, count: Int) -> String {
        "[" + (0..<count).map { #"{"entity_name": "\#(prefix) \#($0)", "file_date": "2026-03-02"}"# }.joined(separator: ",") + "]"
    }

    @Test("pages of 1000 by offset until a short page")
    func paging() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch request.queryValue("$offset") {
            case "0": return .json(Self.rows("A", count: 1000))
            case "1000": return .json(Self.rows("B", count: 1000))
            case "2000": return .json(Self.rows("C", count: 2))
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.count == 2002)
            #expect(events.last?.companyName == "C 1")
            #expect(server.requests.map { $0.queryValue("$offset") } == ["0", "1000", "2000"])
            #expect(server.requests.allSatisfy { $0.queryValue("$where") == "file_date >= '2026-03-01'" })
        }
    }

    @Test("a 429 is retried after 60 s and 120 s")
    func rateLimitRetries() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ [counter = Counter()] _ in counter.next() <= 2 ? .status(429) : .json(Self.rows("A", count: 3)) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.count == 3)
            #expect(server.requests.count == 3)
            #expect(recorder.sleeps == [.seconds(60), .seconds(120)])
        }
    }

    @Test("page failures stop paging and keep earlier pages, without throwing", arguments: [
        Reply.status(429), .status(500), .status(404), .status(400), .json(#"{"error": true}"#), .json("[{"),
        Reply(status: 200, body: "[]", delay: .seconds(30)),
    ])
    func failuresStopPaging(second: Reply) async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            request.queryValue("$offset") == "0" ? .json(Self.rows("A", count: 1000)) : second
        }) { server, url in
            let events = try await adapter(url, recorder, timingOut: { second.delay != nil && $0.contains("%24offset=1000") })
                .fetchEvents(since: exampleSince)
            #expect(events.count == 1000)
            let secondPageRequests = server.requests.filter { $0.queryValue("$offset") == "1000" }.count
            #expect(secondPageRequests == (second.status == 429 ? 3 : 1))
            #expect(recorder.sleeps == (second.status == 429 ? [.seconds(60), .seconds(120)] : []))
            #expect(server.requests.allSatisfy { $0.queryValue("$where") != nil })
        }
    }

    @Test("a connection failure gives no events and does not throw")
    func transportError() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.withRefusingPort { url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(recorder.logLines.count == 1)
        }
    }

    @Test("a 400 on the first page with a filter retries once without it and keeps it off")
    func badRequestFallback() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            if request.queryValue("$where") != nil { return .status(400) }
            return request.queryValue("$offset") == "0" ? .json(Self.rows("A", count: 1000)) : .json(Self.rows("B", count: 1))
        }) { server, url in
            let events = try await adapter(url, recorder, column: "filing_date").fetchEvents(since: exampleSince)
            #expect(events.count == 1001)
            #expect(server.requests.map { [$0.queryValue("$offset") ?? "", $0.queryValue("$where") ?? "-"] } == [
                ["0", "filing_date >= '2026-03-01'"], ["0", "-"], ["1000", "-"],
            ])
        }
    }

    @Test("a 400 without a filter, or twice, ends paging")
    func badRequestWithoutFilter() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .status(400) }) { server, url in
            let unfiltered = try await adapter(url, recorder, column: "  ").fetchEvents(since: exampleSince)
            #expect(unfiltered.isEmpty)
            #expect(server.requests.count == 1)
            let filtered = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(filtered.isEmpty)
            #expect(server.requests.count == 3)
        }
    }

    @Test("date column: unset is file_date, blank or invalid is no filter", arguments: [
        (nil, "file_date"), ("  ", nil), ("bad col;", nil), ("filing_date", "filing_date"), (" Filed_2 ", "Filed_2"),
    ] as [(String?, String?)])
    func dateColumn(value: String?, expected: String?) {
        #expect(DelawareSocrataMapping.dateColumn(value) == expected)
    }

    @Test("without a dataset nothing is requested")
    func missingDataset() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json("[]") }) { server, url in
            let events = try await adapter(url, recorder, dataset: "  ").fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(server.requests.isEmpty)
        }
    }
}

@Suite("Delaware Socrata mapping (ADAPTERS.md §6, pure)")
struct DelawareSocrataMappingTests {
    func map(_ text: String) throws -> RawEvent? {
        try DelawareSocrataMapping.event(from: json(text), datasetID: "ds-1", now: fixedNow)
    }

    @Test("field lookup: keys lower-cased (later wins), first non-blank candidate, numbers as text")
    func fieldLookup() throws {
        let event = try #require(try map(#"{"Entity_Name": "First", "ENTITY_NAME": "Second", "file_date": "  ", "FileDate": 20260302, "type": "Corp"}"#))
        #expect(event.companyName == "Second")
        #expect(event.summary == "Corp")
        #expect(event.eventTime == instant("2026-03-02T00:00:00Z"))  // the compact ISO date form
        let hashed = "ds-1:Second:20260302:Corp"
        #expect(event.sourceEventID == "ds-1:" + String(NewsAPIMapping.sha256Hex(hashed).prefix(48)))
    }

    @Test("a row without name, date or type: Unknown, now, Incorporation")
    func emptyRow() throws {
        let event = try #require(try map(#"{"restname": null, "other": "x"}"#))
        #expect(event.companyName == "Unknown")
        #expect(event.title == "Incorporation: Unknown")
        #expect(event.eventTime == fixedNow)
        #expect(event.sourceEventID == "ds-1:" + String(NewsAPIMapping.sha256Hex("ds-1:unknown::").prefix(48)))
        #expect(event.rawPayload == ["entity_type": nil, "dataset_id": "ds-1"])
    }

    @Test("rows that are not objects are skipped")
    func notObjects() throws {
        #expect(try map("[1]") == nil)
        #expect(try map(#""row""#) == nil)
    }

    @Test("long names: 255 in the company and title, the whole name in the hash; titles cut at 512")
    func longNames() throws {
        let name = String(repeating: "N", count: 600)
        let event = try #require(try map(#"{"name": "\#(name)", "entity_type": "LLC"}"#))
        #expect(event.companyName.count == 255)
        #expect(event.title == "LLC formation: " + String(repeating: "N", count: 255))
        #expect(event.sourceEventID == "ds-1:" + String(NewsAPIMapping.sha256Hex("ds-1:\(name)::LLC").prefix(48)))
        let type = String(repeating: "T", count: 600)
        let longType = try #require(try map(#"{"name": "Acme", "entity_type": "\#(type)"}"#))
        #expect(longType.title == String(repeating: "T", count: 512))
        #expect(longType.summary == type)
    }

    @Test("T3 dates", arguments: [
        ("2026-03-03 14:00:00", "2026-03-03T00:00:00Z"), ("2026-03-03T14:00:00", "2026-03-03T14:00:00Z"),
        ("2026-03-03T14:00:00Z", "2026-03-03T14:00:00Z"), ("2026-03-03T14:00:00-05:00", "2026-03-03T19:00:00Z"),
        ("01/15/2025", "2026-03-05T12:00:00Z"), ("2025-1-5", "2026-03-05T12:00:00Z"), ("20260303", "2026-03-03T00:00:00Z"),
        ("2026-03-03t14:00:00", "2026-03-03T00:00:00Z"), ("2026-02-30", "2026-03-05T12:00:00Z"),
        ("2026-03-03Tnoon", "2026-03-05T12:00:00Z"),
    ])
    func t3(text: String, expected: String) {
        #expect(ReferenceTime.t3(text, now: fixedNow) == instant(expected))
    }
}
