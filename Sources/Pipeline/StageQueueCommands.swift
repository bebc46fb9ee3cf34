public import Foundation
public import Projections
import ReadModel
public import Scoring
public import SiglogCore
import SiglogRecords
public import StageQueue

/// A stage a worker claimed: what it must finish, fail or release under its claim.
public struct ClaimedStage: Sendable, Hashable {
    /// The company's stage.
    public var subject: StageSubject
    /// The claim token (the log position of the `StageStarted` record).
    public var claim: UInt64
    /// `started_at`.
    public var startedAt: Timestamp
    /// `retry_count` at the claim.
    public var retryCount: Int
    /// This attempt's number (1 for the first).
    public var attempt: Int

    /// Creates a claimed stage.
    public init(subject: StageSubject, claim: UInt64, startedAt: Timestamp, retryCount: Int, attempt: Int) {
        self.subject = subject
        self.claim = claim
        self.startedAt = startedAt
        self.retryCount = retryCount
        self.attempt = attempt
    }
}

/// What an enqueue did: the companies queued, and those left as they were (already queued or
/// started).
public struct EnqueueResult: Sendable, Hashable {
    /// The stage asked for.
    public var stage: String
    /// The workspace.
    public var workspace: UUID
    /// Companies now queued, in request order.
    public var queued: [Int64]
    /// Companies already queued or started: nothing changed for them.
    public var unchanged: [Int64]

    /// Creates a result.
    public init(stage: String, workspace: UUID, queued: [Int64], unchanged: [Int64]) {
        self.stage = stage
        self.workspace = workspace
        self.queued = queued
        self.unchanged = unchanged
    }

    /// `{stage, workspace_id, queued, unchanged, queued_company_ids}`.
    public var json: JSONObject {
        ["stage": .string(stage), "workspace_id": .string(workspace.uuidString.lowercased()),
         "queued": .int(Int64(queued.count)), "unchanged": .int(Int64(unchanged.count)),
         "queued_company_ids": .array(queued.map(JSONValue.int))]
    }
}

/// The stage queue's write side (STAGE-QUEUE.md §2): every status change is a record appended
/// only when `StageMachine` says it applies to the state as it stands in the same write
/// transaction — so claims are atomic across threads and processes (LMDB has one writer), and a
/// stale or duplicate completion appends nothing.
extension StageRunner {
    /// Appends `record` if its transition applies to the stored state; returns the new state, or
    /// nil when nothing changed.
    @discardableResult
    func appendStageRecord(_ record: some StageQueueRecord, at now: Timestamp, writer: StoreWriter) throws -> StageState? {
        let state = try writer.reader.stageState(record.subject)
        let stamp = StageStamp(sequence: writer.writer.nextSequence, time: now)
        guard let next = StageMachine.apply(record.transition, to: state, at: stamp) else { return nil }
        try writer.append(record, at: now, workspace: record.subject.workspace)
        return next
    }

    // MARK: - Enqueue

    /// Queues `stage` for each company (one transaction): from `pending`, `completed` or `failed`;
    /// a company already queued or started is left as it is. Every company must exist.
    public func enqueue(stage: String, companies: [Int64], workspace: UUID, reason: EnqueueReason = .request) throws
        -> EnqueueResult
    {
        guard StageDefinition.isValidName(stage) else {
            throw SiglogError.usage("Invalid stage name: '\(stage)' (lower-case letters, digits, '_' or '-', starting with a letter)")
        }
        return try store.write { writer in
            let reader = writer.reader
            if try reader.workspace(workspace) == nil { throw SiglogError.workspaceNotFound(workspace) }
            var queued: [Int64] = [], unchanged: [Int64] = []
            let now = clock.now()
            for company in companies {
                guard try reader.company(company) != nil else { throw SiglogError.companyNotFound(.id(company)) }
                let record = StageQueued(subject: StageSubject(workspace: workspace, company: company, stage: stage), reason: reason)
                if try appendStageRecord(record, at: now, writer: writer) != nil { queued.append(company) } else { unchanged.append(company) }
            }
            return EnqueueResult(stage: stage, workspace: workspace, queued: queued, unchanged: unchanged)
        }
    }

