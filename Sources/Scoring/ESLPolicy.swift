public import SiglogCore

/// One entry of an ESL recommendation list: an ESL value at or above `threshold` maps to `label`.
public struct ESLBoundary: Sendable, Hashable {
    public var threshold: Double
    public var label: String

    public init(threshold: Double, label: String) {
        self.threshold = threshold
        self.label = label
    }
}

/// A pack `downgrade_rules` entry (§5.4): when `triggerSignal` is present the decision becomes
/// `allow_with_constraints` with `maxRecommendation` as the tone constraint.
public struct ESLDowngradeRule: Sendable, Hashable {
    public var triggerSignal: String
    public var maxRecommendation: String?

    public init(triggerSignal: String, maxRecommendation: String?) {
        self.triggerSignal = triggerSignal
        self.maxRecommendation = maxRecommendation
    }
}

/// The effective ESL policy of a pack (§5.1–§5.4, §5.7, D8), read once from the pack's ESL
/// document (`esl_rubric.yaml` / `esl_policy.yaml`, parsed). `nil` means "no pack": the default
/// boundary list applies and the decision gate answers `allow` / `legacy`.
///
/// Every numeric knob honours the pack value when present and well-formed and otherwise falls back
/// to the constants of §5.2 (D8); for the bundled packs both agree.
public struct ESLPolicy: Sendable, Hashable {
    /// The five tiers, lowest to highest (§5.3 tier order).
    public static let tierOrder: [String] = [
        "Observe Only", "Soft Value Share", "Low-Pressure Intro", "Standard Outreach", "Direct Strategic Outreach",
    ]

    /// Boundaries used when there is no pack (§5.3 step 1).
    public static let defaultBoundaries: [ESLBoundary] = [
        ESLBoundary(threshold: 0.0, label: "Observe Only"),
        ESLBoundary(threshold: 0.2, label: "Soft Value Share"),
        ESLBoundary(threshold: 0.4, label: "Low-Pressure Intro"),
        ESLBoundary(threshold: 0.7, label: "Standard Outreach"),
        ESLBoundary(threshold: 0.9, label: "Direct Strategic Outreach"),
    ]

    /// SVI event types used when the pack lists none (§5.2).
    public static let defaultSVIEventTypes: Set<String> = [
        "founder_urgency_language", "regulatory_deadline", "enterprise_customer", "revenue_milestone", "funding_raised",
    ]

    /// Whether a pack document was given. Without one the gate returns `allow` / `legacy`.
    public let hasPack: Bool
    /// Recommendation list in file order; empty means every ESL maps to `Observe Only`.
    public let boundaries: [ESLBoundary]
    public let sviEventTypes: Set<String>

    // Stability knobs (`stability.*`).
    public let sviWindowDays: Int
    public let spiPressureThreshold: Double
    public let spiSustainedDays: Int
    public let spiHighValue: Double
    public let csiSilenceGapDays: Int
    public let csiGapPenalty: Double
    public let sviWeight: Double
    public let spiWeight: Double
    public let csiWeight: Double

    // Alignment knobs (`alignment.*`).
    public let alignmentOKModifier: Double
    public let alignmentNotOKModifier: Double
    public let alignmentNullModifier: Double

    /// SM below this triggers the stability cap (§5.3 step 3).
    public let stabilityCapThreshold: Double
    /// Cadence window for CM (§5.2) and the manual cooldown (§5.7).
    public let cadenceCooldownDays: Int
    /// Declined-outcome window of the manual cooldown (§5.7).
    public let declinedCooldownDays: Int

    // Gate keys (§5.4).
    public let blockedSignals: Set<String>
    /// Pairs with fewer than two members are dropped; only the first two members count.
    public let prohibitedCombinations: [[String]]
    public let downgradeRules: [ESLDowngradeRule]
    /// Only values `low`, `medium`, `high` are kept.
    public let sensitivityMapping: [String: String]

