import Foundation
import SignalPacks
import SiglogCore
import Testing

@Suite("§10.1 pack layouts (fixtures)")
struct PackLayoutTests {
    @Test("§11.20 v2 pack without taxonomy/derivers loads with {}")
    func v2WithoutOptionalFiles() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("example_v2"))
        #expect(pack.schemaVersion == .v2)
        #expect(pack.taxonomy == .object([:]))
        #expect(pack.derivers == .object([:]))
        #expect(pack.playbooks.isEmpty)
        #expect(pack.promptBundles == .object(["system": .null, "templates": .object([:]), "few_shot": .object([:])]))
        #expect(pack.signalIDs == nil)
        #expect(pack.allowedSignalIDs == CoreTaxonomy.signalIDs)
    }

    @Test("§11.20 fractional_cto_v1 (fixture) is v2 with prompt templates including ore_outreach")
    func ctoFixture() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        #expect(pack.manifest == PackManifest(
            id: "fractional_cto_v1", version: "1", name: "Fractional CTO", schemaVersion: "2", offerType: "fractional CTO"))
        #expect(pack.schemaVersion == .v2)
        #expect(pack.taxonomy == .object(["recipient_label": "Founder"]))
        #expect(pack.labels.isEmpty)
        #expect(pack.allowedSignalIDs.count == 20)
        #expect(pack.promptBundles?["templates"]?["ore_outreach"]?.objectValue != nil)
        #expect(pack.promptBundles?["system"]?.stringValue?.isEmpty == false)
        #expect(pack.playbook(named: "ore_outreach")?["channel"] == "email")
    }

    @Test("§10.1 v2 prefers analysis_weights.yaml over scoring.yaml and esl_rubric.yaml over esl_policy.yaml")
    func v2Preference() throws {
        let pack = try TemporaryPack.load(overrides: [
            "scoring.yaml": "base_scores: {momentum: {funding_raised: 1}}\n",
            "esl_policy.yaml": "blocked_signals: [funding_raised]\n",
        ])
        #expect(pack.scoring["base_scores"]?["momentum"]?["funding_raised"] == .int(35))
        #expect(pack.eslPolicy["blocked_signals"] == nil)
    }

    @Test("§10.1 v2 falls back to scoring.yaml / esl_policy.yaml")
    func v2Fallback() throws {
        let pack = try TemporaryPack.load(overrides: [
            "analysis_weights.yaml": nil, "esl_rubric.yaml": nil,
            "scoring.yaml": "base_scores: {momentum: {funding_raised: 1}}\n",
            "esl_policy.yaml": "blocked_signals: [funding_raised]\n",
        ])
        #expect(pack.scoring["base_scores"]?["momentum"]?["funding_raised"] == .int(1))
        #expect(pack.eslPolicy["blocked_signals"] == ["funding_raised"])
    }

    @Test("§10.1 v2 without any scoring file → not found")
    func v2MissingScoring() throws {
        let error = try #require(try TemporaryPack.loadError(overrides: ["analysis_weights.yaml": nil]))
        #expect(error.kind == .notFound)
        #expect(error.message.contains("analysis_weights.yaml or scoring.yaml"))
    }

    @Test("§10.1 v1 requires taxonomy, scoring, ESL policy and derivers", arguments: [
        "taxonomy.yaml", "scoring.yaml", "esl_policy.yaml", "derivers.yaml",
    ])
    func v1RequiredFiles(file: String) throws {
        let error = try #require(try TemporaryPack.loadError(TemporaryPack.validV1, overrides: [file: nil]))
        #expect(error.kind == .notFound)
        #expect(error.file == file)
    }

    @Test("§10.1 v1 ignores analysis_weights.yaml and prompt_bundles/")
    func v1Ignores() throws {
        let pack = try TemporaryPack.load(TemporaryPack.validV1, overrides: [
            "analysis_weights.yaml": "base_scores: {momentum: {funding_raised: 99}}\n",
            "prompt_bundles/system.txt": "hi\n",
        ])
        #expect(pack.scoring["base_scores"]?["momentum"]?["funding_raised"] == .int(20))
        #expect(pack.promptBundles == nil)
    }

    @Test("§10.1 prompt bundles: system.txt over system.md, templates and few_shot keyed by stem")
    func promptBundles() throws {
        let pack = try TemporaryPack.load(overrides: [
            "prompt_bundles/system.txt": "from txt",
            "prompt_bundles/system.md": "from md",
            "prompt_bundles/templates/b.yaml": "x: 1\n",
            "prompt_bundles/templates/a.yaml": "x: 2\n",
            "prompt_bundles/templates/notes.txt": "ignored",
            "prompt_bundles/few_shot/one.yaml": "",
        ])
        #expect(pack.promptBundles?["system"] == "from txt")
        #expect(pack.promptBundles?["templates"]?.objectValue?.keys == ["a", "b"])
        #expect(pack.promptBundles?["few_shot"]?["one"] == .object([:]))
        let mdOnly = try TemporaryPack.load(overrides: ["prompt_bundles/system.md": "from md"])
        #expect(mdOnly.promptBundles?["system"] == "from md")
    }

    @Test("§10.1 playbooks/*.yaml keyed by file stem, other files ignored")
    func playbooks() throws {
        let pack = try TemporaryPack.load(overrides: [
            "playbooks/zeta.yaml": "channel: email\n",
            "playbooks/alpha.yaml": "channel: linkedin\n",
            "playbooks/readme.md": "not a playbook",
        ])
        #expect(pack.playbooks.keys == ["alpha", "zeta"])
        #expect(pack.playbook(named: "alpha")?["channel"] == "linkedin")
    }

    @Test("§10.1 a YAML file whose top level is not a mapping is malformed")
    func topLevelList() throws {
        let error = try #require(try TemporaryPack.loadError(overrides: ["esl_rubric.yaml": "- a\n- b\n"]))
        #expect(error.kind == .malformedFile)
        #expect(error.file == "esl_rubric.yaml")
    }

    @Test("§10.6 bookkeeping_v1 (fixture) is v1 with signal ids, labels and derivers")
    func bookkeepingFixture() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("bookkeeping_v1"))
        #expect(pack.schemaVersion == .v1)
        let ids = ["financial_distress", "revenue_milestone", "funding_raised", "layoffs_announced"]
        #expect(pack.signalIDs == ids)
        #expect(pack.allowedSignalIDs == ids)
        #expect(pack.labels["financial_distress"] == "Financial distress")
        #expect(pack.labels.count == 4)
        let passthrough = try #require(pack.derivers["derivers"]?["passthrough"]?.arrayValue)
        #expect(passthrough.compactMap { $0["signal_id"]?.stringValue } == ids)
        #expect(pack.scoring["base_scores"]?["leadership_gap"] == .object([:]))
        #expect(pack.scoring["composite_weights"] == .object(["M": 0.25, "C": 0.25, "P": 0.25, "G": 0.25]))
        #expect(pack.scoring["decay"]?["complexity"] == .object(["0-90": 1.0, "91+": 0.7]))
        #expect(pack.scoring["quiet_signal"] == nil)
        #expect(pack.scoring["recommendation_bands"] == nil)
        #expect(pack.eslPolicy["blocked_signals"] == ["financial_distress"])
        #expect(pack.eslPolicy["sensitivity_mapping"] == .object(["financial_distress": "high"]))
        #expect(pack.eslPolicy["alignment"] == nil)
        #expect(pack.promptBundles == nil)
        #expect(!pack.canonicalJSON.contains("prompt_bundles"))
        #expect(pack.canonicalContent.objectValue?.keys.sorted() == ["derivers", "esl_policy", "manifest", "playbooks", "scoring", "taxonomy"])
    }

    @Test("§10.7 example_esl_blocked (fixture) blocks funding_raised, weights M 0.5 G 0.5")
    func eslBlockedFixture() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("example_esl_blocked"))
        #expect(pack.schemaVersion == .v2)
        #expect(pack.eslPolicy["blocked_signals"] == ["funding_raised"])
        #expect(pack.scoring["composite_weights"] == .object(["M": 0.5, "G": 0.5]))
    }

    @Test("§10.2 invalid_schema_pack (fixture) raises the exact step-3 message")
    func invalidSchemaFixture() throws {
        let error = try #require(throws: PackError.self) {
            try PackLoader.load(directory: PackPaths.fixture("invalid_schema_pack"))
        }
        #expect(error.kind == .validation)
        #expect(error.message == "scoring base_scores.momentum references signal_id 'ghost_signal' not in taxonomy.signal_ids")
        #expect(error.file == "scoring.yaml")
        #expect(error.description.contains("invalid_schema_pack"))
    }
}
