@testable import Adapters
import FixtureServer
import Ingest
import SiglogCore
import Testing

@Suite("Product Hunt adapter (ADAPTERS.md §3)")
struct ProductHuntAdapterTests {
    static let token = "ph-secret-token-456"

    func adapter(_ baseURL: String, _ recorder: RuntimeRecorder, token: String? = ProductHuntAdapterTests.token)
        -> ProductHuntAdapter
    {
        var values = ["PRODUCTHUNT_BASE_URL": baseURL]
        if let token { values["PRODUCTHUNT_API_TOKEN"] = token }
        return ProductHuntAdapter(configuration: .init(environment: AdapterEnvironment(values)), runtime: testRuntime(recorder))
    }

    static let workedExampleResponse = """
        {"data": {"posts": {"edges": [
          {"node": {"id": "481516", "name": "Quillmate", "tagline": "  AI meeting notes that write themselves ",
                    "url": "https://www.producthunt.com/posts/quillmate",
                    "website": "https://www.quillmate.app/?ref=producthunt", "createdAt": "2026-03-02T08:01:00Z",
                    "votesCount": 212, "commentsCount": 31,
                    "makers": [{"name": "Ada Park"}, {"name": null}, "bogus"]}, "cursor": "MQ"},
          {"node": {"id": "481517", "name": "  ", "tagline": null, "url": null, "website": null,
                    "createdAt": "2026-03-02T09:30:00.250-05:00"}, "cursor": "Mg"},
          {"node": {"id": null, "name": "Ghost"}, "cursor": "Mw"}],
          "pageInfo": {"hasNextPage": false, "endCursor": "Mw"}}}}
        """

