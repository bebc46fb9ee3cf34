import SiglogCore
import Testing

/// 2026-02-18T00:00:00Z in seconds since the epoch: day 20502 (see `DayTests`) × 86 400.
let feb18: Int64 = 1_771_372_800

/// Microseconds of `seconds` after 2026-02-18T00:00:00Z plus `micros`.
func onFeb18(_ seconds: Int64, _ micros: Int64 = 0) -> Int64 { (feb18 + seconds) * 1_000_000 + micros }

/// 12:34:56 as seconds of the day: 12·3600 + 34·60 + 56.
let t123456: Int64 = 45_296

struct AcceptedTime: Sendable, CustomTestStringConvertible {
    var text: String
    var microseconds: Int64
    init(_ text: String, _ microseconds: Int64) {
        self.text = text
        self.microseconds = microseconds
    }
    var testDescription: String { text }
}

@Suite("Timestamp: ISO-8601 parsing and formatting")
struct TimestampTests {
    static let accepted: [AcceptedTime] = [
        AcceptedTime("2026-02-18", onFeb18(0)),  // a date alone is 00:00 UTC
        AcceptedTime("2026-02-18T12:34", onFeb18(45_240)),  // seconds optional
        AcceptedTime("2026-02-18T12:34:56", onFeb18(t123456)),  // no zone: UTC
        AcceptedTime("2026-02-18t12:34:56", onFeb18(t123456)),
        AcceptedTime("2026-02-18 12:34:56", onFeb18(t123456)),
        AcceptedTime("2026-02-18T12:34:56Z", onFeb18(t123456)),
        AcceptedTime("2026-02-18T12:34:56z", onFeb18(t123456)),
        AcceptedTime("2026-02-18T12:34Z", onFeb18(45_240)),
        AcceptedTime("2026-02-18T00:00:00", onFeb18(0)),
        AcceptedTime("2026-02-18T23:59:59", onFeb18(86_399)),
        // Fractions: 1 to 6 digits scale to microseconds, digits past the 6th are cut (not rounded).
        AcceptedTime("2026-02-18T12:34:56.5", onFeb18(t123456, 500_000)),
        AcceptedTime("2026-02-18T12:34:56.12", onFeb18(t123456, 120_000)),
        AcceptedTime("2026-02-18T12:34:56.000001", onFeb18(t123456, 1)),
        AcceptedTime("2026-02-18T12:34:56.123456", onFeb18(t123456, 123_456)),
        AcceptedTime("2026-02-18T12:34:56.1234567", onFeb18(t123456, 123_456)),
        AcceptedTime("2026-02-18T12:34:56.123456789", onFeb18(t123456, 123_456)),
        AcceptedTime("2026-02-18T12:34:56.999999999Z", onFeb18(t123456, 999_999)),
        AcceptedTime("2026-02-18T12:34:56,25", onFeb18(t123456, 250_000)),  // ISO's decimal comma
        // Offsets: the instant is the local time minus the offset.
        AcceptedTime("2026-02-18T12:34:56+05", onFeb18(t123456 - 5 * 3600)),
        AcceptedTime("2026-02-18T12:34:56+05:30", onFeb18(t123456 - 5 * 3600 - 30 * 60)),
        AcceptedTime("2026-02-18T12:34:56+0530", onFeb18(t123456 - 5 * 3600 - 30 * 60)),
        AcceptedTime("2026-02-18T12:34:56-03:30", onFeb18(t123456 + 3 * 3600 + 30 * 60)),
        AcceptedTime("2026-02-18T12:34:56-0330", onFeb18(t123456 + 3 * 3600 + 30 * 60)),
        AcceptedTime("2026-02-18T12:34:56+00:00", onFeb18(t123456)),
        AcceptedTime("2026-02-18T12:34:56-00:00", onFeb18(t123456)),
        AcceptedTime("2026-02-18T12:34:56+23:59", onFeb18(t123456 - 23 * 3600 - 59 * 60)),  // previous day
        AcceptedTime("2026-02-18T12:34+01:00", onFeb18(45_240 - 3600)),
        AcceptedTime("2026-02-18T12:34:56.250-01:00", onFeb18(t123456 + 3600, 250_000)),
    ]

