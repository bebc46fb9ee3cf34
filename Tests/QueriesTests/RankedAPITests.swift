import Foundation
import Pipeline
import Projections
import Queries
import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day(year: 2026, month: 2, day: 18)!
private let pack = WellKnownIDs.fractionalCTOPack

/// A store with the bundled pack and companies scored on 2026-02-18 from hand-written snapshots.
private final class RankedStore {
    let directory: URL
    let store: Store
    let pipeline: StageRunner
    var nextID: Int64 = 0

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-ranked-\(UUID().uuidString)")
        store = try Store(path: directory.path, mode: .create, durable: false)
        pipeline = StageRunner(store: store, clock: FixedClock(Timestamp(day: feb18, hour: 20)), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try PackLoader.bundledDefault())
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A company with readiness `composite` (dimensions as given), a band and top events, and an
    /// engagement of `esl` (stored outreach `roundInt(composite × esl)`).
    @discardableResult
    func scored(_ name: String, composite: Int, esl: Double, band: RecommendationBand? = nil, dimensions: [Int] = [0, 0, 0, 0],
                top: [String] = []) throws -> Int64 {
        nextID += 1
        let id = nextID
        let time = Timestamp(day: feb18, hour: 6)
        let explain = ReadinessExplain(
            weights: [:], momentum: dimensions[0], complexity: dimensions[1], pressure: dimensions[2], leadershipGap: dimensions[3],
            composite: composite,
            topEvents: top.map { ReadinessTopEvent(eventType: $0, eventTime: time, source: "", url: "", contributionPoints: 1, confidence: 0.7) },
            suppressorsApplied: [], quietSignalAmplificationApplied: [], disqualifiersApplied: [], minimumThreshold: 0,
            recommendationBand: band, delta1d: 0)
        let engagement = EngagementExplain(
            baseEngageability: 1, stabilityModifier: 1, cadenceModifier: 1, alignmentModifier: 1, svi: 0, spi: 0, csi: 1,
            eslComposite: esl, cadenceBlocked: false, recommendationType: "Standard Outreach", stabilityCapTriggered: false,
            eslDecision: "allow", eslReasonCode: "none", sensitivityLevel: nil, toneConstraint: nil)
        _ = try store.write { writer in
            try writer.append(CompanyCreated(companyID: id, name: name, domain: "\(name.lowercased()).io",
                                             websiteURL: "https://\(name.lowercased()).io", linkedinURL: nil, source: "research",
                                             normalizedName: name.lowercased(), websiteDomain: "\(name.lowercased()).io", aliases: [],
                                             jobRunID: nil), at: time)
            try writer.append(ReadinessSnapshotRecorded(companyID: id, asOf: feb18, pack: pack, explain: explain, jobRunID: nil), at: time)
            try writer.append(EngagementSnapshotRecorded(companyID: id, asOf: feb18, pack: pack,
                                                         outreachScore: EngagementEngine.outreachScore(composite: composite, esl: esl),
                                                         explain: engagement, jobRunID: nil), at: time)
        }
        return id
    }

    /// `GET /api/companies/top`'s answer for the default workspace on 2026-02-18.
    func top(limit: Int = 10, threshold: Int = 30) throws -> JSONObject {
        try store.read { reader in
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: feb18, limit: limit, threshold: threshold, in: reader)
            return LeadFeedQuery.topResponse(ranked, labels: try LeadReads.signalLabels(scope: scope, packs: PackResolver(), in: reader))
        }
    }

    func names(_ response: JSONObject) -> [String] {
        response["companies"]?.arrayValue?.compactMap { $0["company_name"]?.stringValue } ?? []
    }
}

