import Foundation
public import Hummingbird
public import Projections
import Queries
public import ReadModel
public import Scoring
public import SiglogCore

/// `/api/*`: the read API. Bearer token required (401 `Not authenticated`); a token scoped to
/// other workspaces → 403. Every answer is the JSON `siglog-query … --format json` prints for the
/// same query (the same `Queries` functions), read in one LMDB read transaction — reads never wait
/// for a running stage. An unknown workspace, pack, company or job → 404 (D20).
extension SiglogServer {
    /// Registers the read routes on `group` (the `/api` group).
    public func addReadRoutes(to group: RouterGroup<ServiceRequestContext>) {
        group.add(middleware: BearerTokenMiddleware(tokens: configuration.apiTokens))
        group.get("lead-feed") { request, context in try self.leadFeed(request, context) }
        addRankingRoutes(to: group)
        group.get("companies/{company}") { request, context in try self.company(request, context) }
        group.get("companies/{company}/timeline") { request, context in try self.timeline(request, context) }
        group.get("jobs") { request, context in try self.jobs(request, context) }
        group.get("jobs/{id}") { request, context in try self.job(request, context) }
        group.get("stats") { _, context in try self.stats(context) }
    }

    /// Runs `body` in one read transaction with the request's scope (`workspace_id`, `pack_id`;
    /// §9.4 and D20), after checking the token may read the workspace. Public for other areas'
    /// read routes.
    public func withScope<T>(_ request: Request, _ context: ServiceRequestContext, _ body: (ViewReader, Scope) throws -> T) throws -> T {
        let workspace = try request.workspaceID()
        let pack = try request.packID()
        guard context.access.allows(workspace ?? WellKnownIDs.defaultWorkspace) else { throw ServiceError.noWorkspaceAccess }
        return try store.read { reader in try body(reader, try Scope.resolve(workspace: workspace, pack: pack, in: reader)) }
    }

    /// Answers a read of `route` through the read cache, in one read transaction with the request's
    /// scope (`withScope`'s access check first). The answer carries an entity tag of the store's
    /// position; a request whose `If-None-Match` names it gets 304 without a read. `today` is the
    /// day the route defaults dates to.
    public func cachedRead(_ request: Request, _ context: ServiceRequestContext, route: String, today: Day = todayUTC(),
                           _ body: (ViewReader, Scope) throws -> JSONValue) throws -> Response {
        let workspace = try request.workspaceID()
        let pack = try request.packID()
        guard context.access.allows(workspace ?? WellKnownIDs.defaultWorkspace) else { throw ServiceError.noWorkspaceAccess }
        return try cachedRead(request, route: route, today: today, authorize: { _ in }) { reader in
            try body(reader, try Scope.resolve(workspace: workspace, pack: pack, in: reader))
        }
    }