    @Test("accepted forms", arguments: accepted)
    func acceptedForms(_ sample: AcceptedTime) throws {
        let time = try #require(Timestamp(iso: sample.text))
        #expect(time.microseconds == sample.microseconds)
    }

    static let rejected = [
        "", "12:34:56", "2026-02-18T", "2026-02-18T1:00", "2026-02-18T12", "2026-02-18T12:3", "2026-02-18T12:34:5",
        "2026-02-18T24:00", "2026-02-18T23:60", "2026-02-18T23:59:60",  // no hour 24, no minute 60, no leap second
        "2026-02-18X12:34", "2026-02-18_12:34", "2026-02-30T00:00", "2026-13-01T00:00", "2026-2-18T12:34",
        "2026-02-18T12:34:56.", "2026-02-18T12:34.5", "2026-02-18T12:34:56.12a",  // a fraction needs digits and seconds
        "2026-02-18T12:34:56 ", " 2026-02-18T12:34:56", "2026-02-18T12:34:56 Z", "2026-02-18T12:34:56ZZ",
        "2026-02-18T12:34:56UTC", "2026-02-18T12:34:56+5", "2026-02-18T12:34:56+05:", "2026-02-18T12:34:56+05:3",
        "2026-02-18T12:34:56+24:00", "2026-02-18T12:34:56+05:60", "2026-02-18T12:34:56+05:30:00",
        "2026-02-18T12:34:56+05:30Z", "2026-02-18T12:34:56Z+05:00", "2026-02-18T12:34:56+5:30", "2026-02-18T12:34:56+053",
    ]

    @Test("rejected forms", arguments: rejected)
    func rejectedForms(_ text: String) {
        #expect(Timestamp(iso: text) == nil)
    }

    @Test("an offset moves the instant across a date line")
    func offsetChangesDay() throws {
        let time = try #require(Timestamp(iso: "2026-03-01T01:00:00+02:00"))
        #expect(time.day.description == "2026-02-28")
        #expect(time.isoNaive == "2026-02-28T23:00:00")
    }

    @Test("formatting: isoNaive and isoUTC with microseconds only when non-zero; description always with them")
    func formatting() throws {
        let whole = Timestamp(microseconds: onFeb18(t123456))
        #expect(whole.isoNaive == "2026-02-18T12:34:56")
        #expect(whole.isoUTC == "2026-02-18T12:34:56+00:00")
        #expect(whole.description == "2026-02-18T12:34:56.000000Z")
        let fine = Timestamp(microseconds: onFeb18(t123456, 1))
        #expect(fine.isoNaive == "2026-02-18T12:34:56.000001")
        #expect(fine.description == "2026-02-18T12:34:56.000001Z")
        #expect(Timestamp(microseconds: onFeb18(0, 120_000)).isoUTC == "2026-02-18T00:00:00.120000+00:00")
        #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00.000000Z")
    }

    @Test("Timestamp(day:hour:minute:second:microsecond:) and day")
    func componentsAndDay() throws {
        let day = try #require(Day(iso: "2026-02-18"))
        #expect(Timestamp(day: day, hour: 12, minute: 34, second: 56, microsecond: 7).microseconds == onFeb18(t123456, 7))
        #expect(Timestamp(day: day) == day.midnight)
        #expect(Timestamp(microseconds: onFeb18(86_399, 999_999)).day == day)  // last microsecond of the day
        #expect(Timestamp(microseconds: onFeb18(86_400)).day == day.adding(days: 1))
        #expect(Timestamp(microseconds: onFeb18(0)).adding(days: -1).day.description == "2026-02-17")
        #expect(Timestamp(microseconds: 1) > Timestamp(microseconds: 0))
    }

