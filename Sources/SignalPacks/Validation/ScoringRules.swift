import SiglogCore

/// §10.2 step 3: the scoring document.
enum ScoringRules {
    static let decayDimensions = ["momentum", "pressure", "complexity"]
    static let suppressorKeys = ["cto_hired_60_days", "cto_hired_180_days"]
    static let bandKeys = ["ignore_max", "watch_max", "high_priority_min"]

    static func check(_ scoring: JSONValue, in context: ValidationContext) throws(PackError) {
        guard let scoring = scoring.objectValue else { throw context.fail("scoring must be a mapping") }
        try checkBaseScores(scoring["base_scores"], in: context)
        try checkDecay(scoring["decay"], in: context)
        try checkSuppressors(scoring["suppressors"], in: context)
        try checkBands(scoring["recommendation_bands"], in: context)
    }

    /// Every key of every `base_scores.<dim>` map must be an allowed signal id.
    private static func checkBaseScores(_ value: JSONValue?, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let baseScores = value.objectValue else { throw context.fail("scoring base_scores must be a mapping") }
        for dimension in baseScores {
            guard dimension.value.isPresent else { continue }
            guard let scores = dimension.value.objectValue else {
                throw context.fail("scoring base_scores.\(dimension.key) must be a mapping")
            }
            for id in scores.keys where !context.isAllowed(id) {
                throw context.fail("scoring base_scores.\(dimension.key) references signal_id '\(id)' not in taxonomy.signal_ids")
            }
        }
    }

    /// `decay.<momentum|pressure|complexity>`: maps with non-blank keys and numeric values.
    private static func checkDecay(_ value: JSONValue?, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let decay = value.objectValue else { throw context.fail("scoring decay must be a mapping") }
        for dimension in decayDimensions {
            guard let table = decay[dimension] else { continue }
            guard let bands = table.objectValue else { throw context.fail("scoring decay.\(dimension) must be a mapping") }
            for band in bands {
                if band.key.trimmingWhitespace.isEmpty {
                    throw context.fail("scoring decay.\(dimension) keys must be non-empty strings")
                }
                if !band.value.isNumber {
                    throw context.fail("scoring decay.\(dimension)['\(band.key)'] must be a number, got \(band.value)")
                }
            }
        }
    }

    /// `suppressors.cto_hired_60_days|180_days`: non-negative numbers.
    private static func checkSuppressors(_ value: JSONValue?, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let suppressors = value.objectValue else { throw context.fail("scoring suppressors must be a mapping") }
        for key in suppressorKeys {
            guard let entry = suppressors[key] else { continue }
            guard let number = entry.numberValue, number >= 0 else {
                throw context.fail("scoring suppressors.\(key) must be a non-negative number, got \(entry)")
            }
        }
    }

    /// `recommendation_bands`: non-negative numbers, strictly increasing when all three are given.
    private static func checkBands(_ value: JSONValue?, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let bands = value.objectValue else { throw context.fail("scoring recommendation_bands must be a mapping") }
        var numbers: [Double] = []
        for key in bandKeys {
            guard let entry = bands[key] else { continue }
            guard let number = entry.numberValue, number >= 0 else {
                throw context.fail("scoring recommendation_bands.\(key) must be a non-negative number, got \(entry)")
            }
            numbers.append(number)
        }
        if numbers.count == 3, !(numbers[0] < numbers[1] && numbers[1] < numbers[2]) {
            throw context.fail("scoring recommendation_bands must satisfy ignore_max < watch_max < high_priority_min")
        }
    }
}
