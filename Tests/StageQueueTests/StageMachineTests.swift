import SiglogCore
@testable import StageQueue
import Testing

/// Every transition of STAGE-QUEUE.md §1, on the pure state machine.
@Suite("Stage machine")
struct StageMachineTests {
    static let t0 = Timestamp(microseconds: 1_000_000_000)

    /// A stamp `seconds` after t0 at log position `sequence`.
    func at(_ sequence: UInt64, _ seconds: Int64 = 0) -> StageStamp {
        StageStamp(sequence: sequence, time: Timestamp(microseconds: Self.t0.microseconds + seconds * 1_000_000))
    }

    /// Applies transitions in order from `state`, each at the next position; every one must apply.
    func run(_ transitions: [StageTransition], from state: StageState = StageState(), start: UInt64 = 1) throws -> StageState {
        var current = state
        for (index, transition) in transitions.enumerated() {
            current = try #require(StageMachine.apply(transition, to: current, at: at(start + UInt64(index), Int64(index))),
                                   "\(transition) should apply to \(current.status)")
        }
        return current
    }

    @Test("enqueue: pending → queued with queue time and position, nothing else")
    func enqueue() throws {
        let state = try #require(StageMachine.apply(.enqueue(.request), to: StageState(), at: at(7, 3)))
        #expect(state.status == .queued)
        #expect(state.queuedAt == at(7, 3).time)
        #expect(state.queuedSequence == 7)
        #expect(state.retryCount == 0 && state.attempts == 0)
        #expect(state.startedAt == nil && state.claim == nil && state.jobID == nil && state.result == nil)
    }

    @Test("enqueue changes nothing for a stage already queued or started")
    func enqueueInFlight() throws {
        let queued = try run([.enqueue(.request)])
        #expect(StageMachine.apply(.enqueue(.chain), to: queued, at: at(9)) == nil)
        let started = try run([.enqueue(.request), .claim(worker: "w")])
        #expect(StageMachine.apply(.enqueue(.trigger), to: started, at: at(9)) == nil)
    }

    @Test("enqueue after completed or failed starts over: fresh retry budget, result and error cleared")
    func enqueueAgain() throws {
        let completed = try run([.enqueue(.request), .claim(worker: "w"), .complete(.claim(2), result: .object(["x": 1]))])
        let again = try #require(StageMachine.apply(.enqueue(.chain), to: completed, at: at(10, 10)))
        #expect(again.status == .queued && again.result == nil && again.completedAt == nil && again.attempts == 0)
        #expect(again.queuedSequence == 10)
        let failed = try run([.enqueue(.request), .claim(worker: "w"), .fail(.claim(2), kind: .hard, error: "404", maxRetries: 3)])
        let retried = try #require(StageMachine.apply(.enqueue(.request), to: failed, at: at(10)))
        #expect(retried.status == .queued && retried.error == nil && retried.failureKind == nil && retried.retryCount == 0)
    }

    @Test("claim: queued → started with started_at, the claim token and the worker; attempts + 1")
    func claim() throws {
        let state = try run([.enqueue(.request), .claim(worker: "host:1:0")])
        #expect(state.status == .started)
        #expect(state.startedAt == at(2, 1).time)
        #expect(state.claim == 2)
        #expect(state.worker == "host:1:0")
        #expect(state.attempts == 1)
        #expect(state.queuedAt == at(1, 0).time, "the queue time is kept for the record")
    }

    @Test("claim applies only to a queued stage")
    func claimOnlyQueued() throws {
        #expect(StageMachine.apply(.claim(worker: "w"), to: StageState(), at: at(1)) == nil)
        let started = try run([.enqueue(.request), .claim(worker: "a")])
        #expect(StageMachine.apply(.claim(worker: "b"), to: started, at: at(3)) == nil, "no stage is claimed twice")
    }

    @Test("job accepted: the job id is set under the current claim, once")
    func accept() throws {
        let started = try run([.enqueue(.request), .claim(worker: "w")])
        let accepted = try #require(StageMachine.apply(.accept(claim: 2, jobID: "J1"), to: started, at: at(3)))
        #expect(accepted.status == .started && accepted.jobID == "J1")
        #expect(StageMachine.apply(.accept(claim: 2, jobID: "J2"), to: accepted, at: at(4)) == nil, "a job id is set once")
        #expect(StageMachine.apply(.accept(claim: 99, jobID: "J1"), to: started, at: at(4)) == nil, "another claim's job")
        #expect(StageMachine.apply(.accept(claim: 2, jobID: "J1"), to: try run([.enqueue(.request)]), at: at(4)) == nil)
    }

    @Test("complete: started → completed with result and completed_at")
    func complete() throws {
        let state = try run([.enqueue(.request), .claim(worker: "w"), .complete(.claim(2), result: .object(["pages": 3]))])
        #expect(state.status == .completed)
        #expect(state.result == .object(["pages": 3]))
        #expect(state.completedAt == at(3, 2).time)
        #expect(state.error == nil)
    }

    @Test("completion is idempotent per job id: a second completion changes nothing")
    func duplicateCompletion() throws {
        let accepted = try run([.enqueue(.request), .claim(worker: "w"), .accept(claim: 2, jobID: "J")])
        let done = try #require(StageMachine.apply(.complete(.job("J"), result: .object(["a": 1])), to: accepted, at: at(4)))
        #expect(done.status == .completed)
        #expect(StageMachine.apply(.complete(.job("J"), result: .object(["a": 2])), to: done, at: at(5)) == nil)
        #expect(StageMachine.apply(.complete(.claim(2), result: .object(["a": 2])), to: done, at: at(5)) == nil)
    }

    @Test("a completion for a job id or claim that is not the current one changes nothing")
    func staleCompletion() throws {
        let accepted = try run([.enqueue(.request), .claim(worker: "w"), .accept(claim: 2, jobID: "J-new")])
        #expect(StageMachine.apply(.complete(.job("J-old"), result: .null), to: accepted, at: at(4)) == nil)
        let started = try run([.enqueue(.request), .claim(worker: "w")])
        #expect(StageMachine.apply(.complete(.claim(1), result: .null), to: started, at: at(4)) == nil)
        #expect(StageMachine.apply(.complete(.job("J"), result: .null), to: started, at: at(4)) == nil, "no job was accepted")
        // A stage reset by the stuck rule and claimed again: the first worker's late result is stale.
        let reset = try #require(StageMachine.apply(.resetStuck(startedBefore: at(0, 100).time, maxRetries: 3), to: started,
                                                    at: at(3, 100)))
        let reclaimed = try #require(StageMachine.apply(.claim(worker: "w2"), to: reset, at: at(4, 101)))
        #expect(StageMachine.apply(.complete(.claim(2), result: .null), to: reclaimed, at: at(5)) == nil)
        #expect(StageMachine.apply(.complete(.claim(4), result: .null), to: reclaimed, at: at(5))?.status == .completed)
    }

    @Test("hard failure: failed at once with the error, whatever the retries left")
    func hardFailure() throws {
        let state = try run([.enqueue(.request), .claim(worker: "w"), .fail(.claim(2), kind: .hard, error: "HTTP 404", maxRetries: 3)])
        #expect(state.status == .failed)
        #expect(state.error == "HTTP 404" && state.failureKind == .hard)
        #expect(state.retryCount == 0)
    }

    @Test("retriable failure: queued again with retry_count + 1 until max_retries, then failed")
    func retriableUntilMax() throws {
        var state = try run([.enqueue(.request)])
        var sequence: UInt64 = 2
        for expectedRetry in 1...3 {
            state = try run([.claim(worker: "w")], from: state, start: sequence)
            state = try run([.fail(.claim(sequence), kind: .retriable, error: "HTTP 503", maxRetries: 3)], from: state, start: sequence + 1)
            sequence += 2
            #expect(state.status == .queued)
            #expect(state.retryCount == expectedRetry)
            #expect(state.queuedSequence == sequence - 1, "a retry goes to the back of the queue")
            #expect(state.error == "HTTP 503" && state.failureKind == .retriable, "the last error is kept while queued")
            #expect(state.claim == nil && state.startedAt == nil && state.jobID == nil)
        }
        state = try run([.claim(worker: "w")], from: state, start: sequence)
        state = try run([.fail(.claim(sequence), kind: .retriable, error: "timeout", maxRetries: 3)], from: state, start: sequence + 1)
        #expect(state.status == .failed)
        #expect(state.retryCount == 3)
        #expect(state.attempts == 4, "max_retries + 1 attempts in all")
    }

    @Test("max_retries 0: the first retriable failure fails")
    func noRetries() throws {
        let state = try run([.enqueue(.request), .claim(worker: "w"), .fail(.claim(2), kind: .retriable, error: "429", maxRetries: 0)])
        #expect(state.status == .failed && state.retryCount == 0)
    }

    @Test("a failure for another claim or job changes nothing")
    func staleFailure() throws {
        let started = try run([.enqueue(.request), .claim(worker: "w")])
        #expect(StageMachine.apply(.fail(.claim(1), kind: .hard, error: "x", maxRetries: 3), to: started, at: at(3)) == nil)
        #expect(StageMachine.apply(.fail(.job("J"), kind: .hard, error: "x", maxRetries: 3), to: started, at: at(3)) == nil)
    }

    @Test("stuck reset below max_retries: queued with retry_count + 1, job id and started_at cleared")
    func stuckBelowMax() throws {
        let accepted = try run([.enqueue(.request), .claim(worker: "w"), .accept(claim: 2, jobID: "J")])
        let reset = try #require(StageMachine.apply(.resetStuck(startedBefore: at(0, 700).time, maxRetries: 3), to: accepted,
                                                    at: at(9, 700)))
        #expect(reset.status == .queued)
        #expect(reset.retryCount == 1)
        #expect(reset.jobID == nil && reset.startedAt == nil && reset.claim == nil)
        #expect(reset.failureKind == .stuck)
        #expect(reset.queuedSequence == 9)
        // The late completion of the job that was reset changes nothing.
        #expect(StageMachine.apply(.complete(.job("J"), result: .null), to: reset, at: at(10)) == nil)
    }

    @Test("stuck reset at and past max_retries: failed, retry_count + 1")
    func stuckAtMax() throws {
        for retries in [3, 5] {
            var state = try run([.enqueue(.request), .claim(worker: "w")])
            state.retryCount = retries
            let reset = try #require(StageMachine.apply(.resetStuck(startedBefore: at(0, 700).time, maxRetries: 3), to: state,
                                                        at: at(9, 700)))
            #expect(reset.status == .failed)
            #expect(reset.retryCount == retries + 1)
            #expect(reset.jobID == nil && reset.startedAt == nil)
        }
    }

    @Test("stuck reset only for a started stage claimed before the cutoff")
    func stuckOnlyOld() throws {
        let started = try run([.enqueue(.request), .claim(worker: "w")])  // started at t0 + 1 s
        #expect(StageMachine.apply(.resetStuck(startedBefore: at(0, 1).time, maxRetries: 3), to: started, at: at(3)) == nil)
        #expect(StageMachine.apply(.resetStuck(startedBefore: at(0, 2).time, maxRetries: 3), to: started, at: at(3)) != nil)
        #expect(StageMachine.apply(.resetStuck(startedBefore: at(0, 99).time, maxRetries: 3), to: try run([.enqueue(.request)]),
                                   at: at(3)) == nil)
    }

    @Test("release on shutdown: back to queued at its old place, without a retry count")
    func release() throws {
        let started = try run([.enqueue(.request), .claim(worker: "w")])
        let released = try #require(StageMachine.apply(.release(claim: 2), to: started, at: at(3)))
        #expect(released.status == .queued)
        #expect(released.retryCount == 0)
        #expect(released.attempts == 0, "the released attempt never ran")
        #expect(released.queuedSequence == 1 && released.queuedAt == at(1, 0).time)
        #expect(released.claim == nil && released.startedAt == nil)
        #expect(StageMachine.apply(.release(claim: 1), to: started, at: at(3)) == nil, "another worker's claim")
    }

    @Test("retry by hand: failed → queued with a fresh budget; nothing else is retried")
    func manualRetry() throws {
        let failed = try run([.enqueue(.request), .claim(worker: "w"), .fail(.claim(2), kind: .hard, error: "403", maxRetries: 3)])
        let retried = try #require(StageMachine.apply(.retry, to: failed, at: at(4)))
        #expect(retried.status == .queued && retried.retryCount == 0 && retried.error == nil)
        #expect(StageMachine.apply(.retry, to: try run([.enqueue(.request)]), at: at(2)) == nil)
        #expect(StageMachine.apply(.retry, to: StageState(), at: at(2)) == nil)
    }

    @Test("chain advance: the next stage of a completed one is queued (and only that)")
    func chainAdvance() throws {
        let chain = StageChain(stages: [
            StageDefinition(name: "scrape", next: "intel", handler: .noop),
            StageDefinition(name: "intel", next: "messaging", handler: .noop),
            StageDefinition(name: "messaging", handler: .noop),
        ])
        #expect(chain.next(after: "scrape") == "intel")
        #expect(chain.next(after: "intel") == "messaging")
        #expect(chain.next(after: "messaging") == nil)
        #expect(chain.predecessors(of: "messaging") == ["scrape", "intel"])
        // The next stage, pending, becomes queued; one already in flight is left alone.
        let next = try #require(StageMachine.apply(.enqueue(.chain), to: StageState(), at: at(5)))
        #expect(next.status == .queued)
        #expect(StageMachine.apply(.enqueue(.chain), to: next, at: at(6)) == nil)
    }

    @Test("the band trigger fires only when the band enters the set")
    func bandTrigger() {
        let trigger = BandTrigger(bands: [.highPriority], stage: "scrape")
        #expect(trigger.fires(from: nil, to: .highPriority))
        #expect(trigger.fires(from: .watch, to: .highPriority))
        #expect(!trigger.fires(from: .highPriority, to: .highPriority))
        #expect(!trigger.fires(from: .highPriority, to: .watch))
        #expect(!trigger.fires(from: nil, to: .ignore))
        #expect(!trigger.fires(from: .watch, to: nil))
    }
}