    /// Queues `stage` for every company whose lead-feed row of `(workspace, pack, asOf)` has a band
    /// in `bands` (the workspace's pack unless one is given), in ranking order.
    public func enqueue(stage: String, bands: Set<RecommendationBand>, asOf: Day, workspace: UUID?, pack: UUID? = nil) throws
        -> EnqueueResult
    {
        let (ws, companies) = try store.read { reader -> (UUID, [Int64]) in
            let scope = try Scope.resolve(workspace: workspace, pack: pack, in: reader)
            guard let pack = scope.pack else { throw SiglogError.noPack(workspace: scope.workspace) }
            let rows = try reader.leadFeed(workspace: scope.workspace, pack: pack, asOf: asOf)
            return (scope.workspace, rows.filter { $0.record.recommendationBand.map(bands.contains) ?? false }.map(\.record.entityID))
        }
        return try enqueue(stage: stage, companies: companies, workspace: ws)
    }

    /// The band trigger of `stageChain`: when a lead-feed row's band enters the trigger set,
    /// queue the trigger's stage for the company in the row's transaction.
    func applyBandTrigger(previous: RecommendationBand?, current: RecommendationBand?, workspace: UUID, company: Int64,
                          at now: Timestamp, writer: StoreWriter) throws {
        guard let trigger = stageChain?.trigger, trigger.fires(from: previous, to: current) else { return }
        let subject = StageSubject(workspace: workspace, company: company, stage: trigger.stage)
        try appendStageRecord(StageQueued(subject: subject, reason: .trigger), at: now, writer: writer)
    }

    // MARK: - Claim

    /// Claims up to `limit` of the oldest queued items of `stage` (by queue time, then log
    /// position) across `workspaces` (every workspace when nil), in one write transaction. An idle
    /// stage costs a read, not the store's write lock.
    public func claim(stage: String, limit: Int, worker: String, workspaces: [UUID]? = nil) throws -> [ClaimedStage] {
        guard limit > 0, try store.read({ try hasQueued(stage: stage, workspaces: workspaces, in: $0) }) else { return [] }
        return try store.write { try claim(stage: stage, limit: limit, worker: worker, workspaces: workspaces, in: $0) }
    }

    /// Whether anything of `stage` is queued in `workspaces` (a counts lookup per workspace).
    public func hasQueued(stage: String, workspaces: [UUID]?, in reader: ViewReader) throws -> Bool {
        try (workspaces ?? reader.allWorkspaces().map(\.id)).contains {
            try reader.stageCount(workspace: $0, stage: stage, status: .queued) > 0
        }
    }

    /// `claim` inside the caller's write transaction (to share one commit with other work).
    public func claim(stage: String, limit: Int, worker: String, workspaces: [UUID]?, in writer: StoreWriter) throws -> [ClaimedStage] {
        guard limit > 0 else { return [] }
        let reader = writer.reader
        let spaces = try workspaces ?? reader.allWorkspaces().map(\.id)
        var candidates: [StageQueueEntry] = []
        for workspace in spaces {
            var taken = 0
            try reader.forEachQueued(stage: stage, workspace: workspace) { entry in
                candidates.append(entry)
                taken += 1
                return taken < limit
            }
        }
        candidates.sort { $0.at != $1.at ? $0.at < $1.at : $0.sequence < $1.sequence }
        let now = clock.now()
        var claimed: [ClaimedStage] = []
        for entry in candidates.prefix(limit) {
            let claim = writer.writer.nextSequence
            guard let state = try appendStageRecord(StageStarted(subject: entry.subject, worker: worker), at: now, writer: writer)
            else { continue }
            claimed.append(ClaimedStage(subject: entry.subject, claim: claim, startedAt: now, retryCount: state.retryCount,
                                        attempt: state.attempts))
        }
        return claimed
    }

    // MARK: - Outcomes

    /// Records each claimed item's outcome in one write transaction (a group commit): completion
    /// (advancing the chain), acceptance under a job id, or failure by the stage's `max_retries`.
    /// Returns, per item, whether it changed anything (false: the claim is no longer current,
    /// e.g. the stuck rule reset it meanwhile).
    public func record(_ outcomes: [(ClaimedStage, HandlerOutcome)], chain: StageChain) throws -> [Bool] {
        guard !outcomes.isEmpty else { return [] }
        return try store.write { try record(outcomes, chain: chain, in: $0) }
    }

    /// `record` inside the caller's write transaction.
    public func record(_ outcomes: [(ClaimedStage, HandlerOutcome)], chain: StageChain, in writer: StoreWriter) throws -> [Bool] {
        let now = clock.now()
        return try outcomes.map { item, outcome in
            try apply(outcome, subject: item.subject, token: .claim(item.claim), chain: chain, at: now, writer: writer)
        }
    }

