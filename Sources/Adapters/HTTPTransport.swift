/// One header of a request or response.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name as written.
    public var name: String
    /// The field value.
    public var value: String

    /// A header `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An outgoing request, in the terms the adapters need and nothing more.
public struct TransportRequest: Sendable, Hashable {
    /// The request method.
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
    }

    /// The method.
    public var method: Method
    /// The absolute URL, query string included, already encoded.
    public var url: String
    /// The headers, in order.
    public var headers: [HTTPHeader]
    /// The body, nil for none.
    public var body: [UInt8]?
    /// The longest the whole request may take.
    public var timeout: Duration

    /// A request; `headers` are sent in the given order.
    public init(method: Method, url: String, headers: [HTTPHeader], body: [UInt8]? = nil, timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The URL without its query string (which may carry a credential), for messages and logs.
    public var redactedURL: String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        return String(url[..<mark]) + "?[redacted]"
    }
}

/// A response: status, headers and the whole body.
public struct TransportResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The headers, in order.
    public var headers: [HTTPHeader]
    /// The body bytes.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, matched case-insensitively; nil when absent.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}

/// A request that got no response: connection refused or reset, timeout, invalid URL. Its text
/// names the method and the URL without query string, never a credential.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `GET`, `POST`.
    public var method: String
    /// The URL with its query string redacted.
    public var redactedURL: String
    /// What went wrong, already scrubbed of the request's query string and header values.
    public var reason: String

    /// A transport error for `request`; `reason` is scrubbed of anything secret the request carried.
    public init(request: TransportRequest, reason: String) {
        method = request.method.rawValue
        redactedURL = request.redactedURL
        var secrets: [String] = []
        for header in request.headers where header.name.lowercased() == "authorization" {
            secrets.append(header.value)
            if let space = header.value.firstIndex(of: " ") {
                secrets.append(String(header.value[header.value.index(after: space)...]))
            }
        }
        if let mark = request.url.firstIndex(of: "?") {
            let query = String(request.url[request.url.index(after: mark)...])
            secrets.append(query)
            for pair in query.split(separator: "&") {
                if let equals = pair.firstIndex(of: "=") { secrets.append(String(pair[pair.index(after: equals)...])) }
            }
        }
        var scrubbed = reason
        for secret in secrets.filter({ !$0.isEmpty }).sorted(by: { $0.count > $1.count }) {
            scrubbed = scrubbed.replacing(secret, with: "[redacted]")
        }
        self.reason = scrubbed
    }

    /// `GET https://host/path?[redacted]: reason`.
    public var description: String { "\(method) \(redactedURL) failed: \(reason)" }
}

/// Where adapters send their requests. Production uses `AsyncHTTPClientTransport` (module AdapterHTTP); the seam keeps
/// the adapters' paging and failure rules independent of the HTTP library.
public protocol HTTPTransport: Sendable {
    /// Runs `body` with a session whose connections last for one fetch (ADAPTERS.md §0.4: one
    /// client per fetch) and are closed when `body` returns or throws.
    func withSession<Result: Sendable>(
        _ body: (any HTTPSession) async throws -> Result
    ) async throws -> Result
}

/// The connections of one fetch. Requests are sent one after another.
public protocol HTTPSession: Sendable {
    /// Sends one request and reads the whole response. Redirects are not followed (a 3xx is
    /// returned as it is). Any failure to get a response is a `TransportError`.
    func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse
}
