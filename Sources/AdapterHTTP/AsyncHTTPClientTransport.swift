public import Adapters
import AsyncHTTPClient

/// The production transport: one AsyncHTTPClient per fetch, redirects not followed, connect and
/// read limits as ADAPTERS.md §9 proposes, and each request's own `timeout` as its deadline.
public struct AsyncHTTPClientTransport: HTTPTransport {
    /// The longest a connection may take to open.
    public var connectTimeout: Duration
    /// The longest the server may stay silent while a response is read.
    public var readTimeout: Duration
    /// Responses larger than this fail as a transport error (a page of any adapter is far smaller).
    public var maxResponseBytes: Int

    /// A transport with the given limits (defaults: 30 s, 30 s, 64 MiB).
    public init(connectTimeout: Duration = .seconds(30), readTimeout: Duration = .seconds(30),
                maxResponseBytes: Int = 64 << 20) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// Runs `body` with a new client, shut down when `body` returns or throws.
    public func withSession<Result: Sendable>(
        _ body: (any HTTPSession) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Self.nanoseconds(connectTimeout)),
                           read: .nanoseconds(Self.nanoseconds(readTimeout))))
        // A refused connection is a transport error at once, as in the reference; the pool would
        // otherwise keep trying until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        return try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            try await body(Session(client: client, maxResponseBytes: maxResponseBytes))
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private struct Session: HTTPSession {
        let client: HTTPClient
        let maxResponseBytes: Int

        func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = request.method == .post ? .POST : .GET
            for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
            if let body = request.body { outgoing.body = .bytes(body) }
            do {
                let response = try await client.execute(
                    outgoing, timeout: .nanoseconds(AsyncHTTPClientTransport.nanoseconds(request.timeout)))
                let buffer = try await response.body.collect(upTo: maxResponseBytes)
                return TransportResponse(
                    status: Int(response.status.code),
                    headers: response.headers.map { HTTPHeader($0.name, $0.value) },
                    body: Array(buffer.readableBytesView))
            } catch {
                throw TransportError(request: request, reason: String(describing: error))
            }
        }
    }
}
