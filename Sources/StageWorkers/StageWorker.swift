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
    /// The stage worked on.
    public var stage: String
    /// The worker's id.
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
    /// Where its store reads and writes go (shared with the other workers of the process).
    public let coalescer: WriteCoalescer
    private let counters: Counters

    /// The running totals.
    final class Counters: Sendable {
        private let state: Mutex<WorkerSummary>
        init(_ initial: WorkerSummary) { state = Mutex(initial) }
        func withLock<T>(_ body: (inout WorkerSummary) -> T) -> T { state.withLock { body(&$0) } }
    }

    /// A worker of `stage` (which must be in `chain`); its store access goes through `coalescer`
    /// (a new one when nil — give the workers of one process the same one).
    public init(runner: StageRunner, chain: StageChain, stage: String, settings: WorkerSettings, handler: StageHandler,
                stopSignal: StopSignal, coalescer: WriteCoalescer? = nil) throws(InvalidValue) {
        guard let definition = chain.stage(stage) else {
            throw InvalidValue("unknown stage '\(stage)' (the chain has: \(chain.names.joined(separator: ", ")))")
        }
        self.runner = runner
        self.chain = chain
        self.stage = definition
        self.settings = settings
        self.handler = handler
        self.stopSignal = stopSignal
        self.coalescer = coalescer ?? WriteCoalescer(store: runner.store)
        counters = Counters(WorkerSummary(stage: stage, workerID: settings.workerID, claimed: 0, completed: 0, accepted: 0,
                                          failed: 0, released: 0, stuckReset: 0, commits: 0))
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

    /// Claims a batch and reads the entity JSON of each item (an idle stage costs a read).
    private func claimBatch(_ limit: Int) async throws -> [StageWork] {
        let runner = self.runner, chain = self.chain, stage = self.stage.name, worker = settings.workerID
        let workspaces = self.workspaces
        guard try await coalescer.read({ try runner.hasQueued(stage: stage, workspaces: workspaces, in: $0) }) else { return [] }
        let items = try await coalescer.write { writer in
            try runner.claim(stage: stage, limit: limit, worker: worker, workspaces: workspaces, in: writer)
        }
        noteClaimed(items)
        guard case .external = handler, !items.isEmpty else { return items.map { StageWork(item: $0, entity: [:]) } }
        return try await coalescer.read { reader in
            try items.map { StageWork(item: $0, entity: try StageEntity.json(for: $0, chain: chain, in: reader)) }
        }
    }

    private func noteClaimed(_ items: [ClaimedStage]) {
        guard !items.isEmpty else { return }
        counters.withLock {
            $0.claimed += items.count
            $0.commits += 1
        }
        log("claimed \(items.map { String($0.subject.company) }.joined(separator: ","))")
    }

    /// Whether this worker's stage has accepted jobs it still awaits.
    private func awaitsJobs() async throws -> Bool {
        guard case .external(let external) = handler, external.pollsCompletion else { return false }
        let stage = self.stage.name, spaces = self.workspaces
        return try await coalescer.read { reader in
            !(try QueueReads.acceptedJobs(stage: stage, workspaces: spaces ?? reader.allWorkspaces().map(\.id), limit: 1,
                                          in: reader)).isEmpty
        }
    }

    private func claimLoop() async throws {
        switch handler {
        case .builtIn(let builtIn): try await builtInLoop(builtIn)
        case .external(let external): try await externalLoop(external)
        }
    }

    /// Built-in work: each claimed batch is worked and completed in one write transaction, which
    /// also claims the next batch (one durable commit per batch). When an item's work throws, the
    /// batch is run again item by item, the failing one recorded as a hard failure.
    private func builtInLoop(_ work: any BuiltInStageHandler) async throws {
        let runner = self.runner, chain = self.chain, stage = self.stage.name, limit = self.stage.batchSize
        let worker = settings.workerID, workspaces = self.workspaces, stop = self.stopSignal
        var batch = try await claimBatch(limit).map(\.item)
        while true {
            if batch.isEmpty {
                if stopSignal.isStopped || settings.exitWhenIdle { return }
                await stopSignal.sleep(for: self.stage.pollInterval)
                if stopSignal.isStopped { return }
                batch = try await claimBatch(limit).map(\.item)
                continue
            }
            let items = batch
            let outcomes: [HandlerOutcome]
            var next: [ClaimedStage] = []
            do {
                (outcomes, next) = try await coalescer.write { writer in
                    let outcomes = try runner.builtIn(items, chain: chain, work: { item, writer in
                        try work.perform(item, writer: writer, runner: runner)
                    }, in: writer)
                    let next = stop.isStopped
                        ? [] : try runner.claim(stage: stage, limit: limit, worker: worker, workspaces: workspaces, in: writer)
                    return (outcomes, next)
                }
            } catch {
                let results = try await itemByItem(items, work)
                counters.withLock { c in
                    c.commits += 1
                    for outcome in results {
                        if case .completed = outcome { c.completed += 1 } else { c.failed += 1 }
                    }
                }
                batch = []
                continue
            }
            counters.withLock { c in
                c.commits += 1
                for outcome in outcomes {
                    if case .completed = outcome { c.completed += 1 } else { c.failed += 1 }
                }
            }
            noteClaimed(next)
            batch = next
        }
    }

    /// Built-in work one item per transaction: the work that throws is left out and its stage
    /// fails hard; the others complete.
    private func itemByItem(_ items: [ClaimedStage], _ work: any BuiltInStageHandler) async throws -> [HandlerOutcome] {
        let runner = self.runner, chain = self.chain
        var outcomes: [HandlerOutcome] = []
        for item in items {
            do {
                outcomes.append(try await coalescer.write { writer in
                    try runner.builtIn([item], chain: chain, work: { item, writer in
                        try work.perform(item, writer: writer, runner: runner)
                    }, in: writer)[0]
                })
            } catch {
                let failed = HandlerOutcome.failed(.hard, "\(error)")
                _ = try await coalescer.write { try runner.record([(item, failed)], chain: chain, in: $0) }
                outcomes.append(failed)
            }
        }
        return outcomes
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
                        let applied = try await self.recordOutcome(work.item, outcome)
                        self.log("\(work.item.subject.company): \(Self.describe(outcome))\(applied ? "" : " (claim no longer current: ignored)")")
                        return .finished
                    }
                }
                if stopSignal.isStopped {
                    if !backlog.isEmpty {
                        let items = backlog.map(\.item)
                        backlog = []
                        let runner = self.runner
                        let released = try await coalescer.write { try runner.release(items, in: $0) }
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

    /// Records one attempt's outcome (group-committed with the others finishing meanwhile).
    private func recordOutcome(_ item: ClaimedStage, _ outcome: HandlerOutcome) async throws -> Bool {
        let runner = self.runner, chain = self.chain
        let applied = try await coalescer.write { try runner.record([(item, outcome)], chain: chain, in: $0)[0] }
        counters.withLock { c in
            c.commits += 1
            guard applied else { return }
            switch outcome {
            case .completed: c.completed += 1
            case .accepted: c.accepted += 1
            case .failed: c.failed += 1
            }
        }
        return applied
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
            let jobs = try await coalescer.read { reader in
                try QueueReads.acceptedJobs(stage: stage, workspaces: spaces ?? reader.allWorkspaces().map(\.id), limit: 1000,
                                            in: reader)
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
            let applied = try await coalescer.write { try runner.recordJobOutcomes(batch, chain: chain, in: $0) }
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
            guard try await coalescer.read({ try runner.hasStuck(stage: definition, workspaces: spaces, in: $0) }) else { continue }
            if stopSignal.isStopped { return }
            let reset = try await coalescer.write { try runner.resetStuck(stage: definition, workspaces: spaces, in: $0) }
            guard !reset.isEmpty else { continue }
            counters.withLock {
                $0.stuckReset += reset.count
                $0.commits += 1
            }
            log("stuck rule reset \(reset.map { String($0.company) }.joined(separator: ","))")
        }
    }
}
