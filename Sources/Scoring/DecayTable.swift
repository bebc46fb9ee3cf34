public import SiglogCore

/// A step function from event age (whole days) to a decay factor (spec §4.1 "Decay-table parsing").
///
/// Bands are sorted by inclusive upper bound; `value(forDays:)` returns the value of the first band
/// whose bound is not exceeded. Pack tables end at 9999 days (`"n+"`) and read 0.0 beyond every
/// bound; the built-in tables used without a pack extend their last band forever. The two agree for
/// every age up to 9999 days.
public struct DecayTable: Sendable, Hashable {
    /// One step: ages up to `upperBound` (inclusive) that no earlier band covers decay by `value`.
    public struct Band: Sendable, Hashable {
        /// Inclusive upper bound in days (9999 for an open `"n+"` key).
        public var upperBound: Int
        /// The decay factor for ages in this band.
        public var value: Double

        /// Creates a band.
        public init(upperBound: Int, value: Double) {
            self.upperBound = upperBound
            self.value = value
        }
    }

    /// The upper bound a `"n+"` key stands for.
    public static let openUpperBound = 9999

    /// Bands in ascending order of upper bound.
    public let bands: [Band]
    /// Whether ages beyond the last bound keep the last band's value (built-in step functions)
    /// instead of reading 0.0 (parsed pack tables).
    public let lastBandExtendsForever: Bool

    /// Creates a table from bands in any order; they are sorted (stably) by upper bound.
    public init(bands: [Band], lastBandExtendsForever: Bool = false) {
        self.bands = bands.enumerated()
            .sorted { ($0.element.upperBound, $0.offset) < ($1.element.upperBound, $1.offset) }
            .map(\.element)
        self.lastBandExtendsForever = lastBandExtendsForever
    }

    /// Parses a pack decay map such as `{"0-30": 1.0, "31-60": 0.7, "91+": 0.0}`.
    ///
    /// Returns nil when the value is not an object, is empty, or any entry is unparseable (a key that
    /// is neither `"a-b"` nor `"n+"` with integer bounds, or a non-numeric value): the caller then
    /// falls back to the built-in table as a whole.
    public init?(parsing document: JSONValue?) {
        guard let object = document?.objectValue, !object.isEmpty else { return nil }
        var parsed: [Band] = []
        for member in object {
            guard let upper = DecayTable.upperBound(ofKey: member.key),
                let value = ReadinessCoercion.double(member.value)
            else { return nil }
            parsed.append(Band(upperBound: upper, value: value))
        }
        self.init(bands: parsed)
    }

    /// The decay factor for an event `days` old; negative ages count as 0.
    public func value(forDays days: Int) -> Double {
        let age = max(0, days)
        for band in bands where age <= band.upperBound { return band.value }
        if lastBandExtendsForever, let last = bands.last { return last.value }
        return 0.0
    }

    /// The inclusive upper bound of a `"a-b"` key (`b`) or an open `"n+"` key (9999).
    static func upperBound(ofKey rawKey: String) -> Int? {
        let key = ReadinessCoercion.trimmed(rawKey)
        if key.hasSuffix("+") {
            guard Int(ReadinessCoercion.trimmed(key.dropLast())) != nil else { return nil }
            return openUpperBound
        }
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, Int(ReadinessCoercion.trimmed(parts[0])) != nil,
            let upper = Int(ReadinessCoercion.trimmed(parts[1]))
        else { return nil }
        return upper
    }
}

extension DecayTable {
    /// Built-in momentum decay: 0–30 1.0, 31–60 0.7, 61–90 0.4, 91+ 0.0.
    public static let builtInMomentum = DecayTable(
        bands: [.init(upperBound: 30, value: 1.0), .init(upperBound: 60, value: 0.7),
                .init(upperBound: 90, value: 0.4), .init(upperBound: openUpperBound, value: 0.0)])

    /// Built-in pressure decay: 0–30 1.0, 31–60 0.85, 61–120 0.6, 121+ 0.2.
    public static let builtInPressure = DecayTable(
        bands: [.init(upperBound: 30, value: 1.0), .init(upperBound: 60, value: 0.85),
                .init(upperBound: 120, value: 0.6), .init(upperBound: openUpperBound, value: 0.2)])

    /// Built-in complexity decay: 0–90 1.0, 91–180 0.8, 181–365 0.6, 366+ 0.4.
    public static let builtInComplexity = DecayTable(
        bands: [.init(upperBound: 90, value: 1.0), .init(upperBound: 180, value: 0.8),
                .init(upperBound: 365, value: 0.6), .init(upperBound: openUpperBound, value: 0.4)])

    /// This table with its last band extended forever: the step-function form used without a pack.
    public var extendedForever: DecayTable { DecayTable(bands: bands, lastBandExtendsForever: true) }
}
