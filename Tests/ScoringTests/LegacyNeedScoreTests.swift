import Scoring
import SiglogCore
import Testing

/// Spec Appendix A (legacy `cto_need_score`) with the §11.6 vectors, fractional_cto_v1 weights.
@Suite("Legacy cto_need_score (Appendix A, §11.6)")
struct LegacyNeedScoreTests {
    static let pack = ReadinessFixture.ctoPack

    static func flags(_ keys: [String]) -> JSONValue {
        .object(["signals": .object(JSONObject(keys.map { .init(key: $0, value: .object(["value": true])) }))])
    }

    @Test("§11.6 hiring_engineers + founder_overload → 25")
    func hiringAndOverload() {
        #expect(LegacyNeedScore.score(
            analysis: Self.flags(["hiring_engineers", "founder_overload"]), stage: nil, packDocument: Self.pack) == 25)
    }

    @Test("§11.6 no signals + scaling_team → 20")
    func stageOnly() {
        #expect(LegacyNeedScore.score(analysis: .object([:]), stage: "scaling_team", packDocument: Self.pack) == 20)
    }

    @Test("§11.6 compliance_security_pressure + product_delivery_issues + struggling_execution → 75")
    func complianceDeliveryStruggling() {
        let analysis = Self.flags(["compliance_security_pressure", "product_delivery_issues"])
        #expect(LegacyNeedScore.score(analysis: analysis, stage: "struggling_execution", packDocument: Self.pack) == 75)
    }

    @Test("Appendix A no pack → 0")
    func noPack() {
        #expect(LegacyNeedScore.score(
            analysis: Self.flags(["hiring_engineers"]), stage: "scaling_team", packDocument: nil) == 0)
    }

    @Test("Appendix A legacy keys map to current names; a true value wins when merging")
    func legacyKeys() {
        let analysis: JSONValue = .object(["signals": .object([
            "hiring_technical_roles": .object(["value": "yes"]),
            "recent_funding": .object(["value": false]),
            "scaling_challenges": .object(["value": 1]),
            "compliance_needs": .object(["value": " TRUE "]),
        ])])
        let flags = LegacyNeedScore.signalFlags(analysis: analysis)
        #expect(flags["hiring_engineers"] == true)
        #expect(flags["architecture_scaling_risk"] == true)
        #expect(flags["compliance_security_pressure"] == true)
        // 15 + 15 + 25
        #expect(LegacyNeedScore.score(analysis: analysis, stage: nil, packDocument: Self.pack) == 55)
    }

    @Test("Appendix A flat map, false-like values, stage trimmed and lowercased, unknown stage 0")
    func flatMapAndStage() {
        let analysis: JSONValue = .object([
            "founder_overload": true, "hiring_engineers": "no", "product_delivery_issues": 0,
        ])
        #expect(LegacyNeedScore.score(analysis: analysis, stage: "  Enterprise_Transition ", packDocument: Self.pack) == 40)
        #expect(LegacyNeedScore.score(analysis: analysis, stage: "unknown", packDocument: Self.pack) == 10)
    }

    @Test("Appendix A custom weights override matching keys only; total clamped to 100")
    func customWeightsAndClamp() {
        let analysis = Self.flags(["hiring_engineers", "founder_overload"])
        let custom = ["hiring_engineers": 40.0, "not_a_pack_key": 500.0]
        #expect(LegacyNeedScore.score(analysis: analysis, stage: nil, packDocument: Self.pack, customWeights: custom) == 50)
        let all = Self.flags([
            "hiring_engineers", "switching_from_agency", "adding_enterprise_features", "compliance_security_pressure",
            "product_delivery_issues", "architecture_scaling_risk", "founder_overload",
        ])
        #expect(LegacyNeedScore.score(analysis: all, stage: "struggling_execution", packDocument: Self.pack) == 100)
    }
}
