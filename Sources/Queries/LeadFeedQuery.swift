import Foundation
public import ReadModel
public import Scoring
public import SiglogCore

/// `lead-feed` and `ranked`: the JSON and table shapes of the lead cards (§7.4) and the ranking (§8).
public enum LeadFeedQuery {
    /// Table and CSV columns, most telling first: a table fitted to a narrow terminal leaves out
    /// columns from the right.
    public static let columns = ["entity_id", "company_name", "composite_score", "recommendation_band", "esl_decision",
                                 "outreach_score", "top_signal_ids", "last_seen", "company_domain", "sensitivity_level",
                                 "outreach_status_summary", "as_of"]

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

    /// The cards with the company's name and domain after `entity_id`.
    public static func rows(_ cards: [LeadCard], labels: inout CompanyLabels) throws -> QueryRows {
        QueryRows(columns: columns, rows: try cards.map { try labels.labelled(json($0), company: Int64($0.entityID), after: "entity_id") })
    }

    // MARK: - Ranked

    public static let rankedColumns = ["company_id", "company_name", "company_domain", "composite", "outreach_score", "band"]

    /// `{company_id, company_name, composite, outreach_score, band}` per company.
    public static func rankedRows(_ companies: [EmergingCompany]) -> QueryRows {
        QueryRows(columns: rankedColumns, rows: companies.map(json))
    }

    /// `{company_id, company_name, company_domain, composite, outreach_score, band}`.
    public static func json(_ company: EmergingCompany) -> JSONObject {
        [
            "company_id": .int(company.companyID), "company_name": .string(company.companyName),
            "company_domain": nullable(company.domain),
            "composite": .int(Int64(company.composite)), "outreach_score": .int(Int64(company.outreachScore)),
            "band": .string(company.band),
        ]
    }
}
