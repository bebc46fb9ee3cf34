public import SiglogCore

/// The legacy `cto_need_score` (spec Appendix A): pack `pain_signal_weights` of the analysis
/// signals that are true, plus the pack's `stage_bonuses` entry for the stage, clamped to 0…100.
public enum LegacyNeedScore {
    /// Legacy analysis keys and the pain signal each one now counts as.
    public static let legacyKeyMap: [String: String] = [
        "hiring_technical_roles": "hiring_engineers",
        "recent_funding": "architecture_scaling_risk",
        "technical_debt_indicators": "architecture_scaling_risk",
        "scaling_challenges": "architecture_scaling_risk",
        "product_launch": "adding_enterprise_features",
        "leadership_changes": "founder_overload",
        "compliance_needs": "compliance_security_pressure",
    ]

    /// The signal flags of an analysis object, legacy keys mapped to their current names.
    ///
    /// Reads `analysis.signals` when it is an object, else the analysis itself as the flat map.
    /// Each entry is either `{value: …}` or the bare value; true is `true`, the number 1, or the
    /// strings `true`/`yes`/`1` (any case, surrounding whitespace ignored). When several keys map to
    /// the same signal, a true value wins.
    public static func signalFlags(analysis: JSONValue) -> [String: Bool] {
        let signals = analysis["signals"]?.objectValue ?? analysis.objectValue ?? JSONObject()
        var flags: [String: Bool] = [:]
        for member in signals {
            let raw = member.value.objectValue.map { $0["value"] ?? .null } ?? member.value
            let key = legacyKeyMap[member.key] ?? member.key
            flags[key] = (flags[key] ?? false) || isTrue(raw)
        }
        return flags
    }

    /// The score for `analysis` at `stage` under the pack scoring document (`nil` = no pack → 0).
    ///
    /// - Parameter customWeights: overrides for pack weights; keys the pack does not weight are ignored.
    public static func score(
        analysis: JSONValue, stage: String?, packDocument: JSONValue?, customWeights: [String: Double]? = nil
    ) -> Int {
        guard let packDocument else { return 0 }
        let flags = signalFlags(analysis: analysis)
        var total = 0.0
        for member in packDocument["pain_signal_weights"]?.objectValue ?? JSONObject() {
            guard flags[member.key] == true else { continue }
            if let custom = customWeights?[member.key] {
                total += custom
            } else if let weight = member.value.numberValue {
                total += weight
            }
        }
        if let stage, let bonus = packDocument["stage_bonuses"]?[ReadinessCoercion.trimmed(stage).lowercased()]?
            .numberValue
        {
            total += bonus
        }
        return Rounding.roundInt(Rounding.clamp(total, 0, 100))
    }

    static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .bool(let b): return b
        case .int(let i): return i == 1
        case .double(let d): return d == 1
        case .string(let s): return ["true", "yes", "1"].contains(ReadinessCoercion.trimmed(s).lowercased())
        default: return false
        }
    }
}
