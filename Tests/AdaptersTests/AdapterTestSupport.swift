import AdapterHTTP
@testable import Adapters
import Ingest
import SiglogCore
import Synchronization
import Testing

/// Records what an adapter asked its runtime to do: sleeps and log lines.
final class RuntimeRecorder: Sendable {
    private let sleepsMade = Mutex<[Duration]>([])
    private let logged = Mutex<[String]>([])
    private let timeouts = Mutex<[(path: String, timeout: Duration)]>([])

    var sleeps: [Duration] { sleepsMade.withLock { $0 } }
    var logLines: [String] { logged.withLock { $0 } }

    func sleep(_ duration: Duration) { sleepsMade.withLock { $0.append(duration) } }
    func log(_ line: String) { logged.withLock { $0.append(line) } }

    /// The timeout each request asked for, by path (query dropped), in request order.
    var requestTimeouts: [(path: String, timeout: Duration)] { timeouts.withLock { $0 } }

    func timeout(_ timeout: Duration, for url: String) {
        var path = Substring(url)
        if let scheme = path.firstRange(of: "://") { path = path[scheme.upperBound...] }
        path = path.drop { $0 != "/" }
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        timeouts.withLock { $0.append((String(path), timeout)) }
    }
}

/// The instant every test's clock answers: 2026-03-05T12:00:00Z.
let fixedNow = instant("2026-03-05T12:00:00Z")
/// The `since` of the spec's worked examples.
let exampleSince = instant("2026-03-01T06:00:00Z")

/// Parses an ISO instant written in a test.
func instant(_ text: String) -> Timestamp {
    guard let value = Timestamp(iso: text) else { fatalError("bad test instant \(text)") }
    return value
}

/// A runtime that talks HTTP for real (to the fixture server), never sleeps, answers `fixedNow`,
/// and keeps the adapters' own timeouts (recorded by `TestTransport`).
func testRuntime(_ recorder: RuntimeRecorder, timingOut slow: @escaping @Sendable (String) -> Bool = { _ in false })
    -> AdapterRuntime
{
    AdapterRuntime(
        transport: TestTransport(recorder: recorder, slow: slow), now: { fixedNow },
        sleep: { recorder.sleep($0) }, log: { recorder.log($0) })
}

/// The production transport with deadlines fit for a test run. The whole test suite shares two
/// cores, and other suites can hold the cooperative threads (where the fixture server answers) for
/// tens of seconds, so real deadlines would fail requests that are merely late. Requests whose URL
/// `slow` matches get 200 ms (their server answers after 30 s at the earliest, so the deadline
/// always fires first), every other request 10 minutes. The timeout each request asked for is
/// recorded.
struct TestTransport: HTTPTransport {
    let base = AsyncHTTPClientTransport(connectTimeout: .seconds(600), readTimeout: .seconds(600))
    let recorder: RuntimeRecorder
    let slow: @Sendable (String) -> Bool

    func withSession<Result: Sendable>(_ body: (any HTTPSession) async throws -> Result) async throws -> Result {
        try await base.withSession { session in
            try await body(Session(base: session, recorder: recorder, slow: slow))
        }
    }

    private struct Session: HTTPSession {
        let base: any HTTPSession
        let recorder: RuntimeRecorder
        let slow: @Sendable (String) -> Bool

        func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
            recorder.timeout(request.timeout, for: request.url)
            var limited = request
            limited.timeout = slow(request.url) ? .milliseconds(200) : .seconds(600)
            return try await base.send(limited)
        }
    }
}

/// Parses JSON written in a test.
func json(_ text: String) -> JSONValue {
    do { return try JSONParser.parse(text) } catch { fatalError("bad test JSON: \(error) in \(text)") }
}

/// The JSON object written in a test.
func object(_ text: String) -> JSONObject {
    guard case .object(let value) = json(text) else { fatalError("not an object: \(text)") }
    return value
}

/// The expected User-Agent.
let expectedUserAgent = "siglog/" + SiglogVersion.current

/// Asserts that no recorded text carries `secret`.
func expectNoSecret(_ secret: String, in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    for text in texts {
        #expect(!text.contains(secret), "secret leaked into: \(text)", sourceLocation: sourceLocation)
    }
}

/// Counts calls, for handlers that answer differently per attempt.
final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
