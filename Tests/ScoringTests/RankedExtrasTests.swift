import Foundation
import Scoring
import SiglogCore
import Testing

/// §8's ranked-API labels, the weekly review and the alert scan's readiness-jump rule (§9.3, §11.21).
@Suite("Ranked API labels, weekly review, readiness jump")
struct RankedExtrasTests {
    typealias F = ESLFixture
    static let asOf = Day(year: 2099, month: 6, day: 15)!

    static func candidate(_ entity: Int, _ composite: Int, _ esl: Double, stored outreach: Int? = nil, blocked: Bool = false,
                          decision: String? = "allow") -> RankingCandidate {
        RankingCandidate(entityID: entity, composite: composite, eslScore: esl, outreachScore: outreach, cadenceBlocked: blocked,
                         eslDecision: decision, engagementType: "Observe Only")
    }

    static func feedRow(_ entity: Int, _ composite: Int) -> LeadFeedRow {
        LeadFeedRow(
            workspaceID: F.workspace, packID: F.ctoPack, entityID: entity, compositeScore: composite, topSignalIDs: [],
            eslDecision: "allow", sensitivityLevel: nil, recommendationBand: nil, lastSeen: nil, outreachStatusSummary: nil,
            asOf: asOf, updatedAt: Timestamp(day: asOf))
    }

    static func review(feed: [LeadFeedRow] = [], _ candidates: [RankingCandidate], limit: Int = 5, threshold: Int = 30,
                       cooldown: Set<Int> = []) -> [RankedCompany] {
        Ranking.weeklyReview(feedRows: feed, candidates: candidates, workspaceID: F.workspace, packID: F.ctoPack, asOf: asOf,
                             limit: limit, threshold: threshold, inCooldown: { cooldown.contains($0) })
    }

    // MARK: - Labels

    @Test("§11.17 top_signals without pack labels: the type title-cased (Cto Role Posted, Funding Raised, Repo Activity)")
    func titleCasedLabels() {
        let types = ["cto_role_posted", "funding_raised", "repo_activity", "api_launched"]
        #expect(SignalLabels.topSignals(eventTypes: types, labels: [:]) == ["Cto Role Posted", "Funding Raised", "Repo Activity"],
                "only the first 3 top events")
        #expect(SignalLabels.label(of: "ai_feature_launched", labels: [:]) == "Ai Feature Launched")
    }

    @Test("§8 labels: the pack's taxonomy.labels win; blank → Signal; str.title() rules for digits and case")
    func labelRules() {
        let labels = ["financial_distress": "Financial distress", "funding_raised": "  "]
        #expect(SignalLabels.label(of: "financial_distress", labels: labels) == "Financial distress")
        // A blank pack label falls back to the title-cased type.
        #expect(SignalLabels.label(of: "funding_raised", labels: labels) == "Funding Raised")
        #expect(SignalLabels.label(of: "", labels: [:]) == "Signal")
        #expect(SignalLabels.label(of: "__", labels: [:]) == "Signal", "only spaces after `_` → space")
        // Python: "b2b_SaaS".replace("_", " ").title() == "B2B Saas" (a letter after a digit starts a word).
        #expect(SignalLabels.label(of: "b2b_SaaS", labels: [:]) == "B2B Saas")
        // A repeated top event keeps its repeat (the first 3, no de-duplication).
        #expect(SignalLabels.topSignals(eventTypes: ["founder_urgency_language", "founder_urgency_language"], labels: [:])
                == ["Founder Urgency Language", "Founder Urgency Language"])
    }

    // MARK: - Readiness jump

    @Test("§11.21 alert rule: 50→70 delta 20; delta 7 none; 75→55 −20; threshold 25 with delta 20 none; exactly 15 alerts")
    func readinessJump() {
        #expect(ReadinessJump.delta(old: 50, new: 70) == 20)
        #expect(ReadinessJump.delta(old: 50, new: 57) == nil)
        #expect(ReadinessJump.delta(old: 75, new: 55) == -20)
        #expect(ReadinessJump.delta(old: 50, new: 70, threshold: 25) == nil)
        #expect(ReadinessJump.delta(old: 40, new: 55) == 15, "|delta| >= 15 (default ALERT_DELTA_THRESHOLD)")
        #expect(ReadinessJump.delta(old: 40, new: 54) == nil)
    }

    // MARK: - Weekly review

    @Test("§8 weekly review, join path: outreach = stored outreach_score ?? roundInt(composite × esl), cooldown left out")
    func weeklyReviewJoin() {
        // 80 × 0.75 = 60; 90 × 0.9 = 81; stored 33 beats 50 × 0.9 = 45; entity 4 is in the cooldown.
        let candidates = [Self.candidate(1, 80, 0.75), Self.candidate(2, 90, 0.9), Self.candidate(3, 50, 0.9, stored: 33),
                          Self.candidate(4, 95, 1.0)]
        let ranked = Self.review(candidates, cooldown: [4])
        #expect(ranked.map(\.candidate.entityID) == [2, 1, 3])
        #expect(ranked.map(\.outreachScore) == [81, 60, 33])
        #expect(ranked.allSatisfy { $0.path == .join })
        // Without the cooldown, entity 4 leads (95).
        #expect(Self.review(candidates).first?.candidate.entityID == 4)
    }

    @Test("§8 weekly review, feed path: lead order, cooldown dropped after reading limit × 3 cards, at most limit")
    func weeklyReviewFeed() {
        // Feed order 5 (90), 4 (80), 3 (70), 2 (60), 1 (50); limit 2 reads up to 6 cards, entity 5 and 4
        // are in the cooldown, so the review is 3 then 2.
        let candidates = (1...5).map { Self.candidate($0, 40 + 10 * $0, 1.0) }
        let feed = (1...5).map { Self.feedRow($0, 40 + 10 * $0) }
        let ranked = Self.review(feed: feed, candidates, limit: 2, cooldown: [5, 4])
        #expect(ranked.map(\.candidate.entityID) == [3, 2])
        #expect(ranked.allSatisfy { $0.path == .feed })
        // The emerging-companies ranking of the same feed has no cooldown filter.
        let emerging = Ranking.emergingCompanies(feedRows: feed, candidates: candidates, workspaceID: F.workspace,
                                                 packID: F.ctoPack, asOf: Self.asOf, limit: 2)
        #expect(emerging.map(\.candidate.entityID) == [5, 4])
    }

    @Test("§8 weekly review: every feed lead in the cooldown → the join path; suppressed and below threshold dropped")
    func weeklyReviewFallsBack() {
        let candidates = [Self.candidate(1, 80, 0.5), Self.candidate(2, 90, 1.0, decision: "suppress"), Self.candidate(3, 50, 0.5),
                          Self.candidate(4, 80, 0.0, blocked: true)]
        let feed = [Self.feedRow(1, 80)]
        let ranked = Self.review(feed: feed, candidates, cooldown: [1])
        // 1 is in the cooldown, 2 suppressed, 3 is 25 < 30, 4 is cadence-blocked (kept at 0).
        #expect(ranked.map(\.candidate.entityID) == [4])
        #expect(ranked.first?.path == .join)
        #expect(ranked.first?.outreachScore == 0)
    }
}
