import SignalPacks
import SiglogCore
import Testing

@Suite("§10.2 step 8 ethics flags")
struct EthicsRulesTests {
    static let flags = [
        "allow_protected_attribute_targeting", "allow_protected_attribute_inference",
        "allow_bankruptcy_exploitation", "allow_tax_lien_exploitation", "allow_vulnerability_targeting",
        "allow_distress_surfacing", "allow_high_sensitivity_distress",
    ]

    static let truthy: [JSONValue] = [true, 1, 1.0, "true", "yes", "1", "on", "enable", "TRUE", " Yes "]
    static let falsy: [JSONValue] = [false, 0, "false", "no", "", "off", nil]

    @Test("§11.20 each ban key set to a truthy value → error", arguments: flags, truthy)
    func banned(flag: String, value: JSONValue) throws {
        let error = try #require(throws: PackError.self) {
            try PackValidator.checkEthics(eslPolicy: .object([flag: value]))
        }
        #expect(error.message.contains(flag))
    }

    @Test("§11.20 each ban key false/empty → ok", arguments: flags, falsy)
    func allowed(flag: String, value: JSONValue) throws {
        try PackValidator.checkEthics(eslPolicy: .object([flag: value, "blocked_signals": []]))
    }

    @Test("§11.20 absent flags, empty policy and non-map policies → ok", arguments: [
        JSONValue.object([:]), .object(["blocked_signals": ["funding_raised"]]), .array([true]), .string("allow_distress_surfacing"), .null,
    ])
    func noFlags(policy: JSONValue) throws {
        try PackValidator.checkEthics(eslPolicy: policy)
    }

    @Test("§11.20 a loaded pack whose rubric enables a banned flag is refused", arguments: ["true", "1", "yes"])
    func loadedPack(value: String) throws {
        let error = try #require(try TemporaryPack.loadError(overrides: [
            "esl_rubric.yaml": "allow_vulnerability_targeting: \(value)\n",
        ]))
        #expect(error.kind == .validation)
        #expect(error.message.contains("allow_vulnerability_targeting"))
        #expect(error.file == "esl_rubric.yaml")
    }
}
