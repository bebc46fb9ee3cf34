import Scoring
import SiglogCore
import Testing

/// Spec §11.11 (`test_esl_decision.py`) and §11.12 (`test_esl_gate_filter.py`).
@Suite("ESL decision gate (§11.11, §11.12)")
struct DecisionGateTests {
    static func pack(_ members: JSONObject) -> ESLPolicy { ESLPolicy(document: .object(members)) }

    @Test("§11.11 no pack → allow / legacy / null / null, also with an empty set")
    func noPack() {
        for ids: Set<String> in [["funding_raised", "founder_urgency_language"], []] {
            let d = DecisionGate.decide(signalIDs: ids, policy: .noPack)
            #expect(d == ESLDecision(decision: "allow", reasonCode: "legacy", sensitivity: nil, toneConstraint: nil))
        }
    }

    @Test("§11.11 blocked [distress_mentioned]: present → suppress/blocked_signal; absent → allow/none; empty list → allow")
    func blocked() {
        let policy = Self.pack(["blocked_signals": ["distress_mentioned"]])
        let hit = DecisionGate.decide(signalIDs: ["funding_raised", "distress_mentioned"], policy: policy)
        #expect(hit == ESLDecision(decision: "suppress", reasonCode: "blocked_signal", sensitivity: nil, toneConstraint: nil))
        let miss = DecisionGate.decide(signalIDs: ["funding_raised"], policy: policy)
        #expect(miss.decision == "allow")
        #expect(miss.reasonCode == "none")
        let empty = DecisionGate.decide(signalIDs: ["funding_raised"], policy: Self.pack(["blocked_signals": []]))
        #expect(empty.decision == "allow")
    }

    @Test("§11.11 prohibited pairs: both → suppress; order irrelevant; only one → allow; short pairs ignored")
    func prohibited() {
        let policy = Self.pack(["prohibited_combinations": [["distress_mentioned", "bankruptcy_filed"]]])
        let both = DecisionGate.decide(signalIDs: ["distress_mentioned", "bankruptcy_filed"], policy: policy)
        #expect(both.decision == "suppress")
        #expect(both.reasonCode == "prohibited_combination")
        #expect(both.sensitivity == nil)
        let ab = Self.pack(["prohibited_combinations": [["a", "b"]]])
        #expect(DecisionGate.decide(signalIDs: ["b", "a"], policy: ab).decision == "suppress")
        #expect(DecisionGate.decide(signalIDs: ["a"], policy: ab).decision == "allow")
        let short = Self.pack(["prohibited_combinations": [["a"]]])
        #expect(DecisionGate.decide(signalIDs: ["a"], policy: short).decision == "allow")
    }

    @Test("§11.11 downgrade {high_sensitivity → Soft Value Share}: present → allow_with_constraints; absent → allow")
    func downgrade() {
        let policy = Self.pack([
            "downgrade_rules": [.object(["trigger_signal": "high_sensitivity", "max_recommendation": "Soft Value Share"])],
        ])
        let hit = DecisionGate.decide(signalIDs: ["high_sensitivity"], policy: policy)
        #expect(hit.decision == "allow_with_constraints")
        #expect(hit.reasonCode == "downgrade_rule")
        #expect(hit.toneConstraint == "Soft Value Share")
        let miss = DecisionGate.decide(signalIDs: ["funding_raised"], policy: policy)
        #expect(miss.decision == "allow")
        #expect(miss.toneConstraint == nil)
    }

    @Test("§5.4 downgrade rule without max_recommendation is skipped; the first rule that applies wins")
    func downgradeOrder() {
        let policy = Self.pack([
            "downgrade_rules": [
                .object(["trigger_signal": "a"]),
                .object(["trigger_signal": "b", "max_recommendation": "Low-Pressure Intro"]),
                .object(["trigger_signal": "a", "max_recommendation": "Soft Value Share"]),
            ],
        ])
        #expect(DecisionGate.decide(signalIDs: ["a", "b"], policy: policy).toneConstraint == "Low-Pressure Intro")
        #expect(DecisionGate.decide(signalIDs: ["a"], policy: policy).toneConstraint == "Soft Value Share")
    }

