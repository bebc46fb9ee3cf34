public import SiglogCore

/// A pack's `recommendation_bands` when valid (spec §4.1, §4.8): three non-negative integers with
/// `ignoreMax < watchMax < highPriorityMin`.
public struct RecommendationBands: Sendable, Hashable {
    /// Highest composite that reads `IGNORE`.
    public var ignoreMax: Int
    /// Highest composite that reads `WATCH`.
    public var watchMax: Int
    /// Only validated: composites between `watchMax` and this value still read `HIGH_PRIORITY`.
    public var highPriorityMin: Int

    /// Validated bands; nil unless `0 <= ignoreMax < watchMax < highPriorityMin`.
    public init?(ignoreMax: Int, watchMax: Int, highPriorityMin: Int) {
        guard ignoreMax >= 0, ignoreMax < watchMax, watchMax < highPriorityMin else { return nil }
        self.ignoreMax = ignoreMax
        self.watchMax = watchMax
        self.highPriorityMin = highPriorityMin
    }

    /// Reads the pack's raw `recommendation_bands` map; nil when it is missing, lacks a key, holds a
    /// value that is not int-convertible, or is not strictly increasing.
    public init?(document: JSONValue?) {
        guard let object = document?.objectValue,
            let ignore = object["ignore_max"].flatMap(ReadinessCoercion.int),
            let watch = object["watch_max"].flatMap(ReadinessCoercion.int),
            let high = object["high_priority_min"].flatMap(ReadinessCoercion.int)
        else { return nil }
        self.init(ignoreMax: ignore, watchMax: watch, highPriorityMin: high)
    }
}

/// The recommendation band of a readiness composite (spec §4.8).
public enum RecommendationBand: String, Sendable, Hashable, CaseIterable {
    /// Composite at most `ignore_max`.
    case ignore = "IGNORE"
    /// Composite above `ignore_max` and at most `watch_max`.
    case watch = "WATCH"
    /// Composite above `watch_max`.
    case highPriority = "HIGH_PRIORITY"

    /// The band of `composite` under `bands`; nil when the pack defines no valid bands.
    public init?(composite: Int, bands: RecommendationBands?) {
        guard let bands else { return nil }
        if composite <= bands.ignoreMax {
            self = .ignore
        } else if composite <= bands.watchMax {
            self = .watch
        } else {
            self = .highPriority
        }
    }
}
