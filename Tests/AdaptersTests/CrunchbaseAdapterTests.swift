@testable import Adapters
import FixtureServer
import Ingest
import SiglogCore
import Testing

@Suite("Crunchbase adapter (ADAPTERS.md §2)")
struct CrunchbaseAdapterTests {
    static let key = "cb-secret-key-123"

    func adapter(_ baseURL: String, _ recorder: RuntimeRecorder, key: String? = CrunchbaseAdapterTests.key,
                 timingOut slow: @escaping @Sendable (String) -> Bool = { _ in false }) -> CrunchbaseAdapter {
        var values = ["CRUNCHBASE_BASE_URL": baseURL]
        if let key { values["CRUNCHBASE_API_KEY"] = key }
        return CrunchbaseAdapter(configuration: .init(environment: AdapterEnvironment(values)),
                                 runtime: testRuntime(recorder, timingOut: slow))
    }

    static let workedExampleResponse = """
        {"properties": {"entities": [
          {"identifier": {"uuid": "5f1c2e9a-0b7d-4c1e-9a33-2d8e7c4b1f00", "value": "Northwind Robotics Series A"},
           "announced_on": {"value": "2026-03-02"},
           "funded_organization_identifier": {"uuid": "0c4d", "value": "northwind-robotics"},
           "money_raised": {"value_usd": 12500000}, "investment_type": "series_a",
           "funded_organization_card": {"name": "Northwind Robotics", "domain": "northwind.io",
                                        "homepage_url": "https://www.northwind.io"}},
          {"identifier": {"value": "harbor-labs-pre-seed"}, "announced_on": "2026-03-03",
           "funded_organization_identifier": {"value": "Harbor Labs"},
           "money_raised": {"value_usd": 750000}, "investment_type": {"value": "pre_seed"}},
          {"identifier": {"uuid": "5f1c2e9a-0b7d-4c1e-9a33-2d8e7c4b1f00"}, "announced_on": "2026-03-02"}
        ]}}
        """

