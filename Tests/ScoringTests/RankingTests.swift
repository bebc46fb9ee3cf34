import Foundation
import Scoring
import SiglogCore
import Testing

/// Spec §11.17 (`test_emerging_companies.py`, `test_ranked_companies.py`), §11.1 TestAdapter
/// ranking, §11.16 dual path, with the `entity_id` tie-breaker (D7).
@Suite("Emerging companies ranking (§8, §11.17)")
struct RankingTests {
    typealias F = ESLFixture
    static let asOf = Day(year: 2099, month: 6, day: 15)!

    static func candidate(_ entity: Int, _ composite: Int, _ esl: Double, blocked: Bool = false,
                          decision: String? = "allow", explain: JSONValue? = nil) -> RankingCandidate {
        RankingCandidate(
            entityID: entity, composite: composite, eslScore: esl,
            outreachScore: EngagementEngine.outreachScore(composite: composite, esl: esl), cadenceBlocked: blocked,
            eslDecision: decision, engagementType: "Observe Only", engagementExplain: explain.map(EngagementExplain.init(json:)))
    }

    static func feedRow(_ entity: Int, _ composite: Int, pack: UUID = F.ctoPack, asOf: Day = asOf) -> LeadFeedRow {
        LeadFeedRow(
            workspaceID: F.workspace, packID: pack, entityID: entity, compositeScore: composite, topSignalIDs: [],
            eslDecision: "allow", sensitivityLevel: nil, recommendationBand: nil, lastSeen: nil,
            outreachStatusSummary: nil, asOf: asOf, updatedAt: Timestamp(day: asOf))
    }

    static func rank(feed: [LeadFeedRow] = [], _ candidates: [RankingCandidate], limit: Int = 5, threshold: Int = 30,
                     pack: UUID = F.ctoPack) -> [RankedCompany] {
        Ranking.emergingCompanies(
            feedRows: feed, candidates: candidates, workspaceID: F.workspace, packID: pack, asOf: asOf, limit: limit,
            threshold: threshold)
    }

    @Test("§11.17 [70,80,90,60,65] × [0.5,0.8,0.6,1.0,0.9] → outreach [64,60,58,54,35] (join path)")
    func joinOrder() {
        let composites = [70, 80, 90, 60, 65]
        let esls = [0.5, 0.8, 0.6, 1.0, 0.9]
        let candidates = (0..<5).map { Self.candidate($0 + 1, composites[$0], esls[$0]) }
        let ranked = Self.rank(candidates, threshold: 0)
        #expect(ranked.map(\.outreachScore) == [64, 60, 58, 54, 35])
        #expect(ranked.allSatisfy { $0.path == .join })
    }

    @Test("§11.17 (50,0.5),(80,0.75),(90,0.9), threshold 20 → [81,60,25]")
    func joinThreshold20() {
        let ranked = Self.rank([Self.candidate(1, 50, 0.5), Self.candidate(2, 80, 0.75), Self.candidate(3, 90, 0.9)], threshold: 20)
        #expect(ranked.map(\.outreachScore) == [81, 60, 25])
    }

    @Test("§11.17 threshold 30: 80 × 0.5 = 40 kept, 50 × 0.5 = 25 dropped")
    func joinThreshold30() {
        let ranked = Self.rank([Self.candidate(1, 80, 0.5), Self.candidate(2, 50, 0.5)])
        #expect(ranked.map(\.candidate.entityID) == [1])
        #expect(ranked.map(\.outreachScore) == [40])
    }

    @Test("§11.17 limit 3 of 5 → 3; no pairs → []")
    func limit() {
        let candidates = (1...5).map { Self.candidate($0, 60 + $0, 1.0) }
        #expect(Self.rank(candidates, limit: 3).map(\.candidate.entityID) == [5, 4, 3])
        #expect(Self.rank([]).isEmpty)
    }

    @Test("§11.17 cadence-blocked included below the threshold; explain suppress excluded; column suppress excluded")
    func cadenceAndSuppress() {
        let ranked = Self.rank([
            Self.candidate(1, 80, 0.0, blocked: true),
            Self.candidate(2, 80, 0.5, blocked: true),
            Self.candidate(3, 90, 0.9, decision: nil, explain: .object(["esl_decision": "suppress"])),
            Self.candidate(4, 90, 0.9, decision: "suppress"),
        ])
        #expect(ranked.map(\.candidate.entityID) == [2, 1])
        #expect(ranked.map(\.outreachScore) == [40, 0])
    }

    @Test("D7 equal join scores are ordered by entity id ascending")
    func joinTieBreaker() {
        let ranked = Self.rank([Self.candidate(9, 60, 1.0), Self.candidate(3, 60, 1.0), Self.candidate(5, 60, 1.0)])
        #expect(ranked.map(\.candidate.entityID) == [3, 5, 9])
    }