    @Test("worked example: headers, variables, query, the two events exactly, one request")
    func workedExample() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events == [
                RawEvent(source: "producthunt", sourceEventID: "481516", companyName: "Quillmate", domain: "quillmate.app",
                         websiteURL: "https://www.quillmate.app/?ref=producthunt", eventType: "launch_major",
                         eventTime: instant("2026-03-02T08:01:00Z"), title: "Quillmate",
                         summary: "AI meeting notes that write themselves",
                         url: "https://www.producthunt.com/posts/quillmate",
                         rawPayload: object("""
                            {"tagline": "AI meeting notes that write themselves", "votesCount": 212, "commentsCount": 31,
                             "makers": [{"name": "Ada Park"}]}
                            """)),
                RawEvent(source: "producthunt", sourceEventID: "481517", companyName: "Unknown", eventType: "launch_major",
                         eventTime: instant("2026-03-02T14:30:00.250Z"), url: "https://www.producthunt.com/posts/481517",
                         rawPayload: ["tagline": nil]),
            ])
            #expect(events[0].rawPayload?.keys == ["tagline", "votesCount", "commentsCount", "makers"])
            let requests = server.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "POST")
            #expect(request.path == "/v2/api/graphql")
            #expect(request.rawQuery == nil)
            #expect(request.header("Authorization") == "Bearer \(Self.token)")
            #expect(request.header("Accept") == "application/json")
            #expect(request.headerValues("Accept").count == 1)
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("User-Agent") == expectedUserAgent)
            let body = json(request.bodyText)
            #expect(body["variables"] == json(#"{"postedAfter": "2026-03-01T06:00:00Z", "first": 50}"#))
            let query = body["query"]?.stringValue ?? ""
            #expect(query.contains("posts(postedAfter: $postedAfter, first: $first, after: $after, order: NEWEST)"))
            #expect(query.contains("$postedAfter: DateTime!") && query.contains("$first: Int!")
                && query.contains("$after: String"))
            for field in ["id", "name", "tagline", "url", "website", "createdAt", "votesCount", "commentsCount",
                          "makers { name }", "cursor", "hasNextPage", "endCursor"] {
                #expect(query.contains(field), "query lacks \(field)")
            }
            #expect(recorder.sleeps.isEmpty)
        }
    }

    static func page(ids: [String], hasNextPage: Bool, endCursor: String?) -> String {
        let edges = ids.map { #"{"node": {"id": "\#($0)", "name": "P\#($0)", "createdAt": "2026-03-02T10:00:00Z"}, "cursor": "c"}"# }
        let cursor = endCursor.map { "\"\($0)\"" } ?? "null"
        return #"{"data": {"posts": {"edges": ["# + edges.joined(separator: ",")
            + #"], "pageInfo": {"hasNextPage": \#(hasNextPage), "endCursor": \#(cursor)}}}}"#
    }

    @Test("paging follows endCursor while hasNextPage; an empty endCursor ends it; ids repeat across pages only once")
    func paging() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch json(request.bodyText)["variables"]?["after"] {
            case nil: return .json(Self.page(ids: ["1", "2"], hasNextPage: true, endCursor: "Mg"))
            case "Mg": return .json(Self.page(ids: ["2", "3"], hasNextPage: true, endCursor: ""))
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["1", "2", "3"])
            #expect(server.requests.map { json($0.bodyText)["variables"] } == [
                json(#"{"postedAfter": "2026-03-01T06:00:00Z", "first": 50}"#),
                json(#"{"postedAfter": "2026-03-01T06:00:00Z", "first": 50, "after": "Mg"}"#),
            ])
        }
    }

    @Test("a 429 and a 5xx are retried after 1 s and 2 s; the third attempt's 200 is used")
    func retriesThenSucceeds() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ [counter = Counter()] _ in
            switch counter.next() {
            case 1: return .status(429)
            case 2: return .status(503)
            default: return .json(Self.page(ids: ["9"], hasNextPage: false, endCursor: nil))
            }
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["9"])
            #expect(server.requests.count == 3)
            #expect(Set(server.requests.map(\.bodyText)).count == 1)
            #expect(recorder.sleeps == [.seconds(1), .seconds(2)])
        }
    }

    @Test("a third retryable failure ends paging; earlier pages are kept", arguments: [429, 500, 599])
    func thirdFailureKeepsEarlierPages(status: Int) async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            json(request.bodyText)["variables"]?["after"] == nil
                ? .json(Self.page(ids: ["1"], hasNextPage: true, endCursor: "MQ")) : .status(status)
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["1"])
            #expect(server.requests.count == 4)
            #expect(recorder.sleeps == [.seconds(1), .seconds(2)])
        }
    }

    @Test("any other non-200 ends paging at once, without retry", arguments: [400, 401, 404, 302])
    func otherStatusNoRetry(status: Int) async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .status(status) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(server.requests.count == 1)
            #expect(recorder.sleeps.isEmpty)
        }
    }

    @Test("a 5xx then a 404 stops after one wait")
    func retryableThenFinal() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ [counter = Counter()] _ in counter.next() == 1 ? .status(502) : .status(404) }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(server.requests.count == 2)
            #expect(recorder.sleeps == [.seconds(1)])
        }
    }

    @Test("GraphQL errors end paging with nothing from that page; earlier pages are kept")
    func graphQLErrors() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            json(request.bodyText)["variables"]?["after"] == nil
                ? .json(Self.page(ids: ["1"], hasNextPage: true, endCursor: "MQ"))
                : .json(#"{"errors": [{"message": "rate limited"}], "data": {"posts": {"edges": [{"node": {"id": "2"}}]}}}"#)
        }) { server, url in
            let events = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["1"])
            #expect(server.requests.count == 2)
        }
    }

    @Test("a body that is not JSON throws; the message carries no token")
    func invalidJSONThrows() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json("<html>oops</html>") }) { _, url in
            let error = await #expect(throws: AdapterError.self) {
                try await adapter(url, recorder).fetchEvents(since: exampleSince)
            }
            #expect(error?.kind == .invalidJSON)
            expectNoSecret(Self.token, in: [error?.message ?? ""])
        }
    }

    @Test("a connection failure throws, not retried, without the token")
    func transportErrorThrows() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.withRefusingPort { url in
            let error = await #expect(throws: TransportError.self) {
                try await adapter(url, recorder).fetchEvents(since: exampleSince)
            }
            #expect(recorder.sleeps.isEmpty)
            expectNoSecret(Self.token, in: [String(describing: error)])
        }
    }

    @Test("postedAfter drops fractional seconds")
    func sinceStamp() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.page(ids: [], hasNextPage: false, endCursor: nil)) }) { server, url in
            _ = try await adapter(url, recorder).fetchEvents(since: instant("2026-03-01T06:07:08.999999Z"))
            #expect(json(server.requests.first?.bodyText ?? "")["variables"]?["postedAfter"] == "2026-03-01T06:07:08Z")
        }
    }

    @Test("without a token nothing is requested")
    func missingToken() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let events = try await adapter(url, recorder, token: nil).fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(server.requests.isEmpty)
        }
    }
}

