import Foundation
public import Hummingbird
import Logging
import Pipeline
import ReadModel
import SiglogCore

/// `/internal/*` (§9.3): the stage API a scheduler drives. Every route checks the token (422/403),
/// parses `workspace_id`, `pack_id`, `as_of` (422 when malformed) and `X-Idempotency-Key`, then
/// runs its stage on the store's one writer. A stage's failures are answered 200 with the stage's
/// result shape, `status: "failed"` and `error` (§9.3, D20), except: the rate limit → 429, derive
/// without a pack → 400 (D4), a busy writer → 503 with `Retry-After`.
extension SiglogServer {
    /// Registers the stage routes on `group` (the `/internal` group).
    public func addInternalRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
        group.post("run_ingest") { request, context in try await self.runIngest(request, context) }
        group.post("run_derive") { request, context in
            let (workspace, pack, asOf, key) = try Self.stageParameters(request)
            return try await self.runStage(DeriveResult.self, context) { runner in
                try runner.runDerive(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: key)
            }
        }
        group.post("run_score") { request, context in
            let (workspace, pack, asOf, key) = try Self.stageParameters(request)
            return try await self.runStage(ScoreResult.self, context) { runner in
                try runner.runScore(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: key)
            }
        }
        group.post("run_update_lead_feed") { request, context in
            let (workspace, pack, asOf, key) = try Self.stageParameters(request)
            return try await self.runStage(LeadFeedResult.self, context) { runner in
                try runner.runUpdateLeadFeed(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: key)
            }
        }
        group.post("run_daily_aggregation") { request, context in try await self.runDailyAggregation(request, context) }
        addWatchlistStageRoutes(to: group)
    }

    /// `workspace_id`, `pack_id`, `as_of` and the idempotency key of a stage request.
    static func stageParameters(_ request: Request) throws(InvalidValue) -> (UUID?, UUID?, Day?, String?) {
        (try request.workspaceID(), try request.packID(), try request.day("as_of"), request.idempotencyKey)
    }

    /// `run_ingest`: with an NDJSON body, the body (spooled to a file, then ingested as
    /// `siglog-append events FILE` does: bad lines skipped and listed in `errors` as
    /// `LINE: field: reason`; `strict=true` writes nothing when any line is bad; `source` names the
    /// source of lines without one; `batch_size` is lines per write transaction, default 50,000).
    /// Without a body, the daily ingest from the source adapters the server's environment enables
    /// (§2.8, ADAPTERS.md), as `siglog-append stage ingest` without `--events`.
    func runIngest(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let (workspace, pack, _, key) = try Self.stageParameters(request)
        var options = IngestOptions(inputName: "")
        options.workspace = workspace
        options.pack = pack
        options.idempotencyKey = key
        options.strict = try request.flag("strict")
        options.defaultSource = request.parameter("source")
        options.batchSize = try request.integer("batch_size", default: options.batchSize, minimum: 1)
        guard request.hasBody else {
            let sources = self.sources
            return try await runStage(IngestResult.self, context) { [options] runner in
                // The fetch runs on the writer: the next stage request waits for it, as for any stage.
                try runner.ingestDailyWaiting(options: options, adapters: sources(runner))
            }
        }
        let spooled = try await spool(request)
        defer { spooled.remove() }
        return try await runStage(IngestResult.self, context) { [options] runner in
            let input = try FileHandle(forReadingFrom: spooled.url)
            defer { try? input.close() }
            return try runner.ingest(from: input, options: options)
        }
    }

    /// `run_daily_aggregation` (§9.2): ingest (of the NDJSON body when there is one, else from the
    /// source adapters as `run_ingest` without a body), derive, score, lead feed, ranked list; the response has §9.3's
    /// flat `inserted`, `companies_scored`, `ranked_count`, `ranked_companies` and the per-stage results.
    func runDailyAggregation(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let (workspace, pack, asOf, key) = try Self.stageParameters(request)
        guard request.hasBody else {
            let sources = self.sources
            return try await runStage(DailyAggregationResult.self, context) { runner in
                try runner.runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: URL?.none,
                                               sources: sources(runner), idempotencyKey: key)
            }
        }
        let spooled = try await spool(request)
        defer { spooled.remove() }
        return try await runStage(DailyAggregationResult.self, context) { runner in
            let input = try FileHandle(forReadingFrom: spooled.url)
            defer { try? input.close() }
            return try runner.runDailyAggregation(workspace: workspace, pack: pack, asOf: asOf, events: input, eventsName: "",
                                                  idempotencyKey: key)
        }
    }

    /// The request's NDJSON body in a spool file (415 for another content type, 413 past the limit;
    /// 503 at once when the writer's queue is already full, rather than after the upload).
    private func spool(_ request: Request) async throws -> SpooledBody {
        guard request.isNDJSON else {
            throw ServiceError(.unsupportedMediaType, "The request body must be NDJSON (Content-Type: application/x-ndjson)")
        }
        if let waiting = writer.waitingWhenFull {
            metrics.recordStage(type: "ingest", status: "refused")
            throw busy(waiting: waiting)
        }
        return try await spoolDirectory.spool(request.body, limit: configuration.ndjsonBodyLimit)
    }

    /// 503: the writer's queue is full.
    private func busy(waiting: Int) -> ServiceError {
        .refused(.busy(waiting: waiting), retryAfter: configuration.retryAfterSeconds)
    }

    /// Runs one stage on the writer and answers it (see the extension's comment for the statuses);
    /// counts it, logs it and reports its job run to the access log.
    func runStage<R: StageResult>(_: R.Type, _ context: ServiceRequestContext,
                                  _ body: @escaping @Sendable (StageRunner) throws -> R) async throws -> Response {
        let type = R.jobType.rawValue
        let clock = ContinuousClock()
        let start = clock.now
        let result: R
        var ran = false
        do {
            let runner = self.runner
            (result, ran) = try await writer.submit {
                // Job run ids are log positions: a run recorded now starts past the current head,
                // a result returned for a repeated idempotency key does not.
                try runner.store.refuseAppendingIfReplica()
                let head = try runner.store.log.head()
                let result = try body(runner)
                return (result, (result.jobRunID ?? 0) > head)
            }
        } catch let refusal as WriteQueue.Refusal {
            metrics.recordStage(type: type, status: "refused")
            throw ServiceError.refused(refusal, retryAfter: configuration.retryAfterSeconds)
        } catch let error as SiglogError where error.kind == .rateLimited || error.kind == .usage || error == .deriveRequiresPack {
            metrics.recordStage(type: type, status: "refused")
            var refusal = ServiceError.api(error)
            if case .rateLimited(_, let freesAt) = error {
                // `Retry-After`: when the hour's window frees a run.
                let seconds = (freesAt.microseconds - runner.clock.now().microseconds + 999_999) / 1_000_000
                refusal.retryAfter = Int(max(1, seconds))
            }
            throw refusal
        } catch let error as InvalidValue {
            metrics.recordStage(type: type, status: "refused")
            throw ServiceError.invalid(error)
        } catch let error as SiglogError {
            result = R.failed(error.message)
        } catch {
            logger.error("stage failed", metadata: ["type": .string(type), "error": .string(String(describing: error))])
            result = R.failed(String(describing: error))
        }
        context.facts.jobRunID = result.jobRunID
        metrics.recordStage(type: type, status: result.status.rawValue)
        if ran, let ingest = result as? IngestResult ?? (result as? DailyAggregationResult)?.ingest {
            metrics.recordIngested(ingest.inserted)
        }
        var metadata: Logger.Metadata = [
            "type": .string(type), "status": .string(result.status.rawValue),
            "duration_ms": .string(String(format: "%.1f", Double((clock.now - start).nanoseconds) / 1e6)),
        ]
        if let run = result.jobRunID { metadata["job_run_id"] = .stringConvertible(run) }
        if let error = result.error { metadata["error"] = .string(String(error.prefix(500))) }
        logger.info("stage", metadata: metadata)
        return JSONResponse.make(result.json)
    }
}
