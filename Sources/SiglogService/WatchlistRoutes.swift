import Foundation
import Hummingbird
import Pipeline
import Projections
import Queries
import ReadModel
import SiglogCore

// The stages and reads of the watchlist, the alert scan, the lead-feed backfill and the ranking
// (§7.3, §8, §9.3), registered by `addInternalRoutes` and `addReadRoutes`.
extension SiglogServer {
    /// Registers `run_watchlist_seed`, `run_alert_scan` and `run_backfill_lead_feed` on the
    /// `/internal` group (its token middleware already added). Each runs the `StageRunner`
    /// function `siglog-append stage …` calls, on the store's one writer (`runStage`).
    func addWatchlistStageRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.post("run_watchlist_seed") { request, context in try await self.runWatchlistSeed(request, context) }
        group.post("run_alert_scan") { request, context in
            let (workspace, pack, asOf, key) = try Self.stageParameters(request)
            let threshold = try request.parameter("threshold").map { text throws(InvalidValue) -> Int in
                guard let value = Int(text), value >= 0 else {
                    throw InvalidValue("threshold must be an integer of at least 0, got '\(text)'")
                }
                return value
            }
            return try await self.runStage(AlertScanResult.self, context) { runner in
                try runner.runAlertScan(workspace: workspace, pack: pack, asOf: asOf, threshold: threshold, idempotencyKey: key)
            }
        }
        group.post("run_backfill_lead_feed") { request, context in
            let (_, _, asOf, key) = try Self.stageParameters(request)
            return try await self.runStage(BackfillResult.self, context) { runner in
                try runner.runBackfillLeadFeed(asOf: asOf, idempotencyKey: key)
            }
        }
    }

    /// `run_watchlist_seed` (§9.3): the JSON body `{bundle_ids: [UUID, …] (1…500), workspace_id?}`
    /// (`workspace_id` may also be the query parameter; both given must agree), `as_of` as a query
    /// parameter. A body that is not such an object → 422 naming the member; 1…500 ids and, in a
    /// store with more than one workspace, a workspace id are required (422 from the stage's
    /// `usage` error: `workspace_id is required …`).
    func runWatchlistSeed(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let (queryWorkspace, _, asOf, key) = try Self.stageParameters(request)
        var request = request
        let bytes = try await request.collectBody(upTo: configuration.bodyLimit)
        let body = try SeedRequestBody(parsing: Array(bytes.readableBytesView))
        if let queryWorkspace, let bodyWorkspace = body.workspace, queryWorkspace != bodyWorkspace {
            throw InvalidValue("workspace_id: the body's \(bodyWorkspace.lowercased) differs from the query's \(queryWorkspace.lowercased)")
        }
        let workspace = body.workspace ?? queryWorkspace
        return try await runStage(WatchlistSeedResult.self, context) { runner in
            try runner.runWatchlistSeed(bundleIDs: body.bundleIDs, workspace: workspace, asOf: asOf, idempotencyKey: key)
        }
    }

    /// Registers `GET companies/top` and `GET companies/weekly-review` on the `/api` group (its
    /// bearer middleware already added).
    func addRankingRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.get("companies/top") { request, context in try self.topCompanies(request, context, weekly: false) }
        group.get("companies/weekly-review") { request, context in try self.topCompanies(request, context, weekly: true) }
    }

    /// `GET /api/companies/top?since&limit&workspace_id&as_of` (§8): the ranking with the
    /// configured threshold (`OUTREACH_SCORE_THRESHOLD`, default 30), `{companies, total}`, each
    /// company exactly `{company_id, company_name, website_url, composite_score,
    /// recommendation_band, top_signals, momentum, complexity, pressure, leadership_gap}`.
    /// `limit` is 1…100 (default 10; else 422); `since` is accepted and, as in the spec, changes
    /// nothing; `as_of` (an addition; default today in UTC, D11) is the ranking day. `workspace_id`
    /// is honoured only when the store has more than one workspace (then: malformed → 422, not the
    /// token's → 403, unknown → 404 by D20); otherwise the default workspace is read.
    ///
    /// `GET /api/companies/weekly-review` (`weekly`): the same parameters and shape, the weekly
    /// review's list (§8: cooldown filtered), each company with its `outreach_score` too.
    func topCompanies(_ request: Request, _ context: ServiceRequestContext, weekly: Bool) throws -> Response {
        if let since = request.parameter("since") { _ = try Timestamp(parsing: since, name: "since") }
        let limit = try request.integer("limit", default: 10, minimum: 1)
        guard limit <= 100 else { throw InvalidValue("limit must be between 1 and 100, got \(limit)") }
        let today = runner.clock.now().day
        let asOf = try request.day("as_of") ?? today
        let threshold = configuration.outreachScoreThreshold
        func workspace(in reader: ViewReader) throws -> UUID? {
            try reader.allWorkspaces().count > 1 ? try request.workspaceID() : nil
        }
        let route = weekly ? "/api/companies/weekly-review" : "/api/companies/top"
        return try cachedRead(request, route: route, today: today, authorize: { reader in
            guard context.access.allows(try workspace(in: reader) ?? WellKnownIDs.defaultWorkspace) else { throw ServiceError.noWorkspaceAccess }
        }) { reader in
            let workspace = try workspace(in: reader)
            let scope = try Scope.resolve(workspace: workspace, pack: nil, in: reader)
            let labels = try LeadReads.signalLabels(scope: scope, packs: runner.packs, in: reader)
            if weekly {
                let review = try LeadReads.weeklyReview(scope: scope, asOf: asOf, limit: limit, threshold: threshold,
                                                        packs: runner.packs, in: reader)
                return .object(LeadFeedQuery.weeklyReviewResponse(review, labels: labels))
            }
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: asOf, limit: limit, threshold: threshold, in: reader)
            return .object(LeadFeedQuery.topResponse(ranked, labels: labels))
        }
    }
}

/// The body of `run_watchlist_seed`: `{bundle_ids: [UUID, …], workspace_id?}` (other members
/// ignored). Malformed → `InvalidValue` naming the member (422).
struct SeedRequestBody {
    var bundleIDs: [UUID]
    var workspace: UUID?

    init(parsing bytes: [UInt8]) throws(InvalidValue) {
        let document: JSONValue
        do throws(JSONParser.Failure) { document = try JSONParser.parse(bytes) } catch {
            throw InvalidValue("body: expected a JSON object {bundle_ids, workspace_id?}: \(error.description)")
        }
        guard case .object(let object) = document else {
            throw InvalidValue("body: expected a JSON object {bundle_ids, workspace_id?}")
        }
        guard case .array(let items)? = object["bundle_ids"] else {
            throw InvalidValue("bundle_ids: required, a list of 1 to \(RequestIDs.maxBundleIDs) bundle UUIDs")
        }
        var texts: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue else { throw InvalidValue("bundle_ids[\(index)]: must be a valid UUID") }
            texts.append(text)
        }
        bundleIDs = try RequestIDs.bundleIDs(texts)
        switch object["workspace_id"] {
        case nil, .null?: workspace = nil
        case .string(let text)?: workspace = try RequestIDs.workspaceID(text)
        default: throw InvalidValue("Invalid workspace_id: must be a valid UUID")
        }
    }
}
