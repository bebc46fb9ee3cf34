public import Foundation
public import Projections
public import Scoring
public import SiglogCore
import SiglogRecords

extension LeadReads {
    /// The ranked pairs of `getEmergingCompanies` (§8) for `(scope.workspace, pack, asOf)`, read
    /// with light reads: the same result as `Ranking.emergingCompanies` over every feed row and every
    /// readiness × engagement pair of the day (`rankingInputs`), without decoding the snapshots.
    ///
    /// Feed path: the feed rows in ranking order (composite desc, entity asc, D7; only their
    /// composites read) until `limit` cards qualify; a row's card reads the engagement of its pair, none when the entity has no
    /// pair (no company, readiness or engagement). Pairs are looked up only for rows whose card
    /// could qualify with or without one, so a day where nothing qualifies costs one engagement
    /// read per row. Join path (no feed row, or the feed path ranks nothing): every pair of the day,
    /// each from its composite and engagement columns. The candidates carry no engagement explain:
    /// the gate reads the decision column, which holds the explain's decision.
    public static func rankedPairs(scope: Scope, pack: UUID, asOf: Day, limit: Int, threshold: Int,
                                   in reader: ViewReader) throws -> [RankedCompany] {
        guard limit > 0 else { return [] }
        var cards = 0
        var ranked: [RankedCompany] = []
        var reaching = ReachingEngagements(threshold: threshold, pack: pack, asOf: asOf)
        // A row below the threshold makes a card only through an engagement that reaches it: neither
        // its composite alone nor `composite × ESL` (ESL is at most 1) does.
        try reader.forEachLeadFeedComposite(workspace: scope.workspace, pack: pack, asOf: asOf, wanted: { entity, composite in
            try composite >= threshold || reaching.contains(entity, in: reader)
        }) { entity, composite in
            // What a card's qualification and outreach read of the row: its composite.
            let row = LeadFeedRow(workspaceID: scope.workspace, packID: pack, entityID: Int(entity), compositeScore: composite,
                                  topSignalIDs: [], eslDecision: nil, sensitivityLevel: nil, recommendationBand: nil, lastSeen: nil,
                                  outreachStatusSummary: nil, asOf: asOf, updatedAt: Timestamp(microseconds: 0))
            let columns = try reader.engagementColumns(company: entity, asOf: asOf, pack: pack)
            let withPair = columns.flatMap { LeadCards.card(for: row, engagement: LeadEngagement($0), threshold: threshold) }
            let withoutPair = LeadCards.card(for: row, engagement: nil, threshold: threshold)
            guard withPair != nil || withoutPair != nil else { return true }
            let candidate = try columns.flatMap { try self.candidate(entity, columns: $0, asOf: asOf, pack: pack, in: reader) }
            guard let card = candidate == nil ? withoutPair : withPair else { return true }
            cards += 1
            if let candidate { ranked.append(RankedCompany(candidate: candidate, outreachScore: card.outreachScore, path: .feed)) }
            return cards < limit
        }
        if !ranked.isEmpty { return ranked }
        var candidates: [RankingCandidate] = []
        for company in try reader.companiesScored(pack: pack, asOf: asOf) {
            guard let composite = try reader.readinessComposite(company: company, asOf: asOf, pack: pack) else { continue }
            // Below the threshold a pair ranks only when cadence-blocked (`composite × ESL` does not
            // reach it), and a blocked engagement is among the reaching ones.
            if composite < threshold, try !reaching.contains(company, in: reader) { continue }
            guard try reader.hasCompany(company),
                let columns = try reader.engagementColumns(company: company, asOf: asOf, pack: pack)
            else { continue }
            candidates.append(candidate(company, composite: composite, columns: columns))
        }
        return Ranking.joinPath(candidates: candidates, limit: limit, threshold: threshold)
    }

    /// The pair of `entity` for `(asOf, pack)` as the rankings see it, or nil when the entity is not
    /// scored that day, has no company or no readiness snapshot.
    static func candidate(_ entity: Int64, columns: EngagementColumns, asOf: Day, pack: UUID,
                          in reader: ViewReader) throws -> RankingCandidate? {
        guard try reader.isScored(company: entity, pack: pack, asOf: asOf), try reader.hasCompany(entity),
            let composite = try reader.readinessComposite(company: entity, asOf: asOf, pack: pack)
        else { return nil }
        return candidate(entity, composite: composite, columns: columns)
    }

    /// A candidate from its composite and engagement columns (the decision column is `""` when the
    /// snapshot has none, as `EngagementSnapshotRecorded.eslDecision` reads).
    static func candidate(_ entity: Int64, composite: Int, columns: EngagementColumns) -> RankingCandidate {
        RankingCandidate(entityID: Int(entity), composite: composite, eslScore: columns.eslScore, outreachScore: columns.outreachScore,
                         cadenceBlocked: columns.cadenceBlocked, eslDecision: columns.eslDecision ?? "",
                         engagementType: columns.engagementType)
    }

    /// The company and readiness of each ranked pair (decoded in full: at most `limit` of them).
    static func facts(of ranked: [RankedCompany], asOf: Day, pack: UUID, in reader: ViewReader) throws -> RankingInputs {
        var inputs = RankingInputs(feed: [])
        for item in ranked {
            let id = Int64(item.candidate.entityID)
            guard let company = try reader.company(id), let readiness = try reader.readiness(company: id, asOf: asOf, pack: pack)
            else { continue }
            inputs.facts[id] = (company, readiness.record)
        }
        return inputs
    }
}

/// The companies whose engagement snapshot of `(pack, asOf)` is cadence-blocked or has a stored
/// outreach of at least `threshold` (`ViewReader.forEachEngagementReaching`), read when first asked.
struct ReachingEngagements {
    let threshold: Int
    let pack: UUID
    let asOf: Day
    private var companies: Set<Int64>?

    init(threshold: Int, pack: UUID, asOf: Day) {
        self.threshold = threshold
        self.pack = pack
        self.asOf = asOf
    }

    /// Whether `company`'s engagement reaches the threshold or is cadence-blocked.
    mutating func contains(_ company: Int64, in reader: ViewReader) throws -> Bool {
        if let companies { return companies.contains(company) }
        var read = Set<Int64>()
        try reader.forEachEngagementReaching(threshold, pack: pack, asOf: asOf) { company in
            read.insert(company)
            return true
        }
        companies = read
        return read.contains(company)
    }
}
