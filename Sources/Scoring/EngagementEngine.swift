public import SiglogCore

/// One pack event as ESL reads it.
public struct ESLEvent: Sendable, Hashable {
    public var eventType: String
    public var eventTime: Timestamp
    /// As stored; nil and 0 read as 0.7 in SVI, other values are not clamped (D16).
    public var confidence: Double?

    public init(eventType: String, eventTime: Timestamp, confidence: Double? = nil) {
        self.eventType = eventType
        self.eventTime = eventTime
        self.confidence = confidence
    }
}

/// A readiness snapshot's date and pressure, for SPI.
public struct PressureSnapshot: Sendable, Hashable {
    public var asOf: Day
    public var pressure: Int

    public init(asOf: Day, pressure: Int) {
        self.asOf = asOf
        self.pressure = pressure
    }
}

/// Everything ESL needs for one company on one day (§5.1). The caller gathers it:
/// * `composite`: the TRS composite of the readiness snapshot for `(company, as_of, pack)`.
/// * `events`: the company's events of the workspace pack with
///   `midnight(as_of − 365) <= event_time < midnight(as_of + 1)`, ascending by time, ties by log
///   position (the engine re-applies the bounds and sorts stably, so order only breaks ties).
/// * `pressureSnapshots`: the company's readiness snapshots of the pack dated `as_of − 90 … as_of`.
/// * `lastOutreachAt`: the latest `sent_at` of the company's outreach in the same workspace (D9)
///   with `sent_at < midnight(as_of + 1)` (D15), or nil.
/// * `alignmentOK`: the company's `alignment_ok_to_contact`.
/// * `signalIDs`: the distinct signal ids the pack's derivers produce from the company's pack events
///   up to the end of `as_of` (D3, D15; see `DeriverSet.signalIDs(of:)`).
public struct ESLInput: Sendable, Hashable {
    public var composite: Int
    public var events: [ESLEvent]
    public var pressureSnapshots: [PressureSnapshot]
    public var lastOutreachAt: Timestamp?
    public var alignmentOK: Bool?
    public var signalIDs: Set<String>

    public init(
        composite: Int, events: [ESLEvent] = [], pressureSnapshots: [PressureSnapshot] = [],
        lastOutreachAt: Timestamp? = nil, alignmentOK: Bool? = nil, signalIDs: Set<String> = []
    ) {
        self.composite = composite
        self.events = events
        self.pressureSnapshots = pressureSnapshots
        self.lastOutreachAt = lastOutreachAt
        self.alignmentOK = alignmentOK
        self.signalIDs = signalIDs
    }
}

/// One engagement snapshot's values (§5.5).
public struct EngagementResult: Sendable, Hashable {
    /// ESL, 3 decimals.
    public var eslScore: Double
    /// `roundInt(composite * eslScore)`.
    public var outreachScore: Int
    /// The recommendation label (after the stability cap).
    public var engagementType: String
    public var baseEngageability: Double
    public var svi: Double
    public var spi: Double
    public var csi: Double
    public var stabilityModifier: Double
    public var cadenceModifier: Double
    public var alignmentModifier: Double
    public var cadenceBlocked: Bool
    public var stabilityCapTriggered: Bool
    public var decision: String
    public var reasonCode: String
    public var sensitivity: String?
    public var toneConstraint: String?

    /// The snapshot explain (§5.5).
    public var explain: EngagementExplain {
        EngagementExplain(
            baseEngageability: baseEngageability, stabilityModifier: stabilityModifier, cadenceModifier: cadenceModifier,
            alignmentModifier: alignmentModifier, svi: svi, spi: spi, csi: csi, eslComposite: eslScore,
            cadenceBlocked: cadenceBlocked, recommendationType: engagementType, stabilityCapTriggered: stabilityCapTriggered,
            eslDecision: decision, eslReasonCode: reasonCode, sensitivityLevel: sensitivity, toneConstraint: toneConstraint)
    }
}

