public import Foundation
public import Pipeline
import Projections
import ReadModel
public import SiglogCore
public import StageQueue
import Synchronization

/// How one worker runs, beyond what the chain says about its stage.
public struct WorkerSettings: Sendable {
    /// The id recorded with each claim (`host:pid:n` by default).
    public var workerID: String
    /// Handlers running at once (external handlers; built-in work runs in the store's single
    /// writer, one claimed batch per transaction).
    public var concurrency: Int
    /// The workspaces served; nil serves every workspace.
    public var workspaces: [UUID]?
    /// Stop once a claim finds nothing queued, nothing is in hand and no accepted job is awaited
    /// (a single-stage drain: benchmarks); otherwise run until stopped.
    public var exitWhenIdle: Bool
    /// Where each claim, outcome and reset is reported (one line each), nil for silence.
    public var log: (@Sendable (String) -> Void)?

    /// Settings for a worker with `workerID`.
    public init(workerID: String = defaultWorkerID(), concurrency: Int = 1, workspaces: [UUID]? = nil, exitWhenIdle: Bool = false,
                log: (@Sendable (String) -> Void)? = nil) {
        self.workerID = workerID
        self.concurrency = max(1, concurrency)
        self.workspaces = workspaces
        self.exitWhenIdle = exitWhenIdle
        self.log = log
    }
}

/// What a worker did, for its exit report and the benchmark.
public struct WorkerSummary: Sendable, Hashable {
    public var stage: String
    public var workerID: String
    /// Items claimed.
    public var claimed: Int
    /// Items completed by this worker (directly or by polling).
    public var completed: Int
    /// Jobs accepted by the service.
    public var accepted: Int
    /// Attempts that failed (retriable or hard).
    public var failed: Int
    /// Unstarted claims given back at shutdown.
    public var released: Int
    /// Items reset by the stuck rule.
    public var stuckReset: Int
    /// Write transactions that changed the store (each a durable commit).
    public var commits: Int

    /// `{stage, worker_id, claimed, completed, accepted, failed, released, stuck_reset, commits}`.
    public var json: JSONObject {
        ["stage": .string(stage), "worker_id": .string(workerID), "claimed": .int(Int64(claimed)),
         "completed": .int(Int64(completed)), "accepted": .int(Int64(accepted)), "failed": .int(Int64(failed)),
         "released": .int(Int64(released)), "stuck_reset": .int(Int64(stuckReset)), "commits": .int(Int64(commits))]
    }
}

/// One stage's worker (STAGE-QUEUE.md §1): repeatedly claims at most `batch_size` of the oldest
/// queued items of its stage in one write transaction, runs the handler (up to `concurrency` at
/// once), records each outcome (completions advance the chain; outcomes finishing together share
/// one commit); polls accepted jobs every `completion_poll_interval`; runs the stuck rule; sleeps
/// `poll_interval` when idle. Stateless: everything lives in the store, so it may be killed at any
/// moment and restarted. Any host runs it: `siglog-worker`, or a server alongside its routes.
public final class StageWorker: Sendable {
    /// The write side it records through.
    public let runner: StageRunner
    /// The chain (next stages, limits).
    public let chain: StageChain
    /// The stage served.
    public let stage: StageDefinition
    /// Its settings.
    public let settings: WorkerSettings
    /// How the work is done.
    public let handler: StageHandler
    /// Stops it.
    public let stopSignal: StopSignal

    private let queue: StoreQueue
    private let counters: Counters
    private let outcomes: GroupCommitter<Outcome, Bool>

    /// The running totals, shared with the group committer.
    final class Counters: Sendable {
        private let state: Mutex<WorkerSummary>
        init(_ initial: WorkerSummary) { state = Mutex(initial) }
        func withLock<T>(_ body: (inout WorkerSummary) -> T) -> T { state.withLock { body(&$0) } }
    }

    /// One finished attempt to record.
    struct Outcome: Sendable {
        var item: ClaimedStage
        var outcome: HandlerOutcome
    }

