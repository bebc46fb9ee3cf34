public import Foundation
public import Projections
public import ReadModel
public import SiglogCore
public import SiglogRecords
public import StageQueue

/// `queue` and `stages`: the JSON and table shapes of the stage queue (also what the HTTP
/// service's `GET /api/queue` answers).
public enum QueueQueries {
    // MARK: - Depth

    public static let depthColumns = ["stage", "pending", "queued", "started", "completed", "failed", "oldest_queued_at",
                                      "oldest_queued_age_seconds"]

    /// `{stage, pending, queued, started, completed, failed, oldest_queued_at, oldest_queued_age_seconds}`;
    /// the age is measured at `now`, in seconds with millisecond precision.
    public static func json(_ depth: StageDepth, now: Timestamp) -> JSONObject {
        [
            "stage": .string(depth.stage), "pending": .int(Int64(depth.pending)), "queued": .int(Int64(depth.queued)),
            "started": .int(Int64(depth.started)), "completed": .int(Int64(depth.completed)),
            "failed": .int(Int64(depth.failed)), "oldest_queued_at": depth.oldestQueuedAt.queryJSON,
            "oldest_queued_age_seconds": depth.oldestQueuedAge(at: now).map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
        ]
    }

    /// The depth rows in stage order.
    public static func depthRows(_ depths: [StageDepth], now: Timestamp) -> QueryRows {
        QueryRows(columns: depthColumns, rows: depths.map { json($0, now: now) })
    }

    /// The queue depth of `workspace` as `siglog-query queue` and `GET /api/queue` answer it: the
    /// chain's stages in chain order (without a chain, every stage with a recorded state), ages
    /// measured at `now`.
    public static func depth(chain: StageChain?, workspace: UUID, now: Timestamp, in reader: ViewReader) throws -> QueryRows {
        let stages = try QueueReads.stageNames(chain: chain, workspace: workspace, in: reader)
        return depthRows(try QueueReads.depth(stages: stages, workspace: workspace, in: reader), now: now)
    }

    // MARK: - One company's stages

    public static let stageColumns = ["stage", "status", "job_id", "retry_count", "attempts", "started_at", "completed_at",
                                      "error", "result"]

    /// `{company_id, workspace_id, stage, status, job_id, result, error, failure_kind, retry_count,
    /// attempts, queued_at, started_at, completed_at, worker, updated_at}`.
    public static func json(_ entry: CompanyStage, company: Int64, workspace: UUID) -> JSONObject {
        let s = entry.state
        return [
            "company_id": .int(company), "workspace_id": .string(workspace.lowercased), "stage": .string(entry.stage),
            "status": .string(s.status.rawValue), "job_id": nullable(s.jobID), "result": s.result ?? .null,
            "error": nullable(s.error), "failure_kind": nullable(s.failureKind?.rawValue),
            "retry_count": .int(Int64(s.retryCount)), "attempts": .int(Int64(s.attempts)), "queued_at": s.queuedAt.queryJSON,
            "started_at": s.startedAt.queryJSON, "completed_at": s.completedAt.queryJSON, "worker": nullable(s.worker),
            "updated_at": s.updatedAt.queryJSON,
        ]
    }

    /// The company's stages in chain order.
    public static func stageRows(_ entries: [CompanyStage], company: Int64, workspace: UUID) -> QueryRows {
        QueryRows(columns: stageColumns, rows: entries.map { json($0, company: company, workspace: workspace) })
    }

    /// One company's stages as `siglog-query stages` and `GET /api/companies/{id}/stages` answer
    /// them: the chain's stages in chain order (pending where nothing is recorded), then any other
    /// recorded stage. An unknown company is `SiglogError` not found.
    public static func stages(of company: CompanyReference, chain: StageChain?, workspace: UUID, in reader: ViewReader) throws
        -> QueryRows
    {
        let row = try reader.company(company)
        let entries = try QueueReads.stages(of: row.id, workspace: workspace, stages: chain?.names ?? [], in: reader)
        return stageRows(entries, company: row.id, workspace: workspace)
    }

    // MARK: - Export

    /// The decoded fields of a stage-queue record: the subject, the transition's name and its
    /// parameters.
    public static func recordFields(_ record: any StageQueueRecord) -> JSONObject {
        let subject = record.subject
        var fields: JSONObject = [
            "workspace_id": .string(subject.workspace.lowercased), "company_id": .int(subject.company),
            "stage": .string(subject.stage),
        ]
        func token(_ t: StageToken) {
            switch t {
            case .claim(let claim): fields["claim"] = .int(Int64(claim))
            case .job(let id): fields["job_id"] = .string(id)
            }
        }
        switch record.transition {
        case .enqueue(let reason): fields["reason"] = .string(reason.rawValue)
        case .claim(let worker): fields["worker"] = .string(worker)
        case .accept(let claim, let jobID):
            fields["claim"] = .int(Int64(claim))
            fields["job_id"] = .string(jobID)
        case .complete(let t, let result):
            token(t)
            fields["result"] = result
        case .fail(let t, let kind, let error, let maxRetries):
            token(t)
            fields["kind"] = .string(kind.rawValue)
            fields["error"] = .string(error)
            fields["max_retries"] = .int(Int64(maxRetries))
        case .resetStuck(let cutoff, let maxRetries):
            fields["started_before"] = cutoff.queryJSON
            fields["max_retries"] = .int(Int64(maxRetries))
        case .retry: break
        case .release(let claim): fields["claim"] = .int(Int64(claim))
        }
        return fields
    }
}
