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

/// A harness whose store holds the sample events, scored for the sample day.
private func scoredHarness() async throws -> ServiceHarness {
    let harness = try ServiceHarness()
    let day = try Day(parsing: Repository.sampleDay)
    _ = try harness.runner.runDailyAggregation(asOf: day, events: Repository.sampleEvents)
    return harness
}

@Suite("siglog-serve /api/* (read API)")
struct ReadRouteTests {
    static let routes = ["/api/lead-feed", "/api/companies/1", "/api/companies/1/timeline", "/api/jobs", "/api/jobs/1", "/api/stats"]

    @Test("bearer token: missing, malformed, wrong or differing in its last byte → 401 `Not authenticated`")
    func bearerToken() async throws {
        let harness = try ServiceHarness()
        var bytes = Array(Secrets.apiToken.utf8)
        bytes[bytes.count - 1] ^= 0x01
        let nearMiss = String(decoding: bytes, as: UTF8.self)
        try await harness.test { client in
            for route in Self.routes {
                let missing = try await client.execute(uri: route, method: .get)
                #expect(missing.status == .unauthorized)
                #expect(missing.detail == "Not authenticated")
                for header in ["Bearer \(nearMiss)", "Bearer wrong", "Basic \(Secrets.apiToken)", Secrets.apiToken, "Bearer "] {
                    let refused = try await client.execute(uri: route, method: .get, headers: [.authorization: header])
                    #expect(refused.status == .unauthorized, "\(route) \(header.count)")
                    #expect(refused.detail == "Not authenticated")
                }
                // The internal token is not a read token.
                let internalToken = try await client.execute(uri: route, method: .get, headers: bearer(Secrets.internalToken))
                #expect(internalToken.status == .unauthorized)
            }
        }
    }

    @Test("a token scoped to workspace B reads B and gets 403 for the default workspace and stats")
    func scopedToken() async throws {
        let harness = try await scoredHarness()
        let b = Secrets.workspaceB.lowercased
        try await harness.test { client in
            for route in ["/api/lead-feed", "/api/jobs", "/api/companies/1", "/api/companies/1/timeline"] {
                let denied = try await client.execute(uri: route, method: .get, headers: bearer(Secrets.scopedToken))
                #expect(denied.status == .forbidden, "\(route)")
                #expect(denied.detail == "You do not have access to this workspace")
                let other = try await client.execute(uri: route + "?workspace_id=\(WellKnownIDs.defaultWorkspace.lowercased)",
                                                     method: .get, headers: bearer(Secrets.scopedToken))
                #expect(other.status == .forbidden)
                let allowed = try await client.execute(uri: route + "?workspace_id=\(b)", method: .get, headers: bearer(Secrets.scopedToken))
                #expect(allowed.status == .ok, "\(route): \(allowed.text)")
            }
            let stats = try await client.execute(uri: "/api/stats", method: .get, headers: bearer(Secrets.scopedToken))
            #expect(stats.status == .forbidden)
            // A run of the default workspace is not B's.
            let job = try await client.execute(uri: "/api/jobs/1?workspace_id=\(b)", method: .get, headers: bearer(Secrets.scopedToken))
            #expect(job.status == .notFound)
        }
    }

    @Test("lead feed: the JSON of the Queries path siglog-query prints, parameters honoured, bad ones 422")
    func leadFeed() async throws {
        let harness = try await scoredHarness()
        let day = try Day(parsing: Repository.sampleDay)
        let scope = Scope(workspace: WellKnownIDs.defaultWorkspace, pack: WellKnownIDs.fractionalCTOPack)
        @Sendable func expected(limit: Int, offset: Int, threshold: Int, sort: LeadSort) throws -> String {
            try harness.store.read { reader in
                let cards = try LeadReads.leads(scope: scope, asOf: day, limit: limit, offset: offset, sort: sort, threshold: threshold,
                                                in: reader)
                var labels = CompanyLabels(reader: reader)
                return try LeadFeedQuery.rows(cards, labels: &labels).rendered(.json) + "\n"
            }
        }
        try await harness.test { client in
            let all = try await client.execute(uri: "/api/lead-feed?threshold=0", method: .get, headers: bearer())
            #expect(all.status == .ok)
            #expect(all.headers[.contentType] == "application/json")
            #expect(all.text == (try expected(limit: 100, offset: 0, threshold: 0, sort: .compositeScore)))
            #expect((all.json.arrayValue?.count ?? 0) > 2)
            let page = try await client.execute(
                uri: "/api/lead-feed?as_of=\(Repository.sampleDay)&limit=2&offset=1&threshold=0&sort=last_seen&pack_id=\(WellKnownIDs.fractionalCTOPack.lowercased)",
                method: .get, headers: bearer())
            #expect(page.text == (try expected(limit: 2, offset: 1, threshold: 0, sort: .lastSeen)))
            #expect(page.json.arrayValue?.count == 2)
            let other = try await client.execute(uri: "/api/lead-feed?as_of=2020-01-01", method: .get, headers: bearer())
            #expect(other.text == "[]\n")
            for (query, detail) in [
                ("limit=-1", "limit must be an integer of at least 0, got '-1'"),
                ("offset=x", "offset must be an integer of at least 0, got 'x'"),
                ("sort=name", "sort must be composite_score or last_seen, got 'name'"),
                ("as_of=yesterday", "as_of must be a date YYYY-MM-DD, got 'yesterday'"),
                ("workspace_id=1", "Invalid workspace_id: must be a valid UUID"),
                ("pack_id=1", "Invalid pack_id: must be a valid UUID"),
            ] {
                let bad = try await client.execute(uri: "/api/lead-feed?\(query)", method: .get, headers: bearer())
                #expect(bad.status == .unprocessableContent, "\(query)")
                #expect(bad.detail == detail)
            }
            let unknown = try await client.execute(uri: "/api/lead-feed?workspace_id=11111111-2222-4333-8444-555555555555", method: .get,
                                                   headers: bearer())
            #expect(unknown.status == .notFound)
            #expect(unknown.detail == "Workspace not found: 11111111-2222-4333-8444-555555555555")
            let pack = try await client.execute(uri: "/api/lead-feed?pack_id=11111111-2222-4333-8444-555555555555", method: .get,
                                                headers: bearer())
            #expect(pack.status == .notFound)
            #expect(pack.detail == "Pack not found: 11111111-2222-4333-8444-555555555555")
        }
    }

