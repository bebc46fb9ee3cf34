@testable import Adapters
import SiglogCore
import Testing

@Suite("Times: since, T1, T2 (ADAPTERS.md §0.3)")
struct ReferenceTimeTests {
    @Test("sinceDate and sinceStamp are UTC, fractions dropped")
    func sinceForms() {
        let since = instant("2026-03-01T23:59:59.999999Z")
        #expect(ReferenceTime.sinceDate(since) == "2026-03-01")
        #expect(ReferenceTime.sinceStamp(since) == "2026-03-01T23:59:59Z")
        #expect(ReferenceTime.sinceStamp(instant("2026-03-01T06:00:00Z")) == "2026-03-01T06:00:00Z")
        #expect(ReferenceTime.sinceStamp(Timestamp(microseconds: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test("T1 parses", arguments: [
        ("2026-03-02T08:01:00Z", "2026-03-02T08:01:00Z"), ("2026-03-02T08:01:00z", "2026-03-02T08:01:00Z"),
        ("2026-03-02T09:30:00.250-05:00", "2026-03-02T14:30:00.25Z"),
        ("2026-03-02T09:30:00.123456-05:00", "2026-03-02T09:30:00.123456Z"),
        ("2026-03-02T09:00:00+02:00", "2026-03-02T07:00:00Z"), ("2026-03-02T09:00:00+0200", "2026-03-02T07:00:00Z"),
        ("2026-03-02T09:00:00+02", "2026-03-02T07:00:00Z"), ("2026-03-02", "2026-03-02T00:00:00Z"),
        ("2026-03-02 08:15", "2026-03-02T08:15:00Z"), ("2026-03-02T08", "2026-03-02T08:00:00Z"),
        ("20260302T081500", "2026-03-02T08:15:00Z"), ("20260302T0815Z", "2026-03-02T08:15:00Z"),
        ("2026-03-02T08:15:00,5", "2026-03-02T08:15:00.5Z"), ("2026-03-02T08:15:00.1234567", "2026-03-02T08:15:00.123456Z"),
        ("2026-03-02T23:30:00-01:00", "2026-03-03T00:30:00Z"),
    ])
    func t1Parses(text: String, expected: String) throws {
        #expect(try ReferenceTime.t1(.string(text), field: "t", now: fixedNow) == instant(expected))
    }

    @Test("T1 falls back to now", arguments: [
        "", "yesterday", "2026-02-30T10:00:00Z", "2026-03-02T24:00:00", "2026-03-02T08:60", "2026-03-02X08:00",
        "2026-03-02T08:00:00+25:00", "2026-03-02T08:00:00 UTC", "03/02/2026", "2026-03-02T08:00:00.", "2026-3-2",
    ])
    func t1Now(text: String) throws {
        #expect(try ReferenceTime.t1(.string(text), field: "t", now: fixedNow) == fixedNow)
    }

    @Test("T1: null gives now; text is required otherwise")
    func t1Types() throws {
        #expect(try ReferenceTime.t1(nil, field: "t", now: fixedNow) == fixedNow)
        #expect(try ReferenceTime.t1(.null, field: "t", now: fixedNow) == fixedNow)
        #expect(throws: AdapterError.self) { try ReferenceTime.t1(.int(1_772_438_400), field: "t", now: fixedNow) }
        #expect(throws: AdapterError.self) { try ReferenceTime.t1(.object(["v": 1]), field: "t", now: fixedNow) }
    }

    @Test("T2 dates", arguments: [
        (JSONValue.string("2026-03-02"), "2026-03-02T00:00:00Z"), (.string("2026-3-5"), "2026-03-05T00:00:00Z"),
        (.string("2026-12-1"), "2026-12-01T00:00:00Z"), (.string("2026-1-12"), "2026-01-12T00:00:00Z"),
        (.string("2026-03- 5"), "2026-03-05T00:00:00Z"), (.string("2026-03-02T18:00:00Z"), "2026-03-02T00:00:00Z"),
        (.string("2026-13-01"), "2026-03-05T12:00:00Z"), (.string("2026-03-32"), "2026-03-05T12:00:00Z"),
        (.string("2026-02-29"), "2026-03-05T12:00:00Z"), (.string("2024-02-29"), "2024-02-29T00:00:00Z"),
        (.string("26-03-02"), "2026-03-05T12:00:00Z"), (.string(""), "2026-03-05T12:00:00Z"), (.null, "2026-03-05T12:00:00Z"),
        (.int(2026), "2026-03-05T12:00:00Z"), (.string("2026-03-00"), "2026-03-05T12:00:00Z"),
    ])
    func t2(value: JSONValue, expected: String) {
        #expect(ReferenceTime.t2(value, now: fixedNow) == instant(expected))
    }
}

@Suite("Python semantics of JSON values (ADAPTERS.md §0.1 Text)")
struct PythonValueTests {
    @Test("str() of JSON values", arguments: [
        (JSONValue.string("x"), "x"), (.int(40_112_233_446), "40112233446"), (.double(1.5), "1.5"), (.double(1.0), "1.0"),
        (.double(1e16), "1e+16"), (.double(1e15), "1000000000000000.0"), (.double(0.0001), "0.0001"), (.double(1e-05), "1e-05"),
        (.double(-2.5e-7), "-2.5e-07"), (.double(123456.789), "123456.789"), (.bool(true), "True"), (.null, "None"),
        (.array(["a", 1]), "['a', 1]"), (.object(["k": "it's"]), #"{'k': "it's"}"#),
    ])
    func text(value: JSONValue, expected: String) {
        #expect(PythonValue.text(value) == expected)
    }

    @Test("truthiness")
    func truthiness() {
        let falsy: [JSONValue?] = [nil, .null, .bool(false), .int(0), .double(0), .string(""), .array([]), .object([:])]
        let truthy: [JSONValue] = [.bool(true), .int(-1), .double(0.1), .string(" "), .array([.null]), .object(["a": nil])]
        #expect(falsy.allSatisfy { !PythonValue.isTruthy($0) })
        #expect(truthy.allSatisfy { PythonValue.isTruthy($0) })
    }

    @Test("truncation counts code points")
    func truncation() {
        #expect(PythonValue.truncated("é👍🏽ab", to: 3) == "é👍\u{1F3FD}")
        #expect(PythonValue.truncated("abc", to: 5) == "abc")
    }
}
