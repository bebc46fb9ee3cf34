import Foundation
import SignalPacks
import SiglogCore
import Testing

/// The shared reference pack directories, read in place (never copied into the repository).
@Suite("§11.20 reference packs")
struct ReferencePacksTests {
    static let loadable = [
        "bookkeeping_v1", "example_esl_blocked", "example_v1", "example_v2",
        "fractional_cfo_v1", "fractional_cmo_v1", "fractional_coo_v1", "fractional_cto_v1",
    ]

    static func load(_ packID: String) throws -> Pack {
        try PackLoader.load(packsRoot: try PackPaths.referenceRoot(), packID: packID, version: "1")
    }

    static func weights(_ pack: Pack) -> JSONValue? { pack.scoring["composite_weights"] }

    @Test("§11.20 every reference pack except invalid_schema_pack loads", arguments: loadable)
    func loads(packID: String) throws {
        let pack = try Self.load(packID)
        #expect(pack.id == packID)
        #expect(PackChecksum.isWellFormed(pack.checksum))
    }

    @Test("§11.20 the reference directory holds exactly the expected packs")
    func inventory() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: try PackPaths.referenceRoot().path).sorted()
        #expect(names == (Self.loadable + ["invalid_schema_pack"]).sorted())
    }

    @Test("§11.20 invalid_schema_pack raises the exact §10.2 message")
    func invalidSchemaPack() throws {
        let error = try #require(throws: PackError.self) { try Self.load("invalid_schema_pack") }
        #expect(error.message == "scoring base_scores.momentum references signal_id 'ghost_signal' not in taxonomy.signal_ids")
    }

    @Test("§11.20 fractional_cto_v1 (reference) is v2: core ids, recipient label, analysis_weights values")
    func cto() throws {
        let pack = try Self.load("fractional_cto_v1")
        #expect(pack.schemaVersion == .v2)
        #expect(pack.allowedSignalIDs == CoreTaxonomy.signalIDs)
        #expect(pack.taxonomy["recipient_label"] == "Founder")
        #expect(pack.scoring["base_scores"]?["complexity"]?["repo_activity"] == .int(15))
        #expect(pack.eslPolicy["sensitivity_mapping"]?["founder_urgency_language"] == "medium")
    }

    @Test("§11.20 bookkeeping_v1 (reference) is v1 with signal ids and derivers")
    func bookkeeping() throws {
        let pack = try Self.load("bookkeeping_v1")
        #expect(pack.schemaVersion == .v1)
        #expect(pack.signalIDs == ["financial_distress", "revenue_milestone", "funding_raised", "layoffs_announced"])
        #expect(pack.derivers["derivers"]?["passthrough"]?.arrayValue?.count == 4)
        #expect(pack.labels["layoffs_announced"] == "Layoffs announced")
    }

    @Test("§11.20 example_v2 (reference) has no taxonomy/derivers files and loads them as {}")
    func exampleV2() throws {
        let pack = try Self.load("example_v2")
        #expect(pack.taxonomy == .object([:]))
        #expect(pack.derivers == .object([:]))
    }

    @Test("§11.20 CMO bands 34/69/70")
    func cmoBands() throws {
        let bands = try Self.load("fractional_cmo_v1").scoring["recommendation_bands"]
        #expect(bands == .object(["ignore_max": 34, "watch_max": 69, "high_priority_min": 70]))
    }

    @Test("§11.20 CMO launch_major and composite weights differ from CTO")
    func cmoDiffersFromCTO() throws {
        let cmo = try Self.load("fractional_cmo_v1")
        let cto = try Self.load("fractional_cto_v1")
        let cmoLaunch = cmo.scoring["base_scores"]?["momentum"]?["launch_major"]
        let ctoLaunch = cto.scoring["base_scores"]?["momentum"]?["launch_major"]
        #expect(cmoLaunch == .int(25))
        #expect(ctoLaunch == .int(15))
        #expect(Self.weights(cmo) != Self.weights(cto))
        #expect(Self.weights(cmo) == .object(["M": 0.35, "C": 0.25, "P": 0.25, "G": 0.15]))
    }

    @Test("§11.20 COO/CFO/CTO composite weights are pairwise different", arguments: [
        ("fractional_coo_v1", "fractional_cfo_v1"), ("fractional_coo_v1", "fractional_cto_v1"),
        ("fractional_cfo_v1", "fractional_cto_v1"),
    ])
    func weightsDiffer(first: String, second: String) throws {
        let a = try #require(Self.weights(try Self.load(first)))
        let b = try #require(Self.weights(try Self.load(second)))
        #expect(a != b)
    }

    /// Checksums of the shared directories as they are (no playbooks or prompt files, which the
    /// spec's "observed" values for bookkeeping_v1/example_v1 included), cross-checked with
    /// Python's `json.dumps(sort_keys=True, separators=(',', ':'))` over PyYAML-loaded files.
    static let crossCheckedChecksums: [(String, String)] = [
        ("bookkeeping_v1", "dd396828423b0ee25a6eae3098604fee66583842771592ea1e934189e1b06015"),
        ("example_esl_blocked", "5928c7726887920b8126c4246bd3e1556c75cbc6a852c8b173d3b0b075bd7e98"),
        ("example_v1", "42ff60af851b7e0ec8372907f562ef0395dad8fb127cd6dfa2e2c5989de36d4d"),
        ("example_v2", "12ffc8654a7ff35ebb2d065fc136ef818996fc6b8fe98d963d3605c68b3c2a33"),
        ("fractional_cfo_v1", "776d1e13665698aa355e6f0bdc4ded4876d77c1cae386d9ecc646d8be7dc9657"),
        ("fractional_cmo_v1", "3db4205f6710f2c37678fd5d80eaf69fbb3a4eb0b92aee54cd5f615ab4fcc954"),
        ("fractional_coo_v1", "cbc5ced306d00c9fc435220bd0d51e5c32fd7bb347f923ef4a7990e8833cf576"),
        ("fractional_cto_v1", "74ab76b694046e5900940bb29a0618c07ffc322923de9a2f0dfd55a9bfda2d7b"),
    ]

    @Test("D13 reference pack checksums equal an independent Python canonical-JSON computation", arguments: crossCheckedChecksums)
    func crossChecked(packID: String, checksum: String) throws {
        #expect(try Self.load(packID).checksum == checksum)
    }

    @Test("§10.7 fixtures written from the spec give the reference checksums", arguments: ["example_v2", "example_esl_blocked"])
    func fixtureMatchesReference(packID: String) throws {
        let fixture = try PackLoader.load(directory: PackPaths.fixture(packID))
        #expect(fixture.checksum == (try Self.load(packID)).checksum)
    }

    @Test("§10.4 reference packs have distinct checksums")
    func distinctChecksums() throws {
        let checksums = try Self.loadable.map { try Self.load($0).checksum }
        #expect(Set(checksums).count == checksums.count)
    }

    @Test("round trip: Pack(document:) equals the loaded reference pack", arguments: loadable)
    func roundTrip(packID: String) throws {
        let pack = try Self.load(packID)
        #expect(try Pack(document: pack.document) == pack)
    }
}
