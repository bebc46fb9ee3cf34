import Foundation
public import Projections
public import Scoring
public import SiglogCore
public import SiglogRecords

extension LeadFeedRow {
    /// The Scoring value of a stored lead-feed row; `updated_at` is the time of the record (D14).
    public init(_ stamped: Stamped<LeadFeedRowRecorded>) {
        let r = stamped.record
        self.init(workspaceID: r.workspaceID, packID: r.pack, entityID: Int(r.entityID), compositeScore: r.compositeScore,
                  topSignalIDs: r.topSignalIDs, eslDecision: r.eslDecision, sensitivityLevel: r.sensitivityLevel,
                  recommendationBand: r.recommendationBand, lastSeen: r.lastSeen, outreachStatusSummary: r.outreachStatusSummary,
                  asOf: r.asOf, updatedAt: stamped.recordedAt)
    }
}

/// The lead feed as its readers see it: the lead cards of §7.4 and the emerging-companies ranking
/// of §8, over the views.
public enum LeadReads {
    /// The cards of `(scope.workspace, scope.pack, asOf)` (§7.4 with D19): rows are read in the
    /// query's order until `limit` cards qualify, and `offset` counts cards. Only the qualifying rows
    /// are read whole (`forEachQualifyingRow`); for composite order they come in the query's order,
    /// so reading stops early; for last-seen order they are sorted first.
    public static func leads(scope: Scope, asOf: Day, limit: Int = 100, offset: Int = 0,
                             sort: LeadSort = .compositeScore, threshold: Int = 30, in reader: ViewReader) throws -> [LeadCard] {
        guard let pack = scope.pack, limit > 0 else { return [] }
        let workspace = scope.workspace
        switch sort {
        case .compositeScore:
            var cards: [LeadCard] = []
            var skipped = 0
            try forEachQualifyingRow(workspace: workspace, pack: pack, asOf: asOf, threshold: threshold, in: reader) {
                entity, engagement in
                if skipped < offset {
                    skipped += 1
                    return true
                }
                guard let stored = try reader.leadFeedRow(workspace: workspace, pack: pack, entity: entity),
                    let card = LeadCards.card(for: LeadFeedRow(stored), engagement: engagement, threshold: threshold)
                else { return true }
                cards.append(card)
                return cards.count < limit
            }
            return cards
        case .lastSeen:
            var rows: [LeadFeedRow] = []
            var engagements: [Int: LeadEngagement] = [:]
            try forEachQualifyingRow(workspace: workspace, pack: pack, asOf: asOf, threshold: threshold, in: reader) {
                entity, engagement in
                if let stored = try reader.leadFeedRow(workspace: workspace, pack: pack, entity: entity) {
                    rows.append(LeadFeedRow(stored))
                    engagements[Int(entity)] = engagement
                }
                return true
            }
            return LeadCards.leads(rows: rows, workspaceID: workspace, packID: pack, asOf: asOf, engagements: engagements,
                                   limit: limit, offset: offset, sort: .lastSeen, threshold: threshold)
        }
    }

    /// How many lead-feed rows `(scope.workspace, scope.pack, asOf)` has and how many of them make a
    /// card at `threshold` (to explain an empty or cut list).
    public static func leadCounts(scope: Scope, asOf: Day, threshold: Int, in reader: ViewReader) throws
        -> (rows: Int, cards: Int)
    {
        guard let pack = scope.pack else { return (0, 0) }
        var rows = 0, cards = 0
        try reader.forEachLeadFeedRank(workspace: scope.workspace, pack: pack, asOf: asOf) { _, _ in
            rows += 1
            return true
        }
        try forEachQualifyingRow(workspace: scope.workspace, pack: pack, asOf: asOf, threshold: threshold, in: reader) { _, _ in
            cards += 1
            return true
        }
        return (rows, cards)
    }

    /// `getEmergingCompanies` (§8) for the scope's workspace and pack (none → `[]`): the feed path
    /// when the lead feed has rows for `(workspace, pack, asOf)`, else (or when it yields nothing)
    /// the join path; ties by company id ascending (D7). Read with `rankedPairs`' light reads; only
    /// the ranked companies are decoded in full.
    public static func emergingCompanies(scope: Scope, asOf: Day, limit: Int = 5, threshold: Int = 30,
                                         in reader: ViewReader) throws -> [EmergingCompany] {
        guard let pack = scope.pack else { return [] }
        let ranked = try rankedPairs(scope: scope, pack: pack, asOf: asOf, limit: limit, threshold: threshold, in: reader)
        return try facts(of: ranked, asOf: asOf, pack: pack, in: reader).companies(ranked)
    }

