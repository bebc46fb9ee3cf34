public import Foundation
public import SiglogCore
import Projections
public import Scoring
import SiglogRecords

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
    /// The readiness explain's band when it is a valid one.
    public var recommendationBand: String?
    public var momentum: Int
    public var complexity: Int
    public var pressure: Int
    public var leadershipGap: Int
    /// Which path of §8 produced the ranking.
    public var path: Ranking.Path

    public init(companyID: Int64, companyName: String, websiteURL: String?, composite: Int, outreachScore: Int,
                band: String, recommendationBand: String?, momentum: Int, complexity: Int, pressure: Int,
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

    /// `{company_id, company_name, composite, outreach_score, band}` (the ranked-list item).
    public var json: JSONValue {
        .object([
            "company_id": .int(companyID),
            "company_name": .string(companyName),
            "composite": .int(Int64(composite)),
            "outreach_score": .int(Int64(outreachScore)),
            "band": .string(band),
        ])
    }
}

extension Pipeline {
    /// `getEmergingCompanies` (§8) over the store: workspace = given or default; pack = given, else
    /// the workspace's pack, else the default pack (none → `[]`). Feed path when the lead feed has
    /// rows for `(workspace, pack, asOf)`, else (or when it yields nothing) the join path; ties by
    /// company id ascending (D7). `asOf` defaults to today (UTC, from the clock).
    public func emergingCompanies(
        asOf: Day? = nil, limit: Int = 5, threshold: Int = 30, pack: UUID? = nil, workspace: UUID? = nil
    ) throws -> [EmergingCompany] {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        let day = asOf ?? clock.now().day
        return try store.read { reader in
            guard let packUUID = try pack ?? workspacePackUUID(ws, in: reader) else { return [] }
            let feed = try reader.leadFeed(workspace: ws, pack: packUUID, asOf: day).map(LeadFeedRow.init)
            var candidates: [RankingCandidate] = []
            var facts: [Int64: (company: CompanyRow, readiness: ReadinessSnapshotRecorded)] = [:]
            for company in try reader.companiesScored(pack: packUUID, asOf: day) {
                guard let row = try reader.company(company),
                    let readiness = try reader.readiness(company: company, asOf: day, pack: packUUID),
                    let engagement = try reader.engagement(company: company, asOf: day, pack: packUUID)?.record
                else { continue }
                facts[company] = (row, readiness.record)
                candidates.append(RankingCandidate(
                    entityID: Int(company), composite: readiness.record.composite, eslScore: engagement.eslScore,
                    outreachScore: engagement.outreachScore, cadenceBlocked: engagement.cadenceBlocked,
                    eslDecision: engagement.eslDecision, engagementType: engagement.engagementType,
                    engagementExplain: Self.parsedExplain(engagement.explain)))
            }
            let ranked = Ranking.emergingCompanies(
                feedRows: feed, candidates: candidates, workspaceID: ws, packID: packUUID, asOf: day, limit: limit,
                threshold: threshold)
            return ranked.compactMap { item in
                guard let fact = facts[Int64(item.candidate.entityID)] else { return nil }
                let r = fact.readiness
                return EmergingCompany(
                    companyID: fact.company.id, companyName: fact.company.name, websiteURL: fact.company.created.websiteURL,
                    composite: r.composite, outreachScore: item.outreachScore, band: item.dailyBand,
                    recommendationBand: LeadFeedRowBuilder.recommendationBand(readinessExplain: Self.parsedExplain(r.explain)),
                    momentum: r.momentum, complexity: r.complexity, pressure: r.pressure, leadershipGap: r.leadershipGap,
                    path: item.path)
            }
        }
    }
}
