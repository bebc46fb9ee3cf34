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

    public static let rankedColumns = ["company_id", "company_name", "company_domain", "composite", "outreach_score", "band",
                                       "recommendation_band", "top_signals"]

    /// `{company_id, company_name, company_domain, composite, outreach_score, band}` and §8's ranked
    /// API fields per company, in ranking order; `labels` are the pack's signal labels.
    public static func rankedRows(_ companies: [EmergingCompany], labels: [String: String] = [:]) -> QueryRows {
        QueryRows(columns: rankedColumns, rows: companies.map { json($0, labels: labels) })
    }

    /// `{company_id, company_name, company_domain, composite, outreach_score, band}` followed by the
    /// fields of `topJSON` that are not already there (`website_url`, `composite_score`,
    /// `recommendation_band`, `top_signals`, the four dimensions).
    public static func json(_ company: EmergingCompany, labels: [String: String] = [:]) -> JSONObject {
        var object: JSONObject = [
            "company_id": .int(company.companyID), "company_name": .string(company.companyName),
            "company_domain": nullable(company.domain),
            "composite": .int(Int64(company.composite)), "outreach_score": .int(Int64(company.outreachScore)),
            "band": .string(company.band),
        ]
        for member in topJSON(company, labels: labels) where object[member.key] == nil { object[member.key] = member.value }
        return object
    }

    /// One company of `GET /api/companies/top` (§8), exactly: `{company_id, company_name,
    /// website_url, composite_score, recommendation_band, top_signals, momentum, complexity,
    /// pressure, leadership_gap}`; `top_signals` are the labels of the first 3 top events.
    public static func topJSON(_ company: EmergingCompany, labels: [String: String]) -> JSONObject {
        [
            "company_id": .int(company.companyID),
            "company_name": .string(company.companyName.isEmpty ? "Unknown" : company.companyName),
            "website_url": nullable(company.websiteURL), "composite_score": .int(Int64(company.composite)),
            "recommendation_band": nullable(company.recommendationBand?.rawValue),
            "top_signals": .array(SignalLabels.topSignals(eventTypes: company.topEventTypes, labels: labels).map(JSONValue.string)),
            "momentum": .int(Int64(company.momentum)), "complexity": .int(Int64(company.complexity)),
            "pressure": .int(Int64(company.pressure)), "leadership_gap": .int(Int64(company.leadershipGap)),
        ]
    }

    /// The `GET /api/companies/top` answer: `{companies, total}` (total = companies returned).
    public static func topResponse(_ companies: [EmergingCompany], labels: [String: String]) -> JSONObject {
        ["companies": .array(companies.map { .object(topJSON($0, labels: labels)) }), "total": .int(Int64(companies.count))]
    }

    /// The weekly-review answer: `{companies, total}`, each company as `topJSON` plus its
    /// `outreach_score` (`ES.outreach_score ?? roundInt(composite * esl)`).
    public static func weeklyReviewResponse(_ companies: [EmergingCompany], labels: [String: String]) -> JSONObject {
        ["companies": .array(companies.map { company in
            var object = topJSON(company, labels: labels)
            object["outreach_score"] = .int(Int64(company.outreachScore))
            return .object(object)
        }), "total": .int(Int64(companies.count))]
    }
}
