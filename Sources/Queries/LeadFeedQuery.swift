import Foundation
public import ReadModel
public import Scoring
public import SiglogCore

/// `lead-feed` and `ranked`: the JSON and table shapes of the lead cards (§7.4) and the ranking (§8).
public enum LeadFeedQuery {
    public static let columns = ["entity_id", "composite_score", "outreach_score", "top_signal_ids", "esl_decision",
                                 "sensitivity_level", "recommendation_band", "last_seen", "outreach_status_summary", "as_of"]

    /// The card with the §7.4 keys; `outreach_status_summary` is `{last_sent_at, outcome, outreach_type}`.
    public static func json(_ card: LeadCard) -> JSONObject {
        [
            "entity_id": .int(Int64(card.entityID)), "composite_score": .int(Int64(card.compositeScore)),
            "outreach_score": .int(Int64(card.outreachScore)), "top_signal_ids": .array(card.topSignalIDs.map(JSONValue.string)),
            "esl_decision": nullable(card.eslDecision), "sensitivity_level": nullable(card.sensitivityLevel),
            "recommendation_band": nullable(card.recommendationBand?.rawValue), "last_seen": card.lastSeen.queryJSON,
            "outreach_status_summary": card.outreachStatusSummary?.json ?? .null, "as_of": card.asOf.queryJSON,
        ]
    }

    public static func rows(_ cards: [LeadCard]) -> QueryRows {
        QueryRows(columns: columns, rows: cards.map(json))
    }

    // MARK: - Ranked

    public static let rankedColumns = ["company_id", "company_name", "composite", "outreach_score", "band"]

    /// `{company_id, company_name, composite, outreach_score, band}` per company.
    public static func rankedRows(_ companies: [EmergingCompany]) -> QueryRows {
        QueryRows(columns: rankedColumns, rows: companies.map(json))
    }

    /// `{company_id, company_name, composite, outreach_score, band}`.
    public static func json(_ company: EmergingCompany) -> JSONObject {
        [
            "company_id": .int(company.companyID), "company_name": .string(company.companyName),
            "composite": .int(Int64(company.composite)), "outreach_score": .int(Int64(company.outreachScore)),
            "band": .string(company.band),
        ]
    }
}
