public import SiglogCore

/// What an adapter needs from the world besides its configuration: where requests go, the clock,
/// how to wait, where warnings go. Tests inject a recording sleeper and a fixed clock.
public struct AdapterRuntime: Sendable {
    /// Sends the requests.
    public var transport: any HTTPTransport
    /// The current UTC instant: the fallback time of items without a usable date (§0.3) and the
    /// GitHub metadata cache's clock. Read afresh for every item that needs it.
    public var now: @Sendable () -> Timestamp
    /// Waits between attempts (back-offs, `Retry-After`, the GitHub metadata pause).
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Receives one line per warning (a 429 that stopped paging, a skipped target). Lines name
    /// paths, never query strings or credentials.
    public var log: @Sendable (String) -> Void
    /// Sent as `User-Agent` on every request.
    public var userAgent: String
    /// The limit of one request (§0.4: 30 s).
    public var requestTimeout: Duration
    /// The limit of one GitHub owner-metadata request (§0.4: 10 s).
    public var metadataTimeout: Duration

    /// A runtime; `now` is required so the caller's clock is the only clock.
    public init(
        transport: any HTTPTransport,
        now: @escaping @Sendable () -> Timestamp,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        log: @escaping @Sendable (String) -> Void = { _ in },
        userAgent: String = AdapterRuntime.defaultUserAgent,
        requestTimeout: Duration = .seconds(30),
        metadataTimeout: Duration = .seconds(10)
    ) {
        self.transport = transport
        self.now = now
        self.sleep = sleep
        self.log = log
        self.userAgent = userAgent
        self.requestTimeout = requestTimeout
        self.metadataTimeout = metadataTimeout
    }

    /// `siglog/<version>` (§9).
    public static let defaultUserAgent = "siglog/" + SiglogVersion.current

    /// A request carrying the headers every adapter sends (`User-Agent`, and `Accept: */*` unless
    /// `headers` sets its own), then `headers` in order.
    func request(_ method: TransportRequest.Method, _ url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
                 timeout: Duration? = nil) -> TransportRequest {
        var all = [HTTPHeader("User-Agent", userAgent)]
        if !headers.contains(where: { $0.name.lowercased() == "accept" }) { all.append(HTTPHeader("Accept", "*/*")) }
        all.append(contentsOf: headers)
        return TransportRequest(method: method, url: url, headers: all, body: body, timeout: timeout ?? requestTimeout)
    }
}
