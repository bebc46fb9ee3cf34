public import Foundation
public import SiglogCore

/// A readiness × engagement pair of one company for the ranking's as_of and pack, whose company
/// exists (§8 "triples").
public struct RankingCandidate: Sendable, Hashable {
    public var entityID: Int
    /// Readiness composite.
    public var composite: Int
    public var eslScore: Double
    /// Stored `outreach_score` (used by the feed path only).
    public var outreachScore: Int?
    public var cadenceBlocked: Bool
    /// Engagement `esl_decision` column.
    public var eslDecision: String?
    public var engagementType: String?
    /// Engagement explain.
    public var engagementExplain: EngagementExplain?

    public init(
        entityID: Int, composite: Int, eslScore: Double, outreachScore: Int? = nil, cadenceBlocked: Bool = false,
        eslDecision: String? = nil, engagementType: String? = nil, engagementExplain: EngagementExplain? = nil
    ) {
        self.entityID = entityID
        self.composite = composite
        self.eslScore = eslScore
        self.outreachScore = outreachScore
        self.cadenceBlocked = cadenceBlocked
        self.eslDecision = eslDecision
        self.engagementType = engagementType
        self.engagementExplain = engagementExplain
    }

    /// The values the lead-card query reads.
    public var leadEngagement: LeadEngagement {
        LeadEngagement(eslScore: eslScore, outreachScore: outreachScore, cadenceBlocked: cadenceBlocked)
    }
}

/// A ranked company and the outreach score it was ranked with.
public struct RankedCompany: Sendable, Hashable {
    public var candidate: RankingCandidate
    /// Feed path: the lead card's outreach; join path: `roundInt(composite * esl_score)`.
    public var outreachScore: Int
    public var path: Ranking.Path

    public init(candidate: RankingCandidate, outreachScore: Int, path: Ranking.Path) {
        self.candidate = candidate
        self.outreachScore = outreachScore
        self.path = path
    }

    /// The band of the daily aggregation's ranked list (§8): `esl_decision ?? engagement_type ?? "N/A"`.
    public var dailyBand: String { candidate.eslDecision ?? candidate.engagementType ?? "N/A" }
}

/// "Emerging companies" (§8): the feed path, falling back to the join path.
public enum Ranking {
    /// Which path produced a result.
    public enum Path: String, Sendable, Hashable {
        case feed
        case join
    }

    /// `getEmergingCompanies` for one workspace, pack and day. `feedRows` are lead-feed rows (other
    /// workspaces, packs and days are ignored); `candidates` are every readiness × engagement pair of
    /// `asOf` and the pack whose company exists.
    ///
    /// Feed path (when the feed has a row for the workspace, pack and day): the lead cards
    /// (`limit`, `threshold`, composite order) mapped to their pairs, entities without a pair
    /// dropped, at most `limit`. When that is empty, the join path: pairs not suppressed,
    /// `score = roundInt(composite * esl)`, kept when `>= threshold` or cadence-blocked, ordered by
    /// score descending then `entity_id` ascending (D7), at most `limit`.
    /// `minimum_threshold` is not applied on the join path.
    public static func emergingCompanies(
        feedRows: [LeadFeedRow], candidates: [RankingCandidate], workspaceID: UUID, packID: UUID, asOf: Day,
        limit: Int = 5, threshold: Int = 30
    ) -> [RankedCompany] {
        var byEntity: [Int: RankingCandidate] = [:]
        for candidate in candidates where byEntity[candidate.entityID] == nil { byEntity[candidate.entityID] = candidate }

        let hasFeed = feedRows.contains { $0.workspaceID == workspaceID && $0.packID == packID && $0.asOf == asOf }
        if hasFeed {
            let cards = LeadCards.leads(
                rows: feedRows, workspaceID: workspaceID, packID: packID, asOf: asOf,
                engagements: byEntity.mapValues(\.leadEngagement), limit: limit, threshold: threshold)
            let ranked = cards.compactMap { card in
                byEntity[card.entityID].map { RankedCompany(candidate: $0, outreachScore: card.outreachScore, path: .feed) }
            }.prefix(max(0, limit))
            if !ranked.isEmpty { return Array(ranked) }
        }
        return joinPath(candidates: candidates, limit: limit, threshold: threshold)
    }

    /// The join path alone (§8 step 3).
    public static func joinPath(candidates: [RankingCandidate], limit: Int = 5, threshold: Int = 30) -> [RankedCompany] {
        var ranked: [RankedCompany] = []
        for candidate in candidates {
            if DecisionGate.isSuppressed(column: candidate.eslDecision, explain: candidate.engagementExplain) { continue }
            let score = EngagementEngine.outreachScore(composite: candidate.composite, esl: candidate.eslScore)
            if score < threshold && !candidate.cadenceBlocked { continue }
            ranked.append(RankedCompany(candidate: candidate, outreachScore: score, path: .join))
        }
        ranked.sort { a, b in
            if a.outreachScore != b.outreachScore { return a.outreachScore > b.outreachScore }
            return a.candidate.entityID < b.candidate.entityID
        }
        return Array(ranked.prefix(max(0, limit)))
    }
}
