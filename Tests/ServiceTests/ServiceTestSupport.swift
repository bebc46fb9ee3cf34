import Adapters
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Pipeline
import Projections
import SignalPacks
import ReadModel
import SiglogCore
import SiglogService
import Synchronization

/// Secrets of the in-process servers.
enum Secrets {
    static let internalToken = "internal-token-0123456789abcdef"
    static let apiToken = "api-token-all-workspaces-0123456789"
    static let scopedToken = "api-token-workspace-b-0123456789"
    static let workspaceB = UUID(uuidString: "0b0b0b0b-0000-4000-8000-000000000002")!
}

/// Files of the repository the tests read.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sampleEvents = root.appendingPathComponent("Fixtures/events/sample.ndjson")
    /// The day the sample events are scored for (as tools/demo does).
    static let sampleDay = "2026-02-28"
    /// The sample events' text.
    static func sample() throws -> String { try String(contentsOf: sampleEvents, encoding: .utf8) }
}

/// Log lines kept in memory, to check the access log.
final class LogCapture: Sendable {
    struct Line: Sendable {
        var label: String
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }
    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    /// A logger writing into this capture.
    func logger(_ label: String) -> Logger {
        Logger(label: label) { label in CaptureHandler(label: label, capture: self) }
    }

    struct CaptureHandler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            for (key, value) in event.metadata ?? [:] { all[key] = value }
            capture.append(Line(label: label, message: event.message.description,
                                metadata: all.mapValues { "\($0)" }))
        }
    }
}

/// A store in a temporary directory with the default workspace and pack (and a second workspace
/// B), and a server over it with test secrets.
final class ServiceHarness: Sendable {
    let directory: URL
    let runner: StageRunner
    let server: SiglogServer
    let logs = LogCapture()

    /// `seeded`: `init` ran (default workspace and pack, workspace B); otherwise the store is empty.
    init(seeded: Bool = true, rateLimitPerHour: Int = 0, configure: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-\(UUID().uuidString)")
        let store = try Store(path: directory.appendingPathComponent("store").path, mode: .create, durable: false)
        runner = StageRunner(store: store, rateLimitPerHour: rateLimitPerHour)
        if seeded {
            _ = try runner.initialize(bundledPack: try PackLoader.bundledDefault())
            _ = try runner.createWorkspace(name: "B", id: Secrets.workspaceB, pack: nil)
        }
        var tokens = APITokens()
        tokens.add(Secrets.apiToken, access: .all)
        tokens.add(Secrets.scopedToken, access: .only([Secrets.workspaceB]))
        var configuration = ServiceConfiguration(internalToken: Secrets.internalToken, apiTokens: tokens)
        configure(&configuration)
        // The fixed test source stands for the adapters of an ingest without a body (no network).
        server = try SiglogServer(runner: runner, configuration: configuration, logger: logs.logger("siglog.serve"),
                                  accessLogger: logs.logger("siglog.access"), sources: { _ in [TestAdapter()] })
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var store: Store { runner.store }

    /// Runs `body` with a test client of the in-process router.
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await server.makeApplication(host: "127.0.0.1", port: 0).test(.router) { client in try await body(client) }
    }

    /// The number of log records.
    func head() throws -> UInt64 { try store.log.head() }
}

/// Headers of an internal request.
func internalHeaders(token: String? = Secrets.internalToken, key: String? = nil, ndjson: Bool = false) -> HTTPFields {
    var headers = HTTPFields()
    if let token { headers[HTTPField.Name("X-Internal-Token")!] = token }
    if let key { headers[HTTPField.Name("X-Idempotency-Key")!] = key }
    if ndjson { headers[.contentType] = "application/x-ndjson" }
    return headers
}

/// Headers of a read request.
func bearer(_ token: String = Secrets.apiToken) -> HTTPFields {
    [.authorization: "Bearer \(token)"]
}

extension TestResponse {
    /// The body as text.
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
    /// The body as JSON (`.null` when it is not JSON).
    var json: JSONValue { (try? JSONParser.parse(text)) ?? .null }
    /// `detail` of an error body.
    var detail: String? { json["detail"]?.stringValue }
}

extension JSONValue {
    /// An integer member.
    func int(_ key: String) -> Int? { self[key]?.numberValue.map { Int($0) } }
}

/// A body of NDJSON text.
func ndjson(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
