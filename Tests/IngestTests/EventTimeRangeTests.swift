import Ingest
import Testing

/// Found by fuzzing ingest: an `event_time` at either end of years 1–9999 with an offset that moves
/// it outside them in UTC was stored, then printed as a year-0 or year-10000 time that no reader of
/// the output accepts. It is now a bad line like any other unreadable time.
@Suite("Raw event line parser: event_time outside years 1–9999 in UTC")
struct EventTimeRangeTests {
    @Test("an offset that leaves the range is an invalid time on that line",
          arguments: ["0001-01-01T00:00+01:00", "9999-12-31T23:59:30-00:01"])
    func outsideRange(_ time: String) {
        let line = #"{"company_name":"Acme","event_type":"funding_raised","event_time":"\#(time)"}"#
        let error = #expect(throws: RawEventLineError.self) {
            _ = try RawEventLineParser(defaultSource: "test").parse(line, lineNumber: 4)
        }
        #expect(error?.kind == .invalidTime && error?.line == 4 && error?.field == "event_time")
    }
}
