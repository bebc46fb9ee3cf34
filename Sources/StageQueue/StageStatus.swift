import Foundation

/// Where one company stands in one stage (STAGE-QUEUE.md §1): `pending` → `queued` → `started` →
/// `completed`, or `failed`.
public enum StageStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The company is in the chain but has not reached this stage.
    case pending
    /// Waiting for a worker, in queue order.
    case queued
    /// Claimed by a worker; its handler is running or its job is accepted and awaited.
    case started
    /// The handler's result is stored.
    case completed
    /// The work cannot succeed, or its retries are used up.
    case failed

    /// The status a user names (any case); nil when it names none.
    public init?(named name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }

    public var description: String { rawValue }
}

/// Why a stage failed.
public enum StageFailureKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The work cannot succeed (DNS failure, refused connection, 404, 403, nothing extracted, a
    /// non-zero exit other than 75): failed at once.
    case hard
    /// The work may succeed later (timeout, 429, 5xx, exit 75): queued again until `max_retries`.
    case retriable
    /// The stage stayed `started` longer than `stuck_timeout` (a worker died, a webhook never came).
    case stuck

    public var description: String { rawValue }
}

/// Why a stage was queued.
public enum EnqueueReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A person or a caller asked for it (`queue enqueue`, `POST /internal/queue/enqueue`).
    case request
    /// The previous stage of the chain completed.
    case chain
    /// The company's lead-feed band entered the chain's trigger set.
    case trigger

    public var description: String { rawValue }
}
