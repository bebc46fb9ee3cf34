import Dispatch
import Hummingbird
import LoopbackSocket
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local HTTP server for tests: external APIs are replaced by it (no test reaches the network).

/// One request as the fixture server received it.
public struct SeenRequest: Sendable {
    public var method: String
    /// The path, percent-encoding kept.
    public var path: String
    /// The query string as sent, nil when there is none.
    public var rawQuery: String?
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of a header.
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The query parameters, form-decoded (`+` and `%20` both a space), in order.
    public var query: [(String, String)] {
        guard let rawQuery, !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (formDecoded(parts[0]), parts.count > 1 ? formDecoded(parts[1]) : "")
        }
    }

    /// The decoded value of a query parameter.
    public func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

private func formDecoded(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    var index = text.utf8.startIndex
    let utf8 = text.utf8
    while index < utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "+") {
            bytes.append(0x20)
        } else if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
            let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
            let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
        {
            bytes.append(value)
            index = low
        } else {
            bytes.append(byte)
        }
        index = utf8.index(after: index)
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// What the fixture server answers to one request.
public struct Reply: Sendable {
    public var status: Int
    public var body: String
    public var contentType: String? = "application/json"
    /// Sent as `Retry-After` when set.
    public var retryAfter: String?
    /// Sent as `Location` when set.
    public var location: String?
    /// Waits this long before answering (timeout tests: long enough that a deadline fires first even on a busy
    /// machine; the wait ends when the server stops).
    public var delay: Duration?

    public init(status: Int, body: String, contentType: String? = "application/json", retryAfter: String? = nil,
                location: String? = nil, delay: Duration? = nil) {
        self.status = status
        self.body = body
        self.contentType = contentType
        self.retryAfter = retryAfter
        self.location = location
        self.delay = delay
    }

    public static func json(_ body: String, status: Int = 200) -> Reply { Reply(status: status, body: body) }
    public static func status(_ status: Int, body: String = "") -> Reply { Reply(status: status, body: body) }
}

/// A local HTTP server on 127.0.0.1 and a free port, started and stopped by one test. It answers
/// with `handler` and records every request.
public final class FixtureServer: Sendable {
    private let recorded = Mutex<[SeenRequest]>([])
    public let handler: @Sendable (SeenRequest) async -> Reply

    public init(handler: @escaping @Sendable (SeenRequest) async -> Reply) { self.handler = handler }

    /// The requests received so far, in order.
    public var requests: [SeenRequest] { recorded.withLock { $0 } }

    public func record(_ request: SeenRequest) { recorded.withLock { $0.append(request) } }

    @discardableResult
    /// Starts a server, runs `body` with it and its base URL (`http://127.0.0.1:PORT`), stops it.
    public static func with<Result>(
        _ handler: @escaping @Sendable (SeenRequest) async -> Reply,
        _ body: (FixtureServer, String) async throws -> Result
    ) async throws -> Result {
        let server = FixtureServer(handler: handler)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var app = Application(
            responder: FixtureResponder(server: server),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            })
        // Stopping by cancellation is how every test ends; Hummingbird would log it as an error.
        app.logger.logLevel = .critical
        // On threads of its own, not the shared pool: tests elsewhere in the process may hold every
        // pool thread for seconds (blocking waits on tools), and a starved server looks like a slow API.
        let running = Task(executorPreference: FixtureServerExecutor.shared) { try await app.run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next(), port > 0 else {
            running.cancel()
            throw FixtureServerError.noPort
        }
        do {
            let result = try await body(server, "http://127.0.0.1:\(port)")
            running.cancel()
            _ = await running.result
            return result
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
    }

    /// Runs `body` with a base URL whose port refuses connections: a socket bound to it but not
    /// listening holds the port for the whole call, so no other server can take it meanwhile.
    public static func withRefusingPort<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        guard let socket = try? LoopbackSocket.open() else { throw FixtureServerError.noPort }
        defer { close(socket.descriptor) }
        return try await body("http://127.0.0.1:\(socket.port)")
    }
}

public enum FixtureServerError: Error { case noPort }

private struct FixtureResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: FixtureServer

    func respond(to request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        let seen = SeenRequest(
            method: request.method.rawValue, path: request.uri.path, rawQuery: request.uri.query,
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) },
            body: Array(body.readableBytesView))
        server.record(seen)
        let reply = await server.handler(seen)
        if let delay = reply.delay { try await Task.sleep(for: delay) }
        var headers = HTTPFields()
        if let contentType = reply.contentType { headers[.contentType] = contentType }
        if let retryAfter = reply.retryAfter { headers[.retryAfter] = retryAfter }
        if let location = reply.location { headers[.location] = location }
        return Response(status: .init(code: reply.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: reply.body)))
    }
}

/// A task executor on a concurrent dispatch queue of its own: the fixture server's tasks run here.
private final class FixtureServerExecutor: TaskExecutor {
    static let shared = FixtureServerExecutor()
    private let queue = DispatchQueue(label: "siglog.tests.fixture-server", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
