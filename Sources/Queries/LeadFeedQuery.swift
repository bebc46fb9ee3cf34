import Foundation
public import Pipeline
public import Projections
public import Scoring
public import SiglogCore
import SiglogRecords

/// `lead-feed`: the lead cards of §7.4 for one workspace, pack and day, and `ranked` (§8).
public enum LeadFeedQuery {
    public static let columns = ["entity_id", "composite_score", "outreach_score", "top_signal_ids", "esl_decision",
                                 "sensitivity_level", "recommendation_band", "last_seen", "outreach_status_summary", "as_of"]

    /// The cards of `(scope.workspace, scope.pack, asOf)`: `LeadCards.leads` (§7.4) over the rows it
    /// looks at. For composite order only the `2 * limit` rows after `offset` are read from the
    /// ranking index, which is already in the query's order (composite desc, entity asc; D7); for
    /// last-seen order every row of the day is read and sorted by `LeadCards`.
    public static func leads(scope: QueryScope, asOf: Day, limit: Int = 100, offset: Int = 0,
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
        let rows = stored.map(leadFeedRow)
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

    /// The Scoring value of a stored row (`updated_at` = the time of the record that wrote it, D14).
    static func leadFeedRow(_ stamped: Stamped<LeadFeedRowRecorded>) -> LeadFeedRow {
        let r = stamped.record
        var summary: OutreachSummary?
        if let text = r.outreachStatusSummary, let parsed = try? JSONParser.parse(text),
            let sent = parsed["last_sent_at"]?.stringValue.flatMap({ Timestamp(iso: $0) }),
            let type = parsed["outreach_type"]?.stringValue
        {
            summary = OutreachSummary(lastSentAt: sent, outcome: parsed["outcome"]?.stringValue, outreachType: type)
        }
        return LeadFeedRow(workspaceID: r.workspaceID, packID: r.pack, entityID: Int(r.entityID), compositeScore: r.compositeScore,
                           topSignalIDs: r.topSignalIDs, eslDecision: r.eslDecision, sensitivityLevel: r.sensitivityLevel,
                           recommendationBand: r.recommendationBand, lastSeen: r.lastSeen, outreachStatusSummary: summary,
                           asOf: r.asOf, updatedAt: stamped.recordedAt)
    }

    /// The card with the §7.4 keys; `outreach_status_summary` is `{last_sent_at, outcome, outreach_type}`.
    public static func json(_ card: LeadCard) -> JSONObject {
        [
            "entity_id": .int(Int64(card.entityID)), "composite_score": .int(Int64(card.compositeScore)),
            "outreach_score": .int(Int64(card.outreachScore)), "top_signal_ids": .array(card.topSignalIDs.map(JSONValue.string)),
            "esl_decision": nullable(card.eslDecision), "sensitivity_level": nullable(card.sensitivityLevel),
            "recommendation_band": nullable(card.recommendationBand), "last_seen": card.lastSeen.queryJSON,
            "outreach_status_summary": card.outreachStatusSummary?.json ?? .null, "as_of": card.asOf.queryJSON,
        ]
    }

    public static func rows(_ cards: [LeadCard]) -> QueryRows {
        QueryRows(columns: columns, rows: cards.map(json))
    }

    // MARK: - Ranked

    public static let rankedColumns = ["company_id", "company_name", "composite", "outreach_score", "band"]

    /// `getEmergingCompanies` (§8) through `Pipeline.emergingCompanies`, for the scope's workspace and pack.
    public static func ranked(store: Store, scope: QueryScope, asOf: Day, limit: Int = 5, threshold: Int = 30) throws
        -> [EmergingCompany]
    {
        guard let pack = scope.pack else { return [] }
        return try Pipeline(store: store, rateLimitPerHour: 0)
            .emergingCompanies(asOf: asOf, limit: limit, threshold: threshold, pack: pack, workspace: scope.workspace)
    }

    /// `{company_id, company_name, composite, outreach_score, band}` per company.
    public static func rankedRows(_ companies: [EmergingCompany]) -> QueryRows {
        QueryRows(columns: rankedColumns, rows: companies.compactMap(\.json.objectValue))
    }
}
