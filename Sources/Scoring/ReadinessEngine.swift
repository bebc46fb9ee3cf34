public import SiglogCore

/// The outcome of scoring one company for one day: the readiness snapshot's five integers and its
/// explain payload (spec §4.5–§4.7).
public struct ReadinessResult: Sendable, Hashable {
    /// Momentum M, 0…cap.
    public var momentum: Int
    /// Complexity C, 0…cap.
    public var complexity: Int
    /// Pressure P, 0…cap.
    public var pressure: Int
    /// Leadership gap G, 0…cap.
    public var leadershipGap: Int
    /// The composite R (0 when a disqualifier fired).
    public var composite: Int
    /// The explain (§4.7): its dimensions are the five integers above.
    public var explain: ReadinessExplain

    /// The band of `composite` when the pack defines valid bands.
    public var recommendationBand: RecommendationBand? { explain.recommendationBand }

    /// Creates a result.
    public init(momentum: Int, complexity: Int, pressure: Int, leadershipGap: Int, composite: Int, explain: ReadinessExplain) {
        self.momentum = momentum
        self.complexity = complexity
        self.pressure = pressure
        self.leadershipGap = leadershipGap
        self.composite = composite
        self.explain = explain
    }
}

/// Total Readiness Score: the four dimension calculators, the composite with its suppressors and
/// disqualifiers, and the explain payload (spec §4.3–§4.7). Pure: no storage, no clock.
///
/// Every function takes the company's events in the caller's order (§D1: `event_time` descending,
/// ties by log position descending); that order fixes the floating-point summation order and the
/// tie order of top events, so it must not be changed here.
public enum ReadinessEngine {
    /// Momentum window in days.
    public static let momentumWindowDays = 120
    /// Complexity window in days (wider than the 365-day input filter, as in the reference).
    public static let complexityWindowDays = 400
    /// Pressure window in days.
    public static let pressureWindowDays = 365
    /// Window of `cto_role_posted`, `fractional_request` and `advisor_request` in G.
    public static let leadershipRequestWindowDays = 120
    /// Window of `no_cto_detected` in G.
    public static let noCTODetectedWindowDays = 365
    /// Age up to which a `cto_hired` event suppresses G.
    public static let ctoHiredWindowDays = 180
    /// Age up to which a `cto_hired` event applies the stronger (60-day) suppression.
    public static let ctoHiredStrongWindowDays = 60
    /// The `suppressors_applied` entry of the global status suppressor.
    public static let companyStatusSuppressor = "company_status_suppressed"
    /// Company statuses (after trimming and lowercasing) that zero every dimension (§D10).
    public static let suppressedStatuses: Set<String> = ["acquired", "dead"]

    static let momentumJobTypes: Set<String> = ["job_posted_engineering", "job_posted_infra"]
    static let complexityJobTypes: Set<String> = ["job_posted_infra"]
    static let pressureUrgencyTypes: Set<String> = ["founder_urgency_language"]
    static let leadershipRequestTypes: Set<String> = ["cto_role_posted", "fractional_request", "advisor_request"]

    /// Scores one company for `asOf`.
    ///
    /// - Parameters:
    ///   - events: the company's events of the workspace pack with `event_time >= midnight(asOf − 365)`
    ///     and `< midnight(asOf + 1)`, ordered `event_time` descending, ties by log position descending.
    ///     Filtering and ordering are the caller's duty; events without a time are ignored here.
    ///   - companyStatus: the company's recorded status; `acquired`/`dead` (any case, surrounding
    ///     whitespace ignored) zero every dimension.
    ///   - previousComposite: the composite of the same company/pack snapshot dated `asOf − 1`, if any.
    /// - Returns: nil when `events` is empty (no snapshot is written).
    public static func compute(
        events: [ReadinessEvent], asOf: Day, config: ReadinessConfig, companyStatus: String?,
        previousComposite: Int?
    ) -> ReadinessResult? {
        compute(events: events, asOf: asOf, config: config, types: ReadinessTypeTable(config),
                companyStatus: companyStatus, previousComposite: previousComposite)
    }

