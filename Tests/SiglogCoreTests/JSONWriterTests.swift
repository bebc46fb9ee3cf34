import SiglogCore
import Testing

@Suite("JSON writer: output form and round trip through the parser")
struct JSONWriterTests {
    static let plain = JSONWriter()

    @Test("compact output in member order, no spaces")
    func compactMemberOrder() {
        let value: JSONValue = .object(["b": 1, "a": [true, nil, "x"], "c": .object(["z": 0.5, "y": false])])
        #expect(Self.plain.string(value) == #"{"b":1,"a":[true,null,"x"],"c":{"z":0.5,"y":false}}"#)
        #expect(value.description == Self.plain.string(value))
        #expect(Self.plain.string(.array([])) == "[]")
        #expect(Self.plain.string(.object(JSONObject())) == "{}")
    }

    @Test("integers as integers, doubles always with a point or an exponent")
    func numbers() {
        #expect(Self.plain.string(.int(35)) == "35")
        #expect(Self.plain.string(.int(Int64.min)) == "-9223372036854775808")
        #expect(Self.plain.string(.int(Int64.max)) == "9223372036854775807")
        #expect(JSONWriter.format(24.0) == "24.0")
        #expect(JSONWriter.format(0.3) == "0.3")
        #expect(JSONWriter.format(1e-05) == "1e-05")
        #expect(JSONWriter.format(1e16) == "1e+16")
        #expect(JSONWriter.format(-0.0) == "-0.0")
        #expect(JSONWriter.format(-2.5) == "-2.5")
    }

    @Test("non-finite doubles are written as null")
    func nonFinite() {
        #expect(JSONWriter.format(.infinity) == "null")
        #expect(JSONWriter.format(-.infinity) == "null")
        #expect(JSONWriter.format(.nan) == "null")
        #expect(Self.plain.string(.array([.double(.nan), .double(1)])) == "[null,1.0]")
    }

    @Test("quotes, backslashes and control characters are escaped; short forms where JSON has them")
    func escapes() {
        let text = "q\"b\\n\nr\rt\tb\u{08}f\u{0C}c\u{01}\u{1F}"
        #expect(Self.plain.string(.string(text)) == #""q\"b\\n\nr\rt\tb\bf\fc\u0001\u001f""#)
        #expect(Self.plain.string(.string("/")) == #""/""#)  // the solidus needs no escape
        #expect(Self.plain.string(.string("\u{7F}é")) == "\"\u{7F}é\"")  // by default only controls are escaped
        #expect(Self.plain.string(.object(["a\"b": 1])) == #"{"a\"b":1}"#)  // member names too
    }

    @Test("bytes, a string and appending to a string give the same text; integers of every length")
    func outputForms() {
        let value: JSONValue = .object(["name": "Acme \u{1F600} \"Ltd\"", "n": .int(-1_000_000_007), "z": 0, "list": [1, "é\n"]])
        var appended = "prefix:"
        Self.plain.write(value, into: &appended)
        #expect(appended == "prefix:" + Self.plain.string(value))
        #expect(Self.plain.bytes(value) == Array(Self.plain.string(value).utf8))
        #expect(Self.plain.string(value) == #"{"name":"Acme 😀 \"Ltd\"","n":-1000000007,"z":0,"list":[1,"é\n"]}"#)
        var power: Int64 = 1
        for _ in 0..<18 {
            #expect(Self.plain.string(.int(power)) == String(power))
            #expect(Self.plain.string(.int(-power - 1)) == String(-power - 1))
            power *= 10
        }
    }

    @Test("ASCII-only escapes everything above 0x7E as UTF-16 units")
    func asciiOnly() {
        let ascii = JSONWriter(asciiOnly: true)
        #expect(ascii.string(.string("é")) == #""\u00e9""#)
        #expect(ascii.string(.string("\u{7F}")) == #""\u007f""#)
        #expect(ascii.string(.string("😀")) == #""\ud83d\ude00""#)  // U+1F600 as its surrogate pair
        #expect(ascii.string(.string("a~")) == #""a~""#)  // 0x7E stays
    }

    @Test("sorted keys order by Unicode code points, at every level")
    func sortedKeys() {
        let sorted = JSONWriter(sortedKeys: true)
        let value: JSONValue = .object(["b": 1, "é": 2, "a": .object(["y": 1, "x": 2]), "B": 3, "aa": 4])
        // B (0x42) < a (0x61) < aa < b (0x62) < é (0xE9).
        #expect(sorted.string(value) == #"{"B":3,"a":{"x":2,"y":1},"aa":4,"b":1,"é":2}"#)
        #expect(JSONWriter.canonical.string(value) == #"{"B":3,"a":{"x":2,"y":1},"aa":4,"b":1,"\u00e9":2}"#)
    }

    static let roundTripValues: [JSONValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(Int64.min), .int(Int64.max),
        .string(""), .string("plain"), .string("é€😀\u{2028}"),
        .string(String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\"\\/\u{7F}"),
        .array([.int(1), .double(2.5), .string("x"), .null, .array([]), .object(JSONObject())]),
        .object(["z": 1, "a": .object(["n": .array([.bool(false)])]), "m": "text"]),
    ]

    @Test("write then parse gives the value back (member order included)", arguments: roundTripValues)
    func roundTrip(_ value: JSONValue) throws {
        #expect(try JSONParser.parse(Self.plain.string(value)) == value)
        #expect(try JSONParser.parse(JSONWriter(asciiOnly: true).string(value)) == value)
    }

    static let doubles: [Double] = [
        0.1, 1.0 / 3.0, -2.5, 24.0, 1e16, 1e-05, 123_456_789.125, 0.6049999999999999,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
        Double(Int64.max), -0.0,
    ]

    @Test("every finite double reads back bit for bit, and as a double", arguments: doubles)
    func doubleRoundTrip(_ d: Double) throws {
        guard case .double(let back) = try JSONParser.parse(JSONWriter.format(d)) else {
            Issue.record("\(JSONWriter.format(d)) did not parse as a double")
            return
        }
        #expect(back.bitPattern == d.bitPattern)
    }

    @Test("the canonical form of a parsed document is stable: parse ∘ write is the identity on it")
    func canonicalFixedPoint() throws {
        let text = #"{"b":[1,2.0,{"d":null,"c":"é"}],"a":true}"#
        let once = JSONWriter.canonical.string(try JSONParser.parse(text))
        #expect(once == #"{"a":true,"b":[1,2.0,{"c":"\u00e9","d":null}]}"#)
        #expect(JSONWriter.canonical.string(try JSONParser.parse(once)) == once)
    }
}
