import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Projections
import Queries
import ReadModel
import Scoring
import SiglogCore
import SiglogService
import Testing

/// The pages in process: authentication, headers, content from the read layer, escaping.
@Suite("briefing pages (in process)")
struct PageRouteTests {
    static let pages = ["/", "/companies/1", "/ranked", "/jobs", "/queue"]

    /// The day, pack and scope of the fixture store.
    static func scope(_ harness: BriefingHarness) throws -> Scope {
        try harness.store.read { try Scope.resolve(workspace: nil, pack: nil, in: $0) }
    }

    @Test("without a token or session every page is the 401 login page (HTML, not cached, with the login form)")
    func unauthenticated() async throws {
        let harness = try SharedHarness.get()
        var bytes = Array(Secrets.apiToken.utf8)
        bytes[bytes.count - 1] ^= 0x01
        let nearMiss = String(decoding: bytes, as: UTF8.self)
        try await harness.test { client in
            for page in Self.pages {
                for headers: HTTPFields in [[:], bearer(nearMiss), bearer("internal"), [.cookie: "siglog_session=forged"],
                                            [.authorization: "Basic \(Secrets.apiToken)"]] {
                    let response = try await client.execute(uri: page, method: .get, headers: headers)
                    #expect(response.status == .unauthorized, "\(page) \(headers)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(response.headers[.cacheControl] == "no-store")
                    #expect(response.text.contains(#"<form method="post" action="/login">"#))
                    #expect(response.text.contains(#"name="next" value="\#(page)""#))
                    #expect(!response.text.contains("company-name"), "no tenant data on the 401 page")
                }
            }
        }
    }

    @Test("with the bearer token every page is 200 HTML with the security and caching headers")
    func headers() async throws {
        let harness = try SharedHarness.get()
        try await harness.test { client in
            for page in Self.pages {
                let response = try await client.execute(uri: page, method: .get, headers: bearer())
                #expect(response.status == .ok, "\(page): \(response.text.prefix(300))")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-store")
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("default-src 'none'") && policy.contains("style-src 'self'") && !policy.contains("script-src"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.text.hasPrefix("<!DOCTYPE html>"))
                #expect(!response.text.contains("<script"), "\(page) has no script element")
            }
        }
    }

