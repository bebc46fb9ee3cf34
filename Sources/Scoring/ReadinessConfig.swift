import Foundation
public import SiglogCore

/// The four readiness dimensions and the one-letter keys packs use for them
/// (`composite_weights`, `quiet_signal.amplified_base`).
public enum ReadinessDimension: String, Sendable, Hashable, CaseIterable {
    /// Momentum (M).
    case momentum = "M"
    /// Complexity (C).
    case complexity = "C"
    /// Pressure (P).
    case pressure = "P"
    /// Leadership gap (G).
    case leadershipGap = "G"
}

/// One row of the quiet-signal table: the amplified bases of an event type, used for M and C when
/// the company has no recent funding (spec §4.3).
public struct QuietAmplification: Sendable, Hashable {
    /// The event type this row amplifies.
    public var eventType: String
    /// Amplified base per dimension key (`"M"`, `"C"`, …), coerced to integers as the reference does.
    public var bases: [String: Int]

    /// Creates a row.
    public init(eventType: String, bases: [String: Int]) {
        self.eventType = eventType
        self.bases = bases
    }

    /// The amplified base for `dimension`, or nil when the row has none or it is zero.
    public func base(for dimension: ReadinessDimension) -> Int? {
        guard let value = bases[dimension.rawValue], value != 0 else { return nil }
        return value
    }
}

/// An event type that zeroes the composite when an event of that type is at most `windowDays` old.
public struct DisqualifierSignal: Sendable, Hashable {
    /// The disqualifying event type.
    public var eventType: String
    /// The window in days (always > 0).
    public var windowDays: Int

    /// Creates an entry.
    public init(eventType: String, windowDays: Int) {
        self.eventType = eventType
        self.windowDays = windowDays
    }
}

/// The effective readiness configuration (`cfg`, spec §4.1): a pack's scoring document with every
/// fallback applied, or the built-in defaults when there is no pack.
public struct ReadinessConfig: Sendable, Hashable {
    /// Momentum base scores by event type.
    public var momentumBases: [String: Double]
    /// Complexity base scores by event type.
    public var complexityBases: [String: Double]
    /// Pressure base scores by event type.
    public var pressureBases: [String: Double]
    /// Leadership-gap base scores by event type.
    public var leadershipGapBases: [String: Double]
    /// Quiet-signal amplification rows in table order (the order of the explain list).
    public var quietAmplification: [QuietAmplification]
    /// How far back a `funding_raised` event disables amplification, in days.
    public var quietLookbackDays: Int
    /// Cap of the momentum job bucket (`job_posted_engineering`, `job_posted_infra`).
    public var capJobsMomentum: Double
    /// Cap of the complexity job bucket (`job_posted_infra`).
    public var capJobsComplexity: Double
    /// Cap of the pressure `founder_urgency_language` bucket.
    public var capFounderUrgency: Double
    /// Upper clamp of every dimension and of the composite.
    public var capDimension: Double
    /// Composite weights exactly as the pack gives them (ints stay ints), or the built-in map. Kept
    /// unfilled because the explain payload shows it as given; use `weight(for:)` for arithmetic.
    public var weights: JSONObject
    /// Momentum decay.
    public var momentumDecay: DecayTable
    /// Pressure decay.
    public var pressureDecay: DecayTable
    /// Complexity decay.
    public var complexityDecay: DecayTable
    /// G reduction when the latest `cto_hired` is at most 60 days old.
    public var suppressCTOHired60Days: Int
    /// G reduction when the latest `cto_hired` is 61–180 days old.
    public var suppressCTOHired180Days: Int
    /// Minimum composite for the lead feed (0 = none); shown in explain when non-zero.
    public var minimumThreshold: Int
    /// Event types that zero the composite when seen within their window (days), in pack order.
    public var disqualifierSignals: [DisqualifierSignal]
    /// The pack's recommendation bands when valid (§4.8), else nil.
    public var recommendationBands: RecommendationBands?

    /// Built-in composite weights: M 0.30, C 0.30, P 0.25, G 0.15.
    public static let defaultWeights: [ReadinessDimension: Double] = [
        .momentum: 0.30, .complexity: 0.30, .pressure: 0.25, .leadershipGap: 0.15,
    ]

