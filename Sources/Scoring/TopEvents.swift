public import SiglogCore

/// One entry of the readiness explain's `top_events` (spec §4.6).
public struct ReadinessTopEvent: Sendable, Hashable {
    /// The event type.
    public var eventType: String
    /// The event time.
    public var eventTime: Timestamp
    /// The source, or "" when the event has none.
    public var source: String
    /// The URL, or "" when the event has none.
    public var url: String
    /// The event's total contribution over all dimensions, rounded to one decimal.
    public var contributionPoints: Double
    /// `conf(e)`: the clamped confidence, 0.7 when absent.
    public var confidence: Double

    /// Creates an entry.
    public init(
        eventType: String, eventTime: Timestamp, source: String, url: String, contributionPoints: Double,
        confidence: Double
    ) {
        self.eventType = eventType
        self.eventTime = eventTime
        self.source = source
        self.url = url
        self.contributionPoints = contributionPoints
        self.confidence = confidence
    }

    /// The explain form: `{event_type, event_time, source, url, contribution_points, confidence}`,
    /// the time written as a naive ISO-8601 string like the reference's stored values.
    public var json: JSONValue {
        .object([
            "event_type": .string(eventType),
            "event_time": .string(eventTime.description),
            "source": .string(source),
            "url": .string(url),
            "contribution_points": .double(contributionPoints),
            "confidence": .double(confidence),
        ])
    }
}

extension ReadinessEngine {
    /// How many contributions the explain keeps.
    public static let topEventLimit = 8

    /// The events that contributed most (spec §4.6). Unlike the dimension calculators no windows and
    /// no caps apply: every typed, timed event sums its M, C and P contributions (with the same
    /// quiet amplification) and its G base (except `cto_hired`). Events with a positive total are
    /// sorted by total descending, ties in input order, and the first `limit` are kept.
    public static func topEvents(
        events: [ReadinessEvent], asOf: Day, config: ReadinessConfig, limit: Int = topEventLimit
    ) -> [ReadinessTopEvent] {
        let profiled = events.profiled(asOf: asOf, types: ReadinessTypeTable(config))
        return topEvents(events, profiled, config: config, hasFunding: hasRecentFunding(profiled, config: config),
                         limit: limit)
    }

    static func topEvents(
        _ events: [ReadinessEvent], _ profiled: [ProfiledEvent], config: ReadinessConfig, hasFunding: Bool, limit: Int,
        url: ((Int) -> String?)? = nil
    ) -> [ReadinessTopEvent] {
        guard limit > 0 else { return [] }
        let amplify = !hasFunding
        var scored: [(index: Int, total: Double, time: Timestamp)] = []
        scored.reserveCapacity(limit + 1)
        for (index, facts) in profiled.enumerated() {
            let event = events[index]
            guard !event.eventType.isEmpty, let time = event.eventTime, let days = facts.days else { continue }
            let confidence = event.effectiveConfidence
            let profile = facts.profile
            var total = 0.0
            if let base = profile.effectiveBase(.momentum, amplify: amplify) {
                total += base * config.momentumDecay.value(forDays: days) * confidence
            }
            if let base = profile.effectiveBase(.complexity, amplify: amplify) {
                total += base * config.complexityDecay.value(forDays: days) * confidence
            }
            if let base = profile.pressureBase {
                total += base * config.pressureDecay.value(forDays: days) * confidence
            }
            if !profile.isCTOHired, let base = profile.leadershipGapBase {
                total += base
            }
            // Keeps the best `limit` by total descending, ties in input order (an event goes after
            // every earlier one with an equal total): what a stable sort of all of them would keep,
            // without sorting them all.
            guard total > 0, scored.count < limit || total > scored[scored.count - 1].total else { continue }
            let position = scored.firstIndex { $0.total < total } ?? scored.count
            scored.insert((index, total, time), at: position)
            if scored.count > limit { scored.removeLast() }
        }
        return scored.map { item in
            let event = events[item.index]
            return ReadinessTopEvent(
                eventType: event.eventType, eventTime: item.time, source: event.source ?? "",
                url: event.url ?? url?(item.index) ?? "", contributionPoints: Rounding.roundDec(item.total, 1),
                confidence: event.effectiveConfidence)
        }
    }
}
