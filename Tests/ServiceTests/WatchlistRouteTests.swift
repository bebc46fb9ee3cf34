import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Projections
import Queries
import ReadModel
import SignalPacks
import SiglogCore
import SiglogService
import Testing

private let bundleID = "b0000000-0000-4000-8000-00000000000a"
private let defaultWorkspace = WellKnownIDs.defaultWorkspace.lowercased

/// Acme Robotics (acme.io): a CTO role posted on 2026-02-18 and a funding round five days earlier
/// (confidence 0.9) — §4.10's E4 with the CTO role at 0 days.
private let acmeBundle = """
    {"id": "\(bundleID)", "company_name": "Acme Robotics", "domain": "acme.io", "reason": "hiring a CTO",
     "events": [
       {"source": "research", "source_event_id": "r-1", "event_type": "cto_role_posted", "event_time": "2026-02-18T12:00:00Z"},
       {"source": "research", "source_event_id": "r-2", "event_type": "funding_raised", "event_time": "2026-02-13T09:00:00Z",
        "confidence": 0.9}]}
    """

/// A store with one workspace only (the default one and its pack).
private func singleWorkspaceHarness() throws -> ServiceHarness {
    let harness = try ServiceHarness(seeded: false)
    _ = try harness.runner.initialize(bundledPack: try PackLoader.bundledDefault())
    return harness
}

private func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

private func jsonHeaders(key: String? = nil) -> HTTPFields {
    var headers = internalHeaders(key: key)
    headers[.contentType] = "application/json"
    return headers
}

@Suite("siglog-serve run_watchlist_seed, run_alert_scan, run_backfill_lead_feed (§7.3, §9.3)")
struct WatchlistRouteTests {
    static let stages = ["run_watchlist_seed", "run_alert_scan", "run_backfill_lead_feed"]

