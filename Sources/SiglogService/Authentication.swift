import Hummingbird
import HTTPTypes

extension HTTPField.Name {
    /// The secret of `/internal/*`.
    static let internalToken = HTTPField.Name("X-Internal-Token")!
    /// A stage request's idempotency key (D5).
    static let idempotencyKey = HTTPField.Name("X-Idempotency-Key")!
}

/// `/internal/*` (§9.3): `X-Internal-Token` compared in constant time with `INTERNAL_JOB_TOKEN`;
/// missing → 422, wrong or no server token → 403 `Invalid internal token`.
struct InternalTokenMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let given = request.headers[.internalToken] else { throw ServiceError.missingInternalToken }
        guard ConstantTime.equals(given, token) else { throw ServiceError.invalidInternalToken }
        return try await next(request, context)
    }
}

/// `/api/*`: `Authorization: Bearer TOKEN` against `SIGLOG_API_TOKEN` and the tokens file; missing
/// or unknown → 401 `Not authenticated`. The token's workspaces go into the context, where each
/// route checks the workspace it reads (`requireAccess`).
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let tokens: APITokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
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
