public import SiglogCore

/// The log position and append time of the record that causes a transition. The state machine
/// copies them into the state (queue order, start time, claim token), so the same records always
/// fold into the same state.
public struct StageStamp: Sendable, Hashable {
    /// The record's sequence number.
    public var sequence: UInt64
    /// The record's append time.
    public var time: Timestamp

    /// A stamp at `sequence`, `time`.
    public init(sequence: UInt64, time: Timestamp) {
        self.sequence = sequence
        self.time = time
    }
}

/// One company's state in one stage (STAGE-QUEUE.md §1), plus what the queue needs to order and
/// fence it. A company that never reached the stage has the initial value (`pending`).
public struct StageState: Sendable, Hashable {
    /// `status`.
    public var status: StageStatus = .pending
    /// `job_id`: the id the service gave when it accepted the work; nil for synchronous work.
    public var jobID: String?
    /// `result`: the handler's JSON result, set by completion.
    public var result: JSONValue?
    /// `error`: the last failure's text (kept while a retriable failure waits in the queue).
    public var error: String?
    /// What kind of failure `error` is.
    public var failureKind: StageFailureKind?
    /// `retry_count`: starts at 0; +1 per retriable failure or stuck reset.
    public var retryCount: Int = 0
    /// Claims since the stage was last queued by a request, the chain or a trigger: how many
    /// times the work was handed to a worker (at most `max_retries + 1`).
    public var attempts: Int = 0
    /// When the stage was queued (queue order, oldest first), nil unless queued at least once.
    public var queuedAt: Timestamp?
    /// The log position of the record that queued it: the tie-breaker of queue order.
    public var queuedSequence: UInt64?
    /// `started_at`: when the current claim was made.
    public var startedAt: Timestamp?
    /// The log position of the current claim: the fencing token of the worker holding it. A
    /// completion, failure or release naming another claim changes nothing.
    public var claim: UInt64?
    /// The worker holding (or last holding) the claim.
    public var worker: String?
    /// `completed_at`.
    public var completedAt: Timestamp?
    /// When any transition last changed this state.
    public var updatedAt: Timestamp?

    /// The initial state: `pending`, nothing recorded.
    public init() {}
}