    @Test("§11.11 sensitivity_mapping {distress_mentioned: high}: allow + high; other ids → null; pack {} → core medium")
    func sensitivityMapping() {
        let policy = Self.pack(["sensitivity_mapping": .object(["distress_mentioned": "high"])])
        let hit = DecisionGate.decide(signalIDs: ["distress_mentioned"], policy: policy)
        #expect(hit.decision == "allow")
        #expect(hit.sensitivity == "high")
        #expect(DecisionGate.decide(signalIDs: ["funding_raised"], policy: policy).sensitivity == nil)
        let core = DecisionGate.decide(signalIDs: ["founder_urgency_language"], policy: Self.pack([:]))
        #expect(core.sensitivity == "medium")
    }

    @Test("§11.11 blocked beats downgrade for the same id; the core ban list is empty")
    func blockedBeatsDowngrade() {
        let policy = Self.pack([
            "blocked_signals": ["x"],
            "downgrade_rules": [.object(["trigger_signal": "x", "max_recommendation": "Soft Value Share"])],
        ])
        #expect(DecisionGate.decide(signalIDs: ["x"], policy: policy).reasonCode == "blocked_signal")
        #expect(CoreTaxonomy.banList.isEmpty)
    }

    /// One sensitivity-merge case of §11.11: pack mapping, core map, ids, expected level.
    struct MergeCase: Sendable, CustomTestStringConvertible {
        var name: String
        var mapping: JSONObject
        var core: [String: String]
        var ids: Set<String>
        var expected: String?
        var testDescription: String { name }
    }

    static let mergeCases: [MergeCase] = [
        MergeCase(name: "pack-only → high", mapping: ["a": "high"], core: [:], ids: ["a"], expected: "high"),
        MergeCase(name: "no overlap → null", mapping: ["a": "high"], core: ["b": "low"], ids: ["c"], expected: nil),
        MergeCase(name: "core-only medium → medium", mapping: [:], core: ["a": "medium"], ids: ["a"], expected: "medium"),
        MergeCase(name: "core funding_raised entry without sensitivity → null", mapping: [:],
                  core: CoreTaxonomy.sensitivity, ids: ["funding_raised"], expected: nil),
        MergeCase(name: "pack high overrides core low → high", mapping: ["a": "high"], core: ["a": "low"], ids: ["a"],
                  expected: "high"),
        MergeCase(name: "{a low (core), b medium (core), c high (pack)} → high", mapping: ["c": "high"],
                  core: ["a": "low", "b": "medium"], ids: ["a", "b", "c"], expected: "high"),
        MergeCase(name: "core {a medium, b low} → medium", mapping: [:], core: ["a": "medium", "b": "low"],
                  ids: ["a", "b"], expected: "medium"),
        MergeCase(name: "empty set → null", mapping: ["a": "high"], core: ["a": "high"], ids: [], expected: nil),
        MergeCase(name: "pack `invalid` for a (core medium), b high (pack) → high", mapping: ["a": "invalid", "b": "high"],
                  core: ["a": "medium"], ids: ["a", "b"], expected: "high"),
        MergeCase(name: "pack `invalid` for a falls back to core medium", mapping: ["a": "invalid"],
                  core: ["a": "medium"], ids: ["a"], expected: "medium"),
    ]

    @Test("§11.11 sensitivity merge", arguments: mergeCases)
    func sensitivityMerge(_ c: MergeCase) {
        let policy = Self.pack(["sensitivity_mapping": .object(c.mapping)])
        #expect(DecisionGate.sensitivity(signalIDs: c.ids, policy: policy, coreSensitivity: c.core) == c.expected)
        #expect(DecisionGate.decide(signalIDs: c.ids, policy: policy, coreSensitivity: c.core).sensitivity == c.expected)
    }

