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
/// every table lookup of an event with one dictionary lookup, or with none when the caller says
/// which events share a type (`ProfiledEvents`).
public struct ReadinessTypeTable: Sendable {
    /// The profiles by position: the empty one at 0, then each named type's.
    private var profiles: [ReadinessTypeProfile] = [ReadinessTypeProfile()]
    /// The named types' positions in `profiles`.
    private var positions: [String: Int32] = [:]

    /// The table of `config`.
    public init(_ config: ReadinessConfig) {
        let named = Set(config.momentumBases.keys).union(config.complexityBases.keys)
            .union(config.pressureBases.keys).union(config.leadershipGapBases.keys)
            .union(config.quietAmplification.map(\.eventType)).union(config.disqualifierSignals.map(\.eventType))
            .union(ReadinessEngine.momentumJobTypes).union(ReadinessEngine.complexityJobTypes)
            .union(ReadinessEngine.pressureUrgencyTypes).union(ReadinessEngine.leadershipRequestTypes)
            .union(["funding_raised", "cto_hired", "no_cto_detected"])
        for type in named.sorted() {
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
            positions[type] = Int32(profiles.count)
            profiles.append(profile)
        }
    }

    /// The position of `type`'s profile: its own for a type the configuration names, else 0 (the
    /// empty profile). Two named types never share a position.
    func position(of type: String) -> Int32 {
        positions[type] ?? 0
    }

    /// The profile at `position`.
    func profile(at position: Int32) -> ReadinessTypeProfile {
        profiles[Int(position)]
    }

    /// How many positions there are.
    var count: Int { profiles.count }
}

/// An event with its type's profile and its age, computed once for every calculator.
struct ProfiledEvent {
    var profile: ReadinessTypeProfile
    /// The profile's position in the table (one per named type).
    var position: Int32
    /// `daysSince(asOf)`; nil without a time.
    var days: Int?
}

/// Every event's profile position and age, in event order (8 bytes an event, so a long history's
/// facts are not a copy of its profiles).
struct ProfiledEvents: RandomAccessCollection {
    let types: ReadinessTypeTable
    /// Per event: the profile's position and the age in days (−1 without a time).
    private var facts: [(position: Int32, days: Int32)]

    /// `events` profiled for `asOf`. `typeKeys`, when given, holds one key per event: events whose
    /// keys are equal and in `0..<maximumTypeKeys` have equal types, so each such key's type is
    /// looked up once, on its first event; an event with any other key is looked up by its type.
    init(_ events: [ReadinessEvent], asOf: Day, types: ReadinessTypeTable, typeKeys: [Int]? = nil) {
        precondition(typeKeys.map { $0.count == events.count } ?? true, "one type key per event")
        self.types = types
        facts = []
        facts.reserveCapacity(events.count)
        var positionByKey: [Int32] = []  // −1: not looked up yet
        for (index, event) in events.enumerated() {
            let position: Int32
            if let key = typeKeys?[index], key >= 0, key < Self.maximumTypeKeys {
                if key >= positionByKey.count {
                    positionByKey.append(contentsOf: repeatElement(-1, count: key + 1 - positionByKey.count))
                }
                if positionByKey[key] < 0 { positionByKey[key] = types.position(of: event.eventType) }
                position = positionByKey[key]
                assert(position == types.position(of: event.eventType), "events with one type key have one type")
            } else {
                position = types.position(of: event.eventType)
            }
            // Ages fit 32 bits: a timestamp's 64-bit microseconds span ±107 million days.
            facts.append((position, event.daysSince(asOf: asOf).map { Int32($0) } ?? -1))
        }
    }

    /// Type keys at or above this are looked up by type.
    static let maximumTypeKeys = 256

    var startIndex: Int { 0 }
    var endIndex: Int { facts.count }

    subscript(index: Int) -> ProfiledEvent {
        let fact = facts[index]
        return ProfiledEvent(profile: types.profile(at: fact.position), position: fact.position,
                             days: fact.days < 0 ? nil : Int(fact.days))
    }
}

extension [ReadinessEvent] {
    /// Every event profiled, in order.
    func profiled(asOf: Day, types: ReadinessTypeTable, typeKeys: [Int]? = nil) -> ProfiledEvents {
        ProfiledEvents(self, asOf: asOf, types: types, typeKeys: typeKeys)
    }
}
