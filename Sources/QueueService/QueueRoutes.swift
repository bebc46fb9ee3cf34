import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import Pipeline
import Projections
import Queries
import ReadModel
import SiglogCore
public import SiglogService
import StageQueue
import StageWorkers

/// The stage queue's routes on the HTTP service (STAGE-QUEUE.md, issue 15):
///
/// * `POST /hooks/job-complete` — the completion webhook. Not under `/internal/`: the HMAC
///   signature (`X-Signature: sha256=<hex>` of the raw body under `WEBHOOK_SECRET`) replaces the
///   internal token. No secret configured, a missing or wrong signature → 401 before anything
///   else, nothing changes; a completion for a job that is not the current one → 200
///   `{changed: false}`, nothing changes.
/// * `POST /internal/queue/enqueue` — `{stage, workspace_id?, company_ids | bands, as_of?}`, with
///   the internal token like every `/internal` route, written through the service's one writer.
/// * `GET /api/queue` and `GET /api/companies/{id-or-domain}/stages` — what `siglog-query queue`
///   and `siglog-query stages` print with `--format json`, read like every `/api` route.
///
/// The stage chain is the runner's (`StageRunner.stageChain`): the one the server was started
/// with, whose band trigger also applies to lead-feed updates.
extension SiglogServer {
    /// Registers the queue routes on `router` (pass it to `makeRouter(extraRoutes:)`).
    /// `webhookSecret` is `WEBHOOK_SECRET` (nil or empty: every webhook is refused).
    public func addQueueRoutes(to router: Router<ServiceRequestContext>, webhookSecret: String?) {
        router.post("hooks/job-complete") { request, _ in try await self.jobComplete(request, secret: webhookSecret) }
        let queue = router.group("internal/queue")
        queue.add(middleware: InternalTokenMiddleware(token: configuration.internalToken))
        queue.post("enqueue") { request, _ in try await self.enqueue(request) }
        let reads = router.group("api")
        reads.add(middleware: BearerTokenMiddleware(tokens: configuration.apiTokens))
        reads.get("queue") { request, context in try self.queueDepth(request, context) }
        reads.get("companies/{company}/stages") { request, context in try self.companyStages(request, context) }
    }

    /// The raw body, at most the service's body limit (413 past it).
    private func rawBody(_ request: Request) async throws -> [UInt8] {
        do {
            return Array(try await request.body.collect(upTo: configuration.bodyLimit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ServiceError.tooLarge(limit: configuration.bodyLimit)
        }
    }

    /// Runs a queue write on the service's writer; a full or closing writer is 503 with
    /// `Retry-After`, as for the stage routes.
    private func write<T: Sendable>(_ body: @escaping @Sendable (StageRunner) throws -> T) async throws -> T {
        let runner = self.runner
        do {
            return try await writer.submit {
                try runner.store.refuseAppendingIfReplica()
                return try body(runner)
            }
        } catch let refusal as WriteQueue.Refusal {
            throw ServiceError.refused(refusal, retryAfter: configuration.retryAfterSeconds)
        }
    }

    /// `POST /hooks/job-complete`: the signature is checked first, on the request's task (a forged
    /// request never waits for the writer), then the completion is recorded on the writer.
    func jobComplete(_ request: Request, secret: String?) async throws -> Response {
        let signature = request.headers[HTTPField.Name(WebhookSignature.header)!]
        let body = try await rawBody(request)
        if let refusal = StageWebhook.verify(body: body, signature: signature, secret: secret) {
            logger.warning("webhook refused", metadata: ["reason": .string(refusal.json["detail"]?.stringValue ?? "")])
            return Self.answer(refusal)
        }
        let chain = runner.stageChain
        let answer = try await write { runner in
            try StageWebhook.handle(body: body, signature: signature, secret: secret, runner: runner, chain: chain)
        }
        return Self.answer(answer)
    }

    private static func answer(_ answer: WebhookAnswer) -> Response {
        JSONResponse.make(answer.json, status: HTTPResponse.Status(code: answer.httpStatus))
    }

    /// `POST /internal/queue/enqueue`: `EnqueueRequest` from the JSON body (`as_of` defaults to
    /// today in the runner's clock), carried out on the writer; answers `EnqueueResult.json`.
    func enqueue(_ request: Request) async throws -> Response {
        let parsed = try EnqueueRequest.parse(try await rawBody(request), today: runner.clock.now().day)
        let result = try await write { runner in try parsed.run(runner: runner, chain: runner.stageChain) }
        logger.info("queue enqueue", metadata: [
            "stage": .string(result.stage), "queued": .stringConvertible(result.queued.count),
            "unchanged": .stringConvertible(result.unchanged.count),
        ])
        return JSONResponse.make(result.json)
    }

    /// `GET /api/queue?workspace_id`: the depth per stage of the workspace.
    func queueDepth(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let chain = runner.stageChain
        let now = runner.clock.now()
        let rows = try withScope(request, context) { reader, scope in
            try QueueQueries.depth(chain: chain, workspace: scope.workspace, now: now, in: reader)
        }
        return JSONResponse.make(rows.json)
    }

    /// `GET /api/companies/{id-or-domain}/stages?workspace_id`: one company's chain.
    func companyStages(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let reference = try CompanyReference(parsing: context.parameters.get("company") ?? "")
        let chain = runner.stageChain
        let rows = try withScope(request, context) { reader, scope in
            try QueueQueries.stages(of: reference, chain: chain, workspace: scope.workspace, in: reader)
        }
        return JSONResponse.make(rows.json)
    }
}
