@testable import Adapters
import FixtureServer
import Foundation
import Ingest
import SiglogCore
import Testing

@Suite("GitHub adapter (ADAPTERS.md §5)")
struct GitHubAdapterTests {
    static let token = "gh-secret-token-abc"

    /// A fresh directory for the metadata cache file.
    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-gh-\(UUID().uuidString)").path
        return path
    }

    func adapter(_ baseURL: String, _ recorder: RuntimeRecorder, repos: String? = nil, orgs: String? = nil,
                 cacheDirectory: String = GitHubAdapterTests.temporaryDirectory(), ttl: String? = nil,
                 cache: GitHubOwnerMetadataCache = GitHubOwnerMetadataCache(), extra: [String: String] = [:],
                 timingOut slow: @escaping @Sendable (String) -> Bool = { _ in false }) -> GitHubAdapter {
        var values = ["GITHUB_BASE_URL": baseURL, "GITHUB_TOKEN": Self.token, "INGEST_GITHUB_CACHE_DIR": cacheDirectory]
        if let repos { values["INGEST_GITHUB_REPOS"] = repos }
        if let orgs { values["INGEST_GITHUB_ORGS"] = orgs }
        if let ttl { values["INGEST_GITHUB_METADATA_CACHE_TTL_SECS"] = ttl }
        values.merge(extra) { $1 }
        return GitHubAdapter(configuration: .init(environment: AdapterEnvironment(values)),
                             runtime: testRuntime(recorder, timingOut: slow),
                             metadataCache: cache)
    }

    static let workedExampleEvents = """
        [{"id": "40112233445", "type": "PushEvent", "actor": {"login": "jdoe"}, "repo": {"name": "acme-data/pipeline"},
          "payload": {"head": "9f8e7d6c", "before": "1a2b3c4d"}, "created_at": "2026-03-02T11:15:00Z"},
         {"id": 40112233446, "type": "PullRequestEvent", "actor": {"login": "asmith"}, "repo": {"name": "acme-data/pipeline"},
          "payload": {"action": "opened", "pull_request": {"html_url": "https://github.com/acme-data/pipeline/pull/77"}},
          "created_at": "2026-03-02T12:00:00Z"},
         {"id": "40112233447", "type": "WatchEvent", "actor": {"login": "fan1"}, "repo": {"name": "acme-data/pipeline"},
          "payload": {"action": "started"}, "created_at": "2026-02-27T08:00:00Z"},
         {"id": "40112233445", "type": "PushEvent", "actor": {"login": "jdoe"}, "repo": {"name": "acme-data/pipeline"},
          "payload": {"head": "9f8e7d6c"}, "created_at": "2026-03-02T11:15:00Z"}]
        """

    @Test("worked example: metadata from /users after a 404 on /orgs, then the events; old and repeated ones dropped")
    func workedExample() async throws {
        let recorder = RuntimeRecorder()
        let directory = Self.temporaryDirectory()
        try await FixtureServer.with({ request in
            switch request.path {
            case "/orgs/acme-data": return .status(404, body: #"{"message": "Not Found"}"#)
            case "/users/acme-data":
                return .json(#"{"login": "acme-data", "blog": " acmedata.io ", "html_url": "https://github.com/acme-data"}"#)
            case "/repos/acme-data/pipeline/events": return .json(Self.workedExampleEvents)
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "acme-data/pipeline", cacheDirectory: directory)
                .fetchEvents(since: exampleSince)
            #expect(events == [
                RawEvent(source: "github", sourceEventID: "acme-data/pipeline:40112233445:PushEvent", companyName: "acme-data",
                         websiteURL: "https://acmedata.io", eventType: "repo_activity", eventTime: instant("2026-03-02T11:15:00Z"),
                         title: "PushEvent in acme-data/pipeline", summary: "jdoe",
                         url: "https://github.com/acme-data/pipeline/commit/9f8e7d6c",
                         rawPayload: ["type": "PushEvent", "actor": "jdoe", "repo": "acme-data/pipeline"]),
                RawEvent(source: "github", sourceEventID: "acme-data/pipeline:40112233446:PullRequestEvent",
                         companyName: "acme-data", websiteURL: "https://acmedata.io", eventType: "repo_activity",
                         eventTime: instant("2026-03-02T12:00:00Z"), title: "PullRequestEvent in acme-data/pipeline",
                         summary: "asmith", url: "https://github.com/acme-data/pipeline/pull/77",
                         rawPayload: ["type": "PullRequestEvent", "actor": "asmith", "repo": "acme-data/pipeline"]),
            ])
            let requests = server.requests
            #expect(requests.map(\.path) == ["/orgs/acme-data", "/users/acme-data", "/repos/acme-data/pipeline/events"])
            #expect(requests.map(\.rawQuery) == [nil, nil, "per_page=100&page=1"])
            for request in requests {
                #expect(request.method == "GET")
                #expect(request.header("Authorization") == "Bearer \(Self.token)")
                #expect(request.header("Accept") == "application/vnd.github+json")
                #expect(request.header("X-GitHub-Api-Version") == "2022-11-28")
                #expect(request.header("User-Agent") == expectedUserAgent)
            }
            #expect(recorder.sleeps == [.milliseconds(500)])
            #expect(recorder.requestTimeouts.map(\.timeout) == [.seconds(10), .seconds(10), .seconds(30)])
            let file = try #require(FileManager.default.contents(atPath: directory + "/github_owner_metadata.json"))
            #expect(try JSONParser.parse(file) == json("""
                {"acme-data": {"blog": "acmedata.io", "html_url": "https://github.com/acme-data",
                               "cached_at": "2026-03-05T12:00:00+00:00"}}
                """))
        }
    }

    /// `count` push events with ids `<prefix>-<i>`, created at `createdAt`.
    static func events(_ prefix: String, count: Int, createdAt: String = "2026-03-02T10:00:00Z") -> [String] {
        (0..<count).map { #"{"id": "\#(prefix)-\#($0)", "type": "PushEvent", "created_at": "\#(createdAt)"}"# }
    }

    static let profile = Reply.json(#"{"blog": "https://acme.dev", "html_url": "https://github.com/acme"}"#)

    @Test("pages of 100; events before since dropped (the instant itself kept); no id skipped; repeats dropped")
    func pagingAndSince() async throws {
        let recorder = RuntimeRecorder()
        let page2 = [#"{"id": "p1-0", "type": "PushEvent", "created_at": "2026-03-02T10:00:00Z"}"#,
                     #"{"id": "edge", "type": "PushEvent", "created_at": "2026-03-01T06:00:00Z"}"#,
                     #"{"id": "early", "type": "PushEvent", "created_at": "2026-03-01T05:59:59.999999Z"}"#,
                     #"{"type": "PushEvent", "created_at": "2026-03-02T10:00:00Z"}"#, #""not an event""#]
        try await FixtureServer.with({ request in
            switch (request.path, request.queryValue("page")) {
            case ("/orgs/acme", _): return Self.profile
            case ("/repos/acme/app/events", "1"): return .json("[" + Self.events("p1", count: 100).joined(separator: ",") + "]")
            case ("/repos/acme/app/events", "2"): return .json("[" + page2.joined(separator: ",") + "]")
            default: return .status(500)
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "acme/app").fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == (0..<100).map { "acme/app:p1-\($0):PushEvent" } + ["acme/app:edge:PushEvent"])
            #expect(events.allSatisfy { $0.websiteURL == "https://acme.dev" })
            #expect(server.requests.map(\.rawQuery) == [nil, "per_page=100&page=1", "per_page=100&page=2"])
        }
    }

    @Test("a 429 waits Retry-After seconds when all digits, else 120 s after the second attempt")
    func rateLimitWaits() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ [counter = Counter()] request in
            guard request.path == "/repos/acme/app/events" else { return Self.profile }
            switch counter.next() {
            case 1: return Reply(status: 429, body: "", retryAfter: "7")
            case 2: return Reply(status: 429, body: "", retryAfter: "soon")
            default: return .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "acme/app").fetchEvents(since: exampleSince)
            #expect(events.count == 1)
            #expect(recorder.sleeps == [.milliseconds(500), .seconds(7), .seconds(120)])
            #expect(server.requests.count == 4)
        }
    }

    @Test("a third 429 ends that repository; the next one still runs")
    func thirdRateLimitEndsRepository() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch request.path {
            case "/repos/acme/a/events": return Reply(status: 429, body: "", retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT")
            case "/repos/acme/b/events": return .json("[" + Self.events("b", count: 2).joined(separator: ",") + "]")
            default: return Self.profile
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "acme/a, acme/b").fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["acme/b:b-0:PushEvent", "acme/b:b-1:PushEvent"])
            #expect(recorder.sleeps == [.milliseconds(500), .seconds(60), .seconds(120)])
            #expect(server.requests.map(\.path) == ["/orgs/acme"] + Array(repeating: "/repos/acme/a/events", count: 3)
                + ["/repos/acme/b/events"])
        }
    }

    @Test("any other failure ends its repository without retry and keeps what was gathered")
    func failuresMoveOn() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch (request.path, request.queryValue("page")) {
            case ("/repos/acme/r403/events", _): return .status(403)
            case ("/repos/acme/r404/events", _): return .status(404)
            case ("/repos/acme/robject/events", _): return .json(#"{"message": "moved"}"#)
            case ("/repos/acme/rjson/events", _): return .json("[{")
            case ("/repos/acme/rslow/events", _): return Reply(status: 200, body: "[]", delay: .seconds(30))
            case ("/repos/acme/rpartial/events", "1"): return .json("[" + Self.events("p", count: 100).joined(separator: ",") + "]")
            case ("/repos/acme/rpartial/events", _): return .status(502)
            case ("/repos/acme/ok/events", _): return .json("[" + Self.events("ok", count: 1).joined(separator: ",") + "]")
            default: return Self.profile
            }
        }) { server, url in
            let repos = "acme/r403,acme/r404,acme/robject,acme/rjson,acme/rslow,acme/rpartial,acme/ok"
            let events = try await adapter(url, recorder, repos: repos, timingOut: { $0.contains("/rslow/") })
                .fetchEvents(since: exampleSince)
            #expect(events.count == 101)
            #expect(events.last?.sourceEventID == "acme/ok:ok-0:PushEvent")
            #expect(server.requests.map(\.path).filter { $0.hasSuffix("/events") } == [
                "/repos/acme/r403/events", "/repos/acme/r404/events", "/repos/acme/robject/events", "/repos/acme/rjson/events",
                "/repos/acme/rslow/events", "/repos/acme/rpartial/events", "/repos/acme/rpartial/events", "/repos/acme/ok/events",
            ])
            #expect(recorder.sleeps == [.milliseconds(500)])
            expectNoSecret(Self.token, in: recorder.logLines)
        }
    }

    @Test("organisation events: R from repo.name, each new owner looked up once, the org login when there is no repo")
    func organisationEvents() async throws {
        let recorder = RuntimeRecorder()
        let items = """
            [{"id": 1, "type": "CreateEvent", "repo": {"name": "acme-org/api"}, "created_at": "2026-03-02T10:00:00Z"},
             {"id": 2, "type": "ForkEvent", "repo": {"name": "partner-co/tool"}, "created_at": "2026-03-02T10:00:00Z"},
             {"id": 3, "type": "MemberEvent", "created_at": "2026-03-02T10:00:00Z"},
             {"id": 4, "type": "ForkEvent", "repo": {"name": "partner-co/other"}, "created_at": "2026-03-02T10:00:00Z"}]
            """
        try await FixtureServer.with({ request in
            switch request.path {
            case "/orgs/acme-org": return .json(#"{"blog": "acme.org", "html_url": "https://github.com/acme-org"}"#)
            case "/orgs/solo": return .json(#"{"blog": "https://solo.dev"}"#)
            case "/repos/solo/lib/events": return .json("[" + Self.events("s", count: 1).joined(separator: ",") + "]")
            case "/orgs/acme-org/events": return .json(items)
            default: return .status(404)
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "solo/lib", orgs: "acme-org").fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["solo/lib:s-0:PushEvent", "acme-org/api:1:CreateEvent",
                                                    "partner-co/tool:2:ForkEvent", "acme-org:3:MemberEvent",
                                                    "partner-co/other:4:ForkEvent"])
            #expect(events.map(\.companyName) == ["solo", "acme-org", "partner-co", "acme-org", "partner-co"])
            #expect(events.map(\.websiteURL) == ["https://solo.dev", "https://acme.org", nil, "https://acme.org", nil])
            #expect(events.map(\.url) == ["https://github.com/solo/lib", "https://github.com/acme-org/api",
                                          "https://github.com/partner-co/tool", "https://github.com/acme-org",
                                          "https://github.com/partner-co/other"])
            #expect(server.requests.map(\.path) == ["/orgs/solo", "/repos/solo/lib/events", "/orgs/acme-org",
                                                    "/orgs/acme-org/events", "/orgs/partner-co", "/users/partner-co"])
            #expect(recorder.sleeps == Array(repeating: .milliseconds(500), count: 3))
        }
    }

    @Test("metadata: /orgs 200 wins; the 429 rule applies; a timeout falls back to /users")
    func metadataRequests() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            switch request.path {
            case "/orgs/first": return .json(#"{"blog": "first.io"}"#)
            case "/orgs/limited": return .status(429)
            case "/users/limited": return .json(#"{"blog": "HTTP://limited.io"}"#)
            case "/orgs/slow": return Reply(status: 200, body: #"{"blog": "wrong.io"}"#, delay: .seconds(30))
            case "/users/slow": return .json(#"{"blog": "slow.io"}"#)
            case "/orgs/list": return .json(#"[{"blog": "x.io"}]"#)
            case "/users/list": return .json(#"{"blog": "https://github.com/list"}"#)
            default: return .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "first/r,limited/r,slow/r,list/r",
                                           timingOut: { $0.hasSuffix("/orgs/slow") }).fetchEvents(since: exampleSince)
            #expect(events.map(\.websiteURL) == ["https://first.io", "https://HTTP://limited.io", "https://slow.io", nil])
            #expect(server.requests.map(\.path).filter { !$0.hasSuffix("/events") } == [
                "/orgs/first", "/orgs/limited", "/orgs/limited", "/orgs/limited", "/users/limited", "/orgs/slow",
                "/users/slow", "/orgs/list", "/users/list",
            ])
            #expect(recorder.sleeps == [.milliseconds(500), .milliseconds(500), .seconds(60), .seconds(120),
                                        .milliseconds(500), .milliseconds(500)])
        }
    }

    @Test("the memory cache serves later fetches without requests; failed lookups are not kept")
    func memoryCache() async throws {
        let cache = GitHubOwnerMetadataCache()
        try await FixtureServer.with({ request in
            switch request.path {
            case "/orgs/known": return .json(#"{"blog": "known.io"}"#)
            case "/orgs/ghost", "/users/ghost": return .status(404)
            default: return .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
            }
        }) { server, url in
            for round in 1...2 {
                let recorder = RuntimeRecorder()
                let events = try await adapter(url, recorder, repos: "known/r,ghost/r", ttl: "0", cache: cache)
                    .fetchEvents(since: exampleSince)
                #expect(events.map(\.websiteURL) == ["https://known.io", nil])
                #expect(recorder.sleeps.count == (round == 1 ? 2 : 1))
            }
            #expect(server.requests.map(\.path).filter { !$0.hasSuffix("/events") } == [
                "/orgs/known", "/orgs/ghost", "/users/ghost", "/orgs/ghost", "/users/ghost",
            ])
        }
    }

    @Test("the file cache: fresh entries are used, stale ones looked up again and rewritten, others kept")
    func fileCache() async throws {
        let recorder = RuntimeRecorder()
        let directory = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fresh = Timestamp(microseconds: fixedNow.microseconds - 100 * 1_000_000).isoUTC
        try Data("""
            {"fresh": {"blog": "fresh.io", "html_url": null, "cached_at": "\(fresh)"},
             "stale": {"blog": "old.io", "html_url": null, "cached_at": "2026-03-04T11:59:59Z"},
             "broken": {"blog": "b.io", "cached_at": "last week"}}
            """.utf8).write(to: URL(fileURLWithPath: directory + "/github_owner_metadata.json"))
        try await FixtureServer.with({ request in
            switch request.path {
            case "/orgs/stale": return .json(#"{"blog": "new.io"}"#)
            case "/orgs/broken": return .json(#"{"blog": "b2.io"}"#)
            default: return .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
            }
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "fresh/r,stale/r,broken/r", cacheDirectory: directory)
                .fetchEvents(since: exampleSince)
            #expect(events.map(\.websiteURL) == ["https://fresh.io", "https://new.io", "https://b2.io"])
            #expect(server.requests.map(\.path).filter { !$0.hasSuffix("/events") } == ["/orgs/stale", "/orgs/broken"])
            let file = try JSONParser.parse(try #require(FileManager.default.contents(atPath: directory + "/github_owner_metadata.json")))
            #expect(file["fresh"]?["cached_at"] == .string(fresh))
            #expect(file["stale"] == json(#"{"blog": "new.io", "html_url": null, "cached_at": "2026-03-05T12:00:00+00:00"}"#))
            #expect(file["broken"]?["blog"] == "b2.io")
        }
    }

    @Test("a TTL of 0 neither reads nor writes the file")
    func cacheOff() async throws {
        let recorder = RuntimeRecorder()
        let directory = Self.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/github_owner_metadata.json"
        let original = Data(#"{"acme": {"blog": "cached.io", "html_url": null, "cached_at": "2026-03-05T11:00:00+00:00"}}"#.utf8)
        try original.write(to: URL(fileURLWithPath: path))
        try await FixtureServer.with({ request in
            request.path == "/orgs/acme" ? .json(#"{"blog": "live.io"}"#)
                : .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "acme/r", cacheDirectory: directory, ttl: "-5")
                .fetchEvents(since: exampleSince)
            #expect(events.first?.websiteURL == "https://live.io")
            #expect(FileManager.default.contents(atPath: path) == original)
        }
    }

    @Test("specs without '/' are skipped with a warning; extra '/' stay in the repo; GITHUB_PAT stands in for the token")
    func configuration() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ request in
            request.path.hasSuffix("/events") ? .json("[" + Self.events("e", count: 1).joined(separator: ",") + "]")
                : Self.profile
        }) { server, url in
            let events = try await adapter(url, recorder, repos: "lonely, acme/a/b",
                                           extra: ["GITHUB_TOKEN": "  ", "GITHUB_PAT": " pat-token "])
                .fetchEvents(since: exampleSince)
            #expect(events.map(\.sourceEventID) == ["acme/a/b:e-0:PushEvent"])
            #expect(server.requests.map(\.path) == ["/orgs/acme", "/repos/acme/a/b/events"])
            #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer pat-token" })
            #expect(recorder.logLines.contains { $0.contains("lonely") })
        }
    }

    @Test("without a token or targets nothing is requested")
    func missingConfiguration() async throws {
        let recorder = RuntimeRecorder()
        try await FixtureServer.with({ _ in .status(500) }) { server, url in
            let noTargets = try await adapter(url, recorder).fetchEvents(since: exampleSince)
            let noToken = try await adapter(url, recorder, repos: "a/b", extra: ["GITHUB_TOKEN": ""]).fetchEvents(since: exampleSince)
            #expect(noTargets.isEmpty && noToken.isEmpty)
            #expect(server.requests.isEmpty)
        }
    }
}

@Suite("GitHub mapping (ADAPTERS.md §5, pure)")
struct GitHubMappingTests {
    @Test("website from blog", arguments: [
        ("acmedata.io", "https://acmedata.io"), ("https://acme.io", "https://acme.io"), ("http://acme.io", "http://acme.io"),
        ("HTTP://x", "https://HTTP://x"), ("  www.acme.io ", "https://www.acme.io"),
    ])
    func website(blog: String, expected: String) {
        #expect(GitHubMapping.website(fromBlog: blog) == expected)
    }

    @Test("no website from blank or github.com blogs", arguments: ["", "   ", "https://GitHub.com/acme", "acme.github.com"])
    func noWebsite(blog: String) {
        #expect(GitHubMapping.website(fromBlog: blog) == nil)
    }

    @Test("cache TTL parsing", arguments: [
        (nil, 86_400), ("3600", 3600), (" 60 ", 60), ("+5", 5), ("-5", 0), ("0", 0), ("1.5", 86_400), ("soon", 86_400), ("", 86_400),
    ] as [(String?, Int)])
    func ttl(value: String?, expected: Int) {
        #expect(GitHubMapping.cacheTTL(value) == expected)
    }

    func map(_ text: String, repo: String = "acme/app") throws -> RawEvent? {
        try GitHubMapping.event(from: json(text), repoName: repo, website: nil, now: fixedNow)
    }

    @Test("push events fall back to payload.before; pull requests use their html_url; others link the repo")
    func urls() throws {
        #expect(try map(#"{"id": 1, "type": "PushEvent", "payload": {"head": "", "before": "abc"}}"#)?.url
            == "https://github.com/acme/app/commit/abc")
        #expect(try map(#"{"id": 1, "type": "PushEvent", "payload": {}}"#)?.url == "https://github.com/acme/app")
        #expect(try map(#"{"id": 1, "type": "PullRequestEvent", "payload": {"pull_request": {}}}"#)?.url
            == "https://github.com/acme/app")
        #expect(try map(#"{"id": 1, "type": "IssuesEvent", "payload": {"head": "abc"}}"#)?.url == "https://github.com/acme/app")
    }

    @Test("missing type is Event; an actor that is not an object gives no summary; no id skips")
    func defaults() throws {
        let event = try #require(try map(#"{"id": "9", "actor": "jdoe", "created_at": "garbage"}"#))
        #expect(event.sourceEventID == "acme/app:9:Event")
        #expect(event.title == "Event in acme/app")
        #expect(event.summary == nil)
        #expect(event.eventTime == fixedNow)
        #expect(event.rawPayload == ["type": "Event", "actor": "", "repo": "acme/app"])
        #expect(try map(#"{"id": null, "type": "PushEvent"}"#) == nil)
        #expect(try map(#"{"type": "PushEvent"}"#) == nil)
    }

    @Test("a repository name that makes the title longer than 512 characters throws (the title is not truncated)")
    func longTitleThrows() {
        #expect(throws: AdapterError.self) { try map(#"{"id": 1}"#, repo: "o/" + String(repeating: "r", count: 600)) }
    }

    @Test("the repository name of an organisation event")
    func repoName() throws {
        #expect(try GitHubMapping.repoName(of: json(#"{"repo": {"name": "a/b"}}"#), organisation: "org") == "a/b")
        #expect(try GitHubMapping.repoName(of: json(#"{"repo": {"id": 5}}"#), organisation: "org") == "org")
        #expect(try GitHubMapping.repoName(of: json(#"{"repo": "a/b"}"#), organisation: "org") == "org")
        #expect(throws: AdapterError.self) { try GitHubMapping.repoName(of: json(#"{"repo": {"name": null}}"#), organisation: "org") }
    }
}