/// The Engagement Suitability Layer (§5.2–§5.5): pure functions of the inputs, exact to the bit.
public enum EngagementEngine {
    /// Computes ESL, recommendation and gate decision for one company on `asOf`.
    public static func compute(_ input: ESLInput, asOf: Day, policy: ESLPolicy) -> EngagementResult {
        let events = boundedEvents(input.events, asOf: asOf)
        let be = baseEngageability(composite: input.composite)
        let svi = stressVolatilityIndex(events: events, asOf: asOf, policy: policy)
        let spi = sustainedPressureIndex(snapshots: input.pressureSnapshots, asOf: asOf, policy: policy)
        let csi = communicationStabilityIndex(events: events, policy: policy)
        let sm = stabilityModifier(svi: svi, spi: spi, csi: csi, policy: policy)
        let cm = cadenceModifier(lastOutreachAt: input.lastOutreachAt, asOf: asOf, policy: policy)
        let am = alignmentModifier(input.alignmentOK, policy: policy)
        let esl = eslScore(be: be, sm: sm, cm: cm, am: am)
        let cadenceBlocked = cm == 0
        let (label, capTriggered) = recommendation(
            esl: esl, stabilityModifier: sm, cadenceBlocked: cadenceBlocked, policy: policy)
        let gate = DecisionGate.decide(signalIDs: input.signalIDs, policy: policy)

        return EngagementResult(
            eslScore: esl, outreachScore: outreachScore(composite: input.composite, esl: esl),
            engagementType: label, baseEngageability: be, svi: svi, spi: spi, csi: csi, stabilityModifier: sm,
            cadenceModifier: cm, alignmentModifier: am, cadenceBlocked: cadenceBlocked,
            stabilityCapTriggered: capTriggered, decision: gate.decision, reasonCode: gate.reasonCode,
            sensitivity: gate.sensitivity, toneConstraint: gate.toneConstraint)
    }

    // MARK: - Components (§5.2), public so each formula can be checked alone

    /// BE = `roundDec(clamp(TRS, 0, 100) / 100, 2)`.
    public static func baseEngageability(composite: Int) -> Double {
        Rounding.roundDec(Rounding.clamp(Double(composite), 0, 100) / 100, 2)
    }

    /// SVI over the events of the SVI types at or after `midnight(asOf − window)`. Confidences are
    /// summed in event order, nil and 0 counting 0.7, never clamped (D16).
    public static func stressVolatilityIndex(events: [ESLEvent], asOf: Day, policy: ESLPolicy) -> Double {
        let since = asOf.adding(days: -policy.sviWindowDays).midnight
        var count = 0.0
        // The time test first: most events are older than the window, and their types are not hashed.
        for event in events where event.eventTime >= since && policy.sviEventTypes.contains(event.eventType) {
            let confidence = event.confidence ?? 0
            count += confidence == 0 ? 0.7 : confidence
        }
        if count == 0 { return 0.0 }
        return Rounding.roundDec(min(1.0, count * 0.5), 2)
    }

    /// SPI: the high value when a snapshot dated `asOf − sustained … asOf` has pressure at or above
    /// the threshold, else 0.
    public static func sustainedPressureIndex(snapshots: [PressureSnapshot], asOf: Day, policy: ESLPolicy) -> Double {
        let since = asOf.adding(days: -policy.spiSustainedDays)
        let sustained = snapshots.contains { snapshot in
            snapshot.asOf >= since && snapshot.asOf <= asOf && Double(snapshot.pressure) >= policy.spiPressureThreshold
        }
        return sustained ? policy.spiHighValue : 0.0
    }

    /// CSI: 1.0 below two events; else penalizes every consecutive gap whose whole-day length
    /// (floor of the time difference) exceeds the silence threshold.
    public static func communicationStabilityIndex(events: [ESLEvent], policy: ESLPolicy) -> Double {
        guard events.count >= 2 else { return 1.0 }
        let times = events.map(\.eventTime).sorted()
        var gaps = 0
        for i in 1..<times.count {
            let wholeDays = (times[i].microseconds - times[i - 1].microseconds) / Timestamp.microsecondsPerDay
            if wholeDays > Int64(policy.csiSilenceGapDays) { gaps += 1 }
        }
        return Rounding.roundDec(Rounding.clamp(1 - Double(gaps) * policy.csiGapPenalty, 0, 1), 2)
    }

