import AdapterHTTP
@testable import Adapters
import Ingest
import SiglogCore
import Synchronization
import Testing

@Suite("Adapter selection (ADAPTERS.md §7 step 4, §0.2)")
struct AdapterSelectionTests {
    func select(_ values: [String: String]) -> [AdapterSource] {
        AdapterSelection.sources(environment: AdapterEnvironment(values))
    }

    static let everything = [
        "INGEST_CRUNCHBASE_ENABLED": "1", "CRUNCHBASE_API_KEY": "k",
        "INGEST_PRODUCTHUNT_ENABLED": "true", "PRODUCTHUNT_API_TOKEN": "t",
        "INGEST_NEWSAPI_ENABLED": "TRUE", "NEWSAPI_API_KEY": "k",
        "INGEST_GITHUB_ENABLED": "True", "GITHUB_PAT": "p",
        "INGEST_DELAWARE_SOCRATA_ENABLED": "1", "INGEST_DELAWARE_SOCRATA_DATASET_ID": "abcd-1234",
    ]

    @Test("every enabled source with a credential, in the fixed order")
    func fixedOrder() {
        #expect(select(Self.everything) == [.crunchbase, .producthunt, .newsapi, .github, .delawareSocrata])
        #expect(AdapterSource.delawareSocrata.rawValue == "delaware_socrata")
    }

    @Test("test mode wins over everything")
    func testMode() {
        #expect(select(Self.everything.merging(["INGEST_USE_TEST_ADAPTER": "tRuE"]) { $1 }) == [.test])
    }

    @Test("flags are 1 or true, any case, untrimmed", arguments: ["1", "true", "TRUE", "True"])
    func trueFlags(value: String) {
        #expect(select(["INGEST_NEWSAPI_ENABLED": value, "NEWSAPI_API_KEY": "k"]) == [.newsapi])
    }

    @Test("other flag values are false", arguments: [" 1", "1 ", "yes", "on", "2", "", "t"])
    func falseFlags(value: String) {
        #expect(select(["INGEST_NEWSAPI_ENABLED": value, "NEWSAPI_API_KEY": "k", "INGEST_USE_TEST_ADAPTER": value]) == [])
    }

    @Test("blank credentials do not count; NULL does; GITHUB_TOKEN or GITHUB_PAT")
    func credentials() {
        #expect(select(["INGEST_CRUNCHBASE_ENABLED": "1", "CRUNCHBASE_API_KEY": " \t"]) == [])
        #expect(select(["INGEST_CRUNCHBASE_ENABLED": "1", "CRUNCHBASE_API_KEY": "NULL"]) == [.crunchbase])
        #expect(select(["INGEST_GITHUB_ENABLED": "1", "GITHUB_TOKEN": " ", "GITHUB_PAT": "p"]) == [.github])
        #expect(select(["INGEST_GITHUB_ENABLED": "1", "GITHUB_TOKEN": "t"]) == [.github])
        #expect(select(["INGEST_GITHUB_ENABLED": "1", "INGEST_GITHUB_REPOS": "a/b"]) == [])
        #expect(select(["INGEST_DELAWARE_SOCRATA_ENABLED": "1"]) == [])
    }

    @Test("DEBUG (1 or true) gives the test adapter only when nothing else is selected")
    func debugFallback() {
        #expect(select(["DEBUG": "1"]) == [.test])
        #expect(select(["DEBUG": "true", "INGEST_CRUNCHBASE_ENABLED": "1"]) == [.test])
        #expect(select(["DEBUG": "true", "INGEST_CRUNCHBASE_ENABLED": "1", "CRUNCHBASE_API_KEY": "k"]) == [.crunchbase])
        #expect(select(["DEBUG": "false"]) == [])
        #expect(select([:]) == [])
    }

    @Test("each source makes its adapter, configured from the environment")
    func makeAdapters() {
        let runtime = AdapterRuntime(transport: AsyncHTTPClientTransport(), now: { fixedNow })
        let adapters = AdapterSource.allCases.map { $0.makeAdapter(environment: AdapterEnvironment(Self.everything), runtime: runtime) }
        #expect(adapters.map(\.sourceName) == AdapterSource.allCases.map(\.rawValue))
        #expect((adapters[5] as? DelawareSocrataAdapter)?.configuration.datasetID == "abcd-1234")
        #expect((adapters[4] as? GitHubAdapter)?.configuration.token == "p")
    }
}

@Suite("Environment and base URLs (ADAPTERS.md §0.2, §9)")
struct AdapterEnvironmentTests {
    @Test("base URLs: trimmed, blank is the default, one trailing slash dropped")
    func baseURLs() {
        let environment = AdapterEnvironment(["A": "  http://127.0.0.1:9/p// ", "B": "   ", "C": "https://x.test/"])
        #expect(environment.baseURL("A", default: "d") == "http://127.0.0.1:9/p/")
        #expect(environment.baseURL("B", default: "https://api.github.com") == "https://api.github.com")
        #expect(environment.baseURL("C", default: "d") == "https://x.test")
        #expect(environment.baseURL("unset", default: "https://newsapi.org") == "https://newsapi.org")
    }