    /// Records the outcome of an accepted job reported by its service (webhook or completion
    /// poller), identified by its job id; a job id that is not the current one changes nothing.
    @discardableResult
    public func recordJobOutcome(_ outcome: HandlerOutcome, subject: StageSubject, jobID: String, chain: StageChain) throws -> Bool {
        try store.write { writer in
            try apply(outcome, subject: subject, token: .job(jobID), chain: chain, at: clock.now(), writer: writer)
        }
    }

    /// `recordJobOutcome` for several jobs in one write transaction (the completion poller's round).
    public func recordJobOutcomes(_ outcomes: [(subject: StageSubject, jobID: String, outcome: HandlerOutcome)],
                                  chain: StageChain) throws -> [Bool] {
        guard !outcomes.isEmpty else { return [] }
        return try store.write { try recordJobOutcomes(outcomes, chain: chain, in: $0) }
    }

    /// `recordJobOutcomes` inside the caller's write transaction.
    public func recordJobOutcomes(_ outcomes: [(subject: StageSubject, jobID: String, outcome: HandlerOutcome)],
                                  chain: StageChain, in writer: StoreWriter) throws -> [Bool] {
        let now = clock.now()
        return try outcomes.map { entry in
            try apply(entry.outcome, subject: entry.subject, token: .job(entry.jobID), chain: chain, at: now, writer: writer)
        }
    }

    /// Runs built-in work for each claimed item and records its completion in one write
    /// transaction with what the work appended: the work and its completion commit together.
    /// When an item's work throws, the transaction is abandoned and the items are run again one
    /// transaction each, the failing one recorded as a hard failure.
    public func runBuiltIn(_ items: [ClaimedStage], chain: StageChain,
                           work: (ClaimedStage, StoreWriter) throws -> JSONValue) throws -> [HandlerOutcome] {
        guard !items.isEmpty else { return [] }
        do {
            return try store.write { writer in try items.map { try builtIn($0, chain: chain, work: work, writer: writer) } }
        } catch {
            guard items.count > 1 else { return [try builtInAlone(items[0], chain: chain, work: work)] }
            return try items.map { try builtInAlone($0, chain: chain, work: work) }
        }
    }

    /// Built-in work and its completions inside the caller's write transaction; a throw from any
    /// item's work throws (the caller abandons the transaction and runs the items one by one with
    /// `runBuiltIn`).
    public func builtIn(_ items: [ClaimedStage], chain: StageChain, work: (ClaimedStage, StoreWriter) throws -> JSONValue,
                        in writer: StoreWriter) throws -> [HandlerOutcome] {
        try items.map { try builtIn($0, chain: chain, work: work, writer: writer) }
    }

    private func builtIn(_ item: ClaimedStage, chain: StageChain, work: (ClaimedStage, StoreWriter) throws -> JSONValue,
                         writer: StoreWriter) throws -> HandlerOutcome {
        // A claim reset meanwhile is not worked on: its work would not be recorded as its result.
        guard StageMachine.holds(.claim(item.claim), try writer.reader.stageState(item.subject)) else {
            return .failed(.hard, "the claim is no longer current")
        }
        let outcome = HandlerOutcome.completed(try work(item, writer))
        try apply(outcome, subject: item.subject, token: .claim(item.claim), chain: chain, at: clock.now(), writer: writer)
        return outcome
    }

    private func builtInAlone(_ item: ClaimedStage, chain: StageChain, work: (ClaimedStage, StoreWriter) throws -> JSONValue) throws
        -> HandlerOutcome
    {
        do {
            return try store.write { writer in try builtIn(item, chain: chain, work: work, writer: writer) }
        } catch {
            let outcome = HandlerOutcome.failed(.hard, "\(error)")
            _ = try record([(item, outcome)], chain: chain)
            return outcome
        }
    }

    /// Appends the records of `outcome` for `subject` under `token`; true when they applied.
    @discardableResult
    func apply(_ outcome: HandlerOutcome, subject: StageSubject, token: StageToken, chain: StageChain, at now: Timestamp,
               writer: StoreWriter) throws -> Bool {
        switch outcome {
        case .completed(let result):
            guard try appendStageRecord(StageCompleted(subject: subject, token: token, result: result), at: now, writer: writer) != nil
            else { return false }
            if let next = chain.next(after: subject.stage) {
                try appendStageRecord(StageQueued(subject: subject.inStage(next), reason: .chain), at: now, writer: writer)
            }
            return true
        case .accepted(let jobID):
            guard case .claim(let claim) = token else { return false }
            return try appendStageRecord(StageJobAccepted(subject: subject, claim: claim, jobID: jobID), at: now, writer: writer) != nil
        case .failed(let kind, let error):
            let maxRetries = chain.stage(subject.stage)?.maxRetries ?? 0
            let record = StageFailed(subject: subject, token: token, kind: kind, error: error, maxRetries: maxRetries)
            return try appendStageRecord(record, at: now, writer: writer) != nil
        }
    }

