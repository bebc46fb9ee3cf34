import Adapters
import Dispatch
import FuzzSupport
import Ingest
import SiglogCore
import Synchronization

/// A network source's whole adapter — paging, retry rules, response mapping — against a server
/// whose every answer is the fuzz input. The first byte picks the source, the second the status
/// code; the rest is the body. After six requests the transport fails (every adapter then stops
/// or throws), so a body that keeps asking for the next page cannot loop for ever.
///
/// Checks: `fetchEvents` returns events or throws an `AdapterError` / `TransportError`; every
/// event names the adapter's source and, written as an ingest line (`siglog-append fetch --out`),
/// reads back through the strict line parser as the same event.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAdapters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        guard bytes.count >= 2 else { return }
        let sources: [AdapterSource] = [.crunchbase, .producthunt, .newsapi, .github, .delawareSocrata]
        let statuses = [200, 200, 200, 200, 200, 429, 500, 400, 404, 301]
        let source = sources[Int(bytes[0]) % sources.count]
        let response = TransportResponse(status: statuses[Int(bytes[1]) % statuses.count],
                                         headers: [HTTPHeader("Retry-After", "1")], body: Array(bytes[2...]))
        let runtime = AdapterRuntime(transport: FixedAnswerTransport(response: response),
                                     now: { Timestamp(microseconds: 1_772_409_600_000_000) }, sleep: { _ in })
        let adapter = source.makeAdapter(environment: fuzzEnvironment, runtime: runtime,
                                         gitHubMetadataCache: GitHubOwnerMetadataCache())
        let outcome = waitFor { try await adapter.fetchEvents(since: Timestamp(microseconds: 1_772_323_200_000_000)) }
        switch outcome {
        case .failure(let error):
            invariant(error is AdapterError || error is TransportError, "\(source) threw \(type(of: error)): \(error)")
        case .success(let events):
            let parser = RawEventLineParser(defaultSource: nil)
            for (index, event) in events.enumerated() {
                invariant(event.source == adapter.sourceName, "\(source) event with source \(event.source)")
                let line = JSONWriter().string(.object(event.json))
                let read: RawEvent?
                do { read = try parser.parse(line, lineNumber: index + 1) } catch {
                    invariant(false, "\(source) event refused as an ingest line (\(error)): \(line)")
                    return
                }
                invariant(read == event, "\(source) event changed through its ingest line: \(line)")
            }
        }
    }
}

/// Every source configured with a credential, one target each, and no metadata file (TTL 0).
let fuzzEnvironment = AdapterEnvironment([
    "CRUNCHBASE_API_KEY": "k", "PRODUCTHUNT_API_TOKEN": "t", "NEWSAPI_API_KEY": "k", "INGEST_NEWSAPI_KEYWORDS": "funding",
    "GITHUB_TOKEN": "t", "INGEST_GITHUB_REPOS": "owner/repo", "INGEST_GITHUB_ORGS": "org",
    "INGEST_GITHUB_METADATA_CACHE_TTL_SECS": "0", "INGEST_DELAWARE_SOCRATA_DATASET_ID": "abcd-1234",
])

/// Answers every request with the same response, up to six; then a transport failure.
struct FixedAnswerTransport: HTTPTransport {
    let response: TransportResponse

    func withSession<Result: Sendable>(_ body: (any HTTPSession) async throws -> Result) async throws -> Result {
        try await body(Session(response: response))
    }

    final class Session: HTTPSession {
        let response: TransportResponse
        let sent = Atomic<Int>(0)
        init(response: TransportResponse) { self.response = response }

        func send(_ request: TransportRequest) async throws(TransportError) -> TransportResponse {
            guard sent.add(1, ordering: .relaxed).newValue <= 6 else {
                throw TransportError(request: request, reason: "no more answers")
            }
            return response
        }
    }
}

/// Runs `work` on the concurrency pool and blocks this (libFuzzer's) thread until it ends.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let done = DispatchSemaphore(value: 0)
    let box = Mutex<Result<T, any Error>?>(nil)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return box.withLock { $0! }
}