@Suite("Product Hunt mapping (ADAPTERS.md §3, §10.3, pure)")
struct ProductHuntMappingTests {
    @Test("domain from website", arguments: [
        ("https://www.quillmate.app/?ref=producthunt", "quillmate.app"), ("acme.com/foo", "acme.com/foo"),
        ("HTTPS://WWW.Acme.COM:8080/x", "Acme.COM:8080"), ("https://user@www.x.io/p", "user@www.x.io"),
        ("  www.Foo.com  ", "Foo.com"), ("WwW.bar.dev", "bar.dev"), ("https://acme.io#frag", "acme.io"),
        ("//cdn.acme.io/x", "cdn.acme.io"), ("localhost:8080/x", "localhost:8080/x"),
    ])
    func domain(website: String, expected: String) {
        #expect(ProductHuntMapping.domain(fromWebsite: website) == expected)
    }

    @Test("no domain from blank websites")
    func emptyDomain() {
        #expect(ProductHuntMapping.domain(fromWebsite: "   ") == nil)
        #expect(ProductHuntMapping.domain(fromWebsite: "www.") == nil)
    }

    func map(_ text: String) throws -> RawEvent? { try ProductHuntMapping.event(from: json(text), now: fixedNow) }

    @Test("nodes without a usable id are skipped", arguments: ["{}", #"{"id": null}"#, #"{"id": ""}"#, #"{"id": 0}"#])
    func skipped(node: String) throws {
        #expect(try map(node) == nil)
    }

    @Test("a numeric id becomes text; payload keys kept even when null; makers omitted when none remain")
    func numericIDAndPayload() throws {
        let event = try #require(try map(#"{"id": 481518, "name": "Zed", "votesCount": null, "makers": [{"name": null}, 3]}"#))
        #expect(event.sourceEventID == "481518")
        #expect(event.url == "https://www.producthunt.com/posts/481518")
        #expect(event.rawPayload == ["tagline": nil, "votesCount": nil])
        #expect(event.eventTime == fixedNow)
    }

    @Test("an unparseable createdAt gives now; one that is not text throws")
    func createdAt() throws {
        #expect(try map(#"{"id": "1", "createdAt": "yesterday"}"#)?.eventTime == fixedNow)
        #expect(try map(#"{"id": "1", "createdAt": "20260302T081500"}"#)?.eventTime == instant("2026-03-02T08:15:00Z"))
        #expect(throws: AdapterError.self) { try map(#"{"id": "1", "createdAt": 1772438400}"#) }
    }

    @Test("a name that is not text throws")
    func nameNotText() {
        #expect(throws: AdapterError.self) { try map(#"{"id": "1", "name": ["x"]}"#) }
    }

    @Test("names are trimmed and truncated: 255 for the company, 512 for the title")
    func longName() throws {
        let name = String(repeating: "n", count: 600)
        let event = try #require(try map(#"{"id": "1", "name": "  \#(name)  "}"#))
        #expect(event.companyName == String(repeating: "n", count: 255))
        #expect(event.title == String(repeating: "n", count: 512))
    }
}