    // MARK: - Stuck, release, retry

    /// The stuck rule (STAGE-QUEUE.md §1): every `started` item of `stage` claimed before
    /// `now − stuck_timeout` goes back to `queued` (or to `failed` at `max_retries`) with
    /// `retry_count + 1`. `olderThan` replaces the stage's `stuck_timeout` when given. Returns the
    /// subjects reset. Nothing stuck (the usual case) costs a read, not the store's write lock.
    @discardableResult
    public func resetStuck(stage: StageDefinition, olderThan: Duration? = nil, workspaces: [UUID]? = nil) throws -> [StageSubject] {
        guard try store.read({ try hasStuck(stage: stage, olderThan: olderThan, workspaces: workspaces, in: $0) }) else { return [] }
        return try store.write { try resetStuck(stage: stage, olderThan: olderThan, workspaces: workspaces, in: $0) }
    }

    /// `resetStuck` inside the caller's write transaction.
    public func resetStuck(stage: StageDefinition, olderThan: Duration? = nil, workspaces: [UUID]?, in writer: StoreWriter) throws
        -> [StageSubject]
    {
        let now = clock.now()
        let cutoff = stuckCutoff(stage, olderThan: olderThan, now: now)
        return try stuck(stage: stage.name, before: cutoff, workspaces: workspaces, in: writer.reader).filter { subject in
            let record = StageStuckReset(subject: subject, startedBefore: cutoff, maxRetries: stage.maxRetries)
            return try appendStageRecord(record, at: now, writer: writer) != nil
        }
    }

    /// Whether any started item of `stage` was claimed before the stuck cutoff (a read).
    public func hasStuck(stage: StageDefinition, olderThan: Duration? = nil, workspaces: [UUID]?, in reader: ViewReader) throws -> Bool {
        let cutoff = stuckCutoff(stage, olderThan: olderThan, now: clock.now())
        return try !stuck(stage: stage.name, before: cutoff, workspaces: workspaces, in: reader, limit: 1).isEmpty
    }

    func stuckCutoff(_ stage: StageDefinition, olderThan: Duration?, now: Timestamp) -> Timestamp {
        Timestamp(microseconds: now.microseconds - (olderThan ?? stage.stuckTimeout).milliseconds * 1000)
    }

    func stuck(stage: String, before cutoff: Timestamp, workspaces: [UUID]?, in reader: ViewReader, limit: Int = .max) throws
        -> [StageSubject]
    {
        var found: [StageSubject] = []
        for workspace in try workspaces ?? reader.allWorkspaces().map(\.id) {
            try reader.forEachStarted(stage: stage, workspace: workspace, before: cutoff) { entry in
                found.append(entry.subject)
                return found.count < limit
            }
            if found.count >= limit { break }
        }
        return found
    }

    /// Gives unstarted claims back (a worker shutting down): each goes back to `queued` at its old
    /// place without a retry count. Returns how many were released.
    @discardableResult
    public func release(_ items: [ClaimedStage]) throws -> Int {
        guard !items.isEmpty else { return 0 }
        return try store.write { try release(items, in: $0) }
    }

    /// `release` inside the caller's write transaction.
    public func release(_ items: [ClaimedStage], in writer: StoreWriter) throws -> Int {
        let now = clock.now()
        return try items.filter { item in
            try appendStageRecord(StageReleased(subject: item.subject, claim: item.claim), at: now, writer: writer) != nil
        }.count
    }

    /// Queues the failed items of `stage` again (`failed` → `queued`, retry budget renewed): the
    /// given companies, or every failed company of the workspace when nil. Returns the companies
    /// queued.
    public func retryFailed(stage: String, workspace: UUID, companies: [Int64]? = nil) throws -> [Int64] {
        try store.write { writer in
            let reader = writer.reader
            if try reader.workspace(workspace) == nil { throw SiglogError.workspaceNotFound(workspace) }
            var targets = companies ?? []
            if companies == nil {
                try reader.forEachStageState(workspace: workspace) { subject, state in
                    if subject.stage == stage && state.status == .failed { targets.append(subject.company) }
                    return true
                }
            }
            let now = clock.now()
            return try targets.filter { company in
                let subject = StageSubject(workspace: workspace, company: company, stage: stage)
                return try appendStageRecord(StageRetried(subject: subject), at: now, writer: writer) != nil
            }
        }
    }
}
