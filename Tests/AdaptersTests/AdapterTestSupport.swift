@testable import Adapters
import Ingest
import SiglogCore
import Synchronization
import Testing

/// Records what an adapter asked its runtime to do: sleeps and log lines.
final class RuntimeRecorder: Sendable {
    private let sleepsMade = Mutex<[Duration]>([])
    private let logged = Mutex<[String]>([])

    var sleeps: [Duration] { sleepsMade.withLock { $0 } }
    var logLines: [String] { logged.withLock { $0 } }

    func sleep(_ duration: Duration) { sleepsMade.withLock { $0.append(duration) } }
    func log(_ line: String) { logged.withLock { $0.append(line) } }
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

/// A runtime that talks HTTP for real (to the fixture server), never sleeps, and answers
/// `fixedNow`.
func testRuntime(_ recorder: RuntimeRecorder, requestTimeout: Duration = .seconds(10),
                 metadataTimeout: Duration = .seconds(10)) -> AdapterRuntime {
    AdapterRuntime(
        transport: AsyncHTTPClientTransport(), now: { fixedNow },
        sleep: { recorder.sleep($0) }, log: { recorder.log($0) },
        requestTimeout: requestTimeout, metadataTimeout: metadataTimeout)
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
