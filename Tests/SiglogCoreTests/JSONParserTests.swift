import SiglogCore
import Testing

/// Where and why parsing stopped.
struct Stop: Equatable, CustomStringConvertible {
    var reason: String
    var offset: Int
    init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }
    var description: String { "\(reason) @\(offset)" }
}

/// The parse failure of `bytes`, or nil when they parse.
func parseFailure(_ bytes: [UInt8]) -> JSONParser.Failure? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

func parseFailure(_ text: String) -> JSONParser.Failure? { parseFailure(Array(text.utf8)) }

/// Where and why parsing `bytes` stopped, or nil when they parse.
func parseStop(_ bytes: [UInt8]) -> Stop? { parseFailure(bytes).map { Stop($0.reason, at: $0.offset) } }

func parseStop(_ text: String) -> Stop? { parseStop(Array(text.utf8)) }

/// One malformed document, the reason the parser gives and the 0-based byte offset where it stops.
struct MalformedJSON: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var reason: String
    var offset: Int

    init(_ text: String, _ reason: String, at offset: Int) {
        self.init(bytes: Array(text.utf8), reason, at: offset)
    }

    init(bytes: [UInt8], _ reason: String, at offset: Int) {
        self.bytes = bytes
        self.reason = reason
        self.offset = offset
    }

    var testDescription: String { "\(String(decoding: bytes, as: UTF8.self).debugDescription) → \(reason) @\(offset)" }
}

