public import Foundation
public import SiglogCore

/// The engagement-snapshot values the lead queries read for one entity (same as_of and pack).
public struct LeadEngagement: Sendable, Hashable {
    public var eslScore: Double
    /// The stored `outreach_score`, nil when the column is null.
    public var outreachScore: Int?
    public var cadenceBlocked: Bool

    public init(eslScore: Double, outreachScore: Int?, cadenceBlocked: Bool) {
        self.eslScore = eslScore
        self.outreachScore = outreachScore
        self.cadenceBlocked = cadenceBlocked
    }
}

/// One lead card (§7.4 step 4).
public struct LeadCard: Sendable, Hashable {
    public var entityID: Int
    public var compositeScore: Int
    public var outreachScore: Int
    public var topSignalIDs: [String]
    public var eslDecision: String?
    public var sensitivityLevel: String?
    public var recommendationBand: RecommendationBand?
    public var lastSeen: Timestamp?
    public var outreachStatusSummary: OutreachSummary?
    public var asOf: Day

    public init(
        entityID: Int, compositeScore: Int, outreachScore: Int, topSignalIDs: [String], eslDecision: String?,
        sensitivityLevel: String?, recommendationBand: RecommendationBand?, lastSeen: Timestamp?,
        outreachStatusSummary: OutreachSummary?, asOf: Day
    ) {
        self.entityID = entityID
        self.compositeScore = compositeScore
        self.outreachScore = outreachScore
        self.topSignalIDs = topSignalIDs
        self.eslDecision = eslDecision
        self.sensitivityLevel = sensitivityLevel
        self.recommendationBand = recommendationBand
        self.lastSeen = lastSeen
        self.outreachStatusSummary = outreachStatusSummary
        self.asOf = asOf
    }
}

/// Lead-feed orderings. Both end with `entity_id` ascending (D7).
public enum LeadSort: String, Sendable, Hashable {
    /// `composite_score` descending.
    case compositeScore = "composite_score"
    /// `last_seen` descending, rows without one last.
    case lastSeen = "last_seen"
}

/// The lead-card and entity-id queries over lead-feed rows (§7.4).
public enum LeadCards {
    /// `getLeads` with D19: the rows of `(workspaceID, packID, asOf)` in `sort` order, each turned
    /// into a card (`card(for:engagement:threshold:)`); rows that do not qualify are skipped, the
    /// first `offset` cards are skipped, and reading stops once `limit` cards qualify (no `2 * limit`
    /// cap). `engagements` maps entity id → that entity's engagement for the same as_of and pack.
    public static func leads(
        rows: [LeadFeedRow], workspaceID: UUID, packID: UUID, asOf: Day, engagements: [Int: LeadEngagement],
        limit: Int = 100, offset: Int = 0, sort: LeadSort = .compositeScore, threshold: Int = 30
    ) -> [LeadCard] {
        var cards: [LeadCard] = []
        var skipped = 0
        for row in ordered(rows, workspaceID: workspaceID, packID: packID, asOf: asOf, sort: sort) {
            if cards.count >= limit { break }
            guard let card = card(for: row, engagement: engagements[row.entityID], threshold: threshold) else { continue }
            if skipped < offset {
                skipped += 1
                continue
            }
            cards.append(card)
        }
        return cards
    }

    /// One row's card (§7.4 steps 2–4): `outreach = ES.outreach_score`, else
    /// `roundInt(composite * ES.esl_score)` when an engagement exists, else the composite; nil when
    /// `outreach < threshold` and the engagement is not cadence-blocked.
    public static func card(for row: LeadFeedRow, engagement: LeadEngagement?, threshold: Int) -> LeadCard? {
        guard qualifies(composite: row.compositeScore, engagement: engagement, threshold: threshold) else { return nil }
        let outreach = outreachScore(composite: row.compositeScore, engagement: engagement)
        return LeadCard(
            entityID: row.entityID, compositeScore: row.compositeScore, outreachScore: outreach,
            topSignalIDs: row.topSignalIDs, eslDecision: row.eslDecision, sensitivityLevel: row.sensitivityLevel,
            recommendationBand: row.recommendationBand, lastSeen: row.lastSeen,
            outreachStatusSummary: row.outreachStatusSummary, asOf: row.asOf)
    }

    /// A card's outreach (§7.4 step 2): `ES.outreach_score`, else `roundInt(composite * ES.esl_score)`
    /// when an engagement exists, else the composite.
    public static func outreachScore(composite: Int, engagement: LeadEngagement?) -> Int {
        guard let engagement else { return composite }
        return engagement.outreachScore ?? EngagementEngine.outreachScore(composite: composite, esl: engagement.eslScore)
    }

    /// Whether a row makes a card (§7.4 step 3): its outreach reaches `threshold`, or its engagement
    /// is cadence-blocked.
    public static func qualifies(composite: Int, engagement: LeadEngagement?, threshold: Int) -> Bool {
        outreachScore(composite: composite, engagement: engagement) >= threshold || (engagement?.cadenceBlocked ?? false)
    }

    /// `getEntityIds`: entity ids of the rows of `(workspaceID, packID, asOf)` with
    /// `composite_score >= minComposite`, in `sort` order, at most `limit`.
    public static func entityIDs(
        rows: [LeadFeedRow], workspaceID: UUID, packID: UUID, asOf: Day, limit: Int = 50, minComposite: Int = 0,
        sort: LeadSort = .compositeScore
    ) -> [Int] {
        ordered(rows, workspaceID: workspaceID, packID: packID, asOf: asOf, sort: sort)
            .filter { $0.compositeScore >= minComposite }
            .prefix(max(0, limit)).map(\.entityID)
    }

    /// The rows of one workspace, pack and day in query order.
    public static func ordered(
        _ rows: [LeadFeedRow], workspaceID: UUID, packID: UUID, asOf: Day, sort: LeadSort
    ) -> [LeadFeedRow] {
        rows.filter { $0.workspaceID == workspaceID && $0.packID == packID && $0.asOf == asOf }
            .sorted { a, b in
                switch sort {
                case .compositeScore:
                    if a.compositeScore != b.compositeScore { return a.compositeScore > b.compositeScore }
                case .lastSeen:
                    if a.lastSeen != b.lastSeen {
                        guard let x = a.lastSeen else { return false }
                        guard let y = b.lastSeen else { return true }
                        return x > y
                    }
                }
                return a.entityID < b.entityID
            }
    }
}
