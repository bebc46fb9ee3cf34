/// Human labels of signal types, as the ranked API shows them (§8 `top_signals`).
public enum SignalLabels {
    /// The label of `type`: the pack's `taxonomy.labels[type]` when non-blank, else the type with
    /// `_` as spaces in title case (`cto_role_posted` → `Cto Role Posted`); a blank result is `Signal`.
    public static func label(of type: String, labels: [String: String]) -> String {
        if let label = labels[type], !isBlank(label) { return label }
        let titled = titleCased(type.replacingUnderscores())
        return isBlank(titled) ? "Signal" : titled
    }

    /// The labels of the first `count` top events of a readiness explain (§8: the first 3, in
    /// explain order, repeats kept).
    public static func topSignals(_ explain: ReadinessExplain, labels: [String: String], count: Int = 3) -> [String] {
        topSignals(eventTypes: explain.topEvents.map(\.eventType), labels: labels, count: count)
    }

    /// The labels of the first `count` of `eventTypes` (top events' types in explain order).
    public static func topSignals(eventTypes: [String], labels: [String: String], count: Int = 3) -> [String] {
        eventTypes.prefix(count).map { label(of: $0, labels: labels) }
    }

    /// Title case as the reference's `str.title()` makes it: a cased letter is upper-cased when the
    /// character before it is not a cased letter, lower-cased otherwise (`ai_feature` → `Ai Feature`,
    /// `b2b` → `B2B`).
    public static func titleCased(_ text: String) -> String {
        var result = ""
        var previousCased = false
        for character in text {
            let cased = character.isCased
            if cased {
                result += previousCased ? character.lowercased() : String(character).uppercased()
            } else {
                result.append(character)
            }
            previousCased = cased
        }
        return result
    }

    private static func isBlank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
