public import Foundation
public import Projections
public import SiglogCore

/// A batch of job runs: a parent run (a daily aggregation) and the child runs it started, read as
/// a whole.
public struct JobBatch: Sendable, Hashable {
    public var parent: JobRow
    /// The runs whose `parent_job_run_id` is the parent's id, in start (log) order.
    public var children: [JobRow]

    public init(parent: JobRow, children: [JobRow]) {
        self.parent = parent
        self.children = children
    }

    /// The batch's status: `running` while any of its runs is still running (or was interrupted),
    /// else `failed` when any run failed, else the parent's status.
    public var status: String {
        let runs = [parent] + children
        if runs.contains(where: { $0.status == "running" }) { return "running" }
        if runs.contains(where: { $0.status == "failed" }) { return "failed" }
        return parent.status
    }

    /// `{job_run_id, job_type, status, parent_status, children: [{job_run_id, job_type, status,
    /// companies_processed, error}]}`.
    public var json: JSONValue {
        .object([
            "job_run_id": .int(Int64(parent.id)),
            "job_type": .string(parent.started.jobType),
            "status": .string(status),
            "parent_status": .string(parent.status),
            "children": .array(children.map { child in
                .object([
                    "job_run_id": .int(Int64(child.id)),
                    "job_type": .string(child.started.jobType),
                    "status": .string(child.status),
                    "companies_processed": child.companiesProcessed.map { .int(Int64($0)) } ?? .null,
                    "error": child.errorMessage.map(JSONValue.string) ?? .null,
                ])
            }),
        ])
    }
}

extension Pipeline {
    /// The daily aggregation's ranked list (§8): emerging companies with threshold 0 and limit 20.
    public static let dailyRankedLimit = 20