    @Test("before 1970: the day rounds down, the time of day stays positive")
    func beforeEpoch() throws {
        let halfSecondBefore = try #require(Timestamp(iso: "1969-12-31T23:59:59.5Z"))
        #expect(halfSecondBefore.microseconds == -500_000)
        #expect(halfSecondBefore.day.description == "1969-12-31")
        #expect(halfSecondBefore.isoNaive == "1969-12-31T23:59:59.500000")

        #expect(Timestamp(microseconds: -1).isoNaive == "1969-12-31T23:59:59.999999")
        #expect(Timestamp(microseconds: -1).day == Day(daysSinceEpoch: -1))
        #expect(Timestamp(microseconds: -86_400_000_000).day == Day(daysSinceEpoch: -1))  // exactly midnight
        #expect(Timestamp(microseconds: -86_400_000_000).isoNaive == "1969-12-31T00:00:00")
        #expect(Timestamp(microseconds: -86_400_000_001).day == Day(daysSinceEpoch: -2))
        #expect(Timestamp(microseconds: -86_400_000_001).isoNaive == "1969-12-30T23:59:59.999999")

        // 1900-01-01 is 70·365 + 17 leap days = 25 567 days before the epoch (1900 itself is not a leap
        // year), so 1900-03-01 is day −25 567 + 31 + 28 = −25 508; 06:07:08 is 22 028 s into it.
        let old = try #require(Timestamp(iso: "1900-03-01T06:07:08.000009"))
        #expect(old.microseconds == (-25_508 * 86_400 + 22_028) * 1_000_000 + 9)
        #expect(old.isoNaive == "1900-03-01T06:07:08.000009")
    }

    @Test("the first and last instants of years 1…9999")
    func extremes() throws {
        // −719 162 days (see `DayTests`) · 86 400 s.
        let first = try #require(Timestamp(iso: "0001-01-01T00:00:00Z"))
        #expect(first.microseconds == -62_135_596_800 * 1_000_000)
        #expect(first.description == "0001-01-01T00:00:00.000000Z")
        // Day 2 932 896 ends 86 399.999999 s after its midnight.
        let last = try #require(Timestamp(iso: "9999-12-31T23:59:59.999999Z"))
        #expect(last.microseconds == (2_932_896 * 86_400 + 86_399) * 1_000_000 + 999_999)
        #expect(last.isoUTC == "9999-12-31T23:59:59.999999+00:00")
    }

    static let roundTrips: [Int64] = [
        0, 1, -1, onFeb18(t123456), onFeb18(t123456, 123_456), -62_135_596_800_000_000, -2_203_869_171_999_991,
        (2_932_896 * 86_400 + 86_399) * 1_000_000 + 999_999,
    ]

    @Test("every printed form parses back to the same instant", arguments: roundTrips)
    func roundTrip(_ microseconds: Int64) {
        let time = Timestamp(microseconds: microseconds)
        #expect(Timestamp(iso: time.isoNaive) == time)
        #expect(Timestamp(iso: time.isoUTC) == time)
        #expect(Timestamp(iso: time.description) == time)
    }

    @Test("Timestamp(parsing:) accepts a date alone, trims spaces, and names the option in its error")
    func parsing() throws {
        #expect(try Timestamp(parsing: "2026-11-30", name: "--to-time") == Day(iso: "2026-11-30")?.midnight)
        #expect(try Timestamp(parsing: "  2026-02-18T12:34:56+01:00 ") == Timestamp(microseconds: onFeb18(t123456 - 3600)))
        #expect(throws: InvalidValue(
            "--to-time must be a date YYYY-MM-DD or an ISO-8601 time such as 2026-02-01T12:00:00Z, got '2026-11-31'")
        ) {
            try Timestamp(parsing: "2026-11-31", name: "--to-time")
        }
        #expect(throws: InvalidValue(
            "time must be a date YYYY-MM-DD or an ISO-8601 time such as 2026-02-01T12:00:00Z, got ' noon '")
        ) {
            try Timestamp(parsing: " noon ")
        }
    }
}