    /// Built-in momentum bases.
    public static let builtInMomentumBases: [String: Double] = [
        "funding_raised": 35, "job_posted_engineering": 10, "job_posted_infra": 10,
        "headcount_growth": 20, "launch_major": 15,
    ]
    /// Built-in complexity bases (fractional_cto_v1's table without `repo_activity`).
    public static let builtInComplexityBases: [String: Double] = [
        "api_launched": 25, "ai_feature_launched": 25, "enterprise_feature": 20,
        "compliance_mentioned": 15, "job_posted_infra": 10,
    ]
    /// Built-in pressure bases.
    public static let builtInPressureBases: [String: Double] = [
        "enterprise_customer": 25, "regulatory_deadline": 30, "founder_urgency_language": 15,
        "revenue_milestone": 15, "funding_raised": 20,
    ]
    /// Built-in leadership-gap bases.
    public static let builtInLeadershipGapBases: [String: Double] = [
        "cto_role_posted": 70, "fractional_request": 60, "advisor_request": 60, "no_cto_detected": 40,
    ]
    /// Built-in quiet-signal table, in its fixed order.
    public static let builtInQuietAmplification: [QuietAmplification] = [
        QuietAmplification(eventType: "job_posted_infra", bases: ["M": 20, "C": 20]),
        QuietAmplification(eventType: "compliance_mentioned", bases: ["C": 25]),
        QuietAmplification(eventType: "api_launched", bases: ["C": 35]),
    ]

    /// The built-in weight map as the explain payload shows it (doubles, M C P G order).
    static let builtInWeightObject: JSONObject = [
        "M": .double(0.30), "C": .double(0.30), "P": .double(0.25), "G": .double(0.15),
    ]

    /// The built-in configuration used when no pack is available.
    public static let builtIn = ReadinessConfig(document: nil)

    /// Builds `cfg` from a pack's scoring document (`scoring.yaml`, or `analysis_weights.yaml` for
    /// schema 2 packs) applying the fallbacks of §4.1 key by key. `nil` means no pack: the built-in
    /// defaults, with step-function decay whose last band never ends and no recommendation bands.
    /// A document that is not an object reads like an empty one.
    public init(document: JSONValue?) {
        guard let document else {
            momentumBases = Self.builtInMomentumBases
            complexityBases = Self.builtInComplexityBases
            pressureBases = Self.builtInPressureBases
            leadershipGapBases = Self.builtInLeadershipGapBases
            quietAmplification = Self.builtInQuietAmplification
            quietLookbackDays = 365
            capJobsMomentum = 30
            capJobsComplexity = 20
            capFounderUrgency = 30
            capDimension = 100
            weights = Self.builtInWeightObject
            momentumDecay = DecayTable.builtInMomentum.extendedForever
            pressureDecay = DecayTable.builtInPressure.extendedForever
            complexityDecay = DecayTable.builtInComplexity.extendedForever
            suppressCTOHired60Days = 70
            suppressCTOHired180Days = 50
            minimumThreshold = 0
            disqualifierSignals = []
            recommendationBands = nil
            return
        }
        let bases = document["base_scores"]
        momentumBases = Self.baseTable(bases?["momentum"]) ?? Self.builtInMomentumBases
        complexityBases = Self.baseTable(bases?["complexity"]) ?? Self.builtInComplexityBases
        pressureBases = Self.baseTable(bases?["pressure"]) ?? Self.builtInPressureBases
        leadershipGapBases = Self.baseTable(bases?["leadership_gap"]) ?? Self.builtInLeadershipGapBases

        let quiet = document["quiet_signal"]
        quietAmplification = Self.quietTable(quiet?["amplified_base"]) ?? Self.builtInQuietAmplification
        quietLookbackDays = quiet?["lookback_days"].flatMap(ReadinessCoercion.int) ?? 365

        let caps = document["caps"]
        capJobsMomentum = caps?["jobs_momentum"].flatMap(ReadinessCoercion.number) ?? 30
        capJobsComplexity = caps?["jobs_complexity"].flatMap(ReadinessCoercion.number) ?? 20
        capFounderUrgency = caps?["founder_urgency"].flatMap(ReadinessCoercion.number) ?? 30
        capDimension = caps?["dimension_max"].flatMap(ReadinessCoercion.number) ?? 100

        if let given = document["composite_weights"]?.objectValue, !given.isEmpty {
            weights = given
        } else {
            weights = Self.builtInWeightObject
        }

        let decay = document["decay"]
        momentumDecay = DecayTable(parsing: decay?["momentum"]) ?? .builtInMomentum
        pressureDecay = DecayTable(parsing: decay?["pressure"]) ?? .builtInPressure
        complexityDecay = DecayTable(parsing: decay?["complexity"]) ?? .builtInComplexity

        let suppressors = document["suppressors"]
        suppressCTOHired60Days = suppressors?["cto_hired_60_days"].flatMap(ReadinessCoercion.int) ?? 70
        suppressCTOHired180Days = suppressors?["cto_hired_180_days"].flatMap(ReadinessCoercion.int) ?? 50

        minimumThreshold = document["minimum_threshold"].flatMap(ReadinessCoercion.int) ?? 0

        var disqualifiers: [DisqualifierSignal] = []
        for member in document["disqualifier_signals"]?.objectValue ?? JSONObject() {
            guard !ReadinessCoercion.trimmed(member.key).isEmpty,
                let window = ReadinessCoercion.int(member.value), window > 0
            else { continue }
            disqualifiers.append(DisqualifierSignal(eventType: member.key, windowDays: window))
        }
        disqualifierSignals = disqualifiers

        recommendationBands = RecommendationBands(document: document["recommendation_bands"])
    }

