import Foundation
import Hummingbird
import Synchronization

/// A request the fake service received.
struct ServiceRequest: Sendable {
    var method: String
    var path: String
    var body: [UInt8]
    /// Header values by lower-cased name.
    var headers: [String: String]
}

/// A fake stage service on 127.0.0.1 and a free port, started and stopped by one test. It answers
/// with `answer` and records every request.
final class FakeService: Sendable {
    let answer: @Sendable (ServiceRequest) async -> (status: Int, body: String)
    private let seen = Mutex<[ServiceRequest]>([])

    init(_ answer: @escaping @Sendable (ServiceRequest) async -> (status: Int, body: String)) { self.answer = answer }

    var requests: [ServiceRequest] { seen.withLock { $0 } }
    func record(_ request: ServiceRequest) { seen.withLock { $0.append(request) } }

    /// Starts the service, runs `body` with it and its base URL (`http://127.0.0.1:PORT`), stops it.
    static func with<Result>(_ answer: @escaping @Sendable (ServiceRequest) async -> (status: Int, body: String),
                             _ body: (FakeService, String) async throws -> Result) async throws -> Result {
        let service = FakeService(answer)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        var app = Application(
            responder: Responder(service: service),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                sink.yield(channel.localAddress?.port ?? 0)
                sink.finish()
            })
        app.logger.logLevel = .critical
        let running = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            running.cancel()
            throw FakeServiceError.noPort
        }
        defer { running.cancel() }
        do {
            let result = try await body(service, "http://127.0.0.1:\(port)")
            running.cancel()
            _ = await running.result
            return result
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
    }
}

enum FakeServiceError: Error { case noPort }

private struct Responder: HTTPResponder {
    typealias Context = BasicRequestContext
    let service: FakeService

    func respond(to request: Request, context: Context) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let seen = ServiceRequest(method: request.method.rawValue, path: request.uri.path, body: Array(body.readableBytesView),
                                  headers: headers)
        service.record(seen)
        let (status, text) = await service.answer(seen)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