    @Test("defaults are the public APIs")
    func defaults() {
        let empty = AdapterEnvironment()
        #expect(CrunchbaseAdapter.Configuration(environment: empty).baseURL == "https://api.crunchbase.com")
        #expect(ProductHuntAdapter.Configuration(environment: empty).baseURL == "https://api.producthunt.com")
        #expect(NewsAPIAdapter.Configuration(environment: empty).baseURL == "https://newsapi.org")
        #expect(GitHubAdapter.Configuration(environment: empty).baseURL == "https://api.github.com")
        #expect(DelawareSocrataAdapter.Configuration(environment: empty).baseURL == "https://data.delaware.gov")
    }

    @Test("the GitHub cache directory defaults under HOME and expands a leading ~")
    func gitHubCacheDirectory() {
        #expect(GitHubAdapter.Configuration(environment: AdapterEnvironment(["HOME": "/home/u"])).cacheDirectory
            == "/home/u/.cache/siglog")
        #expect(GitHubAdapter.Configuration(environment: AdapterEnvironment(["HOME": "/h", "INGEST_GITHUB_CACHE_DIR": "~/c"]))
            .cacheDirectory == "/h/c")
        #expect(GitHubAdapter.Configuration(environment: AdapterEnvironment(["INGEST_GITHUB_CACHE_DIR": " /tmp/x "]))
            .cacheDirectory == "/tmp/x")
    }
}

@Suite("Test adapter (ADAPTERS.md §1)")
struct TestAdapterTests {
    @Test("three fixed events whatever since is")
    func fixedEvents() async throws {
        let early = try await TestAdapter().fetchEvents(since: instant("2000-01-01T00:00:00Z"))
        let late = try await TestAdapter().fetchEvents(since: instant("2030-01-01T00:00:00Z"))
        #expect(early == late)
        #expect(early.map(\.sourceEventID) == ["test-adapter-001", "test-adapter-002", "test-adapter-003"])
        #expect(early.map(\.companyName) == ["Test Company A", "Test Company B", "Test Company C"])
        #expect(early.map(\.domain) == ["testa.example.com", "testb.example.com", "testc.example.com"])
        #expect(early.map(\.websiteURL) == ["https://testa.example.com", "https://testb.example.com", nil])
        #expect(early.map(\.eventType) == ["funding_raised", "job_posted_engineering", "cto_role_posted"])
        #expect(early.map(\.eventTime) == [instant("2026-02-18T10:00:00Z"), instant("2026-02-18T11:00:00Z"),
                                           instant("2026-02-18T12:00:00Z")])
        #expect(early.map(\.title) == ["Series A", "Senior Engineer", "CTO"])
        #expect(early.map(\.summary) == ["Raised $5M", "Hiring for growth", nil])
        #expect(early.map(\.url) == ["https://example.com/funding/testa", "https://example.com/jobs/testb", nil])
        #expect(early.map(\.rawPayload) == [["amount": 5_000_000], ["roles": ["engineer"]], nil])
        #expect(early.allSatisfy { $0.companyProfileURL == nil && $0.source == "test" && $0.confidence == nil })
    }
}

/// An adapter that returns `events` or throws `error`, counting its calls.
struct ScriptedAdapter: SourceAdapter {
    var sourceName: String
    var events: [RawEvent] = []
    var error: (any Error)?

    func fetchEvents(since: Timestamp) async throws -> [RawEvent] {
        if let error { throw error }
        return events
    }
}

struct StoreFailure: Error, CustomStringConvertible {
    var description: String { "pack not found" }
}

@Suite("Orchestration of one run (ADAPTERS.md §7 steps 5–6, D18)")
struct AdapterOrchestratorTests {
    static func event(_ source: String, _ id: String) -> RawEvent {
        RawEvent(source: source, sourceEventID: id, companyName: "C", eventType: "funding_raised", eventTime: fixedNow)
    }