    /// The weight used in the composite: the pack's value for `dimension` when present and numeric,
    /// else the built-in default for that key (so partial maps can sum to more than 1).
    public func weight(for dimension: ReadinessDimension) -> Double {
        if let given = weights[dimension.rawValue].flatMap(ReadinessCoercion.number) { return given }
        return Self.defaultWeights[dimension] ?? 0
    }

    /// The base table of a dimension.
    public func bases(for dimension: ReadinessDimension) -> [String: Double] {
        switch dimension {
        case .momentum: return momentumBases
        case .complexity: return complexityBases
        case .pressure: return pressureBases
        case .leadershipGap: return leadershipGapBases
        }
    }

    /// A base-score map; nil (use the built-in table) when missing, not an object or empty.
    /// Entries whose value is not a number are left out.
    static func baseTable(_ value: JSONValue?) -> [String: Double]? {
        guard let object = value?.objectValue, !object.isEmpty else { return nil }
        var table: [String: Double] = [:]
        for member in object {
            if let number = ReadinessCoercion.number(member.value) { table[member.key] = number }
        }
        return table
    }

    /// The quiet table in file order; nil (built-in table) when missing, empty or malformed.
    static func quietTable(_ value: JSONValue?) -> [QuietAmplification]? {
        guard let object = value?.objectValue, !object.isEmpty else { return nil }
        var rows: [QuietAmplification] = []
        for member in object {
            guard let perDimension = member.value.objectValue else { return nil }
            var bases: [String: Int] = [:]
            for entry in perDimension {
                guard let amplified = ReadinessCoercion.int(entry.value) else { return nil }
                bases[entry.key] = amplified
            }
            rows.append(QuietAmplification(eventType: member.key, bases: bases))
        }
        return rows
    }
}

/// Python-style coercions the reference applies to pack values (`int(x)`, `float(x)`).
enum ReadinessCoercion {
    /// `int(x)`: integers as is, finite doubles truncated toward zero, booleans 1/0, strings holding
    /// an integer (surrounding whitespace allowed); anything else is unparseable (nil).
    static func int(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let i): return Int(exactly: i)
        case .double(let d):
            guard d.isFinite, let truncated = Int(exactly: d.rounded(.towardZero)) else { return nil }
            return truncated
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Int(trimmed(s))
        default: return nil
        }
    }

    /// A YAML number (int or double); booleans and strings are not numbers.
    static func number(_ value: JSONValue) -> Double? { value.numberValue }

    /// `float(x)` for finite results: numbers, booleans and numeric strings.
    static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .int, .double: return value.numberValue
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            guard let d = Double(trimmed(s)), d.isFinite else { return nil }
            return d
        default: return nil
        }
    }

    /// Python's `str.strip()`.
    static func trimmed(_ text: some StringProtocol) -> String {
        String(text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
