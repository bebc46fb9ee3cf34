public import Hummingbird
import HTTPTypes
import Logging
public import SiglogService

/// The morning briefing: server-rendered pages over the same read layer as `/api/*` — `/` (the
/// lead cards of §7.4), `/companies/{id-or-domain}` (profile, scores with their explain, the chart
/// of the readiness snapshots, events, outreach, timeline), `/ranked` (§8), `/jobs` and `/queue` — with
/// `/login`, `/logout` and the stylesheet. Pages need an `/api/*` bearer token or a session made
/// by the login form with one.
public struct BriefingSite: Sendable {
    let server: SiglogServer
    let sessions: SessionStore
    let throttle: LoginThrottle

    /// The pages of `server`.
    public init(server: SiglogServer) {
        self.init(server: server, throttle: LoginThrottle())
    }

    /// The pages of `server`, with the login form limited by `throttle`.
    init(server: SiglogServer, throttle: LoginThrottle) {
        self.server = server
        sessions = SessionStore()
        self.throttle = throttle
    }

    /// Registers the pages on `router` (pass as `makeRouter(extraRoutes:)`).
    public func register(on router: Router<ServiceRequestContext>) {
        router.get("static/briefing.css") { request, _ in stylesheet(request) }
        router.get("login") { request, _ in
            LoginPage.response(message: "Sign in with your API token.", next: LoginPage.safeNext(request.uri.queryParameters.get("next")),
                               status: .ok)
        }
        router.post("login") { request, context in try await login(request, context) }
        router.post("logout") { request, _ in logout(request) }
        let pages = router.group()
        pages.add(middleware: PageGuard(tokens: server.configuration.apiTokens, sessions: sessions, logger: server.logger))
        pages.get("/") { request, context in try briefing(request, context) }
        pages.get("companies/{company}") { request, context in try company(request, context) }
        pages.get("ranked") { request, context in try ranked(request, context) }
        pages.get("jobs") { request, context in try jobs(request, context) }
        pages.get("queue") { request, context in try queue(request, context) }
        // Unknown paths among the pages get the HTML 404 page, not the JSON error of `/api/*`
        // (which keeps its own: these patterns never match under `/api` or `/internal`).
        for unknown in ["{unknown}", "companies", "companies/{company}/**", "ranked/**", "jobs/**", "queue/**"] {
            pages.get(RouterPath(unknown)) { request, _ in try notFound(request) }
        }
    }

    /// The 404 page for a path that names no page.
    func notFound(_ request: Request) throws -> Response {
        throw ServiceError(.notFound, "There is no page at \(request.uri.path).")
    }

    /// The stylesheet: cached for a year (its URL carries its hash), 304 for a matching `If-None-Match`.
    func stylesheet(_ request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=31536000, immutable", .eTag: Stylesheet.etag,
            .xContentTypeOptions: "nosniff",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == Stylesheet.etag
        }) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: Stylesheet.text)))
    }

    /// `POST /login` (form: `token`, `next`): a valid token starts a session and sends the browser
    /// to `next` (303); anything else shows the form again with 401. A client address that gave too
    /// many wrong tokens gets 429 with `Retry-After`, its token not checked (`LoginThrottle`).
    func login(_ request: Request, _ context: ServiceRequestContext) async throws -> Response {
        let address = context.clientAddress ?? "unknown"
        if let wait = throttle.wait(for: address) {
            let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
            var response = LoginPage.response(message: "Too many wrong tokens from this address. Try again in \(seconds) s.",
                                              next: "/", status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: 16 << 10) } catch {
            return LoginPage.response(message: "The form was too large.", next: "/", status: .contentTooLarge)
        }
        let form = (try? URLEncodedFormDecoder().decode(LoginPage.Form.self, from: String(buffer: body))) ?? LoginPage.Form()
        let next = LoginPage.safeNext(form.next)
        guard let token = form.token?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty,
            let access = server.configuration.apiTokens.access(for: token)
        else {
            throttle.failed(address)
            return LoginPage.response(message: "That token is not valid. Try again.", next: next, status: .unauthorized)
        }
        throttle.succeeded(address)
        let id = sessions.create(access: access)
        var response = Response(status: .seeOther, headers: [.location: next, .cacheControl: "no-store"])
        response.setCookie(Cookie(name: SessionStore.cookieName, value: id, maxAge: Int(sessions.lifetime.components.seconds),
                                  path: "/", secure: false, httpOnly: true, sameSite: .strict))
        return response
    }

    /// `POST /logout`: ends the session, clears the cookie, back to the login form.
    func logout(_ request: Request) -> Response {
        if let cookie = request.cookies[SessionStore.cookieName] { sessions.remove(cookie.value) }
        var response = Response(status: .seeOther, headers: [.location: "/login", .cacheControl: "no-store"])
        response.setCookie(Cookie(name: SessionStore.cookieName, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true,
                                  sameSite: .strict))
        return response
    }
}
