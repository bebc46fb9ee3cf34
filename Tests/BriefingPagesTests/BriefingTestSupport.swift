import BriefingPages
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Projections
import SignalPacks
import SiglogCore
import SiglogService
import Synchronization

/// Secrets of the in-process servers.
enum Secrets {
    static let apiToken = "briefing-api-token-0123456789abcdef"
    static let scopedToken = "briefing-token-workspace-b-0123456789"
    static let workspaceB = UUID(uuidString: "0b0b0b0b-0000-4000-8000-000000000002")!
}

/// Files of the repository the tests read.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sampleEvents = root.appendingPathComponent("Fixtures/events/sample.ndjson")
    /// Companies named with markup (`<script>alert(1)</script>`, an `<img onerror>`), their events
    /// with `javascript:` URLs.
    static let hostileEvents = root.appendingPathComponent("Fixtures/briefing/hostile-names.ndjson")
    /// The days the fixture store is scored for: five weeks, so the company chart has five points.
    static let days = ["2026-01-31", "2026-02-07", "2026-02-14", "2026-02-21", "2026-02-28"]
    static let lastDay = "2026-02-28"

    /// The sample events followed by the hostile ones, in a temporary file.
    static func fixtureEvents() throws -> URL {
        let text = try String(contentsOf: sampleEvents, encoding: .utf8) + "\n" + String(contentsOf: hostileEvents, encoding: .utf8)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-events-\(UUID().uuidString).ndjson")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}

/// A store scored for `Repository.days` (the sample and hostile events), with one outreach, and
/// the service with the briefing pages over it.
final class BriefingHarness: Sendable {
    let directory: URL
    let runner: StageRunner
    let server: SiglogServer
    let site: BriefingSite

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-briefing-\(UUID().uuidString)")
        let store = try Store(path: directory.appendingPathComponent("store").path, mode: .create, durable: false)
        runner = StageRunner(store: store, rateLimitPerHour: 0)
        _ = try runner.initialize(bundledPack: try PackLoader.bundledDefault())
        _ = try runner.createWorkspace(name: "B", id: Secrets.workspaceB, pack: nil)
        let events = try Repository.fixtureEvents()
        defer { try? FileManager.default.removeItem(at: events) }
        for day in Repository.days {
            _ = try runner.runDailyAggregation(asOf: try Day(parsing: day), events: events)
        }
        try runner.recordOutreach(.domain("xss-script.example"), type: "email", sentAt: try Timestamp(parsing: "2026-02-20T10:00:00Z"),
                                  outcome: "replied")
        var tokens = APITokens()
        tokens.add(Secrets.apiToken, access: .all)
        tokens.add(Secrets.scopedToken, access: .only([Secrets.workspaceB]))
        server = try SiglogServer(runner: runner, configuration: ServiceConfiguration(internalToken: "internal", apiTokens: tokens),
                                  sources: { _ in [] })
        site = BriefingSite(server: server)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var store: Store { runner.store }

    /// Runs `body` with a test client of the in-process router (the service's routes and the pages).
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let router = server.makeRouter(extraRoutes: site.register(on:))
        return try await server.makeApplication(host: "127.0.0.1", port: 0, router: router).test(.router) { client in
            try await body(client)
        }
    }
}

/// One harness for the tests that only read (building it runs five daily aggregations).
enum SharedHarness {
    private static let cache = Mutex<BriefingHarness?>(nil)

    /// The harness, built by the first caller.
    static func get() throws -> BriefingHarness {
        try cache.withLock { cached in
            if let cached { return cached }
            let harness = try BriefingHarness()
            cached = harness
            return harness
        }
    }
}

/// Headers with the bearer token.
func bearer(_ token: String = Secrets.apiToken) -> HTTPFields { [.authorization: "Bearer \(token)"] }

extension TestResponse {
    /// The body as text.
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
}

extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
