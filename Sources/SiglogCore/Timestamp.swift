/// An instant in UTC with microsecond precision (the precision of the reference's timestamps),
/// stored as microseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerDay: Int64 = 86_400 * 1_000_000

    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(day: Day, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        microseconds = day.midnight.microseconds
            + (Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)) * Timestamp.microsecondsPerSecond
            + Int64(microsecond)
    }

    /// The calendar date (UTC) this instant falls on (the spec's `calendarDate(t)`).
    public var day: Day {
        Day(daysSinceEpoch: Int32(floorDays.days))
    }

    /// Whole days since the epoch rounded down, and the microseconds into that day (0 ..< one day).
    /// Defined for every `Int64`, the extremes included: a time read from a damaged or hostile
    /// record must print, not trap.
    private var floorDays: (days: Int64, within: Int64) {
        let (quotient, remainder) = microseconds.quotientAndRemainder(dividingBy: Timestamp.microsecondsPerDay)
        return remainder < 0 ? (quotient - 1, remainder + Timestamp.microsecondsPerDay) : (quotient, remainder)
    }

    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(microseconds: microseconds + seconds * Timestamp.microsecondsPerSecond)
    }

    public func adding(days: Int) -> Timestamp {
        Timestamp(microseconds: microseconds + Int64(days) * Timestamp.microsecondsPerDay)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Parses ISO-8601 as the ingest contract accepts it: `YYYY-MM-DD` (00:00 UTC), or
    /// `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` followed by nothing (UTC), `Z`, or `±HH[:MM]`.
    /// Fractions beyond microseconds are truncated. Returns nil when the text is not such a time, or
    /// when its offset takes it outside years 1–9999 in UTC.
    public init?(iso text: some StringProtocol) {
        var text = String(text)
        guard let time = text.withUTF8({ Timestamp(isoUTF8: $0) }) else { return nil }
        self = time
    }

    /// `init?(iso:)` of UTF-8 bytes (a slice of an input line: no String made).
    public init?(isoUTF8 b: UnsafeBufferPointer<UInt8>) {
        guard b.count >= 10, let day = Day(isoUTF8: UnsafeBufferPointer(rebasing: b[0..<10])) else { return nil }
        if b.count == 10 {
            self = day.midnight
            return
        }
        guard b.count >= 16, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
            let hour = Day.digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = Day.digits(b, 14, 2),
            hour < 24, minute < 60
        else { return nil }
        var i = 16
        var second = 0
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = Day.digits(b, i + 1, 2), s < 60 else { return nil }
            second = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                i += 1
                var count = 0
                while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                    if count < 6 { micros = micros * 10 + Int(b[i] - UInt8(ascii: "0")) }
                    count += 1
                    i += 1
                }
                guard count > 0 else { return nil }
                if count < 6 { for _ in count..<6 { micros *= 10 } }
            }
        }
        var offsetSeconds = 0
        if i < b.count {
            switch b[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = Day.digits(b, i + 1, 2), oh < 24 else { return nil }
                i += 3
                var om = 0
                if i < b.count {
                    if b[i] == UInt8(ascii: ":") { i += 1 }
                    guard let m = Day.digits(b, i, 2), m < 60 else { return nil }
                    om = m
                    i += 2
                }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            default:
                return nil
            }
        }
        guard i == b.count else { return nil }
        self.init(day: day, hour: hour, minute: minute, second: second, microsecond: micros)
        microseconds -= Int64(offsetSeconds) * Timestamp.microsecondsPerSecond
        // An offset can carry the first or last day of the range into year 0 or 10000 in UTC, which
        // prints as a time this parser (and every reader of the output) refuses.
        guard Timestamp.isoRange.contains(microseconds) else { return nil }
    }

    /// The instants `init?(iso:)` accepts: years 1 to 9999 in UTC, whose `description` reads back.
    static let isoRange = Day(year: 1, month: 1, day: 1)!.midnight.microseconds
        ... (Day(year: 9999, month: 12, day: 31)!.midnight.microseconds + microsecondsPerDay - 1)

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]` without an offset — the form of a naive stored value
    /// (what the reference writes into `top_events[].event_time`). Microseconds only when non-zero.
    public var isoNaive: String {
        let (days, within) = floorDays
        let dayPart = Day(daysSinceEpoch: Int32(days))
        let secondsOfDay = Int(within / Timestamp.microsecondsPerSecond)
        let micros = Int(within % Timestamp.microsecondsPerSecond)
        let (year, month, dayOfMonth) = dayPart.components
        guard (0...9999).contains(year) else {
            var text = dayPart.description + "T" + Day.pad(secondsOfDay / 3600, 2) + ":"
                + Day.pad(secondsOfDay / 60 % 60, 2) + ":" + Day.pad(secondsOfDay % 60, 2)
            if micros != 0 { text += "." + Day.pad(micros, 6) }
            return text
        }
        // Written digit by digit into a fixed buffer: times are formatted for every explain and
        // timeline entry, and string concatenation was a measurable share of scoring.
        let length = micros != 0 ? 26 : 19
        return String(unsafeUninitializedCapacity: length) { out in
            Timestamp.writeISO(into: out, year: year, month: month, day: dayOfMonth, secondsOfDay: secondsOfDay,
                               micros: micros != 0 ? micros : nil)
            return length
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS` (19 bytes), then `.ffffff` (7 more) when `micros` is given, into `out`.
    private static func writeISO(into out: UnsafeMutableBufferPointer<UInt8>, year: Int, month: Int, day: Int,
                                 secondsOfDay: Int, micros: Int?) {
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0); out[4] = UInt8(ascii: "-")
        put(month, 2, at: 5); out[7] = UInt8(ascii: "-")
        put(day, 2, at: 8); out[10] = UInt8(ascii: "T")
        put(secondsOfDay / 3600, 2, at: 11); out[13] = UInt8(ascii: ":")
        put(secondsOfDay / 60 % 60, 2, at: 14); out[16] = UInt8(ascii: ":")
        put(secondsOfDay % 60, 2, at: 17)
        if let micros {
            out[19] = UInt8(ascii: ".")
            put(micros, 6, at: 20)
        }
    }

    /// Appends the UTF-8 of `description` to `bytes` without making the string (a rebuild writes a
    /// time into the timeline entry of every new instance row).
    public func appendDescription(to bytes: inout [UInt8]) {
        let (days, within) = floorDays
        let (year, month, dayOfMonth) = Day(daysSinceEpoch: Int32(days)).components
        guard (0...9999).contains(year) else {
            bytes.append(contentsOf: description.utf8)
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 26))  // written below
        bytes.withUnsafeMutableBufferPointer { all in
            // Always with micros: `description` shows `.000000` where `isoNaive` shows none.
            Timestamp.writeISO(into: UnsafeMutableBufferPointer(rebasing: all[start..<(start + 26)]), year: year, month: month,
                               day: dayOfMonth, secondsOfDay: Int(within / Timestamp.microsecondsPerSecond),
                               micros: Int(within % Timestamp.microsecondsPerSecond))
        }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `isoNaive` followed by `+00:00`: an aware UTC value as the reference serializes it.
    public var isoUTC: String { isoNaive + "+00:00" }

    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the one form every tool prints, always with the microseconds,
    /// so times line up and an exported time reads back exactly.
    public var description: String {
        let naive = isoNaive
        return naive.count == 19 ? naive + ".000000Z" : naive + "Z"
    }
}