    @Test("token: missing → 422, wrong → 403; malformed workspace_id / as_of → 422; unknown workspace → 200 failed; nothing written")
    func tokenAndParameters() async throws {
        let harness = try ServiceHarness()
        let before = try harness.head()
        try await harness.test { client in
            for stage in Self.stages {
                let missing = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders(token: nil))
                #expect(missing.status == .unprocessableContent)
                let wrong = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders(token: "wrong"))
                #expect(wrong.status == .forbidden)
                #expect(wrong.detail == "Invalid internal token")
                let workspace = try await client.execute(uri: "/internal/\(stage)?workspace_id=nope", method: .post,
                                                         headers: internalHeaders())
                #expect(workspace.status == .unprocessableContent)
                #expect(workspace.detail == "Invalid workspace_id: must be a valid UUID")
                let day = try await client.execute(uri: "/internal/\(stage)?as_of=2026-02-30", method: .post, headers: internalHeaders())
                #expect(day.status == .unprocessableContent, "\(stage)")
            }
            // D20: an unknown workspace is a failed stage (200), nothing written.
            let unknown = "11111111-2222-4333-8444-555555555555"
            let alert = try await client.execute(uri: "/internal/run_alert_scan?workspace_id=\(unknown)", method: .post,
                                                 headers: internalHeaders())
            #expect(alert.status == .ok)
            #expect(alert.json["status"] == "failed")
            #expect(alert.json["error"] == .string("Workspace not found: \(unknown)"))
        }
        #expect(try harness.head() == before)
    }

    @Test("watchlist seed: §9.3's shape; the bundle's company created, evidence stored and scored (E4: 25); key → same run")
    func seed() async throws {
        let harness = try ServiceHarness()
        _ = try harness.runner.storeBundle(parsing: Array(acmeBundle.utf8), name: "acme.json")
        let body = #"{"bundle_ids": ["\#(bundleID)"], "workspace_id": "\#(defaultWorkspace)"}"#
        let (first, again, headAfterFirst) = try await harness.test { client in
            let first = try await client.execute(uri: "/internal/run_watchlist_seed?as_of=2026-02-18", method: .post,
                                                 headers: jsonHeaders(key: "seed-1"), body: jsonBody(body))
            let head = try harness.head()
            let again = try await client.execute(uri: "/internal/run_watchlist_seed?as_of=2026-02-18", method: .post,
                                                 headers: jsonHeaders(key: "seed-1"), body: jsonBody(body))
            return (first, again, head)
        }
        #expect(first.status == .ok)
        #expect(first.json.objectValue?.keys == ["status", "job_run_id", "seed_result", "derive_result", "score_result", "error"])
        #expect(first.json["status"] == "completed")
        #expect(first.json["error"] == .null)
        let seed = try #require(first.json["seed_result"])
        #expect(seed.int("companies_created") == 1 && seed.int("companies_matched") == 0)
        #expect(seed.int("events_stored") == 2 && seed.int("events_skipped_duplicate") == 0)
        #expect(seed["errors"] == .array([]))
        #expect(first.json["derive_result"]?.int("instances_upserted") == 2)
        #expect(first.json["score_result"]?.int("companies_scored") == 1)

        // The same key answers the recorded result: same run, nothing written.
        #expect(again.status == .ok)
        #expect(again.json["job_run_id"] == first.json["job_run_id"])
        #expect(again.json["seed_result"] == first.json["seed_result"])
        #expect(try harness.head() == headAfterFirst)

        // What the stage wrote: the company watched with the bundle's reason, its events carrying the
        // bundle id. funding_raised at 5 days (0.9): M = 35 × 0.9 = 31.5 → 32, P = 20 × 0.9 = 18;
        // cto_role_posted at 0 days: G = 70; R = 0.3 × 32 + 0.25 × 18 + 0.15 × 70 = 24.6 → 25.
        let bundle = try #require(UUID(uuidString: bundleID))
        try harness.store.read { reader in
            let company = try #require(try reader.allCompanies().first)
            #expect(company.name == "Acme Robotics")
            #expect(try reader.activeWatchlistRow(ofCompany: company.id)?.added.reason == "hiring a CTO")
            #expect(try reader.events(ofCompany: company.id).map(\.record.evidenceBundleID) == [bundle, bundle])
            let readiness = try #require(try reader.readiness(company: company.id, asOf: Day(year: 2026, month: 2, day: 18)!, pack: WellKnownIDs.fractionalCTOPack))
            #expect(readiness.record.composite == 25)
        }
    }

    @Test("watchlist seed: several workspaces and no workspace_id → 422; bad bodies → 422; unknown workspace → 200 failed")
    func seedRefusals() async throws {
        let harness = try ServiceHarness()  // the default workspace and B: multi-workspace
        _ = try harness.runner.storeBundle(parsing: Array(acmeBundle.utf8), name: "acme.json")
        let before = try harness.head()
        let unknown = "11111111-2222-4333-8444-555555555555"
        let tooMany = (0..<501).map { _ in "\"\(UUID().uuidString)\"" }.joined(separator: ",")
        try await harness.test { client in
            let noWorkspace = try await client.execute(uri: "/internal/run_watchlist_seed", method: .post, headers: jsonHeaders(),
                                                       body: jsonBody(#"{"bundle_ids": ["\#(bundleID)"]}"#))
            #expect(noWorkspace.status == .unprocessableContent)
            #expect(noWorkspace.detail == "workspace_id is required: this store has more than one workspace")
            let cases: [(String, String)] = [
                ("", "body: expected a JSON object {bundle_ids, workspace_id?}"),
                ("[1]", "body: expected a JSON object {bundle_ids, workspace_id?}"),
                (#"{"workspace_id": "\#(defaultWorkspace)"}"#, "bundle_ids: required, a list of 1 to 500 bundle UUIDs"),
                (#"{"bundle_ids": []}"#, "bundle_ids must hold 1 to 500 bundle ids, got 0"),
                (#"{"bundle_ids": [\#(tooMany)]}"#, "bundle_ids must hold 1 to 500 bundle ids, got 501"),
                (#"{"bundle_ids": ["nope"]}"#, "Invalid bundle_ids: 'nope' is not a valid UUID"),
                (#"{"bundle_ids": [7]}"#, "bundle_ids[0]: must be a valid UUID"),
                (#"{"bundle_ids": ["\#(bundleID)"], "workspace_id": "x"}"#, "Invalid workspace_id: must be a valid UUID"),
            ]
            for (body, detail) in cases {
                let response = try await client.execute(uri: "/internal/run_watchlist_seed", method: .post, headers: jsonHeaders(),
                                                        body: jsonBody(body))
                #expect(response.status == .unprocessableContent, "\(body.prefix(40))")
                #expect(response.detail?.hasPrefix(detail) == true, "\(response.detail ?? "")")
            }
            let differing = try await client.execute(
                uri: "/internal/run_watchlist_seed?workspace_id=\(Secrets.workspaceB.lowercased)", method: .post, headers: jsonHeaders(),
                body: jsonBody(#"{"bundle_ids": ["\#(bundleID)"], "workspace_id": "\#(defaultWorkspace)"}"#))
            #expect(differing.status == .unprocessableContent)
            let missing = try await client.execute(uri: "/internal/run_watchlist_seed", method: .post, headers: jsonHeaders(),
                                                   body: jsonBody(#"{"bundle_ids": ["\#(bundleID)"], "workspace_id": "\#(unknown)"}"#))
            #expect(missing.status == .ok)
            #expect(missing.json["status"] == "failed")
            #expect(missing.json["error"] == .string("Workspace not found: \(unknown)"))
        }
        #expect(try harness.head() == before, "nothing written")

        // The workspace may come as the query parameter instead.
        try await harness.test { client in
            let viaQuery = try await client.execute(
                uri: "/internal/run_watchlist_seed?workspace_id=\(Secrets.workspaceB.lowercased)&as_of=2026-02-18", method: .post,
                headers: jsonHeaders(), body: jsonBody(#"{"bundle_ids": ["\#(bundleID)"]}"#))
            #expect(viaQuery.status == .ok)
            #expect(viaQuery.json["status"] == "completed")
        }
        let seeded = try harness.store.read { try $0.allJobs() }.first { $0.started.jobType == .watchlistSeed }
        #expect(seeded?.started.workspaceID == Secrets.workspaceB)
    }

    @Test("watchlist seed in a store with one workspace: workspace_id is optional")
    func seedSingleWorkspace() async throws {
        let harness = try singleWorkspaceHarness()
        _ = try harness.runner.storeBundle(parsing: Array(acmeBundle.utf8), name: "acme.json")
        let response = try await harness.test { client in
            try await client.execute(uri: "/internal/run_watchlist_seed?as_of=2026-02-18", method: .post, headers: jsonHeaders(),
                                     body: jsonBody(#"{"bundle_ids": ["\#(bundleID)"]}"#))
        }
        #expect(response.status == .ok)
        #expect(response.json["status"] == "completed")
        #expect(response.json["seed_result"]?.int("events_stored") == 2)
    }

    /// Jump Co: funding_raised on 2026-02-13 (0.9) and two CTO roles posted on 2026-02-18; Steady
    /// Co: the funding round only.
    static let jumpEvents = """
        {"source": "research", "source_event_id": "j-1", "company_name": "Jump Co", "domain": "jump.example", "event_type": "funding_raised", "event_time": "2026-02-13T09:00:00Z", "confidence": 0.9}
        {"source": "research", "source_event_id": "j-2", "company_name": "Jump Co", "domain": "jump.example", "event_type": "cto_role_posted", "event_time": "2026-02-18T09:00:00Z"}
        {"source": "research", "source_event_id": "j-3", "company_name": "Jump Co", "domain": "jump.example", "event_type": "cto_role_posted", "event_time": "2026-02-18T10:00:00Z"}
        {"source": "research", "source_event_id": "s-1", "company_name": "Steady Co", "domain": "steady.example", "event_type": "funding_raised", "event_time": "2026-02-13T09:00:00Z", "confidence": 0.9}

        """

    @Test("alert scan: 14 → 29 is a jump of exactly 15 (alert, pending); threshold 16 none; never twice for a company and day")
    func alertScan() async throws {
        // Hand-derived composites (§4.4, §4.5; D15: a day sees events up to its end):
        // 2026-02-17: funding at 4 days → M = 35 × 0.9 = 31.5 → 32, P = 20 × 0.9 = 18, G = 0;
        //             R = 0.3 × 32 + 0.25 × 18 = 14.1 → 14 (both companies).
        // 2026-02-18: Jump Co adds two CTO roles at 0 days → G = min(140, 100) = 100;
        //             R = 9.6 + 4.5 + 0.15 × 100 = 29.1 → 29; delta 15. Steady Co: 14, delta 0.
        let harness = try ServiceHarness()
        let responses = try await harness.test { client in
            let ingest = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                                  body: ndjson(Self.jumpEvents))
            #expect(ingest.json.int("inserted") == 4)
            for day in ["2026-02-17", "2026-02-18"] {
                let score = try await client.execute(uri: "/internal/run_score?as_of=\(day)", method: .post, headers: internalHeaders())
                #expect(score.json.int("companies_scored") == 2)
            }
            var answers: [JSONValue] = []
            for query in ["as_of=2026-02-18&threshold=16", "as_of=2026-02-18", "as_of=2026-02-18", "as_of=2026-02-17"] {
                let response = try await client.execute(uri: "/internal/run_alert_scan?\(query)", method: .post, headers: internalHeaders())
                #expect(response.status == .ok)
                answers.append(response.json)
            }
            return answers
        }
        #expect(responses[0].objectValue?.keys.prefix(1) == ["status"])
        #expect(responses.map { $0["status"] } == ["completed", "completed", "completed", "completed"])
        #expect(responses.map { $0.int("alerts_created") } == [0, 1, 0, 0])
        // 2026-02-17 has no snapshots the day before: both scanned, none compared.
        #expect(responses.map { $0.int("companies_scanned") } == [2, 2, 2, 2])
        let alerts = try harness.store.read { reader in try WatchlistQueries.alerts(.init(), in: reader) }
        #expect(alerts.rows.count == 1)
        let alert = try #require(alerts.rows.first)
        #expect(alert["alert_type"] == "readiness_jump")
        #expect(alert["status"] == "pending")
        #expect(alert["payload"] == .object(["old_composite": 14, "new_composite": 29, "delta": 15, "as_of": "2026-02-18"]))
        let jump = try harness.store.read { reader in try reader.allCompanies().first { $0.name == "Jump Co" }?.id }
        #expect(alert["company_id"] == jump.map(JSONValue.int))
    }

    @Test("backfill: every workspace (B falls back to the default pack, §9.4), rows counted over all; §9.3's members first")
    func backfill() async throws {
        let harness = try ServiceHarness()
        let day = try Day(parsing: Repository.sampleDay)
        let daily = try harness.runner.runDailyAggregation(asOf: day, events: Repository.sampleEvents)
        let rows = try #require(daily.json["lead_feed_result"]?.int("rows_upserted"))
        #expect(rows > 0)
        let response = try await harness.test { client in
            try await client.execute(uri: "/internal/run_backfill_lead_feed?as_of=\(Repository.sampleDay)", method: .post,
                                     headers: internalHeaders())
        }
        #expect(response.status == .ok)
        let keys = try #require(response.json.objectValue?.keys)
        #expect(Array(keys.prefix(5)) == ["status", "job_run_id", "workspaces_processed", "total_rows_upserted", "errors"])
        #expect(response.json["status"] == "completed")
        #expect(response.json.int("workspaces_processed") == 2)
        // The batch build reads the pack's readiness × engagement pairs of the day, which do not
        // depend on the workspace: B gets the same rows as the default workspace.
        #expect(response.json.int("total_rows_upserted") == 2 * rows)
        #expect(response.json["errors"] == .array([]))
        let feedB = try harness.store.read { reader in
            try reader.leadFeed(workspace: Secrets.workspaceB, pack: WellKnownIDs.fractionalCTOPack, asOf: day)
        }
        #expect(feedB.count == rows)
    }
}

/// `Cto Role Posted` from `cto_role_posted`: words split at `_`, each capitalized — what §8 shows
/// for a type the pack gives no label (the CTO pack has none).
private func titled(_ type: String) -> String {
    type.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: " ")
}

/// A store holding the sample events, scored for the sample day (lead feed built).
private func scoredHarness(configure: (inout ServiceConfiguration) -> Void = { _ in }) throws -> ServiceHarness {
    let harness = try ServiceHarness(configure: configure)
    _ = try harness.runner.runDailyAggregation(asOf: try Day(parsing: Repository.sampleDay), events: Repository.sampleEvents)
    return harness
}

@Suite("siglog-serve GET /api/companies/top and weekly-review (§8)")
struct RankedRouteTests {
    static let topKeys = ["company_id", "company_name", "website_url", "composite_score", "recommendation_band", "top_signals",
                          "momentum", "complexity", "pressure", "leadership_gap"]
    static let day = Day(year: 2026, month: 2, day: 28)!
    static let pack = WellKnownIDs.fractionalCTOPack

    /// The feed path of §8 recomputed from the views: feed rows of the day by composite (then id),
    /// kept when the engagement's outreach score reaches `threshold` or is cadence-blocked, minus
    /// `excluded`, the first `limit`.
    static func expectedFeedOrder(_ reader: ViewReader, threshold: Int, limit: Int, excluded: Set<Int64> = []) throws -> [Int64] {
        let rows = try reader.leadFeed(workspace: WellKnownIDs.defaultWorkspace, pack: pack, asOf: day).map(\.record)
            .sorted { ($0.compositeScore, -$0.entityID) > ($1.compositeScore, -$1.entityID) }
        var ids: [Int64] = []
        for row in rows {
            guard let engagement = try reader.engagement(company: row.entityID, asOf: day, pack: pack)?.record else {
                Issue.record("feed row \(row.entityID) has no engagement snapshot")
                continue
            }
            guard engagement.outreachScore >= threshold || engagement.cadenceBlocked else { continue }
            if !excluded.contains(row.entityID) { ids.append(row.entityID) }
        }
        return Array(ids.prefix(limit))
    }

    @Test("exactly §8's fields, each checked against the views; lead order; limit default 10; total = companies")
    func top() async throws {
        // The sample's outreach scores are low (ESL), so the threshold is 0 here; `threshold` checks it.
        let harness = try scoredHarness { $0.outreachScoreThreshold = 0 }
        let response = try await harness.test { client in
            try await client.execute(uri: "/api/companies/top?as_of=2026-02-28", method: .get, headers: bearer())
        }
        #expect(response.status == .ok)
        #expect(response.json.objectValue?.keys == ["companies", "total"])
        let companies = try #require(response.json["companies"]?.arrayValue)
        #expect(!companies.isEmpty, "the feed path answers")
        #expect(response.json.int("total") == companies.count)
        try harness.store.read { reader in
            #expect(companies.compactMap { $0.int("company_id").map(Int64.init) }
                    == (try Self.expectedFeedOrder(reader, threshold: 0, limit: 10)))
            for company in companies {
                #expect(company.objectValue?.keys == Self.topKeys)
                let id = Int64(try #require(company.int("company_id")))
                let row = try #require(try reader.company(id))
                let readiness = try #require(try reader.readiness(company: id, asOf: Self.day, pack: Self.pack)).record
                #expect(company["company_name"] == .string(row.name))
                #expect(company["website_url"] == (row.created.websiteURL.map(JSONValue.string) ?? .null))
                #expect(company.int("composite_score") == readiness.composite)
                #expect(company["recommendation_band"] == (readiness.recommendationBand.map { .string($0.rawValue) } ?? .null))
                #expect([company.int("momentum"), company.int("complexity"), company.int("pressure"), company.int("leadership_gap")]
                        == [readiness.momentum, readiness.complexity, readiness.pressure, readiness.leadershipGap])
                #expect(company["top_signals"] == .array(readiness.explain.topEvents.prefix(3).map { .string(titled($0.eventType)) }))
            }
            // siglog-query ranked --format json carries the same fields with the same values.
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            let ranked = LeadFeedQuery.rankedRows(try LeadReads.emergingCompanies(scope: scope, asOf: Self.day, limit: 10, threshold: 0,
                                                                                  in: reader))
            #expect(ranked.rows.count == companies.count)
            for (row, company) in zip(ranked.rows, companies) {
                for key in Self.topKeys { #expect(row[key] == company[key], "\(key)") }
            }
        }
    }

    @Test("OUTREACH_SCORE_THRESHOLD: read from the environment (default 30) and applied: feed rows below it are left out")
    func threshold() async throws {
        #expect(try ServiceConfiguration(environment: [:]).outreachScoreThreshold == 30)
        #expect(try ServiceConfiguration(environment: ["OUTREACH_SCORE_THRESHOLD": "55"]).outreachScoreThreshold == 55)
        #expect(throws: InvalidValue.self) { try ServiceConfiguration(environment: ["OUTREACH_SCORE_THRESHOLD": "high"]) }
        // The threshold: the third-highest outreach score of the sample's feed rows, so some rows
        // reach it and some do not.
        let probe = try scoredHarness()
        let scores = try probe.store.read { reader in
            try reader.leadFeed(workspace: WellKnownIDs.defaultWorkspace, pack: Self.pack, asOf: Self.day).compactMap {
                try reader.engagement(company: $0.record.entityID, asOf: Self.day, pack: Self.pack)?.record.outreachScore
            }
        }.sorted(by: >)
        #expect(scores.count > 3)
        let threshold = scores[min(2, scores.count - 1)]
        let harness = try scoredHarness { $0.outreachScoreThreshold = threshold }
        let response = try await harness.test { client in
            try await client.execute(uri: "/api/companies/top?as_of=2026-02-28&limit=100", method: .get, headers: bearer())
        }
        let ids = try #require(response.json["companies"]?.arrayValue).compactMap { $0.int("company_id").map(Int64.init) }
        let (kept, all) = try harness.store.read { reader in
            (try Self.expectedFeedOrder(reader, threshold: threshold, limit: 100), try Self.expectedFeedOrder(reader, threshold: 0, limit: 100))
        }
        #expect(!ids.isEmpty)
        #expect(ids == kept)
        #expect(kept.count < all.count, "rows below \(threshold) were left out")
    }

    @Test("limit 1…100 (else 422); since accepted and without effect (malformed → 422); no token → 401")
    func parameters() async throws {
        let harness = try scoredHarness { $0.outreachScoreThreshold = 0 }
        try await harness.test { client in
            for limit in ["0", "101", "-1", "ten"] {
                let response = try await client.execute(uri: "/api/companies/top?limit=\(limit)", method: .get, headers: bearer())
                #expect(response.status == .unprocessableContent, "limit=\(limit)")
            }
            let hundred = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28&limit=100", method: .get, headers: bearer())
            #expect(hundred.status == .ok)
            let two = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28&limit=2", method: .get, headers: bearer())
            #expect(two.json.int("total") == 2)
            #expect(two.json["companies"]?.arrayValue == hundred.json["companies"]?.arrayValue.map { Array($0.prefix(2)) })
            let plain = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28", method: .get, headers: bearer())
            let since = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28&since=2026-02-01T00:00:00Z", method: .get,
                                                 headers: bearer())
            #expect(since.status == .ok)
            #expect(since.text == plain.text)
            let badSince = try await client.execute(uri: "/api/companies/top?since=yesterday", method: .get, headers: bearer())
            #expect(badSince.status == .unprocessableContent)
            let anonymous = try await client.execute(uri: "/api/companies/top", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.detail == "Not authenticated")
            // A day nobody was scored: {companies: [], total: 0}.
            let empty = try await client.execute(uri: "/api/companies/top?as_of=2020-01-01", method: .get, headers: bearer())
            #expect(empty.json == .object(["companies": .array([]), "total": 0]))
        }
    }

    @Test("workspaces: with several, workspace_id is honoured (malformed 422, not the token's 403, unknown 404)")
    func multiWorkspace() async throws {
        let harness = try scoredHarness { $0.outreachScoreThreshold = 0 }
        let b = Secrets.workspaceB.lowercased
        try await harness.test { client in
            let denied = try await client.execute(uri: "/api/companies/top", method: .get, headers: bearer(Secrets.scopedToken))
            #expect(denied.status == .forbidden)
            #expect(denied.detail == "You do not have access to this workspace")
            let deniedExplicit = try await client.execute(uri: "/api/companies/top?workspace_id=\(defaultWorkspace)", method: .get,
                                                          headers: bearer(Secrets.scopedToken))
            #expect(deniedExplicit.status == .forbidden)
            let allowed = try await client.execute(uri: "/api/companies/top?workspace_id=\(b)&as_of=2026-02-28", method: .get,
                                                   headers: bearer(Secrets.scopedToken))
            #expect(allowed.status == .ok)
            // B has no feed rows: the join path (§8 step 3) over the default pack's pairs.
            #expect((allowed.json.int("total") ?? 0) > 0)
            let malformed = try await client.execute(uri: "/api/companies/top?workspace_id=nope", method: .get, headers: bearer())
            #expect(malformed.status == .unprocessableContent)
            #expect(malformed.detail == "Invalid workspace_id: must be a valid UUID")
            let unknown = try await client.execute(uri: "/api/companies/top?workspace_id=11111111-2222-4333-8444-555555555555",
                                                   method: .get, headers: bearer())
            #expect(unknown.status == .notFound)
        }
    }

    @Test("workspaces: with one, workspace_id is ignored and the default workspace is read (and must be the token's)")
    func singleWorkspace() async throws {
        let harness = try singleWorkspaceHarness()
        _ = try harness.runner.runDailyAggregation(asOf: Self.day, events: Repository.sampleEvents)
        try await harness.test { client in
            let plain = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28", method: .get, headers: bearer())
            #expect(plain.status == .ok)
            for workspace in ["nope", "11111111-2222-4333-8444-555555555555", Secrets.workspaceB.lowercased] {
                let ignored = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28&workspace_id=\(workspace)", method: .get,
                                                       headers: bearer())
                #expect(ignored.status == .ok)
                #expect(ignored.text == plain.text)
            }
            let scoped = try await client.execute(uri: "/api/companies/top?workspace_id=\(Secrets.workspaceB.lowercased)", method: .get,
                                                  headers: bearer(Secrets.scopedToken))
            #expect(scoped.status == .forbidden)
        }
    }

    @Test("weekly review: a company with outreach 18 days before is left out (60-day cooldown); outreach after the day is not")
    func weeklyReview() async throws {
        let harness = try scoredHarness { $0.outreachScoreThreshold = 0 }
        let (topIDs, top) = try await harness.test { client in
            let top = try await client.execute(uri: "/api/companies/top?as_of=2026-02-28", method: .get, headers: bearer())
            return (try #require(top.json["companies"]?.arrayValue).compactMap { $0.int("company_id").map(Int64.init) }, top)
        }
        try #require(topIDs.count >= 2)
        // The first company was contacted on 2026-02-10: at midnight(2026-02-28) that is 18 days, inside
        // §5.7's 60 days. The second is contacted on 2026-03-05, after the review day (D15): no effect.
        _ = try harness.runner.recordOutreach(.id(topIDs[0]), type: "email", sentAt: try Timestamp(parsing: "2026-02-10T09:00:00Z"))
        _ = try harness.runner.recordOutreach(.id(topIDs[1]), type: "email", sentAt: try Timestamp(parsing: "2026-03-05T09:00:00Z"))
        let (review, topAgain) = try await harness.test { client in
            (try await client.execute(uri: "/api/companies/weekly-review?as_of=2026-02-28", method: .get, headers: bearer()),
             try await client.execute(uri: "/api/companies/top?as_of=2026-02-28", method: .get, headers: bearer()))
        }
        #expect(topAgain.text == top.text, "the ranking has no cooldown filter")
        #expect(review.status == .ok)
        #expect(review.json.objectValue?.keys == ["companies", "total"])
        let companies = try #require(review.json["companies"]?.arrayValue)
        let ids = companies.compactMap { $0.int("company_id").map(Int64.init) }
        #expect(!ids.contains(topIDs[0]))
        #expect(ids.contains(topIDs[1]))
        try harness.store.read { reader in
            // The weekly review reads limit × 3 cards before the cooldown drops any.
            let expected = try Self.expectedFeedOrder(reader, threshold: 0, limit: 30, excluded: [topIDs[0]]).prefix(10)
            #expect(ids == Array(expected))
            for company in companies {
                #expect(company.objectValue?.keys == Self.topKeys + ["outreach_score"])
                let id = Int64(try #require(company.int("company_id")))
                let engagement = try #require(try reader.engagement(company: id, asOf: Self.day, pack: Self.pack)).record
                #expect(company.int("outreach_score") == engagement.outreachScore)
            }
        }
    }

    @Test("§1.1 profile fields set by company update are in GET /api/companies/{id}")
    func profileFields() async throws {
        let harness = try scoredHarness()
        var change = CompanyProfileChange()
        change.founderName = .set("Ada Lovelace")
        change.founderLinkedInURL = .set("https://www.linkedin.com/in/ada")
        change.notes = .set("met at a meetup")
        change.alignmentNotes = .set("prefers email")
        change.currentStage = .set("seed")
        change.targetProfileMatch = .set(true)
        _ = try harness.runner.updateCompany(.id(1), profile: change, expectedVersion: 1)
        let response = try await harness.test { client in
            try await client.execute(uri: "/api/companies/1", method: .get, headers: bearer())
        }
        #expect(response.status == .ok)
        let company = try #require(response.json["company"])
        #expect(company["founder_name"] == "Ada Lovelace")
        #expect(company["founder_linkedin_url"] == "https://www.linkedin.com/in/ada")
        #expect(company["notes"] == "met at a meetup")
        #expect(company["alignment_notes"] == "prefers email")
        #expect(company["current_stage"] == "seed")
        #expect(company["target_profile_match"] == true)
    }
}
