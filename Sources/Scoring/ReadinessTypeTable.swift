import SiglogCore

/// What readiness scoring needs to know about one event type under one pack's configuration: every
/// table's answer for that type, looked up once per type instead of once per event and dimension.
struct ReadinessTypeProfile: Sendable {
    /// The M, C, P and G table bases (nil when the type is not in that table).
    var momentumBase: Double?
    var complexityBase: Double?
    var pressureBase: Double?
    var leadershipGapBase: Double?
    /// The first quiet-table row's non-zero amplified M and C bases of the type.
    var amplifiedMomentum: Double?
    var amplifiedComplexity: Double?
    /// Whether some quiet-table row names the type.
    var isQuiet = false
    /// Members of the capped buckets of M, C and P.
    var inMomentumBucket = false
    var inComplexityBucket = false
    var inPressureBucket = false
    /// `funding_raised` (the quiet-amplification switch).
    var isFunding = false
    /// `cto_hired` (G's suppressor; never counted in G or in top events' G part).
    var isCTOHired = false
    /// The window within which an event of the type adds its G base (requests 120 days,
    /// `no_cto_detected` 365); nil when it never counts in G.
    var leadershipGapWindow: Int?
    /// The window of the first disqualifier entry naming the type.
    var disqualifierWindow: Int?

    /// `effBase(type, dim)` of §4.3 for M (`.momentum`) or C (`.complexity`).
    func effectiveBase(_ dimension: ReadinessDimension, amplify: Bool) -> Double? {
        switch dimension {
        case .momentum:
            guard let base = momentumBase else { return nil }
            return amplify ? amplifiedMomentum ?? base : base
        case .complexity:
            guard let base = complexityBase else { return nil }
            return amplify ? amplifiedComplexity ?? base : base
        case .pressure:
            return pressureBase  // never amplified
        case .leadershipGap:
            return leadershipGapBase
        }
    }
}

/// The type profiles of every event type a pack's readiness configuration names; any other type
/// has the empty profile (no base, no window, no flag). Built once per configuration, it answers
/// every table lookup of an event with one dictionary lookup.
public struct ReadinessTypeTable: Sendable {
    private var profiles: [String: ReadinessTypeProfile] = [:]

    /// The table of `config`.
    public init(_ config: ReadinessConfig) {
        let named = Set(config.momentumBases.keys).union(config.complexityBases.keys)
            .union(config.pressureBases.keys).union(config.leadershipGapBases.keys)
            .union(config.quietAmplification.map(\.eventType)).union(config.disqualifierSignals.map(\.eventType))
            .union(ReadinessEngine.momentumJobTypes).union(ReadinessEngine.complexityJobTypes)
            .union(ReadinessEngine.pressureUrgencyTypes).union(ReadinessEngine.leadershipRequestTypes)
            .union(["funding_raised", "cto_hired", "no_cto_detected"])
        for type in named {
            var profile = ReadinessTypeProfile()
            profile.momentumBase = config.momentumBases[type]
            profile.complexityBase = config.complexityBases[type]
            profile.pressureBase = config.pressureBases[type]
            profile.leadershipGapBase = config.leadershipGapBases[type]
            if let row = config.quietAmplification.first(where: { $0.eventType == type }) {
                profile.isQuiet = true
                profile.amplifiedMomentum = row.base(for: .momentum).map(Double.init)
                profile.amplifiedComplexity = row.base(for: .complexity).map(Double.init)
            }
            profile.inMomentumBucket = ReadinessEngine.momentumJobTypes.contains(type)
            profile.inComplexityBucket = ReadinessEngine.complexityJobTypes.contains(type)
            profile.inPressureBucket = ReadinessEngine.pressureUrgencyTypes.contains(type)
            profile.isFunding = type == "funding_raised"
            profile.isCTOHired = type == "cto_hired"
            if !profile.isCTOHired, profile.leadershipGapBase != nil {
                if ReadinessEngine.leadershipRequestTypes.contains(type) {
                    profile.leadershipGapWindow = ReadinessEngine.leadershipRequestWindowDays
                } else if type == "no_cto_detected" {
                    profile.leadershipGapWindow = ReadinessEngine.noCTODetectedWindowDays
                }
            }
            profile.disqualifierWindow = config.disqualifierSignals.first { $0.eventType == type }?.windowDays
            profiles[type] = profile
        }
    }

    /// The profile of `type` (the empty one for a type the configuration does not name).
    func profile(of type: String) -> ReadinessTypeProfile {
        profiles[type] ?? ReadinessTypeProfile()
    }
}

/// An event with its type's profile and its age, computed once for every calculator.
struct ProfiledEvent {
    var profile: ReadinessTypeProfile
    /// `daysSince(asOf)`; nil without a time.
    var days: Int?

    init(_ event: ReadinessEvent, asOf: Day, types: ReadinessTypeTable) {
        profile = types.profile(of: event.eventType)
        days = event.daysSince(asOf: asOf)
    }
}

extension [ReadinessEvent] {
    /// Every event profiled, in order.
    func profiled(asOf: Day, types: ReadinessTypeTable) -> [ProfiledEvent] {
        map { ProfiledEvent($0, asOf: asOf, types: types) }
    }
}
