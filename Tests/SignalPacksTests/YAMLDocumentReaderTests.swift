import SignalPacks
import SiglogCore
import Testing

@Suite("YAML → JSONValue with PyYAML (YAML 1.1) scalar rules")
struct YAMLDocumentReaderTests {
    static let scalars: [(yaml: String, expected: JSONValue)] = [
        ("35", .int(35)),
        ("-7", .int(-7)),
        ("0", .int(0)),
        ("1_000", .int(1000)),
        ("0x1F", .int(31)),
        ("017", .int(15)),
        ("0b101", .int(5)),
        ("1:30", .int(90)),
        ("0.30", .double(0.3)),
        ("1.0", .double(1.0)),
        ("0.0", .double(0.0)),
        ("-0.85", .double(-0.85)),
        (".5", .double(0.5)),
        ("1.", .double(1.0)),
        ("1.5e+3", .double(1500)),
        ("1e5", .string("1e5")),
        ("true", .bool(true)),
        ("False", .bool(false)),
        ("yes", .bool(true)),
        ("NO", .bool(false)),
        ("on", .bool(true)),
        ("off", .bool(false)),
        ("~", .null),
        ("null", .null),
        ("", .null),
        ("\"35\"", .string("35")),
        ("'true'", .string("true")),
        ("\"0.30\"", .string("0.30")),
        ("Founder", .string("Founder")),
        ("2024-01-05", .string("2024-01-05")),
        ("0-30", .string("0-30")),
        ("!!str 12", .string("12")),
        ("!!float 3", .double(3)),
    ]

    @Test("scalar resolution matches PyYAML", arguments: scalars)
    func scalar(yaml: String, expected: JSONValue) throws {
        let value = try YAMLDocumentReader.read("v: \(yaml)\n")
        #expect(value["v"] == expected)
    }

    @Test("mapping order is kept and \"0-30\" stays a string key")
    func order() throws {
        let value = try YAMLDocumentReader.read("""
            decay:
              "91+": 0.0
              "0-30": 1.0
              "31-60": 0.7
            zeta: 1
            alpha: 2
            """)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["decay", "zeta", "alpha"])
        #expect(value["decay"]?.objectValue?.keys == ["91+", "0-30", "31-60"])
        #expect(value["decay"]?["0-30"] == .double(1.0))
    }

    @Test("non-string keys become the strings json.dumps would write")
    func keys() throws {
        let value = try YAMLDocumentReader.read("1: a\ntrue: b\n~: c\n0.5: d\n")
        #expect(value.objectValue?.keys == ["1", "true", "null", "0.5"])
    }

    @Test("flow and block sequences, nested")
    func sequences() throws {
        let value = try YAMLDocumentReader.read("b:\n  - [0.0, \"Observe Only\"]\n  - [0.7, Standard Outreach]\n")
        #expect(value["b"] == .array([.array([.double(0), .string("Observe Only")]), .array([.double(0.7), .string("Standard Outreach")])]))
    }

    @Test("anchors, aliases and merge keys")
    func merge() throws {
        let value = try YAMLDocumentReader.read("""
            base: &base {a: 1, b: 2}
            copy: *base
            merged:
              <<: *base
              b: 3
              c: 4
            """)
        #expect(value["copy"] == .object(["a": 1, "b": 2]))
        #expect(value["merged"] == .object(["a": 1, "b": 3, "c": 4]))
    }

    @Test("empty document reads as null")
    func empty() throws {
        #expect(try YAMLDocumentReader.read("") == .null)
        #expect(try YAMLDocumentReader.read("# only a comment\n") == .null)
    }

    @Test("malformed YAML, non-finite numbers and unknown tags are errors", arguments: [
        "a: [1, 2\n", "a: .inf\n", "a: .nan\n", "a: !!python/object x\n", "a: 1\na: 2\n", "[a, b]: 1\n",
    ])
    func errors(yaml: String) {
        #expect(throws: YAMLReadError.self) { try YAMLDocumentReader.read(yaml) }
    }

    @Test("non-ASCII text survives and is escaped only by the canonical writer")
    func unicode() throws {
        let value = try YAMLDocumentReader.read("name: \"Café ✓\"\n")
        #expect(value["name"] == .string("Café ✓"))
        #expect(JSONWriter.canonical.string(value) == #"{"name":"Caf\u00e9 \u2713"}"#)
    }
}
