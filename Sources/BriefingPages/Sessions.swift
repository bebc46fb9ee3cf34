import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SiglogService
import Synchronization

/// Browser sessions of the pages: a login with a valid API token creates one, the browser keeps
/// its id in an HttpOnly, SameSite=Strict cookie. Kept in memory only (a restart signs everyone
/// out), keyed by the SHA-256 of the id, so looking a session up reveals nothing about stored ids
/// through timing; each ends after `lifetime`.
final class SessionStore: Sendable {
    /// The cookie that carries the session id.
    static let cookieName = "siglog_session"

    struct Session: Sendable {
        var access: WorkspaceAccess
        var expires: ContinuousClock.Instant
    }

    private let sessions = Mutex<[String: Session]>([:])
    let lifetime: Duration
    let capacity: Int

    /// A store whose sessions last `lifetime`; at most `capacity` live at once (the oldest go first).
    init(lifetime: Duration = .seconds(12 * 3600), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// A new session with `access`; its id (43 URL-safe characters: 256 random bits).
    func create(access: WorkspaceAccess) -> String {
        let id = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let now = ContinuousClock.now
        sessions.withLock { sessions in
            if sessions.count >= capacity {
                sessions = sessions.filter { $0.value.expires > now }
                while sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                    sessions.removeValue(forKey: oldest.key)
                }
            }
            sessions[Self.key(id)] = Session(access: access, expires: now + lifetime)
        }
        return id
    }

    /// The access of a live session; nil for an unknown or expired id.
    func access(for id: String) -> WorkspaceAccess? {
        let key = Self.key(id)
        return sessions.withLock { sessions in
            guard let session = sessions[key] else { return nil }
            guard session.expires > ContinuousClock.now else {
                sessions.removeValue(forKey: key)
                return nil
            }
            return session.access
        }
    }

    /// Ends a session.
    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: Self.key(id)) }
    }

    /// How many sessions are stored.
    var count: Int { sessions.withLock { $0.count } }

    private static func key(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Who may see a page: a request with `Authorization: Bearer TOKEN` (a token of `/api/*`, compared
/// in constant time) or with a live session cookie. Anyone else gets the 401 page with the login
/// form. Errors of the page below become HTML error pages with the statuses of `/api/*`.
struct PageGuard: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let tokens: APITokens
    let sessions: SessionStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let access = authenticate(request) else {
            return LoginPage.response(message: "Sign in to read the briefing.", next: request.uri.description, status: .unauthorized)
        }
        var context = context
        context.access = access
        do {
            return try await next(request, context)
        } catch {
            if let page = PageResponse.error(error, signedIn: true) { return page }
            logger.error("page failed", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: error))])
            return PageResponse.error(ServiceError(.internalServerError, "Internal server error"), signedIn: true)!
        }
    }

    /// The access of the request's bearer token, else of its session cookie.
    func authenticate(_ request: Request) -> WorkspaceAccess? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return tokens.access(for: parts[1].trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
        guard let cookie = request.cookies[SessionStore.cookieName] else { return nil }
        return sessions.access(for: cookie.value)
    }
}

/// The login form and its answers.
enum LoginPage {
    struct Model {
        var message: String
        var next: String
    }

    /// The form with `message`; after a login the browser goes to `next`.
    static func response(message: String, next: String, status: HTTPResponse.Status) -> Response {
        PageResponse.page("login", Model(message: message, next: safeNext(next)), title: "Sign in", signedIn: false, status: status)
    }

    /// `next` when it is a path of this site (`/…`, not `//host` or `/\host`, which browsers treat
    /// as another site); else `/`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
            !next.contains(where: { $0.isNewline || $0 == "\0" })
        else { return "/" }
        return next
    }

    /// The fields of the login form.
    struct Form: Decodable {
        var token: String?
        var next: String?
    }
}
