public import Foundation
public import SiglogCore

extension Ranking {
    /// The weekly review (§8): the ranking's dual path with three times as many leads read on the
    /// feed path, companies inside the manual outreach cooldown (§5.7, checked at
    /// `midnight(as_of)`) left out, and `outreach = ES.outreach_score ?? roundInt(composite * esl)`.
    ///
    /// Feed path (when the feed has a row for the workspace, pack and day): the lead cards
    /// (`limit * 3`, `threshold`, composite order) mapped to their pairs, entities without a pair or
    /// in the cooldown dropped, at most `limit`. When that is empty, the join path: pairs not
    /// suppressed, kept when the outreach is `>= threshold` or cadence-blocked and not in the
    /// cooldown, ordered by outreach descending then `entity_id` ascending (D7), at most `limit`.
    /// `inCooldown` says whether an entity is in the cooldown.
    public static func weeklyReview(
        feedRows: [LeadFeedRow], candidates: [RankingCandidate], workspaceID: UUID, packID: UUID, asOf: Day,
        limit: Int = 5, threshold: Int = 30, inCooldown: (Int) -> Bool
    ) -> [RankedCompany] {
        var byEntity: [Int: RankingCandidate] = [:]
        for candidate in candidates where byEntity[candidate.entityID] == nil { byEntity[candidate.entityID] = candidate }
        let hasFeed = feedRows.contains { $0.workspaceID == workspaceID && $0.packID == packID && $0.asOf == asOf }
        if hasFeed {
            let cards = LeadCards.leads(
                rows: feedRows, workspaceID: workspaceID, packID: packID, asOf: asOf,
                engagements: byEntity.mapValues(\.leadEngagement), limit: max(0, limit) * 3, threshold: threshold)
            var ranked: [RankedCompany] = []
            for card in cards where ranked.count < limit {
                guard let candidate = byEntity[card.entityID], !inCooldown(card.entityID) else { continue }
                ranked.append(RankedCompany(candidate: candidate, outreachScore: reviewOutreach(candidate), path: .feed))
            }
            if !ranked.isEmpty { return ranked }
        }
        var ranked: [RankedCompany] = []
        for candidate in candidates {
            if DecisionGate.isSuppressed(column: candidate.eslDecision, explain: candidate.engagementExplain) { continue }
            let score = reviewOutreach(candidate)
            if score < threshold && !candidate.cadenceBlocked { continue }
            if inCooldown(candidate.entityID) { continue }
            ranked.append(RankedCompany(candidate: candidate, outreachScore: score, path: .join))
        }
        ranked.sort { a, b in
            if a.outreachScore != b.outreachScore { return a.outreachScore > b.outreachScore }
            return a.candidate.entityID < b.candidate.entityID
        }
        return Array(ranked.prefix(max(0, limit)))
    }

    /// `ES.outreach_score ?? roundInt(composite * esl_score)`.
    static func reviewOutreach(_ candidate: RankingCandidate) -> Int {
        candidate.outreachScore ?? EngagementEngine.outreachScore(composite: candidate.composite, esl: candidate.eslScore)
    }
}