    @Test("§10.6 bookkeeping_v1 gate: financial_distress → suppress; funding_raised → allow")
    func bookkeeping() {
        let policy = ESLPolicy(document: ESLFixture.bookkeepingDocument)
        #expect(DecisionGate.decide(signalIDs: ["financial_distress", "funding_raised"], policy: policy).decision == "suppress")
        #expect(DecisionGate.decide(signalIDs: ["funding_raised"], policy: policy).decision == "allow")
    }

    // MARK: - §11.12 gate filter helpers

    @Test("§11.12 decision from explain: allow / suppress / allow_with_constraints; missing or null → null")
    func decisionFromExplain() {
        for value in ["allow", "suppress", "allow_with_constraints"] {
            #expect(DecisionGate.decision(fromExplain: EngagementExplain(json: .object(["esl_decision": .string(value)]))) == value)
        }
        #expect(DecisionGate.decision(fromExplain: EngagementExplain(json: .object([:]))) == nil)
        #expect(DecisionGate.decision(fromExplain: EngagementExplain(json: .object(["esl_decision": .null]))) == nil)
        #expect(DecisionGate.decision(fromExplain: nil) == nil)
    }

    @Test("§11.12 suppressed only for suppress; column suppress wins over explain allow; column allow/null falls back")
    func suppressed() {
        let allow = EngagementExplain(json: .object(["esl_decision": "allow"]))
        let suppress = EngagementExplain(json: .object(["esl_decision": "suppress"]))
        let constrained = EngagementExplain(json: .object(["esl_decision": "allow_with_constraints"]))
        #expect(!DecisionGate.isSuppressed(column: nil, explain: allow))
        #expect(DecisionGate.isSuppressed(column: nil, explain: suppress))
        #expect(!DecisionGate.isSuppressed(column: nil, explain: constrained))
        #expect(!DecisionGate.isSuppressed(column: nil, explain: nil))
        #expect(DecisionGate.isSuppressed(column: "suppress", explain: allow))
        #expect(DecisionGate.isSuppressed(column: "allow", explain: suppress))
        #expect(!DecisionGate.isSuppressed(column: "allow", explain: allow))
    }

    static let toneCases: [(String, String?, String)] = [
        ("Standard Outreach", nil, "Standard Outreach"),
        ("Standard Outreach", "Soft Value Share", "Soft Value Share"),
        ("Direct Strategic Outreach", "Low-Pressure Intro", "Low-Pressure Intro"),
        ("Observe Only", "Soft Value Share", "Observe Only"),
        ("Soft Value Share", "Standard Outreach", "Soft Value Share"),
        ("Low-Pressure Intro", "Low-Pressure Intro", "Low-Pressure Intro"),
        ("Standard Outreach", "Unknown Tier", "Standard Outreach"),
    ]

    @Test("§11.12 tone cap", arguments: toneCases)
    func toneCap(_ type: String, _ tone: String?, _ expected: String) {
        var explain: JSONObject = ["esl_decision": "allow_with_constraints"]
        explain["tone_constraint"] = tone.map(JSONValue.string) ?? .null
        #expect(DecisionGate.effectiveEngagementType(type, decisionColumn: nil, explain: EngagementExplain(json: .object(explain)))
            == expected)
    }

    @Test("§11.12 column allow prevents capping even if the explain has a tone constraint")
    func columnAllowPreventsCap() {
        let explain = EngagementExplain(json: .object([
            "esl_decision": "allow_with_constraints", "tone_constraint": "Soft Value Share",
        ]))
        #expect(DecisionGate.effectiveEngagementType("Standard Outreach", decisionColumn: "allow", explain: explain)
            == "Standard Outreach")
        #expect(DecisionGate.effectiveEngagementType(
            "Standard Outreach", decisionColumn: "allow_with_constraints", explain: explain) == "Soft Value Share")
        #expect(DecisionGate.effectiveDecision(column: nil, explain: explain) == "allow_with_constraints")
        #expect(DecisionGate.effectiveDecision(column: "allow", explain: explain) == "allow")
    }
}
