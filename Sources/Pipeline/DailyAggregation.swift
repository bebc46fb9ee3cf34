public import Adapters
public import Foundation
import Projections
import ReadModel
public import SiglogCore

extension StageRunner {
    /// The daily aggregation's ranked list (§8): emerging companies with threshold 0 and limit 20.
    public static let dailyRankedLimit = 20

    /// `runDailyAggregation` with the events read from a file (nil: fetched by `sources`). A named
    /// file that does not exist is a not-found error and nothing runs.
    public func runDailyAggregation(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, events: URL?, sources: [any SourceAdapter]? = nil,
        idempotencyKey: String? = nil, firstLine: Int = 1
    ) throws -> DailyAggregationResult {
        guard let events else {
            return try runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: FileHandle?.none,
                                           sources: sources, idempotencyKey: idempotencyKey)
        }
        return try withEvents(events) { handle in
            try runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: handle, eventsName: events.relativePath,
                                    idempotencyKey: idempotencyKey, firstLine: firstLine)
        }
    }

    /// The daily aggregation (§9.2), the one entry point for a scheduler: a parent job run
    /// `daily_aggregation`, then — each as a child run carrying the parent's id, the workspace and
    /// the resolved pack — ingest of `events` (when nil, the daily ingest from `sources`, by default
    /// the adapters the process environment selects), derive, score and the lead-feed update for
    /// `asOf`, then the ranked list of §8 (threshold 0, limit 20).
    ///
    /// * No pack resolves → `{status: failed, job_run_id: null, …, error: "No pack resolved for
    ///   workspace"}` and no job run. A `workspace` that does not exist is `workspaceNotFound` (D20).
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
    /// The parent run records `companies_processed` = the score stage's `companies_scored`.
    public func runDailyAggregation(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, events: FileHandle?,
        eventsName: String = "<events>", sources: [any SourceAdapter]? = nil, idempotencyKey: String? = nil,
        firstLine: Int = 1
    ) throws -> DailyAggregationResult {
        let day = asOf ?? clock.now().day
        let (ws, resolved) = try stageScope(workspace: workspace, pack: pack)
        guard let resolved else { return .failed(SiglogError.noPack(workspace: ws).message) }
        let request = JobRequest(jobType: .dailyAggregation, workspace: ws, pack: resolved.uuid,
                                 idempotencyKey: idempotencyKey, asOf: day)
        if let cached = try cachedResult(for: request, as: DailyAggregationResult.self) { return cached }
        try checkRateLimit(request)
        let parentID = try store.write { try startJob(request, in: $0) }

        var result = DailyAggregationResult(status: .completed, jobRunID: nil)
        do {
            var options = IngestOptions(inputName: eventsName)
            options.workspace = workspace
            options.pack = resolved.uuid
            options.parentJobRunID = parentID
            options.firstLine = firstLine
            result.ingest = try ingestChild(events, sources: sources, options: options)
            try interruption.check()
            result.derive = try runDerive(workspace: ws, pack: resolved.uuid, asOf: asOf, parentJobRunID: parentID)
            try interruption.check()
            let score = try runScore(workspace: ws, pack: resolved.uuid, asOf: day, parentJobRunID: parentID)
            result.score = score
            try interruption.check()
            result.leadFeed = try runUpdateLeadFeed(workspace: ws, pack: resolved.uuid, asOf: day, parentJobRunID: parentID)
            let scope = Scope(workspace: ws, pack: resolved.uuid)
            result.ranked = try store.read { reader in
                try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: Self.dailyRankedLimit, threshold: 0, in: reader)
            }.map(RankedItem.init)
            let outcome = StageOutcome(result, companiesProcessed: score.companiesScored)
            return try store.write { try finish(parentID, request, outcome, $0) }
        } catch {
            let message = "\(error)"
            result.status = .failed
            result.error = message
            let outcome = StageOutcome(result, companiesProcessed: nil, errorMessage: message)
            // The disk is full: record the failure if it still fits, and say so.
            if let failure = SiglogError.spaceFailure(in: error) {
                _ = try? store.write { try finish(parentID, request, outcome, $0) }
                throw SiglogError.noSpace(failure, store: store.path, .stage(JobType.dailyAggregation.rawValue))
            }
            if let shared = error as? SiglogError, shared.kind == .noSpace {
                _ = try? store.write { try finish(parentID, request, outcome, $0) }
                throw shared
            }
            let failed = try store.write { try finish(parentID, request, outcome, $0) }
            if case SiglogError.interrupted = error { throw error }
            return failed
        }
    }

    /// The ingest child: an input that cannot be ingested at all is reported like the reference's
    /// failed ingest (`status: failed`, counters 0, `error`), not thrown; an interruption is.
    private func ingestChild(_ events: FileHandle?, sources: [any SourceAdapter]?, options: IngestOptions) throws -> IngestResult {
        do {
            if let events { return try ingest(from: events, options: options) }
            return try ingestDailyWaiting(options: options, adapters: sources ?? sourceAdapters())
        } catch SiglogError.interrupted {
            throw SiglogError.interrupted
        } catch let error as SiglogError where error.kind == .noSpace {
            throw error
        } catch {
            return .failed("\(error)")
        }
    }
}