    @Test("§8 join path ignores the stored outreach_score and recomputes roundInt(composite × esl)")
    func joinRecomputes() {
        var c = Self.candidate(1, 80, 0.5)
        c.outreachScore = 10
        #expect(Self.rank([c]).map(\.outreachScore) == [40])
    }

    @Test("§11.1 TestAdapter feed path, threshold 0: A (11), C (10), B (2) in composite order")
    func testAdapterFeedPath() {
        let feed = [Self.feedRow(1, 11), Self.feedRow(2, 2), Self.feedRow(3, 10)]
        let candidates = [Self.candidate(1, 11, 0.095), Self.candidate(2, 2, 0.02), Self.candidate(3, 10, 0.1)]
        let ranked = Self.rank(feed: feed, candidates, limit: 20, threshold: 0)
        #expect(ranked.map(\.candidate.entityID) == [1, 3, 2])
        #expect(ranked.map(\.candidate.composite) == [11, 10, 2])
        #expect(ranked.allSatisfy { $0.path == .feed })
        #expect(ranked.allSatisfy { $0.candidate.eslDecision == "allow" })
    }

    @Test("§8 feed path orders by composite (not outreach) and drops entities without a pair")
    func feedOrderAndMissingPairs() {
        let feed = [Self.feedRow(1, 90), Self.feedRow(2, 80), Self.feedRow(3, 70)]
        let candidates = [Self.candidate(1, 90, 0.4), Self.candidate(3, 70, 1.0)]
        let ranked = Self.rank(feed: feed, candidates)
        #expect(ranked.map(\.candidate.entityID) == [1, 3])
        #expect(ranked.map(\.outreachScore) == [36, 70])
    }

    @Test("§11.16 dual path: feed with composite 75 returns it; empty feed → join path returns it")
    func dualPath() {
        let candidates = [Self.candidate(1, 75, 0.8)]
        let viaFeed = Self.rank(feed: [Self.feedRow(1, 75)], candidates)
        #expect(viaFeed.map(\.candidate.composite) == [75])
        #expect(viaFeed.first?.path == .feed)
        let viaJoin = Self.rank(candidates)
        #expect(viaJoin.map(\.candidate.composite) == [75])
        #expect(viaJoin.first?.path == .join)
    }

    @Test("§8 feed path producing nothing falls back to the join path; feed rows of another date are ignored")
    func feedFallsBack() {
        let candidates = [Self.candidate(1, 80, 0.5)]
        let filtered = Self.rank(feed: [Self.feedRow(2, 50)], candidates)
        #expect(filtered.map(\.candidate.entityID) == [1])
        #expect(filtered.first?.path == .join)
        let otherDate = Self.rank(feed: [Self.feedRow(1, 80, asOf: Self.asOf.adding(days: -1))], candidates)
        #expect(otherDate.first?.path == .join)
    }

    @Test("§11.21 another pack never sees CTO-pack feed rows")
    func packScoping() {
        #expect(Self.rank(feed: [Self.feedRow(1, 80)], [], pack: F.otherPack).isEmpty)
    }

    @Test("§11.17 ranked API limit 2 of 80, 75, … → [80, 75]")
    func rankedLimit() {
        let feed = [80, 75, 70, 65].enumerated().map { Self.feedRow($0.offset + 1, $0.element) }
        let candidates = [80, 75, 70, 65].enumerated().map { Self.candidate($0.offset + 1, $0.element, 0.8) }
        #expect(Self.rank(feed: feed, candidates, limit: 2).map(\.candidate.composite) == [80, 75])
    }

    @Test("§11.17 composite 50 × 0.5 excluded at threshold 30, included at 20")
    func thresholdVariants() {
        let candidates = [Self.candidate(1, 50, 0.5)]
        let feed = [Self.feedRow(1, 50)]
        #expect(Self.rank(feed: feed, candidates, threshold: 30).isEmpty)
        #expect(Self.rank(feed: feed, candidates, threshold: 20).map(\.outreachScore) == [25])
    }
}

@Suite("Daily aggregation band (§8)")
struct RankingDailyBandTests {
    @Test("§8 ranked_companies band = esl_decision ?? engagement_type ?? \"N/A\"")
    func dailyBand() {
        func ranked(_ decision: String?, _ type: String?) -> RankedCompany {
            RankedCompany(
                candidate: RankingCandidate(entityID: 1, composite: 11, eslScore: 0.095, eslDecision: decision, engagementType: type),
                outreachScore: 1, path: .feed)
        }
        #expect(ranked("allow", "Observe Only").dailyBand == "allow")
        #expect(ranked(nil, "Observe Only").dailyBand == "Observe Only")
        #expect(ranked(nil, nil).dailyBand == "N/A")
    }
}
