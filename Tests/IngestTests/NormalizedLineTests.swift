@testable import Ingest
import ByteMutations
import SeededRandom
import SiglogCore
import Testing

/// `RawEventLineParser.parseNormalized` reads the common line straight from its bytes
/// (`IngestLineScan`) and everything else through `parse` + `NormalizedLine(_:)`. Both must give
/// the same event, company, domain and error for every line.
@Suite("Normalized line parsing against the general path")
struct NormalizedLineTests {
    enum Outcome: Equatable {
        case line(NormalizedLine?, confidenceBits: UInt64?)
        case error(RawEventLineError)
    }

    static func general(_ parser: RawEventLineParser, _ bytes: [UInt8], lineNumber: Int = 2) -> Outcome {
        do {
            let raw = try bytes.withUnsafeBufferPointer { buffer throws(RawEventLineError) in
                try parser.parse(buffer: buffer, lineNumber: lineNumber)
            }
            let line = raw.map(NormalizedLine.init)
            return .line(line, confidenceBits: line?.event.confidence?.bitPattern)
        } catch {
            return .error(error)
        }
    }

    static func viaParseNormalized(_ parser: RawEventLineParser, _ bytes: [UInt8], lineNumber: Int = 2) -> Outcome {
        do {
            var line: NormalizedLine?
            _ = try bytes.withUnsafeBufferPointer { buffer throws(RawEventLineError) in
                try parser.parseNormalized(buffer: buffer, lineNumber: lineNumber) { event, company, domain in
                    line = NormalizedLine(event: event, company: company, domain: domain)
                }
            }
            return .line(line, confidenceBits: line?.event.confidence?.bitPattern)
        } catch {
            return .error(error)
        }
    }

    /// What the scanner alone makes of a line (nil: it leaves the line to the general path).
    static func fast(_ parser: RawEventLineParser, _ bytes: [UInt8]) -> NormalizedLine? {
        var line: NormalizedLine?
        bytes.withUnsafeBufferPointer { buffer in
            _ = IngestLineScan(buffer)?.normalized(defaultSource: parser.defaultSource) { event, company, domain in
                line = NormalizedLine(event: event, company: company, domain: domain)
            }
        }
        return line
    }

    /// Lines of the common shape and around it, each of which the scanner takes.
    static let common: [String] = [
        #"{"company_name":"Maple Labs 9642","domain":"maplelabs9642.example.com","source":"github","source_event_id":"github-00000000","event_type":"repo_activity","event_time":"2025-05-09T02:01:04Z","title":"Repo Activity at Maple Labs 9642","url":"https://github.example.net/items/0"}"#,
        #"{"company_name":"Nova Systems 0 LLC","domain":"novasystems0.example.com","source":"lever","source_event_id":"lever-00000008","event_type":"job_posted_engineering","event_time":"2025-11-12T14:04:07Z","title":"Job Posted","url":"https://lever.example.net/items/8","confidence":0.86}"#,
        #"{"company_name":"Quartz Labs Inc.","company_profile_url":"https://www.LinkedIn.com/company/quartz","source":"greenhouse","event_type":"funding_raised","event_time":"2025-04-26","confidence":1}"#,
        #" { "company_name" : "  Padded  Name ", "domain" : " HTTP://Upper.Example.COM:443/x ", "source" : " s ", "source_event_id" : "  ", "event_type" : " spaced ", "event_time" : " 2025-01-02T03:04:05.123456789+02:30 ", "title" : " ", "summary" : "  a summary ", "url" : "", "confidence" : -0.0 } "#,
        #"{"company_name":"A","website_url":"https://www.a.example/path","domain":"ignored.example","company_profile_url":"https://linkedin.com/company/a","event_type_candidate":"funding_raised","event_type":null,"event_time":"2025-02-03 04:05","source":null,"confidence":null}"#,
        #"{"company_name":"B","website_url":"https://linkedin.com/company/b","event_type":"x","event_time":"2025-02-03T04:05:06Z","confidence":1.5e3,"raw_payload":null,"unknown":"skipped","other":null}"#,
        #"{"company_name":"C","company_profile_url":"https://profiles.example/c","event_type":"x","event_time":"2025-02-03T04:05:06z","confidence":12345678901234567}"#,
        #"{"company_name":"D","domain":"www.d.example:80","event_type":"x","event_type":"y","event_time":"2025-02-03T04:05:06-01","confidence":0.5,"confidence":2E-3,"title":"first","title":"second"}"#,
        #"{"company_name":"E","domain":"   ","website_url":"  ","company_profile_url":" ","event_type":"x","event_time":"2025-02-03T04:05:06Z","confidence":0.000123456789012345}"#,
        #"{"company_name":"F","domain":"f.example","event_type":"x","event_time":"2025-02-03T04:05:06Z","confidence":-123.456e-7}"# + "\r",
    ]

