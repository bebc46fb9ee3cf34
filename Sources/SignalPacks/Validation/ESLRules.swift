import SiglogCore

/// §10.2 step 6: the ESL policy's signal references and downgrade rules.
enum ESLRules {
    /// Checks the policy and returns the labels of its `recommendation_boundaries`, which the
    /// playbook step needs.
    static func check(_ policy: JSONValue, in context: ValidationContext) throws(PackError) -> [String] {
        guard let policy = policy.objectValue else { throw context.fail("ESL policy must be a mapping") }
        for key in ["svi_event_types", "blocked_signals"] {
            for id in try signalList(policy[key], name: key, in: context) where !context.isAllowed(id) {
                throw context.fail("esl \(key) references signal_id '\(id)' not in taxonomy.signal_ids")
            }
        }
        if let mapping = policy["sensitivity_mapping"], mapping.isPresent {
            guard let object = mapping.objectValue else { throw context.fail("esl sensitivity_mapping must be a mapping") }
            for id in object.keys where !context.isAllowed(id) {
                throw context.fail("esl sensitivity_mapping references signal_id '\(id)' not in taxonomy.signal_ids")
            }
        }
        try checkProhibitedCombinations(policy["prohibited_combinations"], in: context)
        let labels = try boundaryLabels(policy["recommendation_boundaries"], in: context)
        try checkDowngradeRules(policy["downgrade_rules"], labels: labels, in: context)
        return labels
    }

    private static func signalList(_ value: JSONValue?, name: String, in context: ValidationContext) throws(PackError) -> [String] {
        guard let value, value.isPresent else { return [] }
        guard let list = value.arrayValue else { throw context.fail("esl \(name) must be a list") }
        var ids: [String] = []
        for item in list {
            guard let id = item.stringValue else { throw context.fail("esl \(name) must contain only strings, got \(item)") }
            ids.append(id)
        }
        return ids
    }

    private static func checkProhibitedCombinations(_ value: JSONValue?, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let pairs = value.arrayValue else { throw context.fail("esl prohibited_combinations must be a list") }
        for (index, pair) in pairs.enumerated() {
            guard let members = pair.arrayValue, members.count >= 2 else {
                throw context.fail("esl prohibited_combinations[\(index)] must be a list of at least 2 signal ids")
            }
            for member in members {
                guard let id = member.stringValue, context.isAllowed(id) else {
                    throw context.fail("esl prohibited_combinations[\(index)] references signal_id '\(member.stringValue ?? "\(member)")' not in taxonomy.signal_ids")
                }
            }
        }
    }

    /// Labels of `[[threshold, label], …]` (a `{label: …}` mapping is accepted as an entry too).
    static func boundaryLabels(_ value: JSONValue?, in context: ValidationContext) throws(PackError) -> [String] {
        guard let value, value.isPresent else { return [] }
        guard let entries = value.arrayValue else { throw context.fail("esl recommendation_boundaries must be a list") }
        var labels: [String] = []
        for (index, entry) in entries.enumerated() {
            let label: String?
            switch entry {
            case .array(let items) where items.count >= 2: label = items[1].stringValue
            case .object(let object): label = object["label"]?.stringValue
            default: label = nil
            }
            guard let label else {
                throw context.fail("esl recommendation_boundaries[\(index)] must be [threshold, label]")
            }
            labels.append(label)
        }
        return labels
    }

    private static func checkDowngradeRules(_ value: JSONValue?, labels: [String], in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let rules = value.arrayValue else { throw context.fail("esl downgrade_rules must be a list") }
        for (index, rule) in rules.enumerated() {
            let label = "esl downgrade_rules[\(index)]"
            guard let rule = rule.objectValue else { throw context.fail("\(label) must be a mapping") }
            if let trigger = rule["trigger_signal"], trigger.isPresent {
                guard let id = trigger.stringValue, context.isAllowed(id) else {
                    throw context.fail("\(label).trigger_signal references signal_id '\(trigger.stringValue ?? "\(trigger)")' not in taxonomy.signal_ids")
                }
            }
            if let maximum = rule["max_recommendation"], maximum.isPresent {
                if labels.isEmpty {
                    throw context.fail("\(label).max_recommendation requires non-empty recommendation_boundaries")
                }
                guard let name = maximum.stringValue, labels.contains(name) else {
                    throw context.fail("\(label).max_recommendation '\(maximum.stringValue ?? "\(maximum)")' is not a recommendation_boundaries label")
                }
            }
        }
    }
}