    /// A worker of `stage` (which must be in `chain`).
    public init(runner: StageRunner, chain: StageChain, stage: String, settings: WorkerSettings, handler: StageHandler,
                stopSignal: StopSignal) throws(InvalidValue) {
        guard let definition = chain.stage(stage) else {
            throw InvalidValue("unknown stage '\(stage)' (the chain has: \(chain.names.joined(separator: ", ")))")
        }
        self.runner = runner
        self.chain = chain
        self.stage = definition
        self.settings = settings
        self.handler = handler
        self.stopSignal = stopSignal
        let queue = StoreQueue(label: "siglog.worker.\(stage)")
        self.queue = queue
        let counters = Counters(WorkerSummary(stage: stage, workerID: settings.workerID, claimed: 0, completed: 0, accepted: 0,
                                              failed: 0, released: 0, stuckReset: 0, commits: 0))
        self.counters = counters
        outcomes = GroupCommitter(queue: queue) { batch in
            let applied = try runner.record(batch.map { ($0.item, $0.outcome) }, chain: chain)
            counters.withLock { c in
                c.commits += 1
                for (entry, ok) in zip(batch, applied) where ok {
                    switch entry.outcome {
                    case .completed: c.completed += 1
                    case .accepted: c.accepted += 1
                    case .failed: c.failed += 1
                    }
                }
            }
            return applied
        }
    }

    /// What the worker has done so far.
    public var summary: WorkerSummary { counters.withLock { $0 } }

