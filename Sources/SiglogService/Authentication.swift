public import Hummingbird
import HTTPTypes

extension HTTPField.Name {
    /// The secret of `/internal/*`.
    static let internalToken = HTTPField.Name("X-Internal-Token")!
    /// A stage request's idempotency key (D5).
    static let idempotencyKey = HTTPField.Name("X-Idempotency-Key")!
}

/// `/internal/*` (§9.3): `X-Internal-Token` compared in constant time with `INTERNAL_JOB_TOKEN`;
/// missing → 422, wrong or no server token → 403 `Invalid internal token`. Public so that other
/// areas' internal routes (`makeRouter(extraRoutes:)`) are guarded the same way.
public struct InternalTokenMiddleware: RouterMiddleware {
    /// The service's request context.
    public typealias Context = ServiceRequestContext
    let token: String

    /// A check against `token` (empty: every request refused).
    public init(token: String) { self.token = token }

    /// Passes the request on when its `X-Internal-Token` matches; refuses it otherwise.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let given = request.headers[.internalToken] else { throw ServiceError.missingInternalToken }
        guard ConstantTime.equals(given, token) else { throw ServiceError.invalidInternalToken }
        return try await next(request, context)
    }
}

/// `/api/*`: `Authorization: Bearer TOKEN` against `SIGLOG_API_TOKEN` and the tokens file; missing
/// or unknown → 401 `Not authenticated`. The token's workspaces go into the context, where each
/// route checks the workspace it reads (`withScope`). Public so that other areas' read routes
/// (`makeRouter(extraRoutes:)`) are guarded the same way.
public struct BearerTokenMiddleware: RouterMiddleware {
    /// The service's request context.
    public typealias Context = ServiceRequestContext
    let tokens: APITokens

    /// A check against `tokens`.
    public init(tokens: APITokens) { self.tokens = tokens }

    /// Passes the request on with the bearer token's workspaces in the context; refuses it otherwise.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw ServiceError.notAuthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let access = tokens.access(for: parts[1].trimmingCharacters(in: .whitespaces))
        else { throw ServiceError.notAuthenticated }
        var context = context
        context.access = access
        return try await next(request, context)
    }
}