    /// The policy without a pack.
    public static let noPack = ESLPolicy(document: nil)

    /// Reads a parsed ESL policy document; `nil` = no pack.
    public init(document: JSONValue?) {
        let doc = document?.objectValue
        hasPack = document != nil

        if let doc {
            boundaries = Self.parseBoundaries(doc["recommendation_boundaries"])
        } else {
            boundaries = Self.defaultBoundaries
        }
        let svi = Self.strings(doc?["svi_event_types"])
        sviEventTypes = svi.isEmpty ? Self.defaultSVIEventTypes : Set(svi)

        let stability = doc?["stability"]
        sviWindowDays = Self.days(stability?["svi_window_days"]) ?? 14
        spiPressureThreshold = stability?["spi_pressure_threshold"]?.numberValue ?? 60
        spiSustainedDays = Self.days(stability?["spi_sustained_days"]) ?? 60
        spiHighValue = stability?["spi_high_value"]?.numberValue ?? 0.7
        csiSilenceGapDays = Self.days(stability?["csi_silence_gap_days"]) ?? 30
        csiGapPenalty = stability?["csi_gap_penalty"]?.numberValue ?? 0.3
        let weights = stability?["weights"]
        sviWeight = weights?["svi"]?.numberValue ?? 0.4
        spiWeight = weights?["spi"]?.numberValue ?? 0.35
        csiWeight = weights?["csi"]?.numberValue ?? 0.25

        let alignment = doc?["alignment"]
        alignmentOKModifier = alignment?["ok_modifier"]?.numberValue ?? 1.0
        alignmentNotOKModifier = alignment?["not_ok_modifier"]?.numberValue ?? 0.5
        alignmentNullModifier = alignment?["null_modifier"]?.numberValue ?? 1.0

        stabilityCapThreshold = doc?["stability_cap_threshold"]?.numberValue ?? 0.7
        cadenceCooldownDays = Self.days(doc?["cadence_cooldown_days"]) ?? 60
        declinedCooldownDays = Self.days(doc?["declined_cooldown_days"]) ?? 180

        blockedSignals = Set(Self.strings(doc?["blocked_signals"]))
        prohibitedCombinations = (doc?["prohibited_combinations"]?.arrayValue ?? []).compactMap { pair in
            let members = Self.strings(pair)
            return members.count >= 2 ? Array(members.prefix(2)) : nil
        }
        downgradeRules = (doc?["downgrade_rules"]?.arrayValue ?? []).compactMap { rule in
            guard let trigger = rule["trigger_signal"]?.stringValue else { return nil }
            return ESLDowngradeRule(triggerSignal: trigger, maxRecommendation: rule["max_recommendation"]?.stringValue)
        }
        var mapping: [String: String] = [:]
        for member in doc?["sensitivity_mapping"]?.objectValue ?? JSONObject() {
            if let level = member.value.stringValue, DecisionGate.sensitivityRank[level] != nil {
                mapping[member.key] = level
            }
        }
        sensitivityMapping = mapping
    }

    /// `[[threshold, label], …]` in file order; malformed entries are skipped.
    static func parseBoundaries(_ value: JSONValue?) -> [ESLBoundary] {
        (value?.arrayValue ?? []).compactMap { entry in
            if let pair = entry.arrayValue, pair.count >= 2, let threshold = pair[0].numberValue,
                let label = pair[1].stringValue
            {
                return ESLBoundary(threshold: threshold, label: label)
            }
            if let threshold = entry["threshold"]?.numberValue, let label = entry["label"]?.stringValue {
                return ESLBoundary(threshold: threshold, label: label)
            }
            return nil
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// A whole, non-negative number of days (`14` or `14.0`); anything else reads as absent.
    static func days(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let i) where i >= 0: return Int(i)
        case .double(let d) where d >= 0 && d.rounded(.towardZero) == d && d < 1e9: return Int(d)
        default: return nil
        }
    }
}