    /// `compute(events:asOf:config:companyStatus:previousComposite:)` with `config`'s type table
    /// built once by the caller (`types` must be `ReadinessTypeTable(config)`), for scoring many
    /// companies with one pack. `url`, when given, is asked for the url of an event without one
    /// (by its position in `events`) that the explain's top events show, so a caller can make the
    /// url strings of those few events only.
    public static func compute(
        events: [ReadinessEvent], asOf: Day, config: ReadinessConfig, types: ReadinessTypeTable,
        companyStatus: String?, previousComposite: Int?, url: ((Int) -> String?)? = nil
    ) -> ReadinessResult? {
        guard !events.isEmpty else { return nil }
        let profiled = events.profiled(asOf: asOf, types: types)
        let hasFunding = hasRecentFunding(profiled, config: config)

        var m = bucketedMomentum(events, profiled, config: config, hasFunding: hasFunding)
        var c = bucketedComplexity(events, profiled, config: config, hasFunding: hasFunding)
        var p = bucketedPressure(events, profiled, config: config)
        var g = leadershipGap(profiled, config: config)

        var suppressors: [String] = []
        if let companyStatus, isSuppressed(status: companyStatus) {
            (m, c, p, g) = (0, 0, 0, 0)
            suppressors.append(companyStatusSuppressor)
        }

        var r = composite(momentum: m, complexity: c, pressure: p, leadershipGap: g, config: config)
        let disqualifiers = disqualifiersApplied(events, profiled, config: config)
        if !disqualifiers.isEmpty { r = 0 }

        let explain = ReadinessExplain(
            weights: config.weights, momentum: m, complexity: c, pressure: p, leadershipGap: g, composite: r,
            topEvents: topEvents(events, profiled, config: config, hasFunding: hasFunding, limit: topEventLimit,
                                 url: url),
            suppressorsApplied: suppressors,
            quietSignalAmplificationApplied: hasFunding ? [] : amplifiedTypesPresent(events, profiled, config: config),
            disqualifiersApplied: disqualifiers, minimumThreshold: config.minimumThreshold,
            recommendationBand: RecommendationBand(composite: r, bands: config.recommendationBands),
            delta1d: previousComposite.map { r - $0 } ?? 0)
        return ReadinessResult(momentum: m, complexity: c, pressure: p, leadershipGap: g, composite: r, explain: explain)
    }

    // MARK: - Dimensions (§4.4)

