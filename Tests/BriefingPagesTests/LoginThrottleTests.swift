@testable import BriefingPages
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SiglogService
import Synchronization
import Testing

/// A clock the test moves by hand.
private final class ManualClock: Sendable {
    let start = ContinuousClock.now
    let offset = Mutex<Duration>(.zero)
    func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }
    func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
}

@Suite("briefing login throttle and unknown pages")
struct LoginThrottleTests {
    @Test("an address is refused after `limit` wrong tokens within the window, until the oldest is a window old; others are not")
    func throttle() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limit: 3, window: .seconds(60), now: clock.now)
        #expect(throttle.wait(for: "10.0.0.1") == nil)
        throttle.failed("10.0.0.1")
        clock.advance(.seconds(10))
        throttle.failed("10.0.0.1")
        #expect(throttle.wait(for: "10.0.0.1") == nil, "two of three")
        throttle.failed("10.0.0.1")
        #expect(throttle.wait(for: "10.0.0.1") == .seconds(50), "the first failure is 10 s old")
        #expect(throttle.wait(for: "10.0.0.2") == nil, "another address")
        clock.advance(.seconds(50))
        #expect(throttle.wait(for: "10.0.0.1") == nil, "the first failure no longer counts")
        throttle.failed("10.0.0.1")
        #expect(throttle.wait(for: "10.0.0.1") == .seconds(10), "the second failure is 50 s old")
        throttle.succeeded("10.0.0.1")
        #expect(throttle.wait(for: "10.0.0.1") == nil, "a correct token clears the count")
        #expect(throttle.count == 0)
    }

    @Test("at most `capacity` addresses are kept: the one that failed longest ago goes first")
    func capacity() {
        let clock = ManualClock()
        let throttle = LoginThrottle(limit: 1, window: .seconds(600), capacity: 2, now: clock.now)
        throttle.failed("a")
        clock.advance(.seconds(1))
        throttle.failed("b")
        clock.advance(.seconds(1))
        throttle.failed("c")
        #expect(throttle.count == 2)
        #expect(throttle.wait(for: "a") == nil)
        #expect(throttle.wait(for: "b") != nil && throttle.wait(for: "c") != nil)
    }

    @Test("POST /login: after 3 wrong tokens the 4th try — even with the right token — is 429 with Retry-After and no session")
    func loginRoute() async throws {
        let harness = try SharedHarness.get()
        let site = BriefingSite(server: harness.server, throttle: LoginThrottle(limit: 3, window: .seconds(600)))
        let router = harness.server.makeRouter(extraRoutes: site.register(on:))
        try await harness.server.makeApplication(host: "127.0.0.1", port: 0, router: router).test(.router) { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            for attempt in 1...3 {
                let wrong = try await client.execute(uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "token=guess\(attempt)"))
                #expect(wrong.status == .unauthorized)
            }
            let refused = try await client.execute(uri: "/login", method: .post, headers: form,
                                                   body: ByteBuffer(string: "token=\(Secrets.apiToken)"))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.contentType] == "text/html; charset=utf-8")
            #expect(refused.headers[.setCookie] == nil)
            let seconds = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect(seconds > 590 && seconds <= 600)
            #expect(String(buffer: refused.body).contains("Too many wrong tokens"))
            // The bearer token still opens the pages: only the form is limited.
            let page = try await client.execute(uri: "/jobs", method: .get, headers: bearer())
            #expect(page.status == .ok)
        }
        // A fresh site (another throttle) lets the right token in at once.
        let fresh = BriefingSite(server: harness.server, throttle: LoginThrottle(limit: 3, window: .seconds(600)))
        try await harness.server.makeApplication(host: "127.0.0.1", port: 0, router: harness.server.makeRouter(extraRoutes: fresh.register(on:)))
            .test(.router) { client in
                let ok = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "token=\(Secrets.apiToken)"))
                #expect(ok.status == .seeOther)
            }
    }

    @Test("unknown paths among the pages are the HTML 404 page (escaped path); /api keeps its JSON 404; pages and login still resolve")
    func unknownPages() async throws {
        let harness = try SharedHarness.get()
        try await harness.test { client in
            for path in ["/nonsense", "/companies", "/companies/1/extra", "/companies/1/a/b", "/ranked/x", "/jobs/1", "/queue/x/y",
                         "/%3Cscript%3Ex"] {
                let response = try await client.execute(uri: path, method: .get, headers: bearer())
                #expect(response.status == .notFound, "\(path)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                let text = String(buffer: response.body)
                #expect(text.contains("There is no page at"), "\(path)")
                #expect(!text.contains("<script"), "\(path)")
                let anonymous = try await client.execute(uri: path, method: .get)
                #expect(anonymous.status == .unauthorized, "\(path) without a token is the login page")
            }
            let api = try await client.execute(uri: "/api/nonsense", method: .get, headers: bearer())
            #expect(api.status == .notFound)
            #expect(api.headers[.contentType] == "application/json")
            for path in ["/", "/companies/1", "/ranked", "/jobs", "/queue"] {
                let response = try await client.execute(uri: path, method: .get, headers: bearer())
                #expect(response.status == .ok, "\(path)")
            }
            #expect(try await client.execute(uri: "/login", method: .get).status == .ok)
        }
    }
}