    /// Runs until stopped (or idle, with `exitWhenIdle`). Storage errors end it with the error.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.claimLoop() }
            group.addTask { try await self.stuckLoop() }
            if case .external(let external) = handler, external.pollsCompletion {
                group.addTask { try await self.completionLoop(external) }
            }
            // The claim loop ends the run (stopped, or idle); the others follow it.
            try await group.next()
            stopSignal.stop()
            try await group.waitForAll()
        }
    }

    private func log(_ line: @autoclosure () -> String) {
        if let sink = settings.log { sink("[\(settings.workerID) \(stage.name)] \(line())") }
    }

    private var workspaces: [UUID]? { settings.workspaces }

    // MARK: - Claiming

    /// Claims a batch and reads the entity JSON of each item.
    private func claimBatch(_ limit: Int) async throws -> [StageWork] {
        let runner = self.runner, chain = self.chain, stage = self.stage.name, worker = settings.workerID
        let workspaces = self.workspaces
        let needsEntity: Bool
        if case .external = handler { needsEntity = true } else { needsEntity = false }
        let works = try await queue.run { () -> [StageWork] in
            let items = try runner.claim(stage: stage, limit: limit, worker: worker, workspaces: workspaces)
            guard needsEntity, !items.isEmpty else { return items.map { StageWork(item: $0, entity: [:]) } }
            return try runner.store.read { reader in
                try items.map { StageWork(item: $0, entity: try StageEntity.json(for: $0, chain: chain, in: reader)) }
            }
        }
        if !works.isEmpty {
            counters.withLock {
                $0.claimed += works.count
                $0.commits += 1
            }
            log("claimed \(works.map { String($0.item.subject.company) }.joined(separator: ","))")
        }
        return works
    }

    /// Whether this worker's stage has accepted jobs it still awaits.
    private func awaitsJobs() async throws -> Bool {
        guard case .external(let external) = handler, external.pollsCompletion else { return false }
        let runner = self.runner, stage = self.stage.name, spaces = self.workspaces
        return try await queue.run {
            try runner.store.read { reader in
                !(try QueueReads.acceptedJobs(stage: stage, workspaces: spaces ?? reader.allWorkspaces().map(\.id), limit: 1,
                                              in: reader)).isEmpty
            }
        }
    }

    private func claimLoop() async throws {
        switch handler {
        case .builtIn(let builtIn): try await builtInLoop(builtIn)
        case .external(let external): try await externalLoop(external)
        }
    }

    /// Built-in work: each claimed batch is worked and completed in one write transaction.
    private func builtInLoop(_ work: any BuiltInStageHandler) async throws {
        let runner = self.runner, chain = self.chain
        while !stopSignal.isStopped {
            let batch = try await claimBatch(stage.batchSize)
            if batch.isEmpty {
                if settings.exitWhenIdle { return }
                await stopSignal.sleep(for: stage.pollInterval)
                continue
            }
            let items = batch.map(\.item)
            let results = try await queue.run {
                try runner.runBuiltIn(items, chain: chain) { item, writer in try work.perform(item, writer: writer, runner: runner) }
            }
            counters.withLock { c in
                c.commits += 1
                for outcome in results {
                    if case .completed = outcome { c.completed += 1 } else { c.failed += 1 }
                }
            }
        }
    }

    /// What the external loop waits for.
    private enum Event: Sendable {
        case finished
        case tick
    }

    /// External work: claimed items wait in a backlog for one of `concurrency` slots; each slot
    /// runs the handler and records its outcome (group-committed with the others finishing).
    private func externalLoop(_ external: any ExternalStageHandler) async throws {
        let concurrency = settings.concurrency
        try await withThrowingTaskGroup(of: Event.self) { group in
            var backlog: [StageWork] = []
            var running = 0
            var timerArmed = false
            while true {
                while running < concurrency, !backlog.isEmpty, !stopSignal.isStopped {
                    let work = backlog.removeFirst()
                    running += 1
                    group.addTask {
                        let outcome = await external.perform(work)
                        let applied = try await self.outcomes.submit(Outcome(item: work.item, outcome: outcome))
                        self.log("\(work.item.subject.company): \(Self.describe(outcome))\(applied ? "" : " (claim no longer current: ignored)")")
                        return .finished
                    }
                }
                if stopSignal.isStopped {
                    if !backlog.isEmpty {
                        let items = backlog.map(\.item)
                        backlog = []
                        let released = try await queue.run { try self.runner.release(items) }
                        counters.withLock {
                            $0.released += released
                            $0.commits += 1
                        }
                        log("released \(released) unstarted claim(s)")
                    }
                    if running == 0 { return }
                } else if backlog.isEmpty && running < concurrency {
                    let claimed = try await claimBatch(stage.batchSize)
                    if !claimed.isEmpty {
                        backlog = claimed
                        continue
                    }
                    if running == 0 && !timerArmed {
                        if settings.exitWhenIdle, try await !awaitsJobs() { return }
                        await stopSignal.sleep(for: stage.pollInterval)
                        continue
                    }
                    if !timerArmed {
                        // Slots are free but nothing is queued: look again after the poll interval
                        // even if no running attempt finishes before.
                        timerArmed = true
                        let signal = stopSignal, interval = stage.pollInterval
                        group.addTask {
                            await signal.sleep(for: interval)
                            return .tick
                        }
                    }
                }
                guard let event = try await group.next() else { continue }
                switch event {
                case .finished: running -= 1
                case .tick: timerArmed = false
                }
            }
        }
    }

    static func describe(_ outcome: HandlerOutcome) -> String {
        switch outcome {
        case .completed: "completed"
        case .accepted(let jobID): "accepted as job \(jobID)"
        case .failed(let kind, let error): "\(kind) failure: \(error)"
        }
    }

    // MARK: - Completion poller and stuck rule

    /// Every `completion_poll_interval`: asks the service about each accepted job of the stage and
    /// records the finished ones in one transaction.
    private func completionLoop(_ external: any ExternalStageHandler) async throws {
        let runner = self.runner, chain = self.chain, stage = self.stage.name, spaces = self.workspaces
        while !stopSignal.isStopped {
            await stopSignal.sleep(for: self.stage.completionPollInterval)
            if stopSignal.isStopped { return }
            let jobs = try await queue.run {
                try runner.store.read { reader in
                    try QueueReads.acceptedJobs(stage: stage, workspaces: spaces ?? reader.allWorkspaces().map(\.id), limit: 1000,
                                                in: reader)
                }
            }
            var finished: [(subject: StageSubject, jobID: String, outcome: HandlerOutcome)] = []
            for job in jobs {
                if stopSignal.isStopped { break }
                if case .finished(let outcome) = await external.poll(jobID: job.jobID, subject: job.subject) {
                    finished.append((job.subject, job.jobID, outcome))
                }
            }
            guard !finished.isEmpty else { continue }
            let batch = finished
            let applied = try await queue.run { try runner.recordJobOutcomes(batch, chain: chain) }
            counters.withLock { c in
                c.commits += 1
                for (entry, ok) in zip(batch, applied) where ok {
                    if case .completed = entry.outcome { c.completed += 1 } else { c.failed += 1 }
                }
            }
            log("polled \(jobs.count) job(s), \(applied.filter { $0 }.count) finished")
        }
    }

    /// The stuck rule, every `min(stuck_timeout / 2, 30 s)` (at least every poll interval).
    private func stuckLoop() async throws {
        let runner = self.runner, definition = self.stage, spaces = self.workspaces
        let period = max(definition.pollInterval, min(definition.stuckTimeout / 2, .seconds(30)))
        while !stopSignal.isStopped {
            await stopSignal.sleep(for: period)
            if stopSignal.isStopped { return }
            let reset = try await queue.run { try runner.resetStuck(stage: definition, workspaces: spaces) }
            guard !reset.isEmpty else { continue }
            counters.withLock {
                $0.stuckReset += reset.count
                $0.commits += 1
            }
            log("stuck rule reset \(reset.map { String($0.company) }.joined(separator: ","))")
        }
    }
}