    @Test("company by id or domain, its timeline; unknown company → 404")
    func company() async throws {
        let harness = try await scoredHarness()
        let row = try harness.store.read { try $0.company(1) }
        let company = try #require(row)
        let scope = Scope(workspace: WellKnownIDs.defaultWorkspace, pack: WellKnownIDs.fractionalCTOPack)
        let profile = try harness.store.read { try CompanyProfile.load(.id(1), scope: scope, recentEvents: 3, in: $0) }
        let timeline = try harness.store.read { try RegistryQueries.timeline(.id(1), scope: scope, in: $0) }
        try await harness.test { client in
            let byID = try await client.execute(uri: "/api/companies/1?events=3", method: .get, headers: bearer())
            #expect(byID.status == .ok)
            #expect(byID.text == JSONWriter().string(.object(profile.json)) + "\n")
            #expect(byID.json["company"]?["name"]?.stringValue == company.name)
            if let domain = company.created.domain {
                let byDomain = try await client.execute(uri: "/api/companies/\(domain)?events=3", method: .get, headers: bearer())
                #expect(byDomain.text == byID.text)
            }
            let line = try await client.execute(uri: "/api/companies/1/timeline", method: .get, headers: bearer())
            #expect(line.text == QueryRows(columns: RegistryQueries.timelineColumns, rows: timeline.map(RegistryQueries.json)).rendered(.json) + "\n")
            #expect((line.json.arrayValue?.count ?? 0) > 0)
            for uri in ["/api/companies/999999", "/api/companies/nowhere.example", "/api/companies/999999/timeline"] {
                let missing = try await client.execute(uri: uri, method: .get, headers: bearer())
                #expect(missing.status == .notFound)
                #expect(missing.detail?.hasPrefix("Company not found: ") == true)
            }
        }
    }

    @Test("jobs: list with filters, one run with its batch; unknown type/status → 422, unknown run → 404")
    func jobs() async throws {
        let harness = try await scoredHarness()
        try await harness.test { client in
            let all = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer())
            #expect(all.status == .ok)
            let types = all.json.arrayValue?.compactMap { $0["job_type"]?.stringValue } ?? []
            #expect(types == ["daily_aggregation", "ingest", "derive", "score", "update_lead_feed"])
            let scores = try await client.execute(uri: "/api/jobs?type=score&status=completed&limit=5", method: .get, headers: bearer())
            #expect(scores.json.arrayValue?.count == 1)
            let parentID = try #require(all.json.arrayValue?.first?.int("id"))
            let batch = try await client.execute(uri: "/api/jobs/\(parentID)", method: .get, headers: bearer())
            let expected = try harness.store.read { reader in
                try RegistryQueries.job(UInt64(parentID), scope: Scope(workspace: WellKnownIDs.defaultWorkspace, pack: nil), in: reader)
            }
            #expect(batch.text == JSONWriter().string(.object(RegistryQueries.json(try #require(expected)))) + "\n")
            #expect(batch.json["children"]?.arrayValue?.count == 4)
            let badType = try await client.execute(uri: "/api/jobs?type=reindex", method: .get, headers: bearer())
            #expect(badType.status == .unprocessableContent)
            #expect(badType.detail?.hasPrefix("Unknown job_type: reindex") == true)
            let badStatus = try await client.execute(uri: "/api/jobs?status=done", method: .get, headers: bearer())
            #expect(badStatus.status == .unprocessableContent)
            let missing = try await client.execute(uri: "/api/jobs/999999", method: .get, headers: bearer())
            #expect(missing.status == .notFound)
            #expect(missing.detail == "Job run not found: 999999")
            let badID = try await client.execute(uri: "/api/jobs/abc", method: .get, headers: bearer())
            #expect(badID.status == .unprocessableContent)
        }
    }

    @Test("stats: the Queries stats object, store path included")
    func stats() async throws {
        let harness = try await scoredHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/api/stats", method: .get, headers: bearer())
            #expect(response.status == .ok)
            let stats = try LogQueries.stats(store: harness.store)
            #expect(response.json["store"]?.stringValue == harness.store.path)
            #expect(response.json.int("head") == Int(stats.head))
            #expect(response.json["view_fingerprints"] == .object(stats.json["view_fingerprints"]?.objectValue ?? [:]))
            #expect(response.json.int("views_behind") == 0)
        }
    }

    @Test("unknown routes answer 404 with the error body")
    func unknownRoute() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/nothing/here", method: .get)
            #expect(response.status == .notFound)
            #expect(response.detail != nil)
        }
    }
}
