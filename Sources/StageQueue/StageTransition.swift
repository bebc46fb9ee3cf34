public import SiglogCore

/// What identifies the work a completion or failure is about: the claim a worker holds (its log
/// position) or the job id the service returned. Either must be the current one.
public enum StageToken: Sendable, Hashable, CustomStringConvertible {
    /// The worker's claim.
    case claim(UInt64)
    /// The service's job id (webhooks and the completion poller).
    case job(String)

    public var description: String {
        switch self {
        case .claim(let sequence): "claim \(sequence)"
        case .job(let id): "job \(id)"
        }
    }
}

/// A change asked of one company's stage state. Each is the content of one log record, and
/// carries every input its outcome depends on (the `max_retries` in force, the stuck cutoff), so
/// folding the log needs no configuration and replay reproduces the state exactly.
public enum StageTransition: Sendable, Hashable {
    /// `pending`, `completed` or `failed` → `queued` with a fresh retry budget.
    case enqueue(EnqueueReason)
    /// `queued` → `started`: a worker claimed it.
    case claim(worker: String)
    /// The service accepted the work under `jobID` (the stage stays `started`).
    case accept(claim: UInt64, jobID: String)
    /// The work completed with `result`.
    case complete(StageToken, result: JSONValue)
    /// The work failed: `hard` → `failed`; `retriable` → `queued` with `retry_count + 1` while
    /// `retry_count < maxRetries`, else `failed`.
    case fail(StageToken, kind: StageFailureKind, error: String, maxRetries: Int)
    /// A `started` stage whose claim is older than `startedBefore` is reset: `failed` when
    /// `retry_count >= maxRetries`, else `queued`; `retry_count + 1` either way.
    case resetStuck(startedBefore: Timestamp, maxRetries: Int)
    /// `failed` → `queued` by hand, with a fresh retry budget.
    case retry
    /// A claim given back unstarted (the worker is shutting down): `queued` at its old place,
    /// retry count unchanged.
    case release(claim: UInt64)
}