    @Test("totals summed, a throwing adapter recorded as `source: message` without stopping the others")
    func sumsAndRecords() async {
        let adapters: [any SourceAdapter] = [
            ScriptedAdapter(sourceName: "crunchbase", events: [Self.event("crunchbase", "1"), Self.event("crunchbase", "2")]),
            ScriptedAdapter(sourceName: "producthunt", error: AdapterError(.invalidJSON, "invalid JSON in the response")),
            ScriptedAdapter(sourceName: "newsapi", events: [Self.event("newsapi", "n")]),
        ]
        let seen = SeenSources()
        let summary = await AdapterOrchestrator.run(adapters, since: exampleSince) { source, events in
            seen.add(source, events.count)
            return source == "crunchbase"
                ? AdapterStoreCounts(inserted: 1, skippedDuplicate: 1, skippedInvalid: 0,
                                     errors: [AdapterOrchestrator.eventErrorText(source: source, sourceEventID: "2", message: "boom")])
                : AdapterStoreCounts(inserted: 0, skippedDuplicate: 0, skippedInvalid: 1)
        }
        #expect(seen.calls == [["crunchbase", "2"], ["newsapi", "1"]])
        #expect(summary.inserted == 1 && summary.skippedDuplicate == 1 && summary.skippedInvalid == 1)
        #expect(summary.errors == ["crunchbase:2: boom", "producthunt: invalid JSON in the response"])
        #expect(summary.error == "crunchbase:2: boom; producthunt: invalid JSON in the response")
        #expect(summary.errorMessage == summary.error)
        #expect(summary.anyAdapterFetched)
        #expect(summary.outcomes.map(\.source) == ["crunchbase", "producthunt", "newsapi"])
        #expect(summary.outcomes[1].result == .fetchFailed("invalid JSON in the response"))
        #expect(summary.outcomes[1].fetchedEvents == nil)
    }

    @Test("when every adapter throws, the run does not move since (D18)")
    func allFailed() async {
        let adapters: [any SourceAdapter] = [
            ScriptedAdapter(sourceName: "github", error: AdapterError(.unexpectedType, "x")),
            ScriptedAdapter(sourceName: "crunchbase", error: AdapterError(.invalidJSON, "y")),
        ]
        let summary = await AdapterOrchestrator.run(adapters, since: exampleSince) { _, _ in AdapterStoreCounts() }
        #expect(!summary.anyAdapterFetched)
        #expect(summary.errors == ["github: x", "crunchbase: y"])
        #expect(summary.inserted == 0)
    }

    @Test("no adapters: zero counts, no errors, since not moved")
    func noAdapters() async {
        let summary = await AdapterOrchestrator.run([], since: exampleSince) { _, _ in AdapterStoreCounts(inserted: 9) }
        #expect(summary == AdapterRunSummary())
        #expect(summary.error == nil && summary.errorMessage == nil && !summary.anyAdapterFetched)
    }

    @Test("a store that throws is recorded for that adapter; its fetch still counts as fetched")
    func storeFailure() async {
        let adapters: [any SourceAdapter] = [ScriptedAdapter(sourceName: "test", events: [Self.event("test", "t")])]
        let summary = await AdapterOrchestrator.run(adapters, since: exampleSince) { _, _ in throw StoreFailure() }
        #expect(summary.errors == ["test: pack not found"])
        #expect(summary.outcomes == [AdapterOutcome(source: "test", fetchedEvents: 1, result: .storeFailed("pack not found"))])
        #expect(summary.anyAdapterFetched)
    }

    @Test("error_message keeps the first 10 errors, error all of them")
    func errorTexts() async {
        let adapters: [any SourceAdapter] = (1...12).map { ScriptedAdapter(sourceName: "s\($0)", error: AdapterError(.invalidJSON, "e")) }
        let summary = await AdapterOrchestrator.run(adapters, since: exampleSince) { _, _ in AdapterStoreCounts() }
        #expect(summary.errors.count == 12)
        #expect(summary.errorMessage == (1...10).map { "s\($0): e" }.joined(separator: "; "))
        #expect(summary.error == (1...12).map { "s\($0): e" }.joined(separator: "; "))
    }

    @Test("a transport error is recorded without the query string")
    func transportMessage() async {
        let request = TransportRequest(method: .post, url: "https://api.crunchbase.com/v4/x?user_key=SECRET", headers: [],
                                       timeout: .seconds(1))
        let adapters: [any SourceAdapter] = [
            ScriptedAdapter(sourceName: "crunchbase", error: TransportError(request: request, reason: "refused SECRET")),
        ]
        let summary = await AdapterOrchestrator.run(adapters, since: exampleSince) { _, _ in AdapterStoreCounts() }
        #expect(summary.errors == ["crunchbase: POST https://api.crunchbase.com/v4/x?[redacted] failed: refused [redacted]"])
    }

    @Test("per-event error text")
    func eventErrorText() {
        #expect(AdapterOrchestrator.eventErrorText(source: "github", sourceEventID: nil, message: "m") == "github:?: m")
    }
}

/// Records the store calls of a run.
final class SeenSources: Sendable {
    private let recorded = Mutex<[[String]]>([])
    var calls: [[String]] { recorded.withLock { $0 } }
    func add(_ source: String, _ count: Int) { recorded.withLock { $0.append([source, String(count)]) } }
}

