import Ingest
import SiglogCore
import Testing

@Suite("Raw event line parser")
struct RawEventLineParserTests {
    let parser = RawEventLineParser(defaultSource: "cli")

    @Test("a full line maps every field")
    func fullLine() throws {
        let line = #"{"source":"crunchbase","source_event_id":"cb-1","company_name":"Acme","domain":"acme.io","#
            + #""website_url":"https://acme.io","company_profile_url":"https://linkedin.com/company/acme","#
            + #""event_type":"funding_raised","event_time":"2026-02-18T10:00:00+02:00","title":"Series A","#
            + #""summary":"Raised $5M","url":"https://example.com/a","confidence":0.85,"#
            + #""raw_payload":{"amount":5000000,"lead":"X"},"extra":[1,2]}"#
        let event = try #require(try parser.parse(line, lineNumber: 1))
        #expect(event == RawEvent(
            source: "crunchbase", sourceEventID: "cb-1", companyName: "Acme", domain: "acme.io",
            websiteURL: "https://acme.io", companyProfileURL: "https://linkedin.com/company/acme",
            eventType: "funding_raised", eventTime: Timestamp(iso: "2026-02-18T08:00:00Z")!, title: "Series A",
            summary: "Raised $5M", url: "https://example.com/a", confidence: 0.85,
            rawPayload: ["amount": 5_000_000, "lead": "X"]))
    }

    @Test("defaults: source from the caller, event_type_candidate, date alone is midnight UTC, integer confidence")
    func defaults() throws {
        let line = #"{"company_name":"Acme","event_type_candidate":"launch_major","event_time":"2025-06-01","confidence":1,"title":null}"#
        let event = try #require(try parser.parse(line, lineNumber: 3))
        #expect(event.source == "cli")
        #expect(event.eventType == "launch_major")
        #expect(event.eventTime == Day(year: 2025, month: 6, day: 1)!.midnight)
        #expect(event.confidence == 1.0)
        #expect(event.title == nil && event.rawPayload == nil && event.sourceEventID == nil)
    }

    @Test("absent and null confidence are nil (D16)", arguments: [
        #"{"company_name":"A","event_type":"cto_hired","event_time":"2026-01-01"}"#,
        #"{"company_name":"A","event_type":"cto_hired","event_time":"2026-01-01","confidence":null}"#,
    ])
    func confidenceAbsent(line: String) throws {
        #expect(try #require(try parser.parse(line, lineNumber: 1)).confidence == nil)
    }

    @Test("event_type wins over event_type_candidate")
    func eventTypePreferred() throws {
        let line = #"{"company_name":"A","event_type_candidate":"launch_major","event_type":"cto_hired","event_time":"2026-01-01"}"#
        #expect(try #require(try parser.parse(line, lineNumber: 1)).eventType == "cto_hired")
    }

    @Test("the line's source wins over the default; a blank source falls back to it")
    func sourcePrecedence() throws {
        let given = try #require(try parser.parse("{\(Self.valid),\"source\":\"github\"}", lineNumber: 1))
        let blank = try #require(try parser.parse("{\(Self.valid),\"source\":\"  \"}", lineNumber: 1))
        #expect(given.source == "github" && blank.source == "cli")
    }

    @Test("a null event_type falls back to event_type_candidate")
    func nullEventType() throws {
        let line = #"{"company_name":"A","event_type":null,"event_type_candidate":"api_launched","event_time":"2026-01-01T08:30"}"#
        let event = try #require(try parser.parse(line, lineNumber: 1))
        #expect(event.eventType == "api_launched")
        #expect(event.eventTime == Timestamp(day: Day(year: 2026, month: 1, day: 1)!, hour: 8, minute: 30))
    }

    @Test("blank lines are skipped", arguments: ["", "   ", "\r", " \t "])
    func blankLine(line: String) throws {
        #expect(try parser.parse(line, lineNumber: 9) == nil)
    }

    @Test("a trailing CR and a BOM on line 1 are tolerated")
    func crAndBOM() throws {
        let line: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"company_name":"A","event_type":"cto_hired","event_time":"2026-01-01"}"#.utf8) + [0x0D]
        #expect(try parser.parse(line, lineNumber: 1)?.companyName == "A")
    }

    struct BadLine: Sendable, CustomTestStringConvertible {
        let name: String
        let line: [UInt8]
        let field: String?
        let kind: RawEventLineError.Kind
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ field: String?, _ kind: RawEventLineError.Kind) {
            self.init(name, Array(text.utf8), field, kind)
        }

        init(_ name: String, _ bytes: [UInt8], _ field: String?, _ kind: RawEventLineError.Kind) {
            self.name = name
            line = bytes
            self.field = field
            self.kind = kind
        }
    }

    static let valid = #""company_name":"Acme","event_type":"funding_raised","event_time":"2026-01-01""#

    static let badLines: [BadLine] = [
        BadLine("bad JSON", #"{"company_name": "Acme", "event_type": }"#, nil, .invalidJSON),
        BadLine("truncated JSON", #"{"company_name": "Acme""#, nil, .invalidJSON),
        BadLine("bad UTF-8 in a string", Array(#"{"company_name":""#.utf8) + [0xFF, 0xFE] + Array(#"","event_type":"x"}"#.utf8), nil, .invalidUTF8),
        BadLine("bad UTF-8 outside strings", [0x7B, 0xC3, 0x28, 0x7D], nil, .invalidUTF8),
        BadLine("array instead of object", "[1,2,3]", nil, .notAnObject),
        BadLine("string instead of object", #""hello""#, nil, .notAnObject),
        BadLine("missing company_name", #"{"event_type":"funding_raised","event_time":"2026-01-01"}"#, "company_name", .missingField),
        BadLine("null company_name", #"{"company_name":null,"event_type":"funding_raised","event_time":"2026-01-01"}"#, "company_name", .missingField),
        BadLine("numeric company_name", #"{"company_name":5,"event_type":"funding_raised","event_time":"2026-01-01"}"#, "company_name", .wrongType),
        BadLine("blank company_name", #"{"company_name":"   ","event_type":"funding_raised","event_time":"2026-01-01"}"#, "company_name", .emptyField),
        BadLine("company_name too long", #"{"company_name":"\#(String(repeating: "a", count: 256))","event_type":"funding_raised","event_time":"2026-01-01"}"#, "company_name", .fieldTooLong),
        BadLine("missing event_type", #"{"company_name":"Acme","event_time":"2026-01-01"}"#, "event_type", .missingField),
        BadLine("empty event_type", #"{"company_name":"Acme","event_type":"","event_time":"2026-01-01"}"#, "event_type", .emptyField),
        BadLine("event_type too long", #"{"company_name":"Acme","event_type":"\#(String(repeating: "x", count: 65))","event_time":"2026-01-01"}"#, "event_type", .fieldTooLong),
        BadLine("event_type_candidate wrong type", #"{"company_name":"Acme","event_type_candidate":["a"],"event_time":"2026-01-01"}"#, "event_type_candidate", .wrongType),
        BadLine("missing event_time", #"{"company_name":"Acme","event_type":"funding_raised"}"#, "event_time", .missingField),
        BadLine("unparseable event_time", #"{"company_name":"Acme","event_type":"funding_raised","event_time":"yesterday"}"#, "event_time", .invalidTime),
        BadLine("impossible date", #"{"company_name":"Acme","event_type":"funding_raised","event_time":"2026-02-30"}"#, "event_time", .invalidTime),
        BadLine("numeric event_time", #"{"company_name":"Acme","event_type":"funding_raised","event_time":1760000000}"#, "event_time", .wrongType),
        BadLine("confidence as a string", "{\(valid),\"confidence\":\"high\"}", "confidence", .wrongType),
        BadLine("confidence as a boolean", "{\(valid),\"confidence\":true}", "confidence", .wrongType),
        BadLine("raw_payload not an object", "{\(valid),\"raw_payload\":[1]}", "raw_payload", .wrongType),
        BadLine("title too long", "{\(valid),\"title\":\"\(String(repeating: "t", count: 513))\"}", "title", .fieldTooLong),
        BadLine("url too long", "{\(valid),\"url\":\"https://x.io/\(String(repeating: "p", count: 2040))\"}", "url", .fieldTooLong),
        BadLine("website_url too long", "{\(valid),\"website_url\":\"https://x.io/\(String(repeating: "p", count: 2040))\"}", "website_url", .fieldTooLong),
        BadLine("company_profile_url wrong type", "{\(valid),\"company_profile_url\":{}}", "company_profile_url", .wrongType),
        BadLine("domain too long", "{\(valid),\"domain\":\"\(String(repeating: "d", count: 256))\"}", "domain", .fieldTooLong),
        BadLine("source_event_id too long", "{\(valid),\"source_event_id\":\"\(String(repeating: "i", count: 256))\"}", "source_event_id", .fieldTooLong),
        BadLine("source_event_id numeric", "{\(valid),\"source_event_id\":123}", "source_event_id", .wrongType),
        BadLine("summary wrong type", "{\(valid),\"summary\":false}", "summary", .wrongType),
        BadLine("source wrong type", "{\(valid),\"source\":7}", "source", .wrongType),
    ]

    @Test("each bad line names its line and field", arguments: badLines)
    func badLine(_ bad: BadLine) {
        #expect {
            _ = try parser.parse(bad.line, lineNumber: 42)
        } throws: { error in
            guard let error = error as? RawEventLineError else { return false }
            return error.line == 42 && error.field == bad.field && error.kind == bad.kind
        }
    }

    @Test("a missing source without a default names the source field")
    func missingSource() {
        #expect(throws: RawEventLineError(line: 2, field: "source", kind: .missingField,
                                          reason: "missing required field (or give a default source)")) {
            _ = try RawEventLineParser().parse("{\(Self.valid)}", lineNumber: 2)
        }
    }

    @Test("a line over the limit is rejected without a field")
    func lineTooLong() {
        let small = RawEventLineParser(defaultSource: "x", maxLineBytes: 32)
        #expect(throws: RawEventLineError(line: 5, field: nil, kind: .lineTooLong, reason: "line longer than 32 bytes")) {
            _ = try small.parse("{\(Self.valid)}", lineNumber: 5)
        }
    }

    @Test("length limits count code points, not bytes")
    func codePointLength() throws {
        let name = String(repeating: "é", count: 255)  // 510 bytes
        let event = try parser.parse(#"{"company_name":"\#(name)","event_type":"cto_hired","event_time":"2026-01-01"}"#, lineNumber: 1)
        #expect(event?.companyName == name)
    }

    @Test("errors format as FILE:LINE: field: reason")
    func formatting() throws {
        let error = try #require(throws: RawEventLineError.self) {
            _ = try parser.parse("{\(Self.valid),\"confidence\":\"high\"}", lineNumber: 7)
        }
        #expect(error.formatted(file: "events.ndjson") == "events.ndjson:7: confidence: expected a number, got a string")
        let whole = RawEventLineError(line: 3, field: nil, kind: .invalidJSON, reason: "invalid JSON: unexpected character at byte 1")
        #expect(whole.formatted(file: "-") == "-:3: invalid JSON: unexpected character at byte 1")
    }

    @Test("an unparseable time quotes the value")
    func timeReason() throws {
        let error = try #require(throws: RawEventLineError.self) {
            _ = try parser.parse(#"{"company_name":"A","event_type":"x","event_time":"next tuesday"}"#, lineNumber: 1)
        }
        #expect(error.description == #"line 1: event_time: not an ISO-8601 date or date-time: "next tuesday""#)
    }
}
