import Foundation
public import Projections
public import ReadModel
public import SiglogCore
import SiglogRecords

/// `packs`, `workspaces`, `jobs` and `timeline`.
public enum RegistryQueries {
    // MARK: - Packs

    public static let packColumns = ["id", "pack_id", "version", "industry", "description", "is_active", "config_checksum",
                                     "created_at"]

    /// The `signal_packs` columns of every installed pack, by UUID.
    public static func packs(in reader: ViewReader) throws -> QueryRows {
        let rows: [JSONObject] = try reader.allPacks().map { stored in
            let p = stored.record
            let manifest = p.document["manifest"] ?? .null
            return [
                "id": .string(p.packUUID.lowercased), "pack_id": .string(p.packID), "version": .string(p.version),
                "industry": manifest["industry"] ?? .null, "description": manifest["description"] ?? .null,
                "is_active": .bool(true), "config_checksum": .string(p.checksum), "created_at": stored.recordedAt.queryJSON,
            ]
        }
        return QueryRows(columns: packColumns, rows: rows)
    }

    // MARK: - Workspaces

    public static let workspaceColumns = ["id", "name", "active_pack_id", "created_at", "updated_at"]

    /// Every workspace (the registry is not tenant data: it names the tenants), by id.
    public static func workspaces(in reader: ViewReader) throws -> QueryRows {
        let rows: [JSONObject] = try reader.allWorkspaces().map { w in
            ["id": .string(w.id.lowercased), "name": .string(w.name), "active_pack_id": nullable(w.activePack?.lowercased),
             "created_at": w.createdAt.queryJSON, "updated_at": w.updatedAt.queryJSON]
        }
        return QueryRows(columns: workspaceColumns, rows: rows)
    }

    // MARK: - Jobs

    public static let jobColumns = ["id", "job_type", "status", "started_at", "finished_at", "companies_processed",
                                    "companies_esl_suppressed", "error_message", "workspace_id", "pack_id",
                                    "idempotency_key", "as_of", "parent_job_run_id"]

    /// The `job_runs` columns plus `as_of`, `parent_job_run_id` and the recorded `result`.
    public static func json(_ job: JobRow) -> JSONObject {
        let s = job.started
        return [
            "id": .int(Int64(job.id)), "job_type": .string(s.jobType.rawValue), "status": .string(job.status.rawValue),
            "started_at": job.startedAt.queryJSON, "finished_at": job.finishedAt.queryJSON,
            "companies_processed": nullable(job.companiesProcessed), "companies_esl_suppressed": nullable(job.companiesESLSuppressed),
            "error_message": nullable(job.errorMessage), "workspace_id": nullable(s.workspaceID?.lowercased),
            "pack_id": nullable(s.pack?.lowercased), "idempotency_key": nullable(s.idempotencyKey),
            "as_of": s.asOf.map(\.queryJSON) ?? .null, "parent_job_run_id": nullable(s.parentJobRunID), "result": job.result,
        ]
    }

    /// Job runs of the scope's workspace (runs recorded without one belong to the default
    /// workspace), optionally of one type and status, by id.
    public static func jobs(scope: Scope, type: JobType?, status: JobStatus?, limit: Int = .max, in reader: ViewReader) throws
        -> [JobRow]
    {
        var result: [JobRow] = []
        guard limit > 0 else { return result }
        try reader.forEachJob { job in
            if job.workspace == scope.workspace, type == nil || job.started.jobType == type, status == nil || job.status == status {
                result.append(job)
            }
            return result.count < limit
        }
        return result
    }

    /// One run with its batch (`job ID`): the run's `job_runs` columns, then `batch_status` (the
    /// batch's status: `running` while any run of it runs, else `failed` when any failed, else the
    /// run's) and `children` (the runs started with it as parent, in start order).
    public static func json(_ batch: JobBatch) -> JSONObject {
        var object = json(batch.parent)
        object["batch_status"] = .string(batch.status.rawValue)
        object["children"] = .array(batch.children.map { .object(json($0)) })
        return object
    }

    /// The batch of run `id` when it belongs to the scope's workspace (runs recorded without one
    /// belong to the default workspace); nil when there is no such run or it is another workspace's.
    public static func job(_ id: UInt64, scope: Scope, in reader: ViewReader) throws -> JobBatch? {
        guard let batch = try reader.jobBatch(id) else { return nil }
        return batch.parent.workspace == scope.workspace ? batch : nil
    }

    // MARK: - Timeline

    public static let timelineColumns = ["sequence", "at", "kind", "detail", "job_run_id"]

    /// The company's timeline in log order with the job run behind each entry; entries written for
    /// another workspace (its snapshots, lead-feed rows, outreach) are left out.
    public static func timeline(_ company: CompanyReference, scope: Scope, in reader: ViewReader) throws -> [TimelineEntry] {
        let row = try reader.company(company)
        return try reader.timeline(ofCompany: row.id).filter { entry in scope.sees(try reader.workspace(ofRecord: entry.sequence)) }
    }

    public static func json(_ e: TimelineEntry) -> JSONObject {
        ["sequence": .int(Int64(e.sequence)), "at": e.at.queryJSON, "kind": .string(e.kind), "detail": .string(e.detail),
         "job_run_id": nullable(e.jobRunID), "company_id": .int(e.companyID)]
    }
}
