@testable import Adapters
import FixtureServer
import Ingest
import SiglogCore
import Testing

@Suite("NewsAPI adapter (ADAPTERS.md §4)")
struct NewsAPIAdapterTests {
    static let key = "news-secret-key-789"

    func adapter(_ baseURL: String, _ recorder: RuntimeRecorder, keywords: String? = nil, json keywordsJSON: String? = nil,
                 key: String? = NewsAPIAdapterTests.key,
                 timingOut slow: @escaping @Sendable (String) -> Bool = { _ in false }) -> NewsAPIAdapter {
        var values = ["NEWSAPI_BASE_URL": baseURL]
        if let key { values["NEWSAPI_API_KEY"] = key }
        if let keywords { values["INGEST_NEWSAPI_KEYWORDS"] = keywords }
        if let keywordsJSON { values["INGEST_NEWSAPI_KEYWORDS_JSON"] = keywordsJSON }
        return NewsAPIAdapter(configuration: .init(environment: AdapterEnvironment(values)),
                              runtime: testRuntime(recorder, timingOut: slow))
    }

    static let workedExampleResponse = #"""
        {"status": "ok", "totalResults": 5, "articles": [
          {"source": {"id": "techcrunch", "name": "TechCrunch"}, "author": "R. Lee",
           "title": "Lumenstack raises $8M seed round to map data pipelines",
           "description": "The startup will hire engineers.",
           "url": "https://news.example.com/2026/03/02/lumenstack-seed", "publishedAt": "2026-03-02T14:30:00Z"},
          {"source": {"id": null, "name": "Wire Service"}, "title": "Funding roundup: \"Orbitly\" and others",
           "description": null, "url": " https://wire.example.org/roundup-42 ", "publishedAt": "2026-03-02T09:00:00+02:00"},
          {"source": "Blog", "title": "Tiny Co. closes round", "description": "Nothing else",
           "url": "https://blog.example.net/p/1", "publishedAt": null},
          {"source": {"name": "Blog"}, "title": "No link here", "url": null, "publishedAt": "2026-03-02T10:00:00Z"},
          {"source": {"name": "TechCrunch"}, "title": "Lumenstack raises $8M (updated)",
           "url": "https://news.example.com/2026/03/02/lumenstack-seed", "publishedAt": "2026-03-02T15:00:00Z"}]}
        """#

    @Test("worked example: the query in order, the three events exactly, one request")
    func workedExample() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.workedExampleResponse) }) { server, url in
            let events = try await adapter(url, recorder, keywords: "seed round").fetchEvents(since: exampleSince)
            let title1 = "Lumenstack raises $8M seed round to map data pipelines"
            let title2 = #"Funding roundup: "Orbitly" and others"#
            let title3 = "Tiny Co. closes round"
            #expect(events == [
                RawEvent(source: "newsapi", sourceEventID: "f84fbc7cd98039903aeafda09cfd9b5805f60645f788cd21ebb331dc0aa13edd",
                         companyName: "Lumenstack", eventType: "funding_raised", eventTime: instant("2026-03-02T14:30:00Z"),
                         title: title1, summary: "The startup will hire engineers.",
                         url: "https://news.example.com/2026/03/02/lumenstack-seed",
                         rawPayload: ["source_name": "TechCrunch", "title": .string(title1)]),
                RawEvent(source: "newsapi", sourceEventID: "b20e899f4786a94bfbafc926ca9cf57ef174d76ed735efbec764645575801ce1",
                         companyName: "Orbitly", eventType: "funding_raised", eventTime: instant("2026-03-02T07:00:00Z"),
                         title: title2, url: " https://wire.example.org/roundup-42 ",
                         rawPayload: ["source_name": "Wire Service", "title": .string(title2)]),
                RawEvent(source: "newsapi", sourceEventID: "f65a5f62afd344b447b16605eb4a1c34262068c2b6dd7c353f36f642b510c798",
                         companyName: "Unknown", eventType: "funding_raised", eventTime: fixedNow,
                         title: title3, summary: "Nothing else", url: "https://blog.example.net/p/1",
                         rawPayload: ["source_name": "", "title": .string(title3)]),
            ])
            let requests = server.requests
            try #require(requests.count == 1)
            let request = requests[0]
            #expect(request.method == "GET")
            #expect(request.path == "/v2/everything")
            #expect(request.rawQuery == "q=seed+round&from=2026-03-01&sortBy=publishedAt&pageSize=100&page=1&apiKey=\(Self.key)")
            #expect(request.header("User-Agent") == expectedUserAgent)
            #expect(request.header("Authorization") == nil)
            #expect(request.header("X-Api-Key") == nil)
            #expect(recorder.sleeps.isEmpty)
        }
    }

    /// A page of `count` articles with URLs `https://n.example/<prefix>/<i>`.
    static func page(_ prefix: String, count: Int, total: Int, extraURLs: [String] = []) -> String {
        let urls = (0..<count).map { "https://n.example/\(prefix)/\($0)" } + extraURLs
        let articles = urls.map { #"{"title": "Acme raises money", "url": "\#($0)", "publishedAt": "2026-03-02T10:00:00Z"}"# }
        return #"{"status": "ok", "totalResults": \#(total), "articles": ["# + articles.joined(separator: ",") + "]}"
    }

    @Test("pages of 100 until a short page or page × 100 ≥ totalResults; one de-duplication set for all keywords")
    func pagingAndSharedDeduplication() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch (request.queryValue("q"), request.queryValue("page")) {
            case ("alpha one", "1"): return .json(Self.page("a1", count: 100, total: 250))
            case ("alpha one", "2"): return .json(Self.page("a2", count: 100, total: 250))
            case ("alpha one", "3"): return .json(Self.page("a3", count: 50, total: 250))
            // Full page, total reached: no page 2. Its last URL repeats one of alpha's.
            case ("beta", "1"): return .json(Self.page("b", count: 99, total: 100, extraURLs: ["https://n.example/a1/7"]))
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder, keywords: " alpha one ,, beta ,  ").fetchEvents(since: exampleSince)
            #expect(events.count == 250 + 99)
            #expect(server.requests.map { [$0.queryValue("q") ?? "", $0.queryValue("page") ?? ""] } == [
                ["alpha one", "1"], ["alpha one", "2"], ["alpha one", "3"], ["beta", "1"],
            ])
            #expect(server.requests.allSatisfy { $0.queryValue("apiKey") == Self.key && $0.queryValue("from") == "2026-03-01" })
        }
    }

    @Test("every failure ends its keyword only; events gathered are kept; nothing is retried or awaited")
    func failuresMoveToTheNextKeyword() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch (request.queryValue("q"), request.queryValue("page")) {
            case ("k500", _): return .status(500)
            case ("k429", _): return .status(429)
            case ("kstatus", _): return .json(#"{"status": "error", "code": "rateLimited", "articles": []}"#)
            case ("kjson", _): return .json("{not json")
            case ("karray", _): return .json("[]")
            case ("kslow", _): return Reply(status: 200, body: Self.page("s", count: 1, total: 1), delay: .seconds(30))
            case ("kpartial", "1"): return .json(Self.page("p", count: 100, total: 300))
            case ("kpartial", _): return .status(503)
            case ("kfine", "1"): return .json(Self.page("f", count: 2, total: 2))
            default: return .status(404)
            }
        }) { server, url in
            let keywords = #"["k500", "k429", "kstatus", "kjson", "karray", "kslow", "kpartial", "kfine"]"#
            let events = try await adapter(url, recorder, json: keywords, timingOut: { $0.contains("q=kslow&") })
                .fetchEvents(since: exampleSince)
            #expect(events.map(\.url) == (0..<100).map { "https://n.example/p/\($0)" } + ["https://n.example/f/0", "https://n.example/f/1"])
            #expect(server.requests.map { $0.queryValue("q") ?? "" }
                == ["k500", "k429", "kstatus", "kjson", "karray", "kslow", "kpartial", "kpartial", "kfine"])
            #expect(recorder.sleeps.isEmpty)
            expectNoSecret(Self.key, in: recorder.logLines)
            #expect(recorder.logLines.count == 7)
        }
    }

    @Test("a connection failure on every keyword gives no events and does not throw")
    func transportErrorsDoNotThrow() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.withRefusingPort { url in
            let events = try await adapter(url, recorder, keywords: "a,b").fetchEvents(since: exampleSince)
            #expect(events.isEmpty)
            #expect(recorder.logLines.count == 2)
            expectNoSecret(Self.key, in: recorder.logLines)
        }
    }

    @Test("an empty JSON keyword array or no key sends nothing; the defaults are used when nothing is set")
    func configuration() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .json(Self.page("x", count: 0, total: 0)) }) { server, url in
            _ = try await adapter(url, recorder, keywords: "ignored", json: " [ ] ").fetchEvents(since: exampleSince)
            _ = try await adapter(url, recorder, key: " ").fetchEvents(since: exampleSince)
            #expect(server.requests.isEmpty)
            _ = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            #expect(server.requests.map { $0.queryValue("q") ?? "" } == NewsAPIMapping.defaultKeywords)
            #expect(server.requests.first?.rawQuery?.hasPrefix("q=series+A+funding&") == true)
        }
    }
}

@Suite("NewsAPI mapping (ADAPTERS.md §4, §10.4, pure)")
struct NewsAPIMappingTests {
    @Test("keyword rules", arguments: [
        ([:], NewsAPIMapping.defaultKeywords),
        (["INGEST_NEWSAPI_KEYWORDS_JSON": #"[" seed ", null, 7, "", "  "]"#, "INGEST_NEWSAPI_KEYWORDS": "x"], ["seed", "None", "7"]),
        (["INGEST_NEWSAPI_KEYWORDS_JSON": "[]", "INGEST_NEWSAPI_KEYWORDS": "x"], []),
        (["INGEST_NEWSAPI_KEYWORDS_JSON": "{\"a\": 1}", "INGEST_NEWSAPI_KEYWORDS": "x, y"], ["x", "y"]),
        (["INGEST_NEWSAPI_KEYWORDS_JSON": "[oops", "INGEST_NEWSAPI_KEYWORDS": "x"], ["x"]),
        (["INGEST_NEWSAPI_KEYWORDS_JSON": "   "], NewsAPIMapping.defaultKeywords),
        (["INGEST_NEWSAPI_KEYWORDS": " , ,"], []),
        (["INGEST_NEWSAPI_KEYWORDS": "   "], NewsAPIMapping.defaultKeywords),
    ] as [([String: String], [String])])
    func keywords(environment: [String: String], expected: [String]) {
        #expect(NewsAPIMapping.keywords(environment: AdapterEnvironment(environment)) == expected)
    }

    @Test("company-name heuristic", arguments: [
        ("Acme raises $10M Series A", "", "Acme"), ("Why Acme raises money", "", "Why Acme"),
        ("Acme Inc. raises $5M", "", "Unknown"), ("Beta secures $2M and raises", "", "Beta secures $2M and"),
        (#"Funding roundup: "Orbitly" and others"#, "", "Orbitly"), ("Acme raises", "", "Acme"),
        ("Acme\nCorp raises $1", "", "Acme\nCorp"), ("Acme RAISES $1", "", "Acme"), ("Acme   secures\tdeal", "", "Acme"),
        ("Big news", "Zeta closes its round", "Big news Zeta"), ("Gamma announces x; Delta raised y", "", "Gamma"),
        ("raises money", "", "Unknown"), ("   ", "  ", "Unknown"), ("Acme raises!", "", "Unknown"),
        (#"Who? "Quoted Co" raises"#, "", "Quoted Co"), (#"Empty "" then "Real One""#, "", "then"),
        (#"Only "   " blank"#, "", "Unknown"), ("Omega raisesX more", "", "Unknown"), ("Acme raiſes $1", "", "Acme"),
    ])
    func heuristic(title: String, description: String, expected: String) {
        #expect(NewsAPIMapping.companyName(title: title, description: description) == expected)
    }

    @Test("a candidate over 255 characters is rejected and the next rule is tried")
    func longCandidate() {
        let long = String(repeating: "x", count: 260)
        #expect(NewsAPIMapping.companyName(title: "Acme secures a deal as " + long + " raises more", description: "")
            == "Acme")
        #expect(NewsAPIMapping.companyName(title: long + " raises money, Acme secures more", description: "") == "Unknown")
        #expect(NewsAPIMapping.companyName(title: long + " raises money", description: #""Short""#) == "Short")
    }

    func map(_ text: String) throws -> RawEvent? { try NewsAPIMapping.event(from: json(text), now: fixedNow) }

    @Test("articles without a usable url are skipped", arguments: ["{}", #"{"url": null}"#, #"{"url": "   "}"#, #"{"url": ""}"#])
    func skipped(article: String) throws {
        #expect(try map(article) == nil)
    }

    @Test("values that are not text where text is needed throw")
    func wrongTypes() {
        #expect(throws: AdapterError.self) { try map(#"{"url": 5}"#) }
        #expect(throws: AdapterError.self) { try map(#"{"url": "https://x", "title": 5}"#) }
        #expect(throws: AdapterError.self) { try map(#"{"url": "https://x", "publishedAt": true}"#) }
    }

    @Test("title 512 and summary 2048 are truncated; an empty title is null")
    func truncation() throws {
        let event = try #require(try map(#"{"url": "https://x", "title": "\#(String(repeating: "t", count: 600))", "description": "\#(String(repeating: "d", count: 3000))"}"#))
        #expect(event.title?.count == 512)
        #expect(event.summary?.count == 2048)
        #expect(event.rawPayload?["title"]?.stringValue?.count == 600)
        #expect(try map(#"{"url": "https://x", "title": ""}"#)?.title == nil)
    }
}