    /// Lines the scanner leaves to the general path (errors, escapes, non-ASCII, nesting, …).
    static let others: [String] = [
        #"{"company_name":"Caf\u00e9","event_type":"x","event_time":"2025-02-03T04:05:06Z","source":"s"}"#,
        "{\"company_name\":\"Caf\u{e9}\u{a0}\",\"domain\":\"\u{2003}d.example\",\"event_type\":\"x\",\"event_time\":\"2025-02-03\",\"source\":\"s\"}",
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","raw_payload":{"a":[1,2,{"b":null}]}}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","confidence":"0.5"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","confidence":1e400}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","confidence":123456789012345678901234567890}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","extra":[true,false,1.5]}"#,
        #"{"company_name":"   ","event_type":"x","event_time":"2025-02-03","source":"s"}"#,
        #"{"company_name":"G","event_type":"","event_time":"2025-02-03","source":"s"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-30","source":"s"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s",}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s"} x"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","sour\u0063e":"s"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"a\"b"}"#,
        #"{"company_name":"G","event_type":"x","event_time":"2025-02-03","source":"s","title":5}"#,
        #"[{"company_name":"G"}]"#,
        "\u{FEFF}{\"company_name\":\"G\",\"event_type\":\"x\",\"event_time\":\"2025-02-03\",\"source\":\"s\"}",
        "   ",
        "",
    ]

    static let parsers = [RawEventLineParser(), RawEventLineParser(defaultSource: " cli "), RawEventLineParser(defaultSource: "  ")]

    @Test("the scanner takes the common lines and reads them as the general path does")
    func commonLines() {
        for text in Self.common {
            let bytes = Array(text.utf8)
            for parser in Self.parsers {
                let fast = Self.fast(parser, bytes)
                guard case .line(let expected?, let bits) = Self.general(parser, bytes) else {
                    // Without a usable default source a line without one is an error: not taken.
                    #expect(parser.defaultSource?.trimmingReferenceWhitespace.isEmpty ?? true, "\(text)")
                    #expect(fast == nil, "\(text)")
                    continue
                }
                #expect(fast == expected, "\(text)")
                #expect(fast?.event.confidence?.bitPattern == bits, "\(text)")
            }
        }
    }

    @Test("lines outside the scanner's subset read the same through parseNormalized", arguments: others)
    func otherLines(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.fast(RawEventLineParser(), bytes) == nil, "\(text)")
        for parser in Self.parsers {
            #expect(Self.viaParseNormalized(parser, bytes) == Self.general(parser, bytes), "\(text)")
            #expect(Self.viaParseNormalized(parser, bytes, lineNumber: 1) == Self.general(parser, bytes, lineNumber: 1))
        }
    }

    /// Bytes a mutation puts in: the grammar's punctuation, escapes, digits, whitespace, letters
    /// that make literals and URLs, controls and bytes that are not (always) valid UTF-8.
    static let insertions: [UInt8] = Array(#"{}[]":,\/u0-.eE+ tnflHhW"#.utf8) + [0x09, 0x0D, 0x00, 0x1F, 0x7F, 0x80, 0xC2, 0xA0, 0xE9, 0xFF]

    @Test("every single-byte replacement, insertion and deletion of the common lines reads the same")
    func mutations() {
        var compared = 0
        var taken = 0
        for text in Self.common {
            for line in singleByteMutations(of: Array(text.utf8), with: Self.insertions) {
                for parser in Self.parsers.prefix(2) {
                    let expected = Self.general(parser, line)
                    #expect(Self.viaParseNormalized(parser, line) == expected, "\(String(decoding: line, as: UTF8.self))")
                    if let fast = Self.fast(parser, line) {
                        taken += 1
                        #expect(expected == .line(fast, confidenceBits: fast.event.confidence?.bitPattern))
                    }
                    compared += 1
                }
            }
        }
        #expect(compared > 50_000)
        #expect(taken > compared / 4)  // the scanner is exercised, not only the fallback
    }

    @Test("a confidence the scanner computes is the parser's number, bit for bit")
    func numbers() throws {
        var generator = SeededGenerator(seed: 20261130)
        var texts = ["0", "-0", "0.0", "-0.0", "1", "0.86", "0.1", "0.7", "1e22", "1e23", "9007199254740993", "999999999999999999",
                     "-999999999999999999", "123456789012345.6", "1.7976931348623157e308", "5e-324", "0.000001", "1E+2", "1e-22",
                     "4.35", "2.675", "0.30000000000000004", "100000000000000000000e-2"]
        for _ in 0..<30_000 {
            let digits = 1 + Int(generator.next() % 17)
            var mantissa = String(1 + generator.next() % 9)
            for _ in 1..<digits { mantissa += String(generator.next() % 10) }
            let point = Int(generator.next() % UInt64(digits + 1))
            var text = point == digits ? mantissa : String(mantissa.prefix(point).isEmpty ? "0" : mantissa.prefix(point)) + "." + mantissa.dropFirst(point)
            if generator.next() % 3 == 0 { text += "e" + String(Int(generator.next() % 61) - 30) }
            if generator.next() % 4 == 0 { text = "-" + text }
            texts.append(text)
        }
        var taken = 0
        for text in texts {
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBufferPointer { buffer -> (Double, Int)? in
                var index = 0
                return IngestLineScan.simpleNumber(buffer, &index).map { ($0, index) }
            }
            guard let (value, end) = fast else { continue }
            taken += 1
            #expect(end == bytes.count, "\(text)")
            let parsed = try JSONParser.parse(bytes)
            let expected: Double? = switch parsed {
            case .int(let integer): Double(integer)
            case .double(let double): double
            default: nil
            }
            #expect(value.bitPattern == expected?.bitPattern, "\(text)")
        }
        #expect(taken > texts.count / 3)
    }
}
