import Scoring
import SiglogCore

/// Shared fixtures of the readiness tests: events written `type@days(conf)` as in the spec, and the
/// scoring documents of the reference packs transcribed by hand from their YAML files.
enum ReadinessFixture {
    /// A fixed scoring day (the TestAdapter day of §11.1).
    static let asOf = Day(year: 2026, month: 2, day: 18)!

    /// `type@days(conf)`: an event `days` before `asOf` at 12:00 UTC. Confidence defaults to 0.7
    /// as in §11's notation; pass `nil` explicitly for an absent confidence.
    static func event(
        _ type: String, _ days: Int, _ confidence: Double? = 0.7, asOf: Day = asOf, source: String? = nil,
        url: String? = nil
    ) -> ReadinessEvent {
        ReadinessEvent(
            eventType: type, eventTime: Timestamp(day: asOf.adding(days: -days), hour: 12),
            confidence: confidence, source: source, url: url)
    }

    /// Orders events as the caller must (§D1): `event_time` descending, stable for equal times.
    static func callerOrdered(_ events: [ReadinessEvent]) -> [ReadinessEvent] {
        events.enumerated().sorted { lhs, rhs in
            let l = lhs.element.eventTime?.microseconds ?? .min
            let r = rhs.element.eventTime?.microseconds ?? .min
            return l != r ? l > r : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Scores with `compute`, failing loudly when no result comes back.
    static func compute(
        _ events: [ReadinessEvent], config: ReadinessConfig = .builtIn, status: String? = nil,
        previous: Int? = nil, asOf: Day = asOf
    ) -> ReadinessResult? {
        ReadinessEngine.compute(
            events: events, asOf: asOf, config: config, companyStatus: status, previousComposite: previous)
    }

    /// `fractional_cto_v1/analysis_weights.yaml` (§10.5), key order as in the file.
    static let ctoPack: JSONValue = .object([
        "base_scores": .object([
            "momentum": .object([
                "funding_raised": 35, "job_posted_engineering": 10, "job_posted_infra": 10,
                "headcount_growth": 20, "launch_major": 15,
            ]),
            "complexity": .object([
                "api_launched": 25, "ai_feature_launched": 25, "enterprise_feature": 20,
                "compliance_mentioned": 15, "job_posted_infra": 10, "repo_activity": 15,
            ]),
            "pressure": .object([
                "enterprise_customer": 25, "regulatory_deadline": 30, "founder_urgency_language": 15,
                "revenue_milestone": 15, "funding_raised": 20,
            ]),
            "leadership_gap": .object([
                "cto_role_posted": 70, "fractional_request": 60, "advisor_request": 60, "no_cto_detected": 40,
            ]),
        ]),
        "quiet_signal": .object([
            "lookback_days": 365,
            "amplified_base": .object([
                "job_posted_infra": .object(["M": 20, "C": 20]),
                "compliance_mentioned": .object(["C": 25]),
                "api_launched": .object(["C": 35]),
            ]),
        ]),
        "caps": .object(["jobs_momentum": 30, "jobs_complexity": 20, "founder_urgency": 30, "dimension_max": 100]),
        "composite_weights": .object(["M": 0.30, "C": 0.30, "P": 0.25, "G": 0.15]),
        "decay": .object([
            "momentum": .object(["0-30": 1.0, "31-60": 0.7, "61-90": 0.4, "91+": 0.0]),
            "pressure": .object(["0-30": 1.0, "31-60": 0.85, "61-120": 0.6, "121+": 0.2]),
            "complexity": .object(["0-90": 1.0, "91-180": 0.8, "181-365": 0.6, "366+": 0.4]),
        ]),
        "suppressors": .object(["cto_hired_60_days": 70, "cto_hired_180_days": 50]),
        "minimum_threshold": 0,
        "disqualifier_signals": .object([:]),
        "recommendation_bands": .object(["ignore_max": 34, "watch_max": 69, "high_priority_min": 70]),
        "pain_signal_weights": .object([
            "hiring_engineers": 15, "switching_from_agency": 10, "adding_enterprise_features": 15,
            "compliance_security_pressure": 25, "product_delivery_issues": 20, "architecture_scaling_risk": 15,
            "founder_overload": 10,
        ]),
        "stage_bonuses": .object(["scaling_team": 20, "enterprise_transition": 30, "struggling_execution": 30]),
    ])

    /// `bookkeeping_v1/scoring.yaml` (§10.6).
    static let bookkeepingPack: JSONValue = .object([
        "base_scores": .object([
            "momentum": .object(["layoffs_announced": 10, "funding_raised": 20]),
            "complexity": .object(["revenue_milestone": 15]),
            "pressure": .object(["financial_distress": 15, "revenue_milestone": 20, "funding_raised": 25]),
            "leadership_gap": .object([:]),
        ]),
        "caps": .object(["jobs_momentum": 30, "jobs_complexity": 20, "founder_urgency": 30, "dimension_max": 100]),
        "decay": .object([
            "momentum": .object(["0-30": 1.0, "31-90": 0.7, "91+": 0.4]),
            "pressure": .object(["0-30": 1.0, "31-90": 0.7, "91+": 0.4]),
            "complexity": .object(["0-90": 1.0, "91+": 0.7]),
        ]),
        "composite_weights": .object(["M": 0.25, "C": 0.25, "P": 0.25, "G": 0.25]),
        "suppressors": .object([:]),
        "disqualifier_signals": .object([:]),
        "minimum_threshold": 0,
    ])

    /// `example_v2/scoring.yaml` (§10.7): partial weights `{M: 0.5, G: 0.5}`.
    static let exampleV2Pack: JSONValue = .object([
        "base_scores": .object([
            "momentum": .object(["funding_raised": 35]),
            "leadership_gap": .object(["cto_role_posted": 70]),
        ]),
        "composite_weights": .object(["M": 0.5, "G": 0.5]),
        "caps": .object(["dimension_max": 100]),
    ])
}
