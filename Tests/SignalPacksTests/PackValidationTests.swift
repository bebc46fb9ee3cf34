import Foundation
import SignalPacks
import Testing

/// One §10.2 rule broken in an otherwise valid temporary pack.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let base: [String: String]
    let overrides: [String: String?]
    /// Text the error message must contain (the whole message when `exact`).
    let expected: String
    let file: String
    var exact = false

    var testDescription: String { name }

    static func v2(_ name: String, _ overrides: [String: String?], _ expected: String, file: String, exact: Bool = false) -> Self {
        ValidationCase(name: name, base: TemporaryPack.validV2, overrides: overrides, expected: expected, file: file, exact: exact)
    }

    static func v1(_ name: String, _ overrides: [String: String?], _ expected: String, file: String, exact: Bool = false) -> Self {
        ValidationCase(name: name, base: TemporaryPack.validV1, overrides: overrides, expected: expected, file: file, exact: exact)
    }
}

private let weights = "analysis_weights.yaml"
private let rubric = "esl_rubric.yaml"
private let boundaries = "recommendation_boundaries:\n  - [0.0, \"Observe Only\"]\n  - [0.7, \"Standard Outreach\"]\n"

@Suite("§10.2 pack validation messages")
struct PackValidationTests {
    static let manifestCases: [ValidationCase] = [
        .v2("step 1: missing id", ["pack.json": #"{"version":"1","name":"N","schema_version":"2"}"#], "missing required field 'id'", file: "pack.json"),
        .v2("step 1: missing version", ["pack.json": #"{"id":"x","name":"N","schema_version":"2"}"#], "missing required field 'version'", file: "pack.json"),
        .v2("step 1: missing name", ["pack.json": #"{"id":"x","version":"1","schema_version":"2"}"#], "missing required field 'name'", file: "pack.json"),
        .v2("step 1: blank name", ["pack.json": #"{"id":"x","version":"1","name":"  ","schema_version":"2"}"#], "'name' must be non-empty", file: "pack.json"),
        .v2("step 1: empty schema_version", ["pack.json": #"{"id":"x","version":"1","name":"N","schema_version":""}"#], "'schema_version' must be non-empty", file: "pack.json"),
        .v2("step 1: unsupported schema_version", ["pack.json": #"{"id":"x","version":"1","name":"N","schema_version":"3"}"#], "not supported", file: "pack.json"),
        .v2("step 1: id not a string", ["pack.json": #"{"id":7,"version":"1","name":"N"}"#], "'id' must be a string", file: "pack.json"),
    ]

    static let signalIDCases: [ValidationCase] = [
        .v1("step 2: v1 taxonomy without signal_ids", ["taxonomy.yaml": "labels: {}\n"], "taxonomy.signal_ids must be a non-empty list", file: "taxonomy.yaml", exact: true),
        .v1("step 2: v1 empty signal_ids", ["taxonomy.yaml": "signal_ids: []\n"], "taxonomy.signal_ids must be a non-empty list", file: "taxonomy.yaml", exact: true),
        .v1("step 2: v1 signal_ids not a list", ["taxonomy.yaml": "signal_ids: funding_raised\n"], "signal_ids", file: "taxonomy.yaml"),
        .v1("step 2: v1 empty taxonomy file", ["taxonomy.yaml": ""], "taxonomy.signal_ids", file: "taxonomy.yaml"),
    ]

    static let scoringCases: [ValidationCase] = [
        .v1("step 3: v1 unknown id in base_scores.pressure",
            ["scoring.yaml": "base_scores:\n  pressure:\n    ghost: 5\n"],
            "scoring base_scores.pressure references signal_id 'ghost' not in taxonomy.signal_ids", file: "scoring.yaml", exact: true),
        .v2("step 3: v2 non-core id in base_scores.momentum",
            [weights: "base_scores:\n  momentum:\n    layoffs_announced: 5\n"],
            "scoring base_scores.momentum references signal_id 'layoffs_announced' not in taxonomy.signal_ids", file: weights, exact: true),
        .v2("step 3: decay.momentum not a map", [weights: "decay:\n  momentum: [1.0, 0.7]\n"], "scoring decay.momentum must be a mapping", file: weights, exact: true),
        .v2("step 3: decay not a map", [weights: "decay: fast\n"], "scoring decay must be a mapping", file: weights),
        .v2("step 3: decay value not numeric", [weights: "decay:\n  pressure:\n    \"0-30\": high\n"], "scoring decay.pressure['0-30'] must be a number", file: weights),
        .v2("step 3: decay value boolean", [weights: "decay:\n  complexity:\n    \"0-90\": yes\n"], "must be a number", file: weights),
        .v2("step 3: decay blank key", [weights: "decay:\n  momentum:\n    \" \": 1.0\n"], "keys must be non-empty", file: weights),
        .v2("step 3: negative suppressor", [weights: "suppressors:\n  cto_hired_60_days: -1\n"], "suppressors.cto_hired_60_days must be a non-negative number", file: weights),
        .v2("step 3: suppressor not a number", [weights: "suppressors:\n  cto_hired_180_days: \"50\"\n"], "suppressors.cto_hired_180_days must be a non-negative number", file: weights),
        .v2("step 3: negative band", [weights: "recommendation_bands:\n  watch_max: -5\n"], "recommendation_bands.watch_max must be a non-negative number", file: weights),
        .v2("step 3: bands not increasing", [weights: "recommendation_bands: {ignore_max: 40, watch_max: 30, high_priority_min: 70}\n"], "ignore_max < watch_max < high_priority_min", file: weights),
        .v2("step 3: equal bands", [weights: "recommendation_bands: {ignore_max: 34, watch_max: 70, high_priority_min: 70}\n"], "ignore_max < watch_max < high_priority_min", file: weights),
    ]

    static let deriverCases: [ValidationCase] = [
        .v1("step 4: unknown passthrough id",
            ["derivers.yaml": "derivers:\n  passthrough:\n    - {event_type: a, signal_id: funding_raised}\n    - {event_type: ghost_event, signal_id: ghost_signal}\n"],
            "derivers passthrough[1] references signal_id 'ghost_signal' not in taxonomy.signal_ids", file: "derivers.yaml", exact: true),
        .v2("step 4: unknown pattern id (v2)",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: layoffs_announced, regex: layoff}\n"],
            "derivers pattern[0] references signal_id 'layoffs_announced'", file: "derivers.yaml"),
        .v2("step 4: pattern without pattern or regex",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised}\n"],
            "requires 'pattern' or 'regex'", file: "derivers.yaml"),
        .v2("step 4: disallowed raw source field",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, regex: raised, source_fields: [title, raw]}\n"],
            "source_fields contains \"raw\"", file: "derivers.yaml"),
        .v2("step 4: passthrough without signal_id",
            ["derivers.yaml": "derivers:\n  passthrough:\n    - {event_type: funding_raised}\n"],
            "requires a non-empty string signal_id", file: "derivers.yaml"),
        .v2("step 4: passthrough not a list",
            ["derivers.yaml": "derivers:\n  passthrough: {event_type: funding_raised}\n"],
            "derivers.passthrough must be a list", file: "derivers.yaml"),
    ]

    static let regexCases: [ValidationCase] = [
        .v2("step 5: regex of 501 characters",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, regex: \"\(String(repeating: "a", count: 501))\"}\n"],
            "too long", file: "derivers.yaml"),
        .v2("step 5: nested quantifier under the regex key",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, regex: \"(\\\\w+)+raised\"}\n"],
            "catastrophic", file: "derivers.yaml"),
        .v2("step 5: nested quantifier under the pattern key",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, pattern: \"(.*)*x\"}\n"],
            "derivers pattern[0].pattern: regex contains the nested quantifier '(.*)*'", file: "derivers.yaml"),
        .v2("step 5: regex that does not compile",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, regex: \"([a-z\"}\n"],
            "does not compile", file: "derivers.yaml"),
    ]

    static let eslCases: [ValidationCase] = [
        .v2("step 6: unknown svi_event_types id", [rubric: boundaries + "svi_event_types: [funding_raised, ghost]\n"],
            "esl svi_event_types references signal_id 'ghost' not in taxonomy.signal_ids", file: rubric, exact: true),
        .v2("step 6: unknown blocked_signals id", [rubric: boundaries + "blocked_signals: [layoffs_announced]\n"],
            "esl blocked_signals references signal_id 'layoffs_announced'", file: rubric),
        .v1("step 6: unknown sensitivity_mapping key (v1)", ["esl_policy.yaml": boundaries + "sensitivity_mapping: {cto_hired: high}\n"],
            "esl sensitivity_mapping references signal_id 'cto_hired'", file: "esl_policy.yaml"),
        .v2("step 6: unknown prohibited combination member", [rubric: boundaries + "prohibited_combinations:\n  - [funding_raised, ghost]\n"],
            "prohibited_combinations[0] references signal_id 'ghost'", file: rubric),
        .v2("step 6: prohibited combination with one member", [rubric: boundaries + "prohibited_combinations:\n  - [funding_raised]\n"],
            "at least 2", file: rubric),
        .v2("step 6: unknown downgrade trigger", [rubric: boundaries + "downgrade_rules:\n  - {trigger_signal: ghost, max_recommendation: Observe Only}\n"],
            "downgrade_rules[0].trigger_signal references signal_id 'ghost'", file: rubric),
        .v2("step 6: downgrade max not in boundaries", [rubric: boundaries + "downgrade_rules:\n  - {trigger_signal: funding_raised, max_recommendation: Maybe Later}\n"],
            "max_recommendation 'Maybe Later' is not a recommendation_boundaries label", file: rubric),
        .v2("step 6: downgrade max with boundaries missing", [rubric: "downgrade_rules:\n  - {trigger_signal: funding_raised, max_recommendation: Observe Only}\n"],
            "requires non-empty recommendation_boundaries", file: rubric),
        .v2("step 6: downgrade max with empty boundaries", [rubric: "recommendation_boundaries: []\ndowngrade_rules:\n  - {max_recommendation: Observe Only}\n"],
            "requires non-empty recommendation_boundaries", file: rubric),
    ]

    static let playbookCases: [ValidationCase] = [
        .v2("step 7: recommendation_types not a boundary label", ["playbooks/ore.yaml": "recommendation_types: [Observe Only, Shout]\n"],
            "playbook 'ore': recommendation_types references 'Shout'", file: "playbooks/ore.yaml"),
        .v2("step 7: sensitivity_levels not a list", ["playbooks/ore.yaml": "sensitivity_levels: Observe Only\n"],
            "sensitivity_levels must be a list", file: "playbooks/ore.yaml"),
        .v2("step 7: forbidden_phrases with a number", ["playbooks/ore.yaml": "forbidden_phrases: [ok, 5]\n"],
            "forbidden_phrases must be a list of strings", file: "playbooks/ore.yaml"),
        .v2("step 7: opening_templates not a list", ["playbooks/ore.yaml": "opening_templates: Hello\n"],
            "opening_templates must be a list", file: "playbooks/ore.yaml"),
        .v2("step 7: value_statements not a list", ["playbooks/ore.yaml": "value_statements: {a: b}\n"],
            "value_statements must be a list", file: "playbooks/ore.yaml"),
        .v2("step 7: tone a number", ["playbooks/ore.yaml": "tone: 3\n"],
            "tone must be a string or a mapping", file: "playbooks/ore.yaml"),
        .v2("step 7: blank channel", ["playbooks/ore.yaml": "channel: \"  \"\n"],
            "channel must be a non-empty string", file: "playbooks/ore.yaml"),
        .v2("step 7: enable_ore_polish a number", ["playbooks/ore.yaml": "enable_ore_polish: 1\n"],
            "enable_ore_polish must be a boolean or a string", file: "playbooks/ore.yaml"),
    ]

    static let orderCases: [ValidationCase] = [
        .v1("order: manifest (1) before signal ids (2)",
            ["pack.json": #"{"id":"x","version":"1","schema_version":"1"}"#, "taxonomy.yaml": "signal_ids: []\n"],
            "missing required field 'name'", file: "pack.json"),
        .v1("order: signal ids (2) before scoring (3)",
            ["taxonomy.yaml": "signal_ids: []\n", "scoring.yaml": "base_scores: {momentum: {ghost: 1}}\n"],
            "taxonomy.signal_ids", file: "taxonomy.yaml"),
        .v2("order: scoring (3) before ESL (6)",
            [weights: "base_scores: {momentum: {ghost: 1}}\n", rubric: "blocked_signals: [ghost2]\n"],
            "signal_id 'ghost'", file: weights),
        .v2("order: all deriver entries (4) before regex safety (5)",
            ["derivers.yaml": "derivers:\n  pattern:\n    - {signal_id: funding_raised, regex: \"(.+)+\"}\n    - {signal_id: ghost, regex: ok}\n"],
            "references signal_id 'ghost'", file: "derivers.yaml"),
        .v2("order: ESL (6) before playbooks (7)",
            [rubric: boundaries + "blocked_signals: [ghost]\n", "playbooks/ore.yaml": "tone: 3\n"],
            "esl blocked_signals", file: rubric),
        .v2("order: playbooks (7) before ethics (8)",
            [rubric: boundaries + "allow_distress_surfacing: true\n", "playbooks/ore.yaml": "tone: 3\n"],
            "tone must be", file: "playbooks/ore.yaml"),
    ]

    @Test("§10.2 each rule fails with its message and names its file", arguments:
        manifestCases + signalIDCases + scoringCases + deriverCases + regexCases + eslCases + playbookCases + orderCases)
    func rule(_ testCase: ValidationCase) throws {
        let error = try #require(try TemporaryPack.loadError(testCase.base, overrides: testCase.overrides))
        #expect(error.kind == .validation)
        if testCase.exact {
            #expect(error.message == testCase.expected)
        } else {
            #expect(error.message.contains(testCase.expected))
        }
        #expect(error.file == testCase.file)
        #expect(error.description.contains("tmp_pack"))
        #expect(error.description.contains(testCase.file))
    }

    @Test("§10.2 packs using every optional section correctly pass")
    func validFullPack() throws {
        let pack = try TemporaryPack.load(overrides: [
            weights: """
                base_scores: {momentum: {funding_raised: 35}, leadership_gap: {}}
                decay: {momentum: {"0-30": 1.0, "31+": 0}}
                suppressors: {cto_hired_60_days: 0, cto_hired_180_days: 50.5}
                recommendation_bands: {ignore_max: 34, watch_max: 69, high_priority_min: 70}
                """,
            rubric: boundaries + """
                svi_event_types: [funding_raised]
                blocked_signals: [cto_hired]
                sensitivity_mapping: {founder_urgency_language: medium}
                prohibited_combinations: [[funding_raised, cto_hired, launch_major]]
                downgrade_rules: [{trigger_signal: founder_urgency_language, max_recommendation: Observe Only}]
                allow_distress_surfacing: false
                """,
            "derivers.yaml": """
                derivers:
                  passthrough: [{event_type: raise, signal_id: funding_raised}]
                  pattern:
                    - {signal_id: cto_role_posted, regex: "\\\\bCTO\\\\b", source_fields: [title, summary, url, source]}
                    - {signal_id: funding_raised, pattern: "\(String(repeating: "a", count: 500))"}
                """,
            "playbooks/ore.yaml": """
                recommendation_types: [Observe Only, Standard Outreach]
                sensitivity_levels: [Observe Only]
                forbidden_phrases: [urgent]
                opening_templates: [Hi]
                value_statements: []
                tone: {default: calm}
                channel: email
                enable_ore_polish: "auto"
                """,
        ])
        #expect(pack.derivers["derivers"]?["pattern"]?.arrayValue?.count == 2)
    }

    @Test("§10.2 step 4: a v2 pack whose derivers have no entries skips deriver checks")
    func emptyV2Derivers() throws {
        let pack = try TemporaryPack.load(overrides: ["derivers.yaml": "derivers:\n  passthrough: []\n"])
        #expect(pack.derivers["derivers"]?["passthrough"] == .array([]))
    }

    @Test("§10.2 step 7: without boundaries, playbook labels are not checked")
    func playbookWithoutBoundaries() throws {
        let pack = try TemporaryPack.load(overrides: [
            rubric: "blocked_signals: []\n", "playbooks/ore.yaml": "recommendation_types: [Anything]\n",
        ])
        #expect(pack.playbook(named: "ore")?["recommendation_types"] == ["Anything"])
    }

    @Test("§10.2 PackValidator.validate re-checks a pack built in memory")
    func inMemory() throws {
        let pack = try Pack(
            manifestDocument: .object(["id": "m", "version": "1", "name": "M", "schema_version": "2"]),
            scoring: .object(["base_scores": .object(["momentum": .object(["ghost": 1])])]),
            eslPolicy: .object([:]))
        let error = try #require(throws: PackError.self) { try PackValidator.validate(pack) }
        #expect(error.message == "scoring base_scores.momentum references signal_id 'ghost' not in taxonomy.signal_ids")
        #expect(error.file == "analysis_weights.yaml")
    }
}
