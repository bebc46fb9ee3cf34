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
    /// The cards of `(scope.workspace, scope.pack, asOf)`: `LeadCards.leads` (§7.4) over the rows it
    /// looks at. For composite order only the `2 * limit` rows after `offset` are read from the
    /// ranking index, which is already in the query's order (composite desc, entity asc; D7); for
    /// last-seen order every row of the day is read and sorted by `LeadCards`.
    public static func leads(scope: Scope, asOf: Day, limit: Int = 100, offset: Int = 0,
                             sort: LeadSort = .compositeScore, threshold: Int = 30, in reader: ViewReader) throws -> [LeadCard] {
        guard let pack = scope.pack, limit > 0 else { return [] }
        let stored: [Stamped<LeadFeedRowRecorded>]
        let cardOffset: Int
        switch sort {
        case .compositeScore:
            stored = try reader.leadFeed(workspace: scope.workspace, pack: pack, asOf: asOf, offset: max(0, offset), limit: 2 * limit)
            cardOffset = 0
        case .lastSeen:
            stored = try reader.leadFeed(workspace: scope.workspace, pack: pack, asOf: asOf)
            cardOffset = offset
        }
        let rows = stored.map(LeadFeedRow.init)
        var engagements: [Int: LeadEngagement] = [:]
        for row in rows {
            if let e = try reader.engagement(company: Int64(row.entityID), asOf: asOf, pack: pack)?.record {
                engagements[row.entityID] = LeadEngagement(eslScore: e.eslScore, outreachScore: e.outreachScore,
                                                           cadenceBlocked: e.cadenceBlocked)
            }
        }
        return LeadCards.leads(rows: rows, workspaceID: scope.workspace, packID: pack, asOf: asOf, engagements: engagements,
                               limit: limit, offset: cardOffset, sort: sort, threshold: threshold)
    }

    /// `getEmergingCompanies` (§8) for the scope's workspace and pack (none → `[]`): the feed path
    /// when the lead feed has rows for `(workspace, pack, asOf)`, else (or when it yields nothing)
    /// the join path; ties by company id ascending (D7).
    public static func emergingCompanies(scope: Scope, asOf: Day, limit: Int = 5, threshold: Int = 30,
                                         in reader: ViewReader) throws -> [EmergingCompany] {
        guard let pack = scope.pack else { return [] }
        let feed = try reader.leadFeed(workspace: scope.workspace, pack: pack, asOf: asOf).map(LeadFeedRow.init)
        var candidates: [RankingCandidate] = []
        var facts: [Int64: (company: CompanyRow, readiness: ReadinessSnapshotRecorded)] = [:]
        for company in try reader.companiesScored(pack: pack, asOf: asOf) {
            guard let row = try reader.company(company),
                let readiness = try reader.readiness(company: company, asOf: asOf, pack: pack),
                let engagement = try reader.engagement(company: company, asOf: asOf, pack: pack)?.record
            else { continue }
            facts[company] = (row, readiness.record)
            candidates.append(RankingCandidate(
                entityID: Int(company), composite: readiness.record.composite, eslScore: engagement.eslScore,
                outreachScore: engagement.outreachScore, cadenceBlocked: engagement.cadenceBlocked,
                eslDecision: engagement.eslDecision, engagementType: engagement.engagementType,
                engagementExplain: engagement.explain))
        }
        let ranked = Ranking.emergingCompanies(
            feedRows: feed, candidates: candidates, workspaceID: scope.workspace, packID: pack, asOf: asOf, limit: limit,
            threshold: threshold)
        return ranked.compactMap { item in
            guard let fact = facts[Int64(item.candidate.entityID)] else { return nil }
            let r = fact.readiness
            return EmergingCompany(
                companyID: fact.company.id, companyName: fact.company.name, websiteURL: fact.company.created.websiteURL,
                composite: r.composite, outreachScore: item.outreachScore, band: item.dailyBand,
                recommendationBand: r.recommendationBand, momentum: r.momentum, complexity: r.complexity,
                pressure: r.pressure, leadershipGap: r.leadershipGap, path: item.path)
        }
    }
}

/// One company of the emerging-companies ranking (§8) with the fields its consumers print.
public struct EmergingCompany: Sendable, Hashable {
    public var companyID: Int64
    public var companyName: String
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

    /// Creates an entry.
    public init(companyID: Int64, companyName: String, websiteURL: String?, composite: Int, outreachScore: Int,
                band: String, recommendationBand: RecommendationBand?, momentum: Int, complexity: Int, pressure: Int,
                leadershipGap: Int, path: Ranking.Path) {
        self.companyID = companyID
        self.companyName = companyName
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