    @Test("worked example: request, body, the duplicate dropped, the two events exactly")
    func workedExample() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events == [
                RawEvent(source: "crunchbase", sourceEventID: "5f1c2e9a-0b7d-4c1e-9a33-2d8e7c4b1f00",
                         companyName: "Northwind Robotics", domain: "northwind.io",
                         websiteURL: "https://www.northwind.io", eventType: "funding_raised",
                         eventTime: instant("2026-03-02T00:00:00Z"), title: "Series A", summary: "Raised $12.5M",
                         url: "https://www.crunchbase.com/funding_round/5f1c2e9a-0b7d-4c1e-9a33-2d8e7c4b1f00",
                         rawPayload: ["money_raised": 12_500_000, "investment_type": "series_a"]),
                RawEvent(source: "crunchbase", sourceEventID: "harbor-labs-pre-seed", companyName: "Harbor Labs",
                         eventType: "funding_raised", eventTime: instant("2026-03-03T00:00:00Z"), title: "Pre Seed",
                         summary: "Raised $750,000", url: "https://www.crunchbase.com/funding_round/harbor-labs-pre-seed",
                         rawPayload: ["money_raised": 750_000, "investment_type": "pre_seed"]),
            ])
            let requests = server.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/v4/data/searches/funding_rounds")
            #expect(request.rawQuery == "user_key=\(Self.key)")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("User-Agent") == expectedUserAgent)
            #expect(request.header("Accept") == "*/*")
            #expect(request.header("Authorization") == nil)
            #expect(json(request.bodyText) == json("""
                {"field_ids": ["identifier", "announced_on", "funded_organization_identifier", "money_raised", "investment_type"],
                 "order": [{"field_id": "announced_on", "sort": "asc"}],
                 "query": [{"type": "predicate", "field_id": "announced_on", "operator_id": "gte", "values": ["2026-03-01"]}],
                 "limit": 100}
                """))
            #expect(recorder.sleeps.isEmpty)
            #expect(recorder.requestTimeouts.map(\.timeout) == [.seconds(30)])
        }
    }

    /// A full page of `count` rounds named `prefix-i`, the last one given `lastIdentifier`.
    static func page(_ prefix: String, count: Int, lastIdentifier: String? = nil) -> String {
        var entities: [String] = []
        for i in 0..<count {
            let identifier = i == count - 1 && lastIdentifier != nil ? lastIdentifier! : "{\"uuid\": \"\(prefix)-\(i)\"}"
            entities.append("""
                {"identifier": \(identifier), "announced_on": "2026-03-02",
                 "funded_organization_identifier": {"value": "Org \(prefix) \(i)"}, "investment_type": "seed"}
                """)
        }
        return "{\"entities\": [" + entities.joined(separator: ",") + "]}"
    }

    @Test("pages of 100 follow the last entity's uuid, else its value, emitted or not; a short page ends")
    func paging() async throws {
        let recorder = RuntimeRecorder()
        // Page 2 ends with a repeat of page 1's first round: dropped, yet its value is the cursor.
        let page1 = Self.page("a", count: 100)
        let page2 = Self.page("b", count: 100, lastIdentifier: "{\"value\": \"a-0\"}")
        let page3 = Self.page("c", count: 3)
        try await FixtureServer.with({ request in
            switch json(request.bodyText)["after_id"] {
            case nil: return .json(page1)
            case "a-99": return .json(page2)
            case "a-0": return .json(page3)
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            let ids = events.map { $0.sourceEventID ?? "" }
            let expected = (0..<100).map { "a-\($0)" } + (0..<99).map { "b-\($0)" } + (0..<3).map { "c-\($0)" }
            #expect(ids == expected)
            #expect(server.requests.map { json($0.bodyText)["after_id"] } == [nil, "a-99", "a-0"])
            #expect(server.requests.allSatisfy { $0.rawQuery == "user_key=\(Self.key)" })
        }
    }

    @Test("a full page whose last entity has no identifier ends paging")
    func noCursorEndsPaging() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.page("a", count: 100, lastIdentifier: "null")) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.count == 100)
            #expect(events.last?.sourceEventID == "unknown")
            #expect(events.last?.url == nil)
            #expect(server.requests.count == 1)
        }
    }

    @Test("a non-200 (429 and 3xx included) stops paging and keeps the events gathered, with no retry and no sleep",
          arguments: [429, 500, 403, 302])
    func nonOKStopsPaging(status: Int) async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            if request.path == "/elsewhere" { return .json(Self.page("z", count: 3)) }
            return json(request.bodyText)["after_id"] == nil
                ? .json(Self.page("a", count: 100)) : Reply(status: status, body: "", location: "/elsewhere")
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.count == 100)
            #expect(server.requests.count == 2)
            #expect(recorder.sleeps.isEmpty)
            #expect(recorder.logLines.count == 1)
            #expect(recorder.logLines.first?.contains("status \(status)") == true)
            expectNoSecret(Self.key, in: recorder.logLines)
        }
    }

    @Test("a non-200 on the first page gives no events")
    func firstPageFailure() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .status(503) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events == [])
            #expect(server.requests.count == 1)
        }
    }

    @Test("a body that is not JSON throws, losing the earlier pages; the message carries no key")
    func invalidJSONThrows() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            json(request.bodyText)["after_id"] == nil ? .json(Self.page("a", count: 100)) : .json("{\"entities\": [")
        }) { server, url in
            let error = await #expect(throws: AdapterError.self) {
                try await adapter(url, recorder).fetchEvents(since: exampleSince)
            }
            #expect(error?.kind == .invalidJSON)
            #expect(error?.message.contains("/v4/data/searches/funding_rounds?[redacted]") == true)
            expectNoSecret(Self.key, in: [error?.message ?? ""])
            #expect(server.requests.count == 2)
        }
    }

    @Test("a connection failure throws a transport error without the key")
    func transportErrorThrows() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.withRefusingPort { url in
            let error = await #expect(throws: TransportError.self) {
                try await adapter(url, recorder).fetchEvents(since: exampleSince)
            }
            #expect(error?.method == "POST")
            #expect(error?.redactedURL == url + "/v4/data/searches/funding_rounds?[redacted]")
            expectNoSecret(Self.key, in: [String(describing: error)])
        }
    }

    @Test("a response slower than the request timeout throws")
    func timeoutThrows() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in
            Reply(status: 200, body: Self.workedExampleResponse, delay: .seconds(30))
        }) { _, url in
            await #expect(throws: TransportError.self) {
                try await adapter(url, recorder, timingOut: { _ in true }).fetchEvents(since: exampleSince)
            }
        }
    }

    @Test("without a key nothing is requested")
    func missingKey() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let blankKey = try await adapter(url, recorder, key: "   ").fetchEvents(since: exampleSince)
            let noKey = try await adapter(url, recorder, key: nil).fetchEvents(since: exampleSince)
            #expect(blankKey == [] && noKey == [])
            #expect(server.requests.isEmpty)
            #expect(recorder.logLines.isEmpty)
        }
    }

    @Test("a base URL with a path prefix and a trailing slash moves requests, not event URLs")
    func baseURLOverride() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let events = try await adapter("  " + url + "/staging/cb/ ", recorder).fetchEvents(since: exampleSince)
            #expect(server.requests.map(\.path) == ["/staging/cb/v4/data/searches/funding_rounds"])
            #expect(events.first?.url == "https://www.crunchbase.com/funding_round/5f1c2e9a-0b7d-4c1e-9a33-2d8e7c4b1f00")
        }
    }
}

@Suite("Crunchbase mapping (ADAPTERS.md §2, pure)")
struct CrunchbaseMappingTests {
    @Test("title-casing", arguments: [
        ("series_a", "Series A"), ("pre_seed", "Pre Seed"), ("b2b_round", "B2B Round"), ("SERIES_B", "Series B"),
        ("series_a-ext", "Series A-Ext"), ("funding", "Funding"), ("straße_round", "Straße Round"),
    ])
    func titleCasing(input: String, expected: String) {
        #expect(CrunchbaseMapping.titleCased(input) == expected)
    }

    @Test("money summaries", arguments: [
        (JSONValue.int(12_500_000), "Raised $12.5M"), (.int(1_250_000), "Raised $1.2M"), (.int(2_350_000), "Raised $2.4M"),
        (.int(5_000_000), "Raised $5.0M"), (.int(1_000_000_000), "Raised $1000.0M"), (.int(750_000), "Raised $750,000"),
        (.int(-5), "Raised $-5"), (.int(0), "Raised $0"), (.int(1_000_000), "Raised $1.0M"),
        (.double(999_999.9), "Raised $999,999"), (.double(-1234.7), "Raised $-1,234"),
        (.double(3_050_000.0), "Raised $3.0M"), (.string(" 2500000 "), "Raised $2.5M"), (.string("-12000"), "Raised $-12,000"),
        (.string("+42"), "Raised $42"),
    ])
    func moneySummary(value: JSONValue, expected: String) {
        #expect(CrunchbaseMapping.moneySummary(value) == expected)
    }

    @Test("values that give no summary", arguments: [
        JSONValue.null, .bool(true), .string("1.5e6"), .string("12 000"), .string(""), .string("$5"), .array([1]),
        .object(["usd": 1]),
    ])
    func noMoneySummary(value: JSONValue) {
        #expect(CrunchbaseMapping.moneySummary(value) == nil)
    }

    func map(_ text: String) throws -> RawEvent {
        try CrunchbaseMapping.event(from: json(text), now: fixedNow)
    }

    @Test("an entity with neither uuid nor value is `unknown`, without a URL")
    func unknownIdentifier() throws {
        let event = try map(#"{"identifier": {"permalink": "x"}, "funded_organization_identifier": {"value": "Acme"}}"#)
        #expect(event.sourceEventID == "unknown")
        #expect(event.url == nil)
        #expect(event.companyName == "Acme")
        #expect(event.title == "Funding")
        #expect(event.summary == nil)
        #expect(event.rawPayload == ["money_raised": nil, "investment_type": "funding"])
    }

    @Test("numeric identifiers become their decimal text")
    func numericIdentifier() throws {
        let event = try map(#"{"identifier": {"uuid": 40112233446}, "funded_organization_card": {"name": "Acme"}}"#)
        #expect(event.sourceEventID == "40112233446")
        #expect(event.url == "https://www.crunchbase.com/funding_round/40112233446")
    }

    @Test("announced_on: T2 dates, one-digit parts, text after the date ignored, now when unusable", arguments: [
        (#""2026-3-5""#, "2026-03-05T00:00:00Z"), (#"{"value": "2026-03-02T18:30:00Z"}"#, "2026-03-02T00:00:00Z"),
        (#""2026-03-02 whatever""#, "2026-03-02T00:00:00Z"), (#""2026-02-30""#, "2026-03-05T12:00:00Z"),
        (#""03/02/2026""#, "2026-03-05T12:00:00Z"), ("null", "2026-03-05T12:00:00Z"), ("20260302", "2026-03-05T12:00:00Z"),
        (#"{"precision": "day"}"#, "2026-03-05T12:00:00Z"), (#""2026-3-5T10:00""#, "2026-03-05T12:00:00Z"),
    ])
    func announcedOn(value: String, expected: String) throws {
        let event = try map(#"{"identifier": {"uuid": "r"}, "funded_organization_card": {"name": "Acme"}, "announced_on": "#
            + value + "}")
        #expect(event.eventTime == instant(expected))
    }

    @Test("the company name falls back from the card to the identifier value to Unknown, trimmed")
    func companyNameFallbacks() throws {
        #expect(try map(#"{"funded_organization_card": {"name": "  Card Co "}, "funded_organization_identifier": null}"#)
            .companyName == "Card Co")
        #expect(try map(#"{"funded_organization_card": {"name": ""}, "funded_organization_identifier": {"value": " Id Co"}}"#)
            .companyName == "Id Co")
        #expect(try map(#"{"funded_organization_identifier": {"uuid": "x"}}"#).companyName == "Unknown")
        #expect(try map(#"{}"#).companyName == "Unknown")
    }

    @Test("an all-blank card name throws (empty company name)")
    func blankNameThrows() {
        #expect(throws: AdapterError.self) { try map(#"{"funded_organization_card": {"name": "   "}}"#) }
    }

    @Test("no card name and a null funded_organization_identifier throws")
    func nullIdentifierThrows() {
        #expect(throws: AdapterError.self) { try map(#"{"funded_organization_identifier": null}"#) }
    }

    @Test("a card name that is not text throws")
    func numericNameThrows() {
        #expect(throws: AdapterError.self) { try map(#"{"funded_organization_card": {"name": 7}}"#) }
    }

    @Test("investment type: object without value, null and empty give funding; text is title-cased")
    func investmentTypes() throws {
        #expect(try map(#"{"investment_type": {"label": "x"}}"#).rawPayload?["investment_type"] == "funding")
        #expect(try map(#"{"investment_type": null}"#).title == "Funding")
        #expect(try map(#"{"investment_type": {"value": ""}}"#).title == "Funding")
        let event = try map(#"{"investment_type": "series_c", "money_raised": {"value_usd": "3000000"}}"#)
        #expect(event.title == "Series C")
        #expect(event.summary == "Raised $3.0M")
        #expect(event.rawPayload == ["money_raised": "3000000", "investment_type": "series_c"])
    }

    @Test("money_raised that is not an object gives no summary and a null payload amount")
    func moneyNotAnObject() throws {
        let event = try map(#"{"money_raised": 5000000}"#)
        #expect(event.summary == nil)
        #expect(event.rawPayload?["money_raised"] == .null)
    }

    @Test("long texts are truncated: id 255, domain 255, website 2048; the URL keeps the whole id")
    func truncation() throws {
        let id = String(repeating: "i", count: 300)
        let event = try map(#"{"identifier": {"uuid": ""# + id + #""}, "funded_organization_card": {"name": "A", "domain": ""#
            + String(repeating: "d", count: 300) + #"", "homepage_url": ""# + String(repeating: "h", count: 3000) + #""}}"#)
        #expect(event.sourceEventID == String(repeating: "i", count: 255))
        #expect(event.url == "https://www.crunchbase.com/funding_round/" + id)
        #expect(event.domain?.count == 255)
        #expect(event.websiteURL?.count == 2048)
    }

    @Test("the entity list: properties.entities when properties is a non-empty object, else top-level entities")
    func entityList() throws {
        #expect(try CrunchbaseMapping.entities(in: json(#"{"properties": {}, "entities": [{"a": 1}]}"#)).count == 1)
        #expect(try CrunchbaseMapping.entities(in: json(#"{"properties": {"entities": [{}, {}]}, "entities": [{}]}"#)).count == 2)
        #expect(try CrunchbaseMapping.entities(in: json(#"{"properties": {"count": 0}}"#)).isEmpty)
        #expect(try CrunchbaseMapping.entities(in: json(#"{"entities": null}"#)).isEmpty)
        #expect(throws: AdapterError.self) { try CrunchbaseMapping.entities(in: json("[1, 2]")) }
        #expect(throws: AdapterError.self) { try CrunchbaseMapping.entities(in: json(#"{"entities": "x"}"#)) }
    }
}