    /// `runDailyAggregation` with the events read from a file (nil: nothing to ingest). A named
    /// file that does not exist is a not-found error and nothing runs.
    public func runDailyAggregation(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, events: URL?, idempotencyKey: String? = nil
    ) throws -> JSONObject {
        guard let events else {
            return try runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: FileHandle?.none,
                                           idempotencyKey: idempotencyKey)
        }
        return try withEvents(events) { handle in
            try runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: handle, eventsName: events.relativePath,
                                    idempotencyKey: idempotencyKey)
        }
    }

    /// The daily aggregation (§9.2), the one entry point for a scheduler: a parent job run
    /// `daily_aggregation`, then — each as a child run carrying the parent's id, the workspace and
    /// the resolved pack — ingest of `events` (an empty input when nil), derive, score and the
    /// lead-feed update for `asOf`, then the ranked list of §8 (threshold 0, limit 20).
    ///
    /// * No pack resolves → `{status: failed, job_run_id: null, …, error: "No pack resolved for
    ///   workspace"}` and no job run. A `workspace` that does not exist is a not-found error.
    /// * The idempotency key belongs to the parent: a completed batch with the same key in the same
    ///   workspace returns its recorded result (same `job_run_id`) and nothing runs. Then the rate
    ///   limit of `daily_aggregation`; the children are not checked (see `checkRateLimit`).
    /// * Bad input lines, or an ingest that cannot run at all, are not fatal: they are reported in
    ///   `ingest_result` and the later stages run. A stage that throws fails the parent run
    ///   (`status: failed`, `error`), keeping the results of the stages before it.
    /// * Derive gets `asOf` as given (nil reads every event, as the stand-alone stage does); score,
    ///   lead feed and ranking work for `asOf ?? today`.
    ///
    /// The batch spans several write transactions (ingest commits batch by batch): an interrupted
    /// aggregation leaves its parent `running`, which `jobBatch(_:)` reports.
    ///
    /// Result: `{status, job_run_id, ingest_result, derive_result, score_result, lead_feed_result,
    /// ranked_companies: [{company_name, composite, band}], ranked_count, error}`; the parent run
    /// records `companies_processed` = the score stage's `companies_scored`.
    public func runDailyAggregation(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, events: FileHandle?,
        eventsName: String = "<events>", idempotencyKey: String? = nil
    ) throws -> JSONObject {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        let day = asOf ?? clock.now().day
        let resolved = try store.read { reader -> ResolvedPack? in
            if let workspace, try reader.workspace(workspace) == nil {
                throw PipelineError(.notFound, "workspace \(workspace.lowercased) not found")
            }
            return try stagePack(explicit: pack, workspace: ws, in: reader)
        }
        guard let resolved else {
            return [
                "status": "failed", "job_run_id": .null, "ingest_result": .object([:]), "derive_result": .object([:]),
                "score_result": .object([:]), "lead_feed_result": .object([:]), "ranked_companies": [],
                "ranked_count": 0, "error": .string(PipelineError.noPackResolved.message),
            ]
        }
        let request = JobRequest(jobType: "daily_aggregation", workspace: ws, pack: resolved.uuid,
                                 idempotencyKey: idempotencyKey, asOf: day)
        if let cached = try cachedResult(for: request) { return cached }
        try checkRateLimit(request)
        let parentID = try store.write { try startJob(request, in: $0) }

        var result: JSONObject = [
            "status": "completed", "ingest_result": .object([:]), "derive_result": .object([:]),
            "score_result": .object([:]), "lead_feed_result": .object([:]), "ranked_companies": [], "ranked_count": 0,
            "error": .null,
        ]
        do {
            var options = IngestOptions(inputName: eventsName)
            options.workspace = workspace
            options.pack = resolved.uuid
            options.parentJobRunID = parentID
            result["ingest_result"] = .object(ingestChild(events, options: options))
            result["derive_result"] = .object(try runDerive(workspace: ws, pack: resolved.uuid, asOf: asOf,
                                                            parentJobRunID: parentID))
            let score = try runScore(workspace: ws, pack: resolved.uuid, asOf: day, parentJobRunID: parentID)
            result["score_result"] = .object(score)
            result["lead_feed_result"] = .object(try runUpdateLeadFeed(workspace: ws, pack: resolved.uuid, asOf: day,
                                                                       parentJobRunID: parentID))
            let ranked = try emergingCompanies(asOf: day, limit: Self.dailyRankedLimit, threshold: 0,
                                               pack: resolved.uuid, workspace: ws)
            result["ranked_companies"] = .array(ranked.map(\.dailyRankedItem))
            result["ranked_count"] = .int(Int64(ranked.count))
            let outcome = StageOutcome(companiesProcessed: score.integer("companies_scored") ?? 0, result: result)
            return try store.write { try finish(parentID, request, outcome, $0) }
        } catch {
            let message = "\(error)"
            result["status"] = "failed"
            result["error"] = .string(message)
            let outcome = StageOutcome(status: "failed", companiesProcessed: nil, errorMessage: message, result: result)
            return try store.write { try finish(parentID, request, outcome, $0) }
        }
    }

    /// The ingest child: an input that cannot be ingested at all is reported like the reference's
    /// failed ingest (`status: failed`, counters 0, `error`), not thrown.
    private func ingestChild(_ events: FileHandle?, options: IngestOptions) -> JSONObject {
        do {
            if let events { return try ingest(from: events, options: options) }
            return try withEvents(nil) { try ingest(from: $0, options: options) }
        } catch {
            return [
                "status": "failed", "job_run_id": .null, "inserted": 0, "skipped_duplicate": 0, "skipped_invalid": 0,
                "errors_count": 0, "errors": [], "error": .string("\(error)"),
            ]
        }
    }

    /// The batch of `parentID`: the run and every run started with it as parent, or nil when no
    /// run has that id.
    public func jobBatch(_ parentID: UInt64) throws -> JobBatch? {
        try store.read { reader in
            guard let parent = try reader.job(parentID) else { return nil }
            // Children start after their parent: job ids are log positions.
            let children = try reader.allJobs().filter { $0.started.parentJobRunID == parentID && $0.id > parentID }
            return JobBatch(parent: parent, children: children.sorted { $0.id < $1.id })
        }
    }
}

extension EmergingCompany {
    /// The daily aggregation's ranked-list item `{company_name, composite, band}` (§8).
    public var dailyRankedItem: JSONValue {
        .object(["company_name": .string(companyName), "composite": .int(Int64(composite)), "band": .string(band)])
    }
}

extension JSONObject {
    /// An integer member (nil when absent or not a number).
    fileprivate func integer(_ key: String) -> Int? { self[key]?.numberValue.map { Int($0) } }
}