@Suite("Ranked API shapes (§8, §11.17)")
struct RankedAPITests {
    @Test("§11.17 composites [80,90,70] (ES 0.8) → 90, 80, 70 with name and website; band from the explain; labels; dimensions")
    func topCompanies() throws {
        let s = try RankedStore()
        try s.scored("Eighty", composite: 80, esl: 0.8, band: .highPriority,
                     top: ["cto_role_posted", "funding_raised", "repo_activity", "api_launched"])
        try s.scored("Ninety", composite: 90, esl: 0.8, band: .highPriority, dimensions: [72, 65, 58, 42])
        try s.scored("Seventy", composite: 70, esl: 0.8, band: .watch)
        let response = try s.top()
        #expect(response.keys == ["companies", "total"])
        #expect(response["total"] == 3)
        #expect(s.names(response) == ["Ninety", "Eighty", "Seventy"])
        let companies = try #require(response["companies"]?.arrayValue)
        #expect(companies[0].objectValue?.keys == ["company_id", "company_name", "website_url", "composite_score", "recommendation_band",
                                                   "top_signals", "momentum", "complexity", "pressure", "leadership_gap"])
        #expect(companies[0]["website_url"] == "https://ninety.io")
        #expect(companies.map { $0["recommendation_band"] } == ["HIGH_PRIORITY", "HIGH_PRIORITY", "WATCH"])
        #expect(companies[1]["top_signals"] == ["Cto Role Posted", "Funding Raised", "Repo Activity"])
        #expect(companies[0]["top_signals"] == [])
        #expect([companies[0]["momentum"], companies[0]["complexity"], companies[0]["pressure"], companies[0]["leadership_gap"]]
                == [72, 65, 58, 42])
        #expect(companies.map { $0["composite_score"] } == [90, 80, 70])
    }

    @Test("§11.17 limit 2 of 80, 75, 60 → [80, 75]; 50 × 0.5 excluded at 30, included at 20; empty → {companies: [], total: 0}")
    func limitsAndThreshold() throws {
        let s = try RankedStore()
        #expect(try s.top() == ["companies": [], "total": 0])
        try s.scored("A", composite: 80, esl: 1.0)
        try s.scored("B", composite: 75, esl: 1.0)
        try s.scored("C", composite: 60, esl: 1.0)
        try s.scored("Half", composite: 50, esl: 0.5)
        #expect(try s.top(limit: 2)["companies"]?.arrayValue?.map { $0["composite_score"] } == [80, 75])
        #expect(!s.names(try s.top(threshold: 30)).contains("Half"))
        #expect(s.names(try s.top(threshold: 20)).contains("Half"))
    }

    @Test("ranked JSON: the earlier fields, then the ranked API's; the pack's labels when it has some")
    func rankedRowsCarryAPIFields() throws {
        let s = try RankedStore()
        try s.scored("Acme", composite: 80, esl: 0.5, band: .highPriority, dimensions: [1, 2, 3, 4], top: ["financial_distress"])
        try s.store.read { reader in
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: feb18, threshold: 0, in: reader)
            let row = try #require(LeadFeedQuery.rankedRows(ranked, labels: ["financial_distress": "Financial distress"]).rows.first)
            #expect(row.keys == ["company_id", "company_name", "company_domain", "composite", "outreach_score", "band", "website_url",
                                 "composite_score", "recommendation_band", "top_signals", "momentum", "complexity", "pressure",
                                 "leadership_gap"])
            #expect(row["top_signals"] == ["Financial distress"])
            #expect(row["outreach_score"] == 40)
        }
    }

    @Test("§8 weekly review over the store: a company inside the outreach cooldown at midnight(as_of) is left out")
    func weeklyReview() throws {
        let s = try RankedStore()
        let contacted = try s.scored("Contacted", composite: 90, esl: 1.0)
        try s.scored("Fresh", composite: 80, esl: 1.0)
        try s.scored("Old contact", composite: 70, esl: 1.0)
        // 10 days before: inside the 60-day cadence; 61 days before: outside; after the start of the day: not yet.
        _ = try s.pipeline.recordOutreach(.id(contacted), type: "email", sentAt: Timestamp(day: feb18.adding(days: -10), hour: 9))
        _ = try s.pipeline.recordOutreach(.id(3), type: "email", sentAt: Timestamp(day: feb18.adding(days: -61), hour: 9))
        try s.store.read { reader in
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            let review = try LeadReads.weeklyReview(scope: scope, asOf: feb18, packs: PackResolver(), in: reader)
            #expect(review.map(\.companyName) == ["Fresh", "Old contact"])
            #expect(review.map(\.outreachScore) == [80, 70])
            let response = LeadFeedQuery.weeklyReviewResponse(review, labels: [:])
            #expect(response["total"] == 2)
            #expect(response["companies"]?.arrayValue?.first?["outreach_score"] == 80)
            // The ranking itself keeps the contacted company first.
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: feb18, in: reader)
            #expect(ranked.first?.companyName == "Contacted")
        }
    }

    @Test("§1.1 profile fields and the watchlist row in the company profile")
    func profile() throws {
        let s = try RankedStore()
        let id = try s.scored("Acme", composite: 40, esl: 1.0)
        var change = CompanyProfileChange()
        change.founderName = .set("Ada")
        change.currentStage = .set("scaling_team")
        change.targetProfileMatch = .set(true)
        _ = try s.pipeline.updateCompany(.id(id), profile: change, expectedVersion: 1)
        _ = try s.pipeline.addToWatchlist(.id(id), reason: "fast hiring")
        let profile = try s.store.read { reader in
            try CompanyProfile.load(.id(id), scope: try Scope.resolve(workspace: nil, pack: nil, in: reader), in: reader)
        }
        let company = try #require(profile.json["company"]?.objectValue)
        #expect(company["founder_name"] == "Ada")
        #expect(company["current_stage"] == "scaling_team")
        #expect(company["target_profile_match"] == true)
        #expect(company["notes"] == .null)
        #expect(company["version"] == 2)
        #expect(profile.json["watchlist"]?["added_reason"] == "fast hiring")
        #expect(profile.json["watchlist"]?["is_active"] == true)
        #expect(profile.table.contains("founder: Ada"))
        #expect(profile.table.contains("current_stage: scaling_team   target_profile_match: true"))
        #expect(profile.table.contains("on the watchlist since"))
        // The companies list keeps its columns.
        #expect(CompanyQueries.json(profile.company).keys == CompanyQueries.columns)
    }
}
