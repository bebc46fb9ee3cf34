public import SiglogCore

/// One of a company's pack events as readiness scoring reads it (spec §4.2).
public struct ReadinessEvent: Sendable, Hashable {
    /// The event type (signal id), e.g. `funding_raised`.
    public var eventType: String
    /// When the event happened (UTC); events without a time are ignored by every calculator.
    public var eventTime: Timestamp?
    /// The confidence as stored (may lie outside 0…1, §D16); nil reads as 0.7.
    public var confidence: Double?
    /// The event's source, shown in top events.
    public var source: String?
    /// The event's URL, shown in top events.
    public var url: String?

    /// Creates an event.
    public init(
        eventType: String, eventTime: Timestamp?, confidence: Double? = nil, source: String? = nil,
        url: String? = nil
    ) {
        self.eventType = eventType
        self.eventTime = eventTime
        self.confidence = confidence
        self.source = source
        self.url = url
    }

    /// `conf(e)` of §4.3: the confidence clamped to 0…1, or 0.7 when absent.
    public var effectiveConfidence: Double {
        guard let confidence else { return 0.7 }
        return Rounding.clamp(confidence, 0, 1)
    }

    /// `daysSince(t, as_of)` of §0.2: whole calendar days from the event's UTC date to `asOf`,
    /// never negative (future events are 0 days old); nil without a time.
    public func daysSince(asOf: Day) -> Int? {
        guard let eventTime else { return nil }
        return max(0, asOf.days(since: eventTime.day))
    }
}