@Suite("JSON parser: errors and their byte positions")
struct JSONParserErrorTests {
    // Offsets are counted by hand on the input: 0 is the first byte. A failure inside a value reports
    // the position of the byte that cannot continue it; a value that cannot start reports its first byte.
    static let structural: [MalformedJSON] = [
        MalformedJSON("", "unexpected end of input", at: 0),
        MalformedJSON("  \t\n", "unexpected end of input", at: 4),  // whitespace skipped, then nothing
        MalformedJSON("x", "unexpected character", at: 0),
        MalformedJSON("+1", "unexpected character", at: 0),  // JSON numbers have no plus sign
        MalformedJSON(".5", "unexpected character", at: 0),  // nor a bare fraction
        MalformedJSON("'a'", "unexpected character", at: 0),  // nor single quotes
        MalformedJSON("[1,]", "unexpected character", at: 3),  // a value expected where `]` stands
        MalformedJSON("[1 2]", "expected ',' or ']'", at: 3),
        MalformedJSON("[1", "unterminated array", at: 2),
        MalformedJSON("[", "unexpected end of input", at: 1),
        MalformedJSON("{", "expected a member name", at: 1),
        MalformedJSON("{1:2}", "expected a member name", at: 1),
        MalformedJSON(#"{"a" 1}"#, "expected ':'", at: 5),  // whitespace after the name is skipped first
        MalformedJSON(#"{"a":}"#, "unexpected character", at: 5),
        MalformedJSON(#"{"a":1"#, "unterminated object", at: 6),
        MalformedJSON(#"{"a":1 "b":2}"#, "expected ',' or '}'", at: 7),
        MalformedJSON(#"{"a":1,}"#, "expected a member name", at: 7),
        MalformedJSON("1 2", "unexpected trailing characters", at: 2),
        MalformedJSON("{}x", "unexpected trailing characters", at: 2),
        MalformedJSON("[] ]", "unexpected trailing characters", at: 3),
        // Only space, tab, LF and CR are JSON whitespace: a form feed cannot start a value.
        MalformedJSON(" \u{0C}1", "unexpected character", at: 1),
    ]

    static let literals: [MalformedJSON] = [
        MalformedJSON("tru", "invalid literal", at: 0),  // too short: reported at the literal's start
        MalformedJSON("trUe", "invalid literal", at: 0),
        MalformedJSON("[nul]", "invalid literal", at: 1),
        MalformedJSON("falsy", "invalid literal", at: 0),
        MalformedJSON("nulll", "unexpected trailing characters", at: 4),  // `null` parses, then one `l` is left
        MalformedJSON("True", "unexpected character", at: 0),  // `T` starts no value
    ]

    static let numbers: [MalformedJSON] = [
        MalformedJSON("-", "invalid number", at: 1),
        MalformedJSON("-a", "invalid number", at: 1),
        MalformedJSON("1.", "invalid number", at: 2),
        MalformedJSON("1.e5", "invalid number", at: 2),
        MalformedJSON("1e", "invalid number", at: 2),
        MalformedJSON("1e+", "invalid number", at: 3),
        MalformedJSON("1E-x", "invalid number", at: 3),
        // A leading zero ends the number at once: `0` parses and the rest is left over.
        MalformedJSON("01", "unexpected trailing characters", at: 1),
        MalformedJSON("-01", "unexpected trailing characters", at: 2),
        MalformedJSON("[00]", "expected ',' or ']'", at: 2),
        // Too large for a double: reported at the number's first byte.
        MalformedJSON("1e400", "number out of range", at: 0),
        MalformedJSON("[-1e400]", "number out of range", at: 1),
        MalformedJSON("1.8e308", "number out of range", at: 0),  // just above the largest double, 1.797…e308
    ]

    static let strings: [MalformedJSON] = [
        MalformedJSON(#""abc"#, "unterminated string", at: 4),
        MalformedJSON(#""a\"#, "unterminated string", at: 3),  // input ends right after the backslash
        MalformedJSON(#""\x""#, "invalid escape", at: 3),  // reported after the escape letter
        MalformedJSON(#""\'""#, "invalid escape", at: 3),
        MalformedJSON(#""\U0041""#, "invalid escape", at: 3),  // `\U` is not `\u`
        MalformedJSON("\"a\u{01}b\"", "control character in string", at: 2),
        MalformedJSON("\"line\nbreak\"", "control character in string", at: 5),
        MalformedJSON("\"\\n\tx\"", "control character in string", at: 3),  // after an escape (slow path)
        MalformedJSON(#""\u12""#, "invalid \\u escape", at: 3),  // fewer than 4 bytes left after `\u`
        MalformedJSON(#""\u12G4""#, "invalid \\u escape", at: 5),  // the first non-hex digit
        MalformedJSON(#""\u-123""#, "invalid \\u escape", at: 3),
        // Surrogates: a high one must be followed by `\u` and a low one; a low one cannot stand alone.
        MalformedJSON(#""\uD800""#, "unpaired surrogate", at: 7),  // nothing follows but the quote
        MalformedJSON(#""\uD800x""#, "unpaired surrogate", at: 7),
        MalformedJSON(#""\uD800\u0041""#, "unpaired surrogate", at: 13),  // second escape read, not a low surrogate
        MalformedJSON(#""\uD800\uD800""#, "unpaired surrogate", at: 13),  // two high surrogates
        MalformedJSON(#""\uDC00""#, "unpaired surrogate", at: 7),  // a lone low surrogate
        MalformedJSON(#""\uDFFF\uDC00""#, "unpaired surrogate", at: 7),
        MalformedJSON(#""\uD800\u12""#, "invalid \\u escape", at: 9),  // the low half is cut short
    ]

    static let utf8: [MalformedJSON] = [
        // A string without escapes is validated whole and reported at its first content byte.
        MalformedJSON(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8 in string", at: 1),
        MalformedJSON(bytes: [0x22, 0x61, 0xC3, 0x22], "invalid UTF-8 in string", at: 1),  // truncated 2-byte sequence
        MalformedJSON(bytes: [0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 in string", at: 1),  // overlong `/`
        MalformedJSON(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 in string", at: 1),  // UTF-8-encoded surrogate
        MalformedJSON(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 in string", at: 1),  // above U+10FFFF
        MalformedJSON(bytes: [0x7B, 0x22, 0x80, 0x22, 0x3A, 0x31, 0x7D], "invalid UTF-8 in string", at: 2),  // a member name
        // Outside strings a non-ASCII byte is simply not JSON.
        MalformedJSON(bytes: [0xFF], "unexpected character", at: 0),
        MalformedJSON(bytes: [0xEF, 0xBB, 0xBF, 0x31], "unexpected character", at: 0),  // a byte-order mark
        MalformedJSON(bytes: [0x31, 0xFF], "unexpected trailing characters", at: 1),
    ]

    @Test("structural errors", arguments: structural)
    func structuralErrors(_ sample: MalformedJSON) throws {
        #expect(parseStop(sample.bytes) == Stop(sample.reason, at: sample.offset))
    }

    @Test("literal errors", arguments: literals)
    func literalErrors(_ sample: MalformedJSON) throws {
        #expect(parseStop(sample.bytes) == Stop(sample.reason, at: sample.offset))
    }

    @Test("number errors", arguments: numbers)
    func numberErrors(_ sample: MalformedJSON) throws {
        #expect(parseStop(sample.bytes) == Stop(sample.reason, at: sample.offset))
    }

    @Test("string and escape errors", arguments: strings)
    func stringErrors(_ sample: MalformedJSON) throws {
        #expect(parseStop(sample.bytes) == Stop(sample.reason, at: sample.offset))
    }

    @Test("invalid UTF-8 is reported, never replaced", arguments: utf8)
    func invalidUTF8(_ sample: MalformedJSON) throws {
        #expect(parseStop(sample.bytes) == Stop(sample.reason, at: sample.offset))
    }

    @Test("invalid UTF-8 in a string that also has escapes is reported inside that string")
    func invalidUTF8AfterEscape() throws {
        // `"\n` then a truncated 2-byte sequence, then the closing quote (bytes 0…4).
        let failure = try #require(parseFailure([0x22, 0x5C, 0x6E, 0xC3, 0x22]))
        #expect(failure.reason == "invalid UTF-8 in string")
        #expect((1...5).contains(failure.offset))
    }

    @Test("the message counts bytes from 1")
    func messageCountsFromOne() throws {
        let failure = try #require(parseFailure(#"{"a" 1}"#))
        #expect(failure.description == "expected ':' at byte 6")
        #expect(try #require(parseFailure("")).description == "unexpected end of input at byte 1")
    }

    @Test("the String and byte entry points agree")
    func stringEntryPoint() throws {
        #expect(try JSONParser.parse(#"{"k":[1,2.5,"é"]}"#) == (try JSONParser.parse(Array(#"{"k":[1,2.5,"é"]}"#.utf8))))
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1,]") }
    }
}

@Suite("JSON parser: values")
struct JSONParserValueTests {
    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(text) }

    @Test("scalars at the top level, with surrounding whitespace")
    func topLevelScalars() throws {
        #expect(try Self.parse("null") == .null)
        #expect(try Self.parse(" true ") == .bool(true))
        #expect(try Self.parse("\r\n\tfalse") == .bool(false))
        #expect(try Self.parse(#""x""#) == .string("x"))
        #expect(try Self.parse("7") == .int(7))
        #expect(try Self.parse("[]") == .array([]))
        #expect(try Self.parse("{ }") == .object(JSONObject()))
    }

    @Test("integers at the edges of Int64 stay integers")
    func int64Edges() throws {
        #expect(try Self.parse("9223372036854775807") == .int(Int64.max))
        #expect(try Self.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try Self.parse("0") == .int(0))
        #expect(try Self.parse("-1") == .int(-1))
    }

    @Test("integers one past Int64 become doubles")
    func pastInt64() throws {
        // 2^63 is exactly representable; -2^63 - 1 rounds to -2^63 (53-bit mantissa).
        #expect(try Self.parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try Self.parse("-9223372036854775809") == .double(-9_223_372_036_854_775_808.0))
        #expect(try Self.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test("-0 is the integer 0; -0.0 is the double negative zero")
    func negativeZero() throws {
        #expect(try Self.parse("-0") == .int(0))
        guard case .double(let d) = try Self.parse("-0.0") else {
            Issue.record("-0.0 did not parse as a double")
            return
        }
        #expect(d == 0 && d.sign == .minus)
    }

    @Test("a fraction or an exponent makes a double, even when the value is integral")
    func doublesVersusInts() throws {
        #expect(try Self.parse("1.0") == .double(1.0))
        #expect(try Self.parse("1e2") == .double(100))
        #expect(try Self.parse("1E+2") == .double(100))
        #expect(try Self.parse("25e-1") == .double(2.5))
        #expect(try Self.parse("0.1") == .double(0.1))
        #expect(try Self.parse("-0.5") == .double(-0.5))
        #expect(try Self.parse("0e0") == .double(0))
    }

    @Test("huge and tiny exponents")
    func exponents() throws {
        #expect(try Self.parse("1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
        #expect(try Self.parse("-1.7976931348623157e308") == .double(-.greatestFiniteMagnitude))
        #expect(try Self.parse("4.9e-324") == .double(.leastNonzeroMagnitude))  // the smallest subnormal
        // Below half the smallest subnormal the nearest double is zero: an underflow is not an error.
        #expect(try Self.parse("1e-400") == .double(0))
        #expect(try Self.parse("1e0000000000000000000001") == .double(10))  // the exponent's digits are not limited
    }

    @Test("escapes decode to their characters")
    func escapes() throws {
        #expect(try Self.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try Self.parse(#""\u0041\u00e9\u00E9""#) == .string("Aéé"))
        #expect(try Self.parse(#""\uD83D\uDE00""#) == .string("\u{1F600}"))  // a surrogate pair
        #expect(try Self.parse(#""a\u0000b""#) == .string("a\u{0}b"))  // NUL is a valid escape
        #expect(try Self.parse(#""é\n😀""#) == .string("é\n😀"))  // raw UTF-8 next to an escape
    }

    @Test("valid multi-byte UTF-8 passes unchanged")
    func validUTF8() throws {
        #expect(try JSONParser.parse([0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .string("é€😀"))
        #expect(try Self.parse("\"\u{7F}\"") == .string("\u{7F}"))  // DEL is not a control character for JSON
    }

    @Test("object members keep their order")
    func memberOrder() throws {
        let value = try Self.parse(#"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value["c"]?.objectValue?.keys == ["z", "y"])
        // Order is part of the value: the same members in another order are another value.
        #expect(value != (try Self.parse(#"{"a":2,"b":1,"c":{"z":0,"y":1}}"#)))
    }

    @Test("a duplicate key keeps its first position and its last value")
    func duplicateKeys() throws {
        let object = try #require(try Self.parse(#"{"a":1,"b":2,"a":3}"#).objectValue)
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .int(3))
        #expect(object.count == 2)
    }

    @Test("arrays keep every item in order, mixed kinds included")
    func arrays() throws {
        #expect(try Self.parse(#"[1, 2.5, "x", null, true, [], {}]"#)
            == .array([.int(1), .double(2.5), .string("x"), .null, .bool(true), .array([]), .object(JSONObject())]))
    }
}

@Suite("JSON parser: nesting depth")
struct JSONParserDepthTests {
    @Test("256 nested arrays parse; the 257th is too deep, reported at its bracket")
    func arrays() throws {
        let limit = JSONParser.maxDepth
        #expect(limit == 256)
        var value = try JSONParser.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit))
        var depth = 0
        while case .array(let items) = value {
            depth += 1
            value = items.first ?? .null
        }
        #expect(depth == limit)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(parseStop(tooDeep) == Stop("nesting too deep", at: limit))
    }

    @Test("objects count toward the same limit")
    func objects() throws {
        let limit = JSONParser.maxDepth
        func nested(_ levels: Int) -> String {
            String(repeating: #"{"a":"#, count: levels - 1) + "{}" + String(repeating: "}", count: levels - 1)
        }
        #expect(throws: Never.self) { try JSONParser.parse(nested(limit)) }
        // The 257th `{` follows 256 copies of `{"a":` (5 bytes each).
        #expect(parseStop(nested(limit + 1)) == Stop("nesting too deep", at: limit * 5))
        // Mixed: 128 arrays around 129 objects is 257 levels; the last `{` is the 257th container.
        let mixed = String(repeating: "[", count: 128) + String(repeating: #"{"a":"#, count: 128) + "{}"
            + String(repeating: "}", count: 128) + String(repeating: "]", count: 128)
        #expect(parseStop(mixed) == Stop("nesting too deep", at: 128 + 128 * 5))
    }

    @Test("a megabyte of open brackets fails cleanly at the limit instead of exhausting the stack")
    func hostileDepth() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)
        #expect(parseStop(bytes) == Stop("nesting too deep", at: JSONParser.maxDepth))
        let objects = Array(String(repeating: #"{"a":"#, count: 200_000).utf8)
        #expect(parseStop(objects) == Stop("nesting too deep", at: JSONParser.maxDepth * 5))
    }
}