    /// Momentum M: events of the momentum table at most 120 days old, jobs bucket capped.
    public static func momentum(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> Int {
        let profiled = events.profiled(asOf: asOf, types: ReadinessTypeTable(config))
        return bucketedMomentum(events, profiled, config: config, hasFunding: hasRecentFunding(profiled, config: config))
    }

    /// Complexity C: events of the complexity table at most 400 days old, infra-job bucket capped.
    public static func complexity(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> Int {
        let profiled = events.profiled(asOf: asOf, types: ReadinessTypeTable(config))
        return bucketedComplexity(events, profiled, config: config, hasFunding: hasRecentFunding(profiled, config: config))
    }

    /// Pressure P: events of the pressure table at most 365 days old, never amplified, founder-urgency
    /// bucket capped.
    public static func pressure(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> Int {
        bucketedPressure(events, events.profiled(asOf: asOf, types: ReadinessTypeTable(config)), config: config)
    }

    static func bucketedMomentum(
        _ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig, hasFunding: Bool
    ) -> Int {
        bucketedDimension(
            events, profiled, config: config, dimension: .momentum, amplify: !hasFunding, decay: config.momentumDecay,
            windowDays: momentumWindowDays, inBucket: \.inMomentumBucket, bucketCap: config.capJobsMomentum)
    }

    static func bucketedComplexity(
        _ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig, hasFunding: Bool
    ) -> Int {
        bucketedDimension(
            events, profiled, config: config, dimension: .complexity, amplify: !hasFunding,
            decay: config.complexityDecay, windowDays: complexityWindowDays, inBucket: \.inComplexityBucket,
            bucketCap: config.capJobsComplexity)
    }

    static func bucketedPressure(_ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig) -> Int {
        // Pressure is never amplified.
        bucketedDimension(
            events, profiled, config: config, dimension: .pressure, amplify: false, decay: config.pressureDecay,
            windowDays: pressureWindowDays, inBucket: \.inPressureBucket, bucketCap: config.capFounderUrgency)
    }

    /// Leadership gap G: state based (no decay, no confidence). Requests count within 120 days,
    /// `no_cto_detected` within 365, every qualifying event adds its base again; the most recent
    /// `cto_hired` within 180 days then subtracts the 60- or 180-day suppressor. Other types of the
    /// pack's G table never count here.
    public static func leadershipGap(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> Int {
        leadershipGap(events.profiled(asOf: asOf, types: ReadinessTypeTable(config)), config: config)
    }

    static func leadershipGap(_ profiled: [ProfiledEvent], config: ReadinessConfig) -> Int {
        var raw = 0.0
        var hiredDays: Int?
        for event in profiled {
            guard let days = event.days else { continue }
            if event.profile.isCTOHired {
                if days <= ctoHiredWindowDays { hiredDays = min(hiredDays ?? days, days) }
                continue
            }
            guard let base = event.profile.leadershipGapBase, let window = event.profile.leadershipGapWindow,
                days <= window
            else { continue }
            raw += base
        }
        var g = Rounding.roundInt(Rounding.clamp(raw, 0, config.capDimension))
        if let hiredDays {
            let suppression = hiredDays <= ctoHiredStrongWindowDays
                ? config.suppressCTOHired60Days : config.suppressCTOHired180Days
            g = max(0, g - suppression)
        }
        return g
    }

    // MARK: - Composite (§4.5)

    /// `roundInt(clamp(wM·M + wC·C + wP·P + wG·G, 0, cap))`, summed in that order, each weight the
    /// pack's value or the built-in default for that key.
    public static func composite(
        momentum: Int, complexity: Int, pressure: Int, leadershipGap: Int, config: ReadinessConfig = .builtIn
    ) -> Int {
        let raw = config.weight(for: .momentum) * Double(momentum)
            + config.weight(for: .complexity) * Double(complexity)
            + config.weight(for: .pressure) * Double(pressure)
            + config.weight(for: .leadershipGap) * Double(leadershipGap)
        return Rounding.roundInt(Rounding.clamp(raw, 0, config.capDimension))
    }

    /// Whether a company status triggers the global suppressor (trimmed, lowercased).
    public static func isSuppressed(status: String) -> Bool {
        suppressedStatuses.contains(ReadinessCoercion.trimmed(status).lowercased())
    }

    /// The disqualifying event types, one entry per event within its type's window, in event order.
    public static func disqualifiersApplied(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> [String] {
        disqualifiersApplied(events, events.profiled(asOf: asOf, types: ReadinessTypeTable(config)), config: config)
    }

    static func disqualifiersApplied(_ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig)
        -> [String]
    {
        guard !config.disqualifierSignals.isEmpty else { return [] }
        var applied: [String] = []
        for (event, facts) in zip(events, profiled) {
            guard let days = facts.days, let window = facts.profile.disqualifierWindow, window > 0, days <= window
            else { continue }
            applied.append(event.eventType)
        }
        return applied
    }

    // MARK: - Helpers (§4.3)

    /// `hasFunding`: some `funding_raised` event at most `quietLookbackDays` old.
    public static func hasRecentFunding(events: [ReadinessEvent], asOf: Day, config: ReadinessConfig) -> Bool {
        hasRecentFunding(events.profiled(asOf: asOf, types: ReadinessTypeTable(config)), config: config)
    }

    static func hasRecentFunding(_ profiled: [ProfiledEvent], config: ReadinessConfig) -> Bool {
        profiled.contains { event in
            guard event.profile.isFunding, let days = event.days else { return false }
            return days <= config.quietLookbackDays
        }
    }

    /// The quiet-table types (table order) that occur anywhere in `events`: the explain's
    /// `quiet_signal_amplification_applied` when there is no recent funding.
    public static func amplifiedTypesPresent(events: [ReadinessEvent], config: ReadinessConfig) -> [String] {
        // No time is needed here (any day will do): every event counts, timed or not.
        amplifiedTypesPresent(events, events.profiled(asOf: Day(daysSinceEpoch: 0), types: ReadinessTypeTable(config)),
                              config: config)
    }

    static func amplifiedTypesPresent(_ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig)
        -> [String]
    {
        var present: Set<String> = []
        for (event, facts) in zip(events, profiled) where facts.profile.isQuiet { present.insert(event.eventType) }
        guard !present.isEmpty else { return [] }
        return config.quietAmplification.map(\.eventType).filter { present.contains($0) }
    }

    /// The shared shape of M, C and P: per-event `effBase · decay · conf` inside the window, split
    /// into a capped bucket and the rest, then `roundInt(clamp(min(bucket, cap) + other, 0, capDim))`.
    static func bucketedDimension(
        _ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig, dimension: ReadinessDimension,
        amplify: Bool, decay: DecayTable, windowDays: Int, inBucket: KeyPath<ReadinessTypeProfile, Bool>,
        bucketCap: Double
    ) -> Int {
        var bucket = 0.0
        var other = 0.0
        for (event, facts) in zip(events, profiled) {
            guard let days = facts.days, days <= windowDays,
                let base = facts.profile.effectiveBase(dimension, amplify: amplify)
            else { continue }
            let contribution = base * decay.value(forDays: days) * event.effectiveConfidence
            if facts.profile[keyPath: inBucket] { bucket += contribution } else { other += contribution }
        }
        return Rounding.roundInt(Rounding.clamp(min(bucket, bucketCap) + other, 0, config.capDimension))
    }
}