    @Test("the stylesheet: text/css, cached for a year under its hash, 304 for its ETag; pages link that URL")
    func stylesheet() async throws {
        let harness = try SharedHarness.get()
        try await harness.test { client in
            let page = try await client.execute(uri: "/", method: .get, headers: bearer())
            let link = try #require(page.text.firstMatch(of: /href="(\/static\/briefing\.css\?v=[0-9a-f]{16})"/)).1
            let css = try await client.execute(uri: String(link), method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let etag = try #require(css.headers[.eTag])
            #expect(link.hasSuffix(etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))))
            #expect(css.text.contains(".card"))
            let again = try await client.execute(uri: String(link), method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let changed = try await client.execute(uri: String(link), method: .get, headers: [.ifNoneMatch: "\"0000\""])
            #expect(changed.status == .ok)
        }
    }

    @Test("login form: a wrong token → 401; the right one → 303 to next with an HttpOnly SameSite=Strict cookie that opens the pages; logout ends it")
    func loginSession() async throws {
        let harness = try SharedHarness.get()
        try await harness.test { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.execute(uri: "/login", method: .post, headers: form,
                                                 body: ByteBuffer(string: "token=wrong&next=%2Franked"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
            #expect(wrong.text.contains("That token is not valid"))

            let ok = try await client.execute(uri: "/login", method: .post, headers: form,
                                              body: ByteBuffer(string: "token=\(Secrets.apiToken)&next=%2Franked%3Fthreshold%3D0"))
            #expect(ok.status == .seeOther)
            #expect(ok.headers[.location] == "/ranked?threshold=0")
            let setCookie = try #require(ok.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly"))
            #expect(setCookie.contains("SameSite=Strict"))
            #expect(setCookie.contains("Path=/"))
            #expect(!setCookie.contains(Secrets.apiToken), "the cookie is a session id, not the token")
            let session = try #require(setCookie.firstMatch(of: /siglog_session=([A-Za-z0-9_-]{43})/)).1
            let cookie: HTTPFields = [.cookie: "siglog_session=\(session)"]
            for page in Self.pages {
                let response = try await client.execute(uri: page, method: .get, headers: cookie)
                #expect(response.status == .ok, "\(page)")
                #expect(response.text.contains(#"action="/logout""#))
            }
            let logout = try await client.execute(uri: "/logout", method: .post, headers: cookie)
            #expect(logout.status == .seeOther)
            #expect(logout.headers[.location] == "/login")
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            let after = try await client.execute(uri: "/", method: .get, headers: cookie)
            #expect(after.status == .unauthorized)

            // `next` never leaves the site.
            for next in ["%2F%2Fevil.example%2F", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"] {
                let redirect = try await client.execute(uri: "/login", method: .post, headers: form,
                                                        body: ByteBuffer(string: "token=\(Secrets.apiToken)&next=\(next)"))
                #expect(redirect.status == .seeOther)
                #expect(redirect.headers[.location] == "/", "\(next)")
            }
        }
    }

    @Test("a token of workspace B gets the 403 page for the default workspace; a bad as_of gets a 422 page; an unknown company a 404 page")
    func errorPages() async throws {
        let harness = try SharedHarness.get()
        try await harness.test { client in
            let denied = try await client.execute(uri: "/", method: .get, headers: bearer(Secrets.scopedToken))
            #expect(denied.status == .forbidden)
            #expect(denied.headers[.contentType] == "text/html; charset=utf-8")
            #expect(denied.text.contains("You do not have access to this workspace"))
            let own = try await client.execute(uri: "/?workspace_id=\(Secrets.workspaceB.lowercased)", method: .get,
                                               headers: bearer(Secrets.scopedToken))
            #expect(own.status == .ok)
            let bad = try await client.execute(uri: "/?as_of=2026-13-40", method: .get, headers: bearer())
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("as_of"))
            let missing = try await client.execute(uri: "/companies/999999", method: .get, headers: bearer())
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
            let markup = try await client.execute(uri: "/companies/%3Cscript%3E", method: .get, headers: bearer())
            #expect(!markup.text.contains("<script>"))
        }
    }

    @Test("the briefing shows the cards the read layer gives, in order, with names, scores, bands, chips, paging and the threshold line")
    func briefingCards() async throws {
        let harness = try SharedHarness.get()
        let scope = try Self.scope(harness)
        let day = try Day(parsing: Repository.lastDay)
        let (expected, counts, names) = try harness.store.read { reader in
            let cards = try LeadReads.leads(scope: scope, asOf: day, limit: 1000, threshold: 0, in: reader)
            let counts = try LeadReads.leadCounts(scope: scope, asOf: day, threshold: 30, in: reader)
            let names = try cards.map { try reader.company(Int64($0.entityID))?.name ?? "" }
            return (cards, counts, names)
        }
        #expect(expected.count > 24, "the fixture fills more than one page")
        try await harness.test { client in
            let first = try await client.execute(uri: "/?threshold=0", method: .get, headers: bearer())
            let html = first.text
            #expect(html.occurrences(of: #"<li class="card "#) == 24)
            var position = html.startIndex
            for (card, name) in zip(expected.prefix(24), names) {
                let escaped = name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
                    .replacingOccurrences(of: "'", with: "&#39;")
                let anchor = try #require(html.range(of: #"id="company-\#(card.entityID)""#, range: position..<html.endIndex),
                                          "card \(card.entityID) in order")
                let next = html.range(of: "</li>\n</ol>", range: anchor.upperBound..<html.endIndex)?.lowerBound ?? html.endIndex
                let block = String(html[anchor.upperBound..<(html.range(of: #"<li class="card "#, range: anchor.upperBound..<html.endIndex)?.lowerBound ?? next)])
                #expect(block.contains(">\(escaped)</a>"), "name of \(card.entityID)")
                #expect(block.contains(#"<span class="composite" title="Readiness composite">\#(card.compositeScore)</span>"#))
                #expect(block.contains("outreach \(card.outreachScore)"))
                #expect(block.contains(#"<svg class="dims""#))
                #expect(block.occurrences(of: #"<li class="chip" title="#) == card.topSignalIDs.count)
                position = anchor.upperBound
            }
            #expect(html.contains(#"rel="next" href="/?as_of=2026-02-28&amp;threshold=0&amp;sort=composite_score&amp;page=2""#))
            #expect(!html.contains(#"rel="prev""#))

            let second = try await client.execute(uri: "/?threshold=0&page=2", method: .get, headers: bearer())
            #expect(second.text.contains(#"<ol class="cards" start="25">"#))
            #expect(second.text.contains(#"id="company-\#(expected[24].entityID)""#))
            #expect(second.text.contains(#"rel="prev""#))

            let defaults = try await client.execute(uri: "/", method: .get, headers: bearer())
            #expect(defaults.text.occurrences(of: #"<li class="card "#) == min(counts.cards, 24))
            #expect(defaults.text.contains("Companies below the outreach threshold of 30 are not shown"))
            let none = try await client.execute(uri: "/?threshold=1000", method: .get, headers: bearer())
            #expect(none.text.contains("No company reaches the threshold of 1000 on 2026-02-28."))
            let noFeed = try await client.execute(uri: "/?as_of=2020-01-01", method: .get, headers: bearer())
            #expect(noFeed.text.contains("The lead feed has no rows for 2020-01-01"))
        }
    }

    @Test("a company named <script>alert(1)</script> renders as text everywhere; javascript: URLs never become links")
    func escaping() async throws {
        let harness = try SharedHarness.get()
        let id = try harness.store.read { try $0.company(.domain("xss-script.example")).id }
        try await harness.test { client in
            for uri in ["/?threshold=0", "/?threshold=0&page=2", "/companies/\(id)", "/companies/xss-img.example", "/ranked?threshold=0&limit=100"] {
                let html = try await client.execute(uri: uri, method: .get, headers: bearer()).text
                #expect(!html.contains("<script"), "\(uri)")
                #expect(!html.contains("<img"), "\(uri)")
                #expect(!html.contains("<b>"), "\(uri)")
                #expect(!html.lowercased().contains("href=\"javascript:"), "\(uri)")
            }
            let company = try await client.execute(uri: "/companies/\(id)", method: .get, headers: bearer()).text
            #expect(company.contains(#"<h1 class="company-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>"#))
            #expect(company.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; · siglog</title>"))
            #expect(company.contains(#"href="https://xss-script.example/news/"#), "http(s) links stay links")
            let img = try await client.execute(uri: "/companies/xss-img.example", method: .get, headers: bearer()).text
            #expect(img.contains("&lt;img src=x onerror=&quot;document.title=&#39;XSS&#39;&quot;&gt;"))
        }
    }

    @Test("the company page shows the profile fields that are set, escaped; only an http(s) LinkedIn URL becomes a link")
    func profileFields() async throws {
        let harness = try BriefingHarness()
        let before = try harness.store.read { try $0.company(.domain("xss-script.example")) }
        var change = CompanyProfileChange()
        change.founderName = .set("<b>Ada</b> Founder")
        change.founderLinkedInURL = .set("javascript:alert(1)")
        change.currentStage = .set("seed")
        change.targetProfileMatch = .set(true)
        change.notes = .set("met at the \"data\" meetup")
        try harness.runner.updateCompany(.id(before.id), profile: change, expectedVersion: before.version)
        try await harness.test { client in
            let html = try await client.execute(uri: "/companies/\(before.id)", method: .get, headers: bearer()).text
            #expect(html.contains("<dt>Founder</dt><dd>&lt;b&gt;Ada&lt;/b&gt; Founder</dd>"), "\(html.prefix(2_000))")
            #expect(html.contains("<dt>Founder LinkedIn</dt><dd>javascript:alert(1)</dd>"), "a javascript: URL stays text")
            #expect(html.contains("<dt>Current stage</dt><dd>seed</dd>"))
            #expect(html.contains("<dt>Target profile</dt><dd>matches</dd>"))
            #expect(html.contains("<dt>Notes</dt><dd>met at the &quot;data&quot; meetup</dd>"))
            #expect(!html.contains("<dt>Alignment notes</dt>"), "an unset field is not shown")
        }
        var link = CompanyProfileChange()
        link.founderLinkedInURL = .set("https://www.linkedin.com/in/ada")
        try harness.runner.updateCompany(.id(before.id), profile: link, expectedVersion: before.version + 1)
        try await harness.test { client in
            let html = try await client.execute(uri: "/companies/\(before.id)", method: .get, headers: bearer()).text
            #expect(html.contains(#"<dd><a href="https://www.linkedin.com/in/ada" rel="noopener noreferrer nofollow">https://www.linkedin.com/in/ada</a></dd>"#))
        }
    }

    @Test("the company page: profile, scores with the explain, a chart with one point per readiness snapshot, events, outreach, timeline with job runs")
    func companyPage() async throws {
        let harness = try SharedHarness.get()
        let scope = try Self.scope(harness)
        let (id, history, timeline) = try harness.store.read { reader in
            let id = try reader.company(.domain("xss-script.example")).id
            let history = try reader.readinessHistory(company: id).filter { $0.record.pack == scope.pack }.map(\.record)
            return (id, history, try RegistryQueries.timeline(.id(id), scope: scope, in: reader))
        }
        #expect(history.count == Repository.days.count)
        try await harness.test { client in
            let html = try await client.execute(uri: "/companies/\(id)", method: .get, headers: bearer()).text
            #expect(html.contains(#"<svg class="score-chart""#))
            #expect(html.occurrences(of: "<polyline ") == 5)
            for snapshot in history {
                #expect(html.contains("<title>\(snapshot.asOf): composite \(snapshot.composite)</title>"))
                #expect(html.contains("<title>\(snapshot.asOf): leadership gap \(snapshot.leadershipGap)</title>"))
            }
            let latest = try #require(history.last)
            #expect(html.contains(#"<span class="composite" title="Readiness composite">\#(latest.composite)</span>"#))
            #expect(html.occurrences(of: "<tr><td>") >= latest.explain.topEvents.count)
            #expect(html.contains("Why this score"))
            #expect(html.contains("base engageability (BE)"))
            #expect(html.contains("<td>email</td><td>replied</td>"), "the outreach")
            #expect(html.contains("<td>2026-02-26 09:00</td>"), "the newest event")
            let jobRuns = Set(timeline.compactMap(\.jobRunID))
            #expect(!jobRuns.isEmpty)
            for run in jobRuns { #expect(html.contains("#run-\(run)\">run \(run)</a>")) }
            let byDomain = try await client.execute(uri: "/companies/xss-script.example", method: .get, headers: bearer())
            #expect(byDomain.status == .ok)
            #expect(byDomain.text.contains(#"<svg class="score-chart""#))
        }
    }

    @Test("/ranked lists the emerging companies of §8 in order; /jobs lists the daily aggregations newest first with their child runs")
    func rankedAndJobs() async throws {
        let harness = try SharedHarness.get()
        let scope = try Self.scope(harness)
        let day = try Day(parsing: Repository.lastDay)
        let (ranked, jobs) = try harness.store.read { reader in
            (try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: 20, threshold: 0, in: reader),
             try RegistryQueries.jobs(scope: scope, type: nil, status: nil, in: reader))
        }
        #expect(!ranked.isEmpty)
        try await harness.test { client in
            let html = try await client.execute(uri: "/ranked?threshold=0", method: .get, headers: bearer()).text
            var position = html.startIndex
            for (index, company) in ranked.enumerated() {
                let row = try #require(html.range(of: #"<td class="num">\#(index + 1)</td><td class="company-name"><a href="/companies/\#(company.companyID)""#,
                                                  range: position..<html.endIndex), "rank \(index + 1)")
                position = row.upperBound
            }
            #expect(html.occurrences(of: #"<td class="num composite">"#) == ranked.count)

            let page = try await client.execute(uri: "/jobs", method: .get, headers: bearer()).text
            let parents = jobs.filter { $0.started.parentJobRunID == nil }
            #expect(parents.count == Repository.days.count)
            var last = page.startIndex
            for parent in parents.reversed() {
                let found = try #require(page.range(of: #"<tbody class="batch status-completed" id="run-\#(parent.id)">"#,
                                                    range: last..<page.endIndex), "batch \(parent.id), newest first")
                last = found.upperBound
            }
            let children = jobs.filter { $0.started.parentJobRunID != nil }
            #expect(page.occurrences(of: #"<tr class="child "#) == children.count)

            // No stage chain and no stage state in the fixture: the queue page says so.
            let queue = try await client.execute(uri: "/queue", method: .get, headers: bearer()).text
            #expect(queue.contains("no stage chain is loaded"))
            #expect(queue.contains("No stage chain is loaded and no company has a stage state in this workspace."))
            #expect(queue.contains(#"<a href="/queue" aria-current="page">Queue</a>"#))
        }
    }
}