    /// `cachedRead` for a route whose access check needs the store: `authorize` runs first in the
    /// read transaction (and throws to refuse), before the entity tag or the cache is consulted.
    public func cachedRead(_ request: Request, route: String, today: Day, authorize: (ViewReader) throws -> Void,
                           _ body: (ViewReader) throws -> JSONValue) throws -> Response {
        let key = ReadCache.Key(route: route, parameters: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
                                today: today)
        return try store.read { reader in
            try authorize(reader)
            let position = try reader.position()
            let tag = ReadCache.entityTag(position, today: today)
            var headers: HTTPFields = [.eTag: tag, .cacheControl: "private, no-cache"]
            if let header = request.headers[.ifNoneMatch], ReadCache.matches(ifNoneMatch: header, tag: tag) {
                return Response(status: .notModified, headers: headers)
            }
            let answer: ByteBuffer
            if let kept = readCache.answer(for: key, at: position) {
                answer = kept
                metrics.recordReadCache(hit: true)
            } else {
                answer = JSONResponse.body(try body(reader))
                readCache.keep(answer, for: key, at: position)
                metrics.recordReadCache(hit: false)
            }
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: answer))
        }
    }

    /// `GET /api/lead-feed?as_of&limit&offset&threshold&sort&workspace_id&pack_id`: the lead cards
    /// (§7.4) with each company's name and domain; `as_of` defaults to the latest day of the
    /// workspace's feed, `sort` is `composite_score` (default) or `last_seen`.
    func leadFeed(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let asOf = try request.day("as_of")
        let limit = try request.limit(default: 100)
        let offset = try request.integer("offset", default: 0)
        let threshold = try request.integer("threshold", default: 30, minimum: Int.min)
        let sort = try Self.leadSort(request.parameter("sort"))
        let today = todayUTC()
        return try cachedRead(request, context, route: "/api/lead-feed", today: today) { reader, scope in
            let cards = try LeadReads.leads(scope: scope, asOf: try asOf ?? scope.latestFeedDay(in: reader, today: today),
                                            limit: limit, offset: offset, sort: sort, threshold: threshold, in: reader)
            var labels = CompanyLabels(reader: reader)
            return try LeadFeedQuery.rows(cards, labels: &labels).json
        }
    }

    /// `sort`: the spec's names (`composite_score`, `last_seen`) or the command line's
    /// (`composite`, `last-seen`).
    public static func leadSort(_ text: String?) throws(InvalidValue) -> LeadSort {
        switch text?.lowercased() {
        case nil, "composite_score", "composite": return .compositeScore
        case "last_seen", "last-seen": return .lastSeen
        case let other?: throw InvalidValue("sort must be composite_score or last_seen, got '\(other)'")
        }
    }

    /// `GET /api/companies/{id-or-domain}?events&workspace_id&pack_id`: the profile, the latest
    /// scores with their explains, the composite history, recent events and outreach.
    func company(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let reference = try Self.companyReference(context)
        let events = try request.limit("events", default: 10)
        return try cachedRead(request, context, route: "/api/companies/{company}/\(reference)") { reader, scope in
            .object(try CompanyProfile.load(reference, scope: scope, recentEvents: events, in: reader).json)
        }
    }

    /// `GET /api/companies/{id-or-domain}/timeline?workspace_id`: the company's timeline in log order.
    func timeline(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let reference = try Self.companyReference(context)
        return try cachedRead(request, context, route: "/api/companies/{company}/timeline/\(reference)") { reader, scope in
            let entries = try RegistryQueries.timeline(reference, scope: scope, in: reader)
            return QueryRows(columns: RegistryQueries.timelineColumns, rows: entries.map(RegistryQueries.json)).json
        }
    }

    /// The `{company}` route parameter: an id or a domain.
    public static func companyReference(_ context: ServiceRequestContext) throws(InvalidValue) -> CompanyReference {
        try CompanyReference(parsing: context.parameters.get("company") ?? "")
    }

    /// `GET /api/jobs?type&status&limit&workspace_id`: the workspace's job runs.
    func jobs(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let type = try request.parameter("type").map { text throws(SiglogError) in
            guard let type = JobType(named: text) else { throw SiglogError.unknownJobType(text) }
            return type
        }
        let status = try request.parameter("status").map { text throws(InvalidValue) in
            guard let status = JobStatus(named: text) else {
                throw InvalidValue("status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            return status
        }
        let limit = try request.limit(default: 1000)
        return try cachedRead(request, context, route: "/api/jobs") { reader, scope in
            let jobs = try RegistryQueries.jobs(scope: scope, type: type, status: status, limit: limit, in: reader)
            return QueryRows(columns: RegistryQueries.jobColumns, rows: jobs.map(RegistryQueries.json)).json
        }
    }

    /// `GET /api/jobs/{id}?workspace_id`: one run with its batch (child runs, batch status).
    func job(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let text = context.parameters.get("id") ?? ""
        guard let id = UInt64(text) else { throw InvalidValue("a job run id is a positive integer, got '\(text)'") }
        return try cachedRead(request, context, route: "/api/jobs/\(id)") { reader, scope in
            guard let batch = try RegistryQueries.job(id, scope: scope, in: reader) else { throw SiglogError.jobNotFound(id) }
            return .object(RegistryQueries.json(batch))
        }
    }

    /// `GET /api/stats`: the log and the views (store-wide: a token for every workspace only).
    func stats(_ context: ServiceRequestContext) throws -> Response {
        guard context.access == .all else { throw ServiceError.noWorkspaceAccess }
        return JSONResponse.make(try LogQueries.stats(store: store).json)
    }
}
