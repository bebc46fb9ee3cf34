public import SiglogCore

/// The outcome of the ESL decision gate (§5.4).
public struct ESLDecision: Sendable, Hashable {
    /// `allow`, `allow_with_constraints` or `suppress`.
    public var decision: String
    /// `legacy`, `core_ban`, `blocked_signal`, `prohibited_combination`, `downgrade_rule` or `none`.
    public var reasonCode: String
    /// `low`, `medium`, `high`, or nil (always nil when suppressed).
    public var sensitivity: String?
    /// The downgrade rule's `max_recommendation`, only for `allow_with_constraints`.
    public var toneConstraint: String?

    public init(decision: String, reasonCode: String, sensitivity: String?, toneConstraint: String?) {
        self.decision = decision
        self.reasonCode = reasonCode
        self.sensitivity = sensitivity
        self.toneConstraint = toneConstraint
    }
}

/// The ESL decision gate (§5.4) and the helpers that read stored engagement decisions.
public enum DecisionGate {
    static let sensitivityRank: [String: Int] = ["low": 1, "medium": 2, "high": 3]

    /// Decides for a company's signal ids. Checks run in the spec's order: no pack, core ban list,
    /// blocked signals, prohibited combinations, first matching downgrade rule, allow.
    /// `coreSensitivity` is the core taxonomy's map; tests may pass another.
    public static func decide(
        signalIDs: Set<String>, policy: ESLPolicy, coreSensitivity: [String: String] = CoreTaxonomy.sensitivity
    ) -> ESLDecision {
        guard policy.hasPack else {
            return ESLDecision(decision: "allow", reasonCode: "legacy", sensitivity: nil, toneConstraint: nil)
        }
        if !CoreTaxonomy.banList.isDisjoint(with: signalIDs) {
            return ESLDecision(decision: "suppress", reasonCode: "core_ban", sensitivity: nil, toneConstraint: nil)
        }
        if !policy.blockedSignals.isDisjoint(with: signalIDs) {
            return ESLDecision(decision: "suppress", reasonCode: "blocked_signal", sensitivity: nil, toneConstraint: nil)
        }
        for pair in policy.prohibitedCombinations where signalIDs.contains(pair[0]) && signalIDs.contains(pair[1]) {
            return ESLDecision(
                decision: "suppress", reasonCode: "prohibited_combination", sensitivity: nil, toneConstraint: nil)
        }
        let level = sensitivity(signalIDs: signalIDs, policy: policy, coreSensitivity: coreSensitivity)
        for rule in policy.downgradeRules where signalIDs.contains(rule.triggerSignal) {
            if let tone = rule.maxRecommendation, !tone.isEmpty {
                return ESLDecision(
                    decision: "allow_with_constraints", reasonCode: "downgrade_rule", sensitivity: level,
                    toneConstraint: tone)
            }
        }
        return ESLDecision(decision: "allow", reasonCode: "none", sensitivity: level, toneConstraint: nil)
    }

    /// Highest sensitivity among the ids: the pack mapping when it names a valid level, else the
    /// core taxonomy's; nil when none is found.
    public static func sensitivity(
        signalIDs: Set<String>, policy: ESLPolicy, coreSensitivity: [String: String] = CoreTaxonomy.sensitivity
    ) -> String? {
        var best: (rank: Int, level: String)?
        for id in signalIDs {
            guard let level = policy.sensitivityMapping[id] ?? coreSensitivity[id],
                let rank = sensitivityRank[level]
            else { continue }
            if rank > (best?.rank ?? 0) { best = (rank, level) }
        }
        return best?.level
    }

    /// `explain.esl_decision`, else nil.
    public static func decision(fromExplain explain: EngagementExplain?) -> String? {
        explain?.eslDecision
    }

    /// The stored decision: the column when set, else the explain's.
    public static func effectiveDecision(column: String?, explain: EngagementExplain?) -> String? {
        if let column, !column.isEmpty { return column }
        return decision(fromExplain: explain)
    }

    /// Suppressed when the column is `suppress`, or else when the explain says `suppress`.
    public static func isSuppressed(column: String?, explain: EngagementExplain?) -> Bool {
        column == "suppress" || decision(fromExplain: explain) == "suppress"
    }

    /// The engagement type after the tone constraint: when the decision (column, else explain) is
    /// `allow_with_constraints` and `explain.tone_constraint` is a known tier, the lower of the two
    /// tiers; otherwise `engagementType` unchanged.
    public static func effectiveEngagementType(
        _ engagementType: String, decisionColumn: String?, explain: EngagementExplain?
    ) -> String {
        guard effectiveDecision(column: decisionColumn, explain: explain) == "allow_with_constraints",
            let tone = explain?.toneConstraint,
            let toneRank = ESLPolicy.tierOrder.firstIndex(of: tone),
            let typeRank = ESLPolicy.tierOrder.firstIndex(of: engagementType)
        else { return engagementType }
        return toneRank < typeRank ? tone : engagementType
    }
}
