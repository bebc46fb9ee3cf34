import SiglogCore

/// §10.2 step 7: playbook references to boundary labels and the types of the optional ORE keys.
enum PlaybookRules {
    static func check(
        _ playbook: JSONValue, named stem: String, boundaryLabels labels: [String], in context: ValidationContext
    ) throws(PackError) {
        let prefix = "playbook '\(stem)'"
        guard let playbook = playbook.objectValue else { throw context.fail("\(prefix) must be a mapping") }
        if !labels.isEmpty {
            for key in ["sensitivity_levels", "recommendation_types"] {
                guard let value = playbook[key], value.isPresent else { continue }
                guard let list = value.arrayValue else { throw context.fail("\(prefix): \(key) must be a list") }
                for item in list {
                    guard let name = item.stringValue, labels.contains(name) else {
                        throw context.fail("\(prefix): \(key) references '\(item.stringValue ?? "\(item)")', which is not a recommendation_boundaries label")
                    }
                }
            }
        }
        for (key, rule) in oreKeyRules {
            guard let value = playbook[key], value.isPresent else { continue }
            if !rule.accepts(value) { throw context.fail("\(prefix): \(key) must be \(rule.expected)") }
        }
    }

    private struct TypeRule: Sendable {
        let expected: String
        let accepts: @Sendable (JSONValue) -> Bool
    }

    private static let oreKeyRules: [(String, TypeRule)] = [
        ("forbidden_phrases", TypeRule(expected: "a list of strings") { value in
            value.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false
        }),
        ("opening_templates", TypeRule(expected: "a list") { $0.arrayValue != nil }),
        ("value_statements", TypeRule(expected: "a list") { $0.arrayValue != nil }),
        ("tone", TypeRule(expected: "a string or a mapping") { $0.stringValue != nil || $0.objectValue != nil }),
        ("channel", TypeRule(expected: "a non-empty string") { !($0.stringValue?.trimmingWhitespace.isEmpty ?? true) }),
        ("enable_ore_polish", TypeRule(expected: "a boolean or a string") { $0.boolValue != nil || $0.stringValue != nil }),
    ]
}
