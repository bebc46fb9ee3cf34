import Foundation
import Scoring
import SiglogCore

/// Shared fixtures of the engagement tests: the ESL documents of the reference packs, transcribed
/// by hand from their YAML files, and small event builders.
enum ESLFixture {
    /// The scoring day used by most vectors (§11.1, §11.10, §11.13).
    static let asOf = Day(year: 2026, month: 2, day: 18)!

    static func day(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }

    static func time(_ y: Int, _ m: Int, _ d: Int, _ hour: Int = 12, _ minute: Int = 0) -> Timestamp {
        Timestamp(day: day(y, m, d), hour: hour, minute: minute)
    }

    /// `type@days(conf)`: an event `days` before `asOf` at noon UTC.
    static func event(_ type: String, _ days: Int, _ confidence: Double? = 0.7, asOf: Day = asOf) -> ESLEvent {
        ESLEvent(eventType: type, eventTime: Timestamp(day: asOf.adding(days: -days), hour: 12), confidence: confidence)
    }

    /// `fractional_cto_v1/esl_rubric.yaml`.
    static let ctoDocument: JSONValue = .object([
        "cadence_cooldown_days": 60,
        "declined_cooldown_days": 180,
        "stability": .object([
            "svi_window_days": 14, "spi_pressure_threshold": 60, "spi_sustained_days": 60, "spi_high_value": 0.7,
            "csi_silence_gap_days": 30, "csi_gap_penalty": 0.3,
            "weights": .object(["svi": 0.4, "spi": 0.35, "csi": 0.25]),
        ]),
        "alignment": .object(["ok_modifier": 1.0, "not_ok_modifier": 0.5, "null_modifier": 1.0]),
        "stability_cap_threshold": 0.7,
        "recommendation_boundaries": [
            [0.0, "Observe Only"], [0.2, "Soft Value Share"], [0.4, "Low-Pressure Intro"],
            [0.7, "Standard Outreach"], [0.9, "Direct Strategic Outreach"],
        ],
        "svi_event_types": [
            "founder_urgency_language", "regulatory_deadline", "enterprise_customer", "revenue_milestone",
            "funding_raised", "repo_activity",
        ],
        "blocked_signals": [],
        "prohibited_combinations": [],
        "sensitivity_mapping": .object(["founder_urgency_language": "medium"]),
    ])

    static let cto = ESLPolicy(document: ctoDocument)

    /// `example_esl_blocked/esl_rubric.yaml`.
    static let blockedDocument: JSONValue = .object([
        "recommendation_boundaries": [[0.0, "Observe Only"], [0.7, "Standard Outreach"]],
        "blocked_signals": ["funding_raised"],
        "prohibited_combinations": [],
    ])

    /// `bookkeeping_v1/esl_policy.yaml` (gate part).
    static let bookkeepingDocument: JSONValue = .object([
        "cadence_cooldown_days": 60,
        "declined_cooldown_days": 180,
        "svi_event_types": ["financial_distress", "revenue_milestone", "funding_raised"],
        "blocked_signals": ["financial_distress"],
        "prohibited_combinations": [],
        "sensitivity_mapping": .object(["financial_distress": "high"]),
    ])

    /// The E5 event list of §4.10 (`type@days(conf)`).
    static let e5Events: [ESLEvent] = [
        event("funding_raised", 40, 0.8), event("job_posted_engineering", 3, 0.9),
        event("job_posted_engineering", 10, 0.9), event("job_posted_infra", 20, 0.7), event("api_launched", 100, 0.7),
        event("compliance_mentioned", 200, 0.6), event("enterprise_customer", 70, 0.9),
        event("founder_urgency_language", 2, 0.8), event("founder_urgency_language", 9, 0.8),
        event("founder_urgency_language", 15, 0.8), event("cto_role_posted", 30, 0.7),
        event("no_cto_detected", 200, 0.5), event("cto_hired", 90, 0.9),
    ].sorted { $0.eventTime < $1.eventTime }

    static let workspace = WellKnownIDs.defaultWorkspace
    static let otherWorkspace = UUID(uuidString: "00000000-0000-0000-0000-0000000000b2")!
    static let ctoPack = WellKnownIDs.fractionalCTOPack
    static let otherPack = WellKnownIDs.bookkeepingPack
}