    /// What both rankings of §8 read: the feed rows of the day and every readiness × engagement
    /// pair of `(asOf, pack)` whose company exists, by company id.
    static func rankingInputs(scope: Scope, pack: UUID, asOf: Day, in reader: ViewReader) throws -> RankingInputs {
        let feed = try reader.leadFeed(workspace: scope.workspace, pack: pack, asOf: asOf).map(LeadFeedRow.init)
        var inputs = RankingInputs(feed: feed)
        for company in try reader.companiesScored(pack: pack, asOf: asOf) {
            guard let row = try reader.company(company),
                let readiness = try reader.readiness(company: company, asOf: asOf, pack: pack),
                let engagement = try reader.engagement(company: company, asOf: asOf, pack: pack)?.record
            else { continue }
            inputs.facts[company] = (row, readiness.record)
            inputs.candidates.append(RankingCandidate(
                entityID: Int(company), composite: readiness.record.composite, eslScore: engagement.eslScore,
                outreachScore: engagement.outreachScore, cadenceBlocked: engagement.cadenceBlocked,
                eslDecision: engagement.eslDecision, engagementType: engagement.engagementType,
                engagementExplain: engagement.explain))
        }
        return inputs
    }
}

/// The feed rows and pairs a ranking reads, with the company and readiness of each pair.
struct RankingInputs {
    var feed: [LeadFeedRow]
    var candidates: [RankingCandidate] = []
    var facts: [Int64: (company: CompanyRow, readiness: ReadinessSnapshotRecorded)] = [:]

    /// The ranked pairs with their companies' facts, in ranking order.
    func companies(_ ranked: [RankedCompany]) -> [EmergingCompany] {
        ranked.compactMap { item in
            guard let fact = facts[Int64(item.candidate.entityID)] else { return nil }
            let r = fact.readiness
            var company = EmergingCompany(
                companyID: fact.company.id, companyName: fact.company.name, domain: fact.company.created.domain,
                websiteURL: fact.company.created.websiteURL,
                composite: r.composite, outreachScore: item.outreachScore, band: item.dailyBand,
                recommendationBand: r.recommendationBand, momentum: r.momentum, complexity: r.complexity,
                pressure: r.pressure, leadershipGap: r.leadershipGap, path: item.path)
            company.topEventTypes = r.explain.topEvents.map(\.eventType)
            return company
        }
    }
}

/// One company of the emerging-companies ranking (§8) with the fields its consumers print.
public struct EmergingCompany: Sendable, Hashable {
    public var companyID: Int64
    public var companyName: String
    /// The company's domain, when it has one.
    public var domain: String?
    public var websiteURL: String?
    /// Readiness composite.
    public var composite: Int
    /// Feed path: the lead card's outreach; join path: `roundInt(composite * esl_score)`.
    public var outreachScore: Int
    /// The daily aggregation's band: `esl_decision ?? engagement_type ?? "N/A"`.
    public var band: String
    /// The readiness band, when the pack defines bands.
    public var recommendationBand: RecommendationBand?
    public var momentum: Int
    public var complexity: Int
    public var pressure: Int
    public var leadershipGap: Int
    /// Which path of §8 produced the ranking.
    public var path: Ranking.Path
    /// The `event_type` of each readiness top event, in explain order (labelled by
    /// `SignalLabels.topSignals` for the ranked API).
    public var topEventTypes: [String] = []

    /// Creates an entry.
    public init(companyID: Int64, companyName: String, domain: String? = nil, websiteURL: String?, composite: Int, outreachScore: Int,
                band: String, recommendationBand: RecommendationBand?, momentum: Int, complexity: Int, pressure: Int,
                leadershipGap: Int, path: Ranking.Path) {
        self.companyID = companyID
        self.companyName = companyName
        self.domain = domain
        self.websiteURL = websiteURL
        self.composite = composite
        self.outreachScore = outreachScore
        self.band = band
        self.recommendationBand = recommendationBand
        self.momentum = momentum
        self.complexity = complexity
        self.pressure = pressure
        self.leadershipGap = leadershipGap
        self.path = path
    }
}
