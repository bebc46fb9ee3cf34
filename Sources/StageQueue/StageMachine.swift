import SiglogCore

/// The stage queue's state machine (STAGE-QUEUE.md §1), pure: the writer asks it whether a
/// transition applies before appending the record, and the projector folds the same record with
/// it, so the live views and a replay cannot disagree.
public enum StageMachine {
    /// The state after `transition`, made by the record stamped `stamp`; nil when the transition
    /// does not apply to `state` and changes nothing (a stale or duplicate completion, a claim of a
    /// stage that is not queued, a release of another worker's claim, …).
    public static func apply(_ transition: StageTransition, to state: StageState, at stamp: StageStamp) -> StageState? {
        var next = state
        next.updatedAt = stamp.time
        switch transition {
        case .enqueue:
            guard state.status == .pending || state.status == .completed || state.status == .failed else { return nil }
            requeueFresh(&next, at: stamp)
        case .retry:
            guard state.status == .failed else { return nil }
            requeueFresh(&next, at: stamp)
        case .claim(let worker):
            guard state.status == .queued else { return nil }
            next.status = .started
            next.startedAt = stamp.time
            next.claim = stamp.sequence
            next.worker = worker
            next.jobID = nil
            next.attempts += 1
        case .accept(let claim, let jobID):
            guard state.status == .started, state.claim == claim, state.jobID == nil else { return nil }
            next.jobID = jobID
        case .complete(let token, let result):
            guard holds(token, state) else { return nil }
            next.status = .completed
            next.result = result
            next.error = nil
            next.failureKind = nil
            next.completedAt = stamp.time
        case .fail(let token, let kind, let error, let maxRetries):
            guard holds(token, state) else { return nil }
            next.error = error
            next.failureKind = kind
            if kind != .hard && state.retryCount < maxRetries {
                next.retryCount += 1
                requeue(&next, at: stamp)
            } else {
                next.status = .failed
            }
        case .resetStuck(let cutoff, let maxRetries):
            guard state.status == .started, let startedAt = state.startedAt, startedAt < cutoff else { return nil }
            next.retryCount += 1
            next.failureKind = .stuck
            next.error = "stuck: started at \(startedAt) and not finished before \(cutoff)"
            if state.retryCount >= maxRetries {
                next.status = .failed
                next.jobID = nil
                next.startedAt = nil
                next.claim = nil
            } else {
                requeue(&next, at: stamp)
            }
        case .release(let claim):
            guard state.status == .started, state.claim == claim else { return nil }
            next.status = .queued
            next.jobID = nil
            next.startedAt = nil
            next.claim = nil
            next.attempts = max(0, state.attempts - 1)
        }
        return next
    }

    /// Whether `token` names the work `state` is waiting for: the stage is `started` and the claim
    /// or job id is the current one.
    public static func holds(_ token: StageToken, _ state: StageState) -> Bool {
        guard state.status == .started else { return false }
        switch token {
        case .claim(let claim): return state.claim == claim
        case .job(let id): return state.jobID == id
        }
    }

    /// Back of the queue, keeping the retry count and the last error.
    private static func requeue(_ state: inout StageState, at stamp: StageStamp) {
        state.status = .queued
        state.queuedAt = stamp.time
        state.queuedSequence = stamp.sequence
        state.jobID = nil
        state.startedAt = nil
        state.claim = nil
    }

    /// Back of the queue as new work: retry budget, attempts, result and error cleared.
    private static func requeueFresh(_ state: inout StageState, at stamp: StageStamp) {
        requeue(&state, at: stamp)
        state.retryCount = 0
        state.attempts = 0
        state.result = nil
        state.error = nil
        state.failureKind = nil
        state.completedAt = nil
        state.worker = nil
    }
}
