import Foundation
import SignalPacks
import SiglogCore
import Testing

/// §10.2's optional strict modes (semantic version, explainability templates) and "validate all
/// packs", which skips `invalid_schema_pack`.
@Suite("§10.2 strict modes and validate-all")
struct StrictModesTests {
    static let templates = """
        signal_ids: [funding_raised, layoffs_announced]
        explainability_templates:
          funding_raised: "Raised {amount}"
          layoffs_announced: "Laid off staff"
        """

    @Test("Strict semver: x.y.z passes; 1, 1.0, v1.0.0, 1.0.0-rc1, 1..0 fail; off by default")
    func semanticVersion() throws {
        #expect(PackValidator.isSemanticVersion("1.0.0"))
        #expect(PackValidator.isSemanticVersion("10.20.300"))
        for bad in ["1", "1.0", "v1.0.0", "1.0.0-rc1", "1..0", "1.0.0.0", "a.b.c", ""] {
            #expect(!PackValidator.isSemanticVersion(bad), "\(bad)")
        }
        let pack = try TemporaryPack.load()  // version "1"
        try PackValidator.validateStrict(pack, modes: StrictModes())
        let error = try #require(throws: PackError.self) {
            try PackValidator.validateStrict(pack, modes: StrictModes(semanticVersion: true))
        }
        #expect(error.message == "version '1' is not a semantic version x.y.z (strict mode)")
        #expect(error.file == "pack.json")
        let semver = try TemporaryPack.load(overrides: [
            "pack.json": #"{"id":"tmp_pack","version":"1.2.3","name":"Temporary Pack","schema_version":"2"}"#,
        ])
        try PackValidator.validateStrict(semver, modes: StrictModes(semanticVersion: true))
    }

    @Test("Strict explainability: a template for every allowed id (v1: taxonomy.signal_ids; v2: the 20 core ids)")
    func explainabilityTemplates() throws {
        let complete = try TemporaryPack.load(TemporaryPack.validV1, overrides: ["taxonomy.yaml": Self.templates])
        try PackValidator.validateStrict(complete, modes: StrictModes(explainabilityTemplates: true))

        let missing = try TemporaryPack.load(TemporaryPack.validV1, overrides: [
            "taxonomy.yaml": "signal_ids: [funding_raised, layoffs_announced]\nexplainability_templates:\n  funding_raised: \"x\"\n",
        ])
        let error = try #require(throws: PackError.self) {
            try PackValidator.validateStrict(missing, modes: StrictModes(explainabilityTemplates: true))
        }
        #expect(error.message == "taxonomy.explainability_templates has no template for signal_id 'layoffs_announced' (strict mode)")
        #expect(error.file == "taxonomy.yaml")

        // v2 allows the 20 core ids: a v2 pack without templates fails on the mapping itself.
        let v2 = try TemporaryPack.load()
        let none = try #require(throws: PackError.self) {
            try PackValidator.validateStrict(v2, modes: StrictModes(explainabilityTemplates: true))
        }
        #expect(none.message.hasPrefix("taxonomy.explainability_templates must be a mapping"))
        // Off by default: the same packs pass.
        try PackValidator.validateStrict(missing, modes: StrictModes())
    }

    @Test("Validate all: every pack directory of Fixtures/packs loads, invalid_schema_pack is skipped; names in order")
    func validateAllFixtures() throws {
        let results = try PackLoader.validateAll(in: PackPaths.fixtures)
        let names = try FileManager.default.contentsOfDirectory(atPath: PackPaths.fixtures.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(results.map(\.name) == names)
        #expect(results.filter(\.skipped).map(\.name) == ["invalid_schema_pack"])
        for entry in results where !entry.skipped {
            let pack = try #require(try entry.result?.get(), "\(entry.name)")
            #expect(pack.id == entry.name)
        }
        // With strict semver every fixture pack (version "1") is refused, and says why.
        let strict = try PackLoader.validateAll(in: PackPaths.fixtures, modes: StrictModes(semanticVersion: true))
        for entry in strict where !entry.skipped {
            guard case .failure(let error)? = entry.result else {
                Issue.record("\(entry.name) passed strict semver")
                continue
            }
            #expect(error.message.contains("not a semantic version"))
            #expect(error.location?.hasSuffix(entry.name) == true)
        }
    }

    @Test("Validate all: a broken pack is reported by name and the others still load; a missing root is not found")
    func validateAllReportsEach() throws {
        let good = try TemporaryPack()
        defer { good.remove() }
        // A second directory beside the good one, whose scoring references an unknown id.
        let broken = good.root.appendingPathComponent("broken_pack", isDirectory: true)
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        for (name, text) in TemporaryPack.validV1 {
            try Data(text.utf8).write(to: broken.appendingPathComponent(name))
        }
        try Data("base_scores:\n  momentum:\n    ghost_signal: 5\n".utf8).write(to: broken.appendingPathComponent("scoring.yaml"))
        try Data("not a pack".utf8).write(to: good.root.appendingPathComponent("README.txt"))  // files are ignored

        let results = try PackLoader.validateAll(in: good.root)
        #expect(results.map(\.name) == ["broken_pack", "tmp_pack"])
        guard case .failure(let error)? = results[0].result else {
            Issue.record("broken_pack loaded")
            return
        }
        #expect(error.message == "scoring base_scores.momentum references signal_id 'ghost_signal' not in taxonomy.signal_ids")
        #expect(try results[1].result?.get().id == "tmp_pack")

        let missing = try #require(throws: PackError.self) {
            try PackLoader.validateAll(in: good.root.appendingPathComponent("nowhere"))
        }
        #expect(missing.kind == .notFound)
    }
}
