import SiglogCore

/// The time rules of ADAPTERS.md §0.3: `since` as the APIs receive it, and the parsers T1, T2, T3
/// that turn API dates into instants (falling back to "now", read by the caller per item).
enum ReferenceTime {
    /// `sinceDate`: the UTC calendar date, `YYYY-MM-DD`.
    static func sinceDate(_ since: Timestamp) -> String { since.day.description }

    /// `sinceStamp`: `YYYY-MM-DDTHH:MM:SSZ` in UTC, fractional seconds dropped.
    static func sinceStamp(_ since: Timestamp) -> String {
        let whole = Timestamp(microseconds: since.microseconds
            - floorMod(since.microseconds, Timestamp.microsecondsPerSecond))
        return String(whole.isoNaive.prefix(19)) + "Z"
    }

    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { ((a % b) + b) % b }

    /// Parser T1 (Product Hunt `createdAt`, NewsAPI `publishedAt`, GitHub `created_at`): a falsy
    /// value (null, empty text) gives `now`; text has every `Z`/`z` replaced by `+00:00`, is cut to
    /// 26 characters and parsed as ISO-8601 (`now` when that fails). Any other value throws, as the
    /// reference's string operations do.
    static func t1(_ value: JSONValue?, field: String, now: Timestamp) throws(AdapterError) -> Timestamp {
        let text = try PythonValue.string(value, field)
        if text.isEmpty { return now }
        return t1Text(text) ?? now
    }

    /// T1 steps 2–5 on non-empty text; nil when the text does not parse.
    static func t1Text(_ text: String) -> Timestamp? {
        var replaced = ""
        for scalar in text.unicodeScalars {
            if scalar == "Z" || scalar == "z" { replaced += "+00:00" } else { replaced.unicodeScalars.append(scalar) }
        }
        return isoDateTime(PythonValue.truncated(replaced, to: 26))
    }

    /// Parser T2 (Crunchbase `announced_on`): the first 10 characters of the value's text as a date
    /// `YYYY-M[M]-D[D]` (Python's `strptime("%Y-%m-%d")`), 00:00 UTC; `now` when that fails or the
    /// value is null.
    static func t2(_ value: JSONValue?, now: Timestamp) -> Timestamp {
        guard let value, !value.isNull else { return now }
        let head = Array(PythonValue.truncated(PythonValue.text(value), to: 10).unicodeScalars)
        return strptimeDate(head)?.midnight ?? now
    }

    /// Parser T3 (Delaware dates): trimmed text; empty gives `now`. With a `T` (after replacing
    /// `Z`/`z`), T1 steps 3–5; otherwise the first 10 characters as an ISO date at 00:00 UTC.
    static func t3(_ text: String?, now: Timestamp) -> Timestamp {
        let trimmed = PythonValue.trimmed(text ?? "")
        if trimmed.isEmpty { return now }
        if trimmed.unicodeScalars.contains("T") { return t1Text(trimmed) ?? now }
        var replaced = ""
        for scalar in trimmed.unicodeScalars {
            if scalar == "Z" || scalar == "z" { replaced += "+00:00" } else { replaced.unicodeScalars.append(scalar) }
        }
        let head = Array(PythonValue.truncated(replaced, to: 10).unicodeScalars)
        guard let (day, length) = isoDate(head), length == head.count else { return now }
        return day.midnight
    }

    // MARK: - ISO-8601 as the reference's `datetime.fromisoformat` reads it

    /// `YYYY-MM-DD` or `YYYYMMDD`, optionally followed by `T`, `t` or a space and a time
    /// `HH[:MM[:SS[.f]]]` or `HH[MM[SS[.f]]]` (a fraction of 1 or more digits, microseconds kept),
    /// optionally followed by `Z` or an offset `±HH[[:]MM]`. No offset means UTC. Nil otherwise.
    static func isoDateTime(_ text: String) -> Timestamp? {
        let s = Array(text.unicodeScalars)
        guard let (day, dateLength) = isoDate(s) else { return nil }
        if dateLength == s.count { return day.midnight }
        guard s[dateLength] == "T" || s[dateLength] == "t" || s[dateLength] == " " else { return nil }
        var i = dateLength + 1
        guard let time = clockTime(s, &i), time.hour < 24, time.minute < 60, time.second < 60 else { return nil }
        var offsetSeconds = 0
        if i < s.count {
            switch s[i] {
            case "Z":
                i += 1
            case "+", "-":
                let sign = s[i] == "-" ? -1 : 1
                i += 1
                guard let hours = digits(s, i, 2), hours < 24 else { return nil }
                i += 2
                var minutes = 0
                if i < s.count {
                    if s[i] == ":" { i += 1 }
                    guard let m = digits(s, i, 2), m < 60 else { return nil }
                    minutes = m
                    i += 2
                }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            default:
                return nil
            }
        }
        guard i == s.count else { return nil }
        let local = Timestamp(day: day, hour: time.hour, minute: time.minute, second: time.second,
                              microsecond: time.microsecond)
        return Timestamp(microseconds: local.microseconds - Int64(offsetSeconds) * Timestamp.microsecondsPerSecond)
    }

