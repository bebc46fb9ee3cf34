public import Foundation
public import Projections
public import SiglogCore
public import StageQueue

/// The depth of one stage's queue in one workspace.
public struct StageDepth: Sendable, Hashable {
    /// The stage.
    public var stage: String
    /// Companies in the chain (with a state in any stage) that have not reached this stage.
    public var pending: Int
    /// Companies waiting for a worker.
    public var queued: Int
    /// Companies claimed (running, or accepted by a service and awaited).
    public var started: Int
    /// Companies whose stage completed.
    public var completed: Int
    /// Companies whose stage failed.
    public var failed: Int
    /// When the oldest queued item was queued; nil when nothing is queued.
    public var oldestQueuedAt: Timestamp?

    /// Creates a depth.
    public init(stage: String, pending: Int, queued: Int, started: Int, completed: Int, failed: Int, oldestQueuedAt: Timestamp?) {
        self.stage = stage
        self.pending = pending
        self.queued = queued
        self.started = started
        self.completed = completed
        self.failed = failed
        self.oldestQueuedAt = oldestQueuedAt
    }

    /// Seconds the oldest queued item has waited at `now`; nil when nothing is queued.
    public func oldestQueuedAge(at now: Timestamp) -> Double? {
        oldestQueuedAt.map { max(0, Double(now.microseconds - $0.microseconds) / 1e6) }
    }
}

/// One company's state in one stage of a chain (`pending` when it has not reached it).
public struct CompanyStage: Sendable, Hashable {
    /// The stage.
    public var stage: String
    /// The state (`StageState()` — pending — when none is recorded).
    public var state: StageState

    /// Creates an entry.
    public init(stage: String, state: StageState) {
        self.stage = stage
        self.state = state
    }
}

/// The stage queue as monitoring sees it: depth per stage and one company's chain, shared by
/// `siglog-query queue` / `stages` and the HTTP service's `GET /api/queue`.
public enum QueueReads {
    /// The stages to report: the chain's, in chain order, when a chain is given; else every stage
    /// with a recorded state in the workspace, by name.
    public static func stageNames(chain: StageChain?, workspace: UUID, in reader: ViewReader) throws -> [String] {
        if let chain { return chain.names }
        return try reader.stageNames(workspace: workspace)
    }

    /// The depth of each stage in `stages` for the workspace: counts from the counts view and the
    /// oldest queued item from the queue index — O(stages), whatever the queue's length.
    public static func depth(stages: [String], workspace: UUID, in reader: ViewReader) throws -> [StageDepth] {
        let companies = try reader.stageCompanies(workspace: workspace)
        return try stages.map { stage in
            func count(_ status: StageStatus) throws -> Int {
                try reader.stageCount(workspace: workspace, stage: stage, status: status)
            }
            let queued = try count(.queued), started = try count(.started)
            let completed = try count(.completed), failed = try count(.failed)
            var oldest: Timestamp?
            if queued > 0 {
                try reader.forEachQueued(stage: stage, workspace: workspace) { entry in
                    oldest = entry.at
                    return false
                }
            }
            return StageDepth(stage: stage, pending: max(0, companies - queued - started - completed - failed), queued: queued,
                              started: started, completed: completed, failed: failed, oldestQueuedAt: oldest)
        }
    }

    /// The company's state in each of `stages` (chain order), pending where none is recorded,
    /// then any other recorded stage of the company, by name.
    public static func stages(of company: Int64, workspace: UUID, stages: [String], in reader: ViewReader) throws -> [CompanyStage] {
        let recorded = try reader.stageStates(workspace: workspace, company: company)
        var result = stages.map { name in
            CompanyStage(stage: name, state: recorded.first { $0.stage == name }?.state ?? StageState())
        }
        for entry in recorded where !stages.contains(entry.stage) {
            result.append(CompanyStage(stage: entry.stage, state: entry.state))
        }
        return result
    }
}

/// A job a service accepted and siglog still awaits (`started` with a `job_id`).
public struct AcceptedJob: Sendable, Hashable {
    /// The company's stage.
    public var subject: StageSubject
    /// The service's job id.
    public var jobID: String
    /// When the claim was made.
    public var startedAt: Timestamp

    /// Creates an entry.
    public init(subject: StageSubject, jobID: String, startedAt: Timestamp) {
        self.subject = subject
        self.jobID = jobID
        self.startedAt = startedAt
    }
}

extension QueueReads {
    /// The accepted jobs of `stage` in `workspaces`, earliest start first, at most `limit`: what
    /// the completion poller asks the service about.
    public static func acceptedJobs(stage: String, workspaces: [UUID], limit: Int, in reader: ViewReader) throws -> [AcceptedJob] {
        var result: [AcceptedJob] = []
        for workspace in workspaces {
            try reader.forEachStarted(stage: stage, workspace: workspace) { entry in
                let state = try reader.stageState(entry.subject)
                if let jobID = state.jobID { result.append(AcceptedJob(subject: entry.subject, jobID: jobID, startedAt: entry.at)) }
                return result.count < limit
            }
            if result.count >= limit { break }
        }
        return result
    }
}