    /// SM = `roundDec(clamp(1 − (wSVI*SVI + wSPI*SPI + wCSI*(1 − CSI)), 0, 1), 2)`, in that order.
    public static func stabilityModifier(svi: Double, spi: Double, csi: Double, policy: ESLPolicy = .noPack) -> Double {
        let stress = policy.sviWeight * svi + policy.spiWeight * spi + policy.csiWeight * (1 - csi)
        return Rounding.roundDec(Rounding.clamp(1 - stress, 0, 1), 2)
    }

    /// CM: 0.0 when the last outreach is at or after `midnight(asOf − cadence days)`, else 1.0.
    public static func cadenceModifier(lastOutreachAt: Timestamp?, asOf: Day, policy: ESLPolicy = .noPack) -> Double {
        guard let lastOutreachAt else { return 1.0 }
        return lastOutreachAt >= asOf.adding(days: -policy.cadenceCooldownDays).midnight ? 0.0 : 1.0
    }

    /// AM from `alignment_ok_to_contact`.
    public static func alignmentModifier(_ alignmentOK: Bool?, policy: ESLPolicy = .noPack) -> Double {
        switch alignmentOK {
        case true?: return policy.alignmentOKModifier
        case false?: return policy.alignmentNotOKModifier
        case nil: return policy.alignmentNullModifier
        }
    }

    /// ESL = `roundDec(clamp(BE * SM * CM * AM, 0, 1), 3)`, multiplied left to right.
    public static func eslScore(be: Double, sm: Double, cm: Double, am: Double) -> Double {
        Rounding.roundDec(Rounding.clamp(be * sm * cm * am, 0, 1), 3)
    }

    /// `roundInt(TRS * ESL)`, ties to even.
    public static func outreachScore(composite: Int, esl: Double) -> Int {
        Rounding.roundInt(Double(composite) * esl)
    }

    /// The boundary label for `esl`: scan the list last to first, first threshold `<= clamp(esl)`
    /// wins; none → `Observe Only`.
    public static func boundaryLabel(esl: Double, policy: ESLPolicy) -> String {
        let e = Rounding.clamp(esl, 0, 1)
        for boundary in policy.boundaries.reversed() where e >= boundary.threshold {
            return boundary.label
        }
        return "Observe Only"
    }

    /// The recommendation after the stability cap (§5.3): when SM is below the cap threshold and the
    /// cadence is not blocked the label is `Soft Value Share`, whatever the boundary gave (it can
    /// raise `Observe Only`).
    public static func recommendation(
        esl: Double, stabilityModifier sm: Double, cadenceBlocked: Bool, policy: ESLPolicy
    ) -> (label: String, stabilityCapTriggered: Bool) {
        let capTriggered = sm < policy.stabilityCapThreshold
        if capTriggered && !cadenceBlocked { return ("Soft Value Share", true) }
        return (boundaryLabel(esl: esl, policy: policy), capTriggered)
    }

    /// Events inside `[midnight(asOf − 365), midnight(asOf + 1))`, ascending by time; equal times keep
    /// input order.
    static func boundedEvents(_ events: [ESLEvent], asOf: Day) -> [ESLEvent] {
        let lower = asOf.adding(days: -365).midnight
        let upper = asOf.adding(days: 1).midnight
        // The caller's usual input is already bounded and ascending: then it is the answer as it is.
        if events.allSatisfy({ $0.eventTime >= lower && $0.eventTime < upper })
            && zip(events, events.dropFirst()).allSatisfy({ $0.eventTime <= $1.eventTime })
        {
            return events
        }
        return events.enumerated()
            .filter { $0.element.eventTime >= lower && $0.element.eventTime < upper }
            .sorted { ($0.element.eventTime, $0.offset) < ($1.element.eventTime, $1.offset) }
            .map(\.element)
    }
}