    /// The date at the start of `s` (`YYYY-MM-DD` or `YYYYMMDD`) and its length.
    static func isoDate(_ s: [Unicode.Scalar]) -> (Day, Int)? {
        if s.count >= 10, s[4] == "-" {
            guard s[7] == "-", let y = digits(s, 0, 4), let m = digits(s, 5, 2), let d = digits(s, 8, 2),
                let day = Day(year: y, month: m, day: d)
            else { return nil }
            return (day, 10)
        }
        guard let y = digits(s, 0, 4), let m = digits(s, 4, 2), let d = digits(s, 6, 2),
            let day = Day(year: y, month: m, day: d)
        else { return nil }
        return (day, 8)
    }

    private struct ClockTime {
        var hour = 0, minute = 0, second = 0, microsecond = 0
    }

    /// `HH[:MM[:SS[.f]]]` or `HH[MM[SS[.f]]]` from `i`, which ends after it.
    private static func clockTime(_ s: [Unicode.Scalar], _ i: inout Int) -> ClockTime? {
        var time = ClockTime()
        guard let hour = digits(s, i, 2) else { return nil }
        time.hour = hour
        i += 2
        let extended = i < s.count && s[i] == ":"
        func component() -> Int? {
            if extended {
                guard i < s.count, s[i] == ":", let value = digits(s, i + 1, 2) else { return nil }
                i += 3
                return value
            }
            guard let value = digits(s, i, 2) else { return nil }
            i += 2
            return value
        }
        let hasMinute = extended ? (i < s.count && s[i] == ":") : digits(s, i, 2) != nil
        guard hasMinute else { return extended ? nil : time }
        guard let minute = component() else { return nil }
        time.minute = minute
        let hasSecond = extended ? (i < s.count && s[i] == ":") : digits(s, i, 2) != nil
        guard hasSecond else { return time }
        guard let second = component() else { return nil }
        time.second = second
        if i < s.count, s[i] == "." || s[i] == "," {
            i += 1
            var count = 0
            var micros = 0
            while i < s.count, let digit = digitValue(s[i]) {
                if count < 6 { micros = micros * 10 + digit }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 6)..<6 { micros *= 10 }
            time.microsecond = micros
        }
        return time
    }

    /// `YYYY-M[M]-D[D]` exactly, as `strptime("%Y-%m-%d")` matches it: four digits, month
    /// `1[0-2]|0[1-9]|[1-9]`, day `3[01]|[12]\d|0[1-9]|[1-9]| [1-9]`, then a real calendar date.
    static func strptimeDate(_ s: [Unicode.Scalar]) -> Day? {
        guard let year = digits(s, 0, 4), s.count > 5, s[4] == "-" else { return nil }
        var i = 5
        guard let month = strptimeNumber(s, &i, allowLeadingSpace: false), (1...12).contains(month),
            i < s.count, s[i] == "-"
        else { return nil }
        i += 1
        guard let day = strptimeNumber(s, &i, allowLeadingSpace: true), (1...31).contains(day), i == s.count
        else { return nil }
        return Day(year: year, month: month, day: day)
    }

    /// One or two digits (a leading space before a single digit where allowed), the longest that
    /// keeps the rest parseable: two digits unless only one is there.
    private static func strptimeNumber(_ s: [Unicode.Scalar], _ i: inout Int, allowLeadingSpace: Bool) -> Int? {
        if allowLeadingSpace, i < s.count, s[i] == " " {
            guard i + 1 < s.count, let d = digitValue(s[i + 1]), d > 0 else { return nil }
            i += 2
            return d
        }
        guard i < s.count, let first = digitValue(s[i]) else { return nil }
        if i + 1 < s.count, let second = digitValue(s[i + 1]) {
            let two = first * 10 + second
            // `%m` and `%d` take two digits when those form a valid number, else one.
            if first == 0 ? second > 0 : two <= (allowLeadingSpace ? 31 : 12) {
                i += 2
                return two
            }
        }
        guard first > 0 else { return nil }
        i += 1
        return first
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        scalar.value >= 0x30 && scalar.value <= 0x39 ? Int(scalar.value - 0x30) : nil
    }

    private static func digits(_ s: [Unicode.Scalar], _ start: Int, _ count: Int) -> Int? {
        guard start >= 0, start + count <= s.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            guard let digit = digitValue(s[index]) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
