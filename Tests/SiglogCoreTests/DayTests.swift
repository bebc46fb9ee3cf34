import SiglogCore
import Testing

/// A valid calendar date and its count of days since 1970-01-01, counted by hand.
struct KnownDay: Sendable, CustomTestStringConvertible {
    var text: String
    var year: Int, month: Int, day: Int
    var daysSinceEpoch: Int32
    var testDescription: String { text }
}

@Suite("Day: calendar dates")
struct DayTests {
    static let known: [KnownDay] = [
        KnownDay(text: "1970-01-01", year: 1970, month: 1, day: 1, daysSinceEpoch: 0),
        KnownDay(text: "1969-12-31", year: 1969, month: 12, day: 31, daysSinceEpoch: -1),
        // 30 years of 365 days plus the 7 leap days 1972…1996 → 2000-01-01 is day 10957; then Jan (31) + Feb (29).
        KnownDay(text: "2000-03-01", year: 2000, month: 3, day: 1, daysSinceEpoch: 10957 + 31 + 29),
        // 56 years plus the 14 leap days 1972…2024 → 2026-01-01 is day 20454; then Jan (31) + 17.
        KnownDay(text: "2026-02-18", year: 2026, month: 2, day: 18, daysSinceEpoch: 20454 + 31 + 17),
        // Leap day of a leap year: 2024-01-01 is 54·365 + 13 (leap days 1972…2020) = 19723; + 31 + 28.
        KnownDay(text: "2024-02-29", year: 2024, month: 2, day: 29, daysSinceEpoch: 19723 + 31 + 28),
        // The first and last days of years 1…9999: 0001-01-01 lies 719162 days before the epoch (the
        // proleptic Gregorian ordinal of 1970-01-01 is 719163); 9999-12-31 is ordinal
        // 9999·365 + 2424 leap days = 3652059.
        KnownDay(text: "0001-01-01", year: 1, month: 1, day: 1, daysSinceEpoch: -719_162),
        KnownDay(text: "9999-12-31", year: 9999, month: 12, day: 31, daysSinceEpoch: 3_652_059 - 719_163),
    ]

    @Test("known dates: components, day count, ISO text, both ways", arguments: known)
    func knownDates(_ k: KnownDay) throws {
        let fromParts = try #require(Day(year: k.year, month: k.month, day: k.day))
        let fromText = try #require(Day(iso: k.text))
        #expect(fromParts == fromText)
        #expect(fromParts.daysSinceEpoch == k.daysSinceEpoch)
        #expect(fromParts.description == k.text)
        let back = Day(daysSinceEpoch: k.daysSinceEpoch).components
        #expect([back.year, back.month, back.day] == [k.year, k.month, k.day])
    }

    static let impossible: [(Int, Int, Int)] = [
        (2023, 2, 29),  // not a leap year
        (1900, 2, 29),  // divisible by 100, not by 400
        (2026, 2, 30), (2026, 4, 31), (2026, 6, 31), (2026, 9, 31), (2026, 11, 31),
        (2026, 13, 1), (2026, 0, 1), (2026, 1, 0), (2026, 1, 32), (2026, -1, 1),
        (0, 1, 1), (10000, 1, 1), (-1, 6, 15),
    ]

    @Test("dates that do not exist, or years outside 1…9999, are nil", arguments: impossible)
    func impossibleDates(_ date: (Int, Int, Int)) {
        #expect(Day(year: date.0, month: date.1, day: date.2) == nil)
    }

    @Test("leap years: every 4th, not every 100th, but every 400th")
    func leapDays() {
        #expect(Day(year: 2000, month: 2, day: 29) != nil)
        #expect(Day(year: 2400, month: 2, day: 29) != nil)
        #expect(Day(year: 2100, month: 2, day: 29) == nil)
        #expect(Day(year: 2028, month: 2, day: 29) != nil)
        #expect(Day(year: 4, month: 2, day: 29) != nil)
        // The day after Feb 28 is Feb 29 in a leap year and Mar 1 otherwise.
        #expect(Day(year: 2024, month: 2, day: 28)!.adding(days: 1).description == "2024-02-29")
        #expect(Day(year: 2026, month: 2, day: 28)!.adding(days: 1).description == "2026-03-01")
    }

    static let malformed = [
        "", "2026-2-18", "2026-02-8", "26-02-18", "20260218", "2026/02/18", "2026-02-18 ", " 2026-02-18",
        "2026-02-1x", "+026-02-18", "-026-02-18", "2026-02-18T00", "2026-02-30", "0000-01-01", "2026–02–18",
        "２０２６-02-18",
    ]

    @Test("Day(iso:) takes exactly YYYY-MM-DD of ASCII digits", arguments: malformed)
    func malformedText(_ text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test("arithmetic: adding, days(since:), order, midnight")
    func arithmetic() throws {
        let day = try #require(Day(iso: "2026-02-18"))
        #expect(day.adding(days: 11).description == "2026-03-01")
        #expect(day.adding(days: -365).description == "2025-02-18")
        #expect(day.adding(days: 11).days(since: day) == 11)
        #expect(day.days(since: day.adding(days: 11)) == -11)
        #expect(day < day.adding(days: 1))
        #expect(Day(daysSinceEpoch: -1) < Day(daysSinceEpoch: 0))
        // 20502 days · 86 400 s = 1 771 372 800 s.
        #expect(day.midnight.microseconds == 1_771_372_800 * 1_000_000)
        #expect(Day(daysSinceEpoch: -1).midnight.microseconds == -86_400 * 1_000_000)
    }

    @Test("Day(parsing:) trims spaces and tabs and names the option in its error")
    func parsing() throws {
        #expect(try Day(parsing: " 2026-02-18\t") == Day(iso: "2026-02-18"))
        #expect(throws: InvalidValue("--as-of must be a date YYYY-MM-DD, got '2026-13-01'")) {
            try Day(parsing: "2026-13-01", name: "--as-of")
        }
        #expect(throws: InvalidValue("date must be a date YYYY-MM-DD, got '2026-02-18T10:00'")) {
            try Day(parsing: "2026-02-18T10:00")
        }
        #expect(throws: InvalidValue("as_of must be a date YYYY-MM-DD, got ''")) { try Day(parsing: "", name: "as_of") }
        #expect(InvalidValue("x").description == "x")
    }
}

@Suite("Day: printing")
struct DayPrintingTests {
    /// The padded pieces `description` printed before it wrote the bytes directly.
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    @Test("Every day of years 1…9999 (sampled), the edges and days outside that range print as the padded pieces")
    func descriptionMatchesPaddedPieces() {
        var days: [Int32] = [-800_000, -719_528, -719_162, -719_163, -1, 0, 1, 2_932_896, 2_932_897, 3_000_000]
        days += stride(from: Int32(-719_162), through: 2_932_896, by: 97).map { $0 }
        for raw in days {
            let day = Day(daysSinceEpoch: raw)
            let (y, m, d) = day.components
            #expect(day.description == Self.padded(y, 4) + "-" + Self.padded(m, 2) + "-" + Self.padded(d, 2), "day \(raw)")
        }
        #expect(Day(year: 1, month: 1, day: 1)!.description == "0001-01-01")
        #expect(Day(year: 9999, month: 12, day: 31)!.description == "9999-12-31")
    }
}
