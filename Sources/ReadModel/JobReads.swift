public import Foundation
public import Projections
public import SiglogCore

/// A batch of job runs: a parent run (a daily aggregation) and the child runs it started, read as
/// a whole.
public struct JobBatch: Sendable, Hashable {
    /// The parent run.
    public var parent: JobRow
    /// The runs whose `parent_job_run_id` is the parent's id, in start (log) order.
    public var children: [JobRow]

    /// Creates a batch.
    public init(parent: JobRow, children: [JobRow]) {
        self.parent = parent
        self.children = children
    }

    /// The batch's status: `running` while any of its runs is still running (or was interrupted),
    /// else `failed` when any run failed, else the parent's status.
    public var status: JobStatus {
        let runs = [parent] + children
        if runs.contains(where: { $0.status == .running }) { return .running }
        if runs.contains(where: { $0.status == .failed }) { return .failed }
        return parent.status
    }
}

extension ViewReader {
    /// The batch of `parentID`: the run and every run started with it as parent, or nil when no
    /// run has that id.
    public func jobBatch(_ parentID: UInt64) throws -> JobBatch? {
        guard let parent = try job(parentID) else { return nil }
        // Children start after their parent: job ids are log positions.
        var children: [JobRow] = []
        try forEachJob(from: parentID + 1) { job in
            if job.started.parentJobRunID == parentID { children.append(job) }
            return true
        }
        return JobBatch(parent: parent, children: children)
    }
}

extension JobRow {
    /// The workspace the run belongs to: the one it was started for, else the default workspace.
    public var workspace: UUID { started.workspaceID ?? WellKnownIDs.defaultWorkspace }
}
