/// The core signal taxonomy (version "1.0", spec §2.3): the 20 canonical signal ids every pack may
/// use, their optional sensitivities, and the core passthrough derivers (§3.1).
public enum CoreTaxonomy {
    public static let version = "1.0"

    /// The 20 canonical ids, in the spec's table order.
    public static let signalIDs: [String] = [
        "funding_raised", "job_posted_engineering", "job_posted_infra", "headcount_growth", "launch_major",
        "api_launched", "ai_feature_launched", "enterprise_feature", "compliance_mentioned",
        "enterprise_customer", "regulatory_deadline", "founder_urgency_language", "revenue_milestone",
        "cto_role_posted", "no_cto_detected", "fractional_request", "advisor_request", "cto_hired",
        "repo_activity", "incorporation",
    ]

    public static let signalIDSet: Set<String> = Set(signalIDs)

    public static func contains(_ id: String) -> Bool { signalIDSet.contains(id) }

    /// Informational dimension map (not used by scoring, which reads pack base scores).
    public static let dimensions: [String: [String]] = [
        "M": ["funding_raised", "job_posted_engineering", "job_posted_infra", "headcount_growth", "launch_major"],
        "C": ["api_launched", "ai_feature_launched", "enterprise_feature", "compliance_mentioned",
              "job_posted_infra", "repo_activity"],
        "P": ["enterprise_customer", "regulatory_deadline", "founder_urgency_language", "revenue_milestone",
              "funding_raised"],
        "G": ["cto_role_posted", "no_cto_detected", "fractional_request", "advisor_request", "cto_hired"],
    ]

    /// Per-signal sensitivity defined by the core taxonomy. `funding_raised` has an entry without a
    /// sensitivity, which reads the same as no entry.
    public static let sensitivity: [String: String] = ["founder_urgency_language": "medium"]

    /// Signals the core bans outright in the ESL gate (empty today).
    public static let banList: Set<String> = []

    /// Core passthrough derivers: identity mappings for every core id except `incorporation`,
    /// in taxonomy order.
    public static let passthroughSignalIDs: [String] = signalIDs.filter { $0 != "incorporation" }
}
