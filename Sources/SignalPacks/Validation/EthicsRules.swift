import SiglogCore

/// §10.2 step 8: an ESL policy may not switch on any of the banned targeting flags.
enum EthicsRules {
    static let bannedFlags = [
        "allow_protected_attribute_targeting", "allow_protected_attribute_inference",
        "allow_bankruptcy_exploitation", "allow_tax_lien_exploitation", "allow_vulnerability_targeting",
        "allow_distress_surfacing", "allow_high_sensitivity_distress",
    ]

    /// The message for the first banned flag set to a truthy value, or nil. Policies that are not
    /// mappings carry no flags.
    static func violation(in policy: JSONValue) -> String? {
        guard let policy = policy.objectValue else { return nil }
        for flag in bannedFlags {
            if let value = policy[flag], isTruthy(value) {
                return "esl policy sets '\(flag)' to \(value); this flag is banned by the ethics rules and must be false or absent"
            }
        }
        return nil
    }

    /// `true`, the number 1, or one of the strings true/yes/1/on/enable (any case, trimmed).
    static func isTruthy(_ value: JSONValue) -> Bool {
        switch value {
        case .bool(let b): b
        case .int(let i): i == 1
        case .double(let d): d == 1
        case .string(let s): ["true", "yes", "1", "on", "enable"].contains(s.trimmingWhitespace.lowercased())
        default: false
        }
    }
}
