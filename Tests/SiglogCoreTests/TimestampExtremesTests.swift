import SiglogCore
import Testing

/// Times read from stored records are any `Int64` of microseconds; printing one (`siglog-query
/// export`) trapped on an arithmetic overflow near `Int64.min` (found by fuzzing the envelope and
/// export; inputs in Fixtures/fuzz/envelope/regressions/appended-at-*.bin).
@Suite("Timestamp at the ends of its range")
struct TimestampExtremesTests {
    // Expected texts: the proleptic Gregorian calendar as numpy's datetime64[us] prints the same
    // microsecond counts.
    @Test("the earliest and latest representable times print",
          arguments: [(Int64.min, "-290308-12-21T19:59:05.224192Z"), (Int64.min + 1, "-290308-12-21T19:59:05.224193Z"),
                      (Int64.max, "294247-01-10T04:00:54.775807Z")])
    func extremes(_ microseconds: Int64, _ expected: String) {
        #expect(Timestamp(microseconds: microseconds).description == expected)
    }

    @Test("days round down before the epoch, also at the end of the range")
    func floorDays() {
        #expect(Timestamp(microseconds: -1).day.description == "1969-12-31")
        #expect(Timestamp(microseconds: -Timestamp.microsecondsPerDay).day.description == "1969-12-31")
        #expect(Timestamp(microseconds: -Timestamp.microsecondsPerDay - 1).day.description == "1969-12-30")
        #expect(Timestamp(microseconds: Int64.min).day.description == "-290308-12-21")
        #expect(Timestamp(microseconds: -1).isoNaive == "1969-12-31T23:59:59.999999")
    }
}

/// An offset could carry a time at either end of years 1–9999 outside them in UTC; it was accepted
/// and then printed as a year-0 or year-10000 text nothing reads back (found by fuzzing ingest;
/// inputs in Fixtures/fuzz/ndjson/regressions/event-time-year-*.ndjson).
@Suite("Timestamp text at the ends of years 1–9999")
struct TimestampISORangeTests {
    @Test("offsets that leave years 1–9999 in UTC are refused",
          arguments: ["0001-01-01T00:00+01:00", "0001-01-01T00:59:59.999999+01:00", "9999-12-31T23:59-01:00",
                      "9999-12-31T23:00:00-01:00"])
    func outside(_ text: String) {
        #expect(Timestamp(iso: text) == nil)
    }

    @Test("the first and last instants of the range read, and print as text that reads back",
          arguments: ["0001-01-01", "0001-01-01T01:00+01:00", "0001-01-01T00:00-01:00", "9999-12-31T23:59:59.999999Z",
                      "9999-12-31T22:59:59.999999-01:00", "9999-12-31T23:59+01:00"])
    func inside(_ text: String) throws {
        let time = try #require(Timestamp(iso: text))
        #expect(Timestamp(iso: time.description) == time)
    }
}
