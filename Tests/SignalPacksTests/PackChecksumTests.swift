import Foundation
import SignalPacks
import SiglogCore
import Testing

@Suite("§10.4 pack checksum")
struct PackChecksumTests {
    static let exampleV2Canonical = #"{"derivers":{},"esl_policy":{"recommendation_boundaries":[[0.0,"Observe Only"],[0.7,"Standard Outreach"]]},"manifest":{"id":"example_v2","name":"Example V2 Pack","schema_version":"2","version":"1"},"playbooks":{},"prompt_bundles":{"few_shot":{},"system":null,"templates":{}},"scoring":{"base_scores":{"leadership_gap":{"cto_role_posted":70},"momentum":{"funding_raised":35}},"caps":{"dimension_max":100},"composite_weights":{"G":0.5,"M":0.5}},"taxonomy":{}}"#
    static let exampleV2Checksum = "12ffc8654a7ff35ebb2d065fc136ef818996fc6b8fe98d963d3605c68b3c2a33"

    @Test("§10.4 vector: fixture example_v2 canonical JSON and checksum")
    func fixtureExampleV2() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("example_v2"))
        #expect(pack.canonicalJSON == Self.exampleV2Canonical)
        #expect(pack.checksum == Self.exampleV2Checksum)
    }

    @Test("§10.4 vector: reference example_v2 checksum 12ffc865…3c2a33")
    func referenceExampleV2() throws {
        let pack = try PackLoader.load(directory: try PackPaths.reference("example_v2"))
        #expect(pack.canonicalJSON == Self.exampleV2Canonical)
        #expect(pack.checksum == Self.exampleV2Checksum)
    }

    @Test("§10.4 the canonical vector string itself hashes to the spec checksum")
    func vectorStringHash() throws {
        let parsed = try JSONParser.parse(Self.exampleV2Canonical)
        #expect(JSONWriter.canonical.string(parsed) == Self.exampleV2Canonical)
        #expect(PackChecksum.sha256Hex(of: parsed) == Self.exampleV2Checksum)
    }

    @Test("§11.20 checksum is 64 lowercase hex", arguments: ["fractional_cto_v1", "bookkeeping_v1", "example_v2", "example_esl_blocked"])
    func wellFormed(packID: String) throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture(packID))
        #expect(pack.checksum.count == 64)
        #expect(pack.checksum.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(PackChecksum.isWellFormed(pack.checksum))
    }

    @Test("§11.20 checksum is stable across loads")
    func stable() throws {
        let first = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        let second = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        #expect(first.checksum == second.checksum)
        #expect(first == second)
    }

    /// One changed value in each checksummed file moves the checksum.
    static let edits: [(file: String, content: String)] = [
        ("pack.json", #"{"id":"tmp_pack","version":"1","name":"Temporary Pack 2","schema_version":"2"}"#),
        ("analysis_weights.yaml", "base_scores:\n  momentum:\n    funding_raised: 36\ncomposite_weights: {M: 0.5, G: 0.5}\n"),
        ("analysis_weights.yaml", "base_scores:\n  momentum:\n    funding_raised: 35\ncomposite_weights: {M: 0.5, G: 0.51}\n"),
        ("esl_rubric.yaml", "recommendation_boundaries:\n  - [0.0, \"Observe Only\"]\n  - [0.75, \"Standard Outreach\"]\n"),
        ("taxonomy.yaml", "recipient_label: Founder\n"),
        ("derivers.yaml", "derivers:\n  passthrough:\n    - {event_type: funding_raised, signal_id: funding_raised}\n"),
        ("playbooks/ore_outreach.yaml", "channel: email\n"),
        ("prompt_bundles/system.txt", "Be brief.\n"),
        ("prompt_bundles/templates/ore_outreach.yaml", "template: hello\n"),
        ("prompt_bundles/few_shot/example.yaml", "input: a\noutput: b\n"),
    ]

    @Test("§11.20 checksum changes when any value changes", arguments: edits)
    func changesWithContent(edit: (file: String, content: String)) throws {
        let base = try TemporaryPack.load()
        let changed = try TemporaryPack.load(overrides: [edit.file: edit.content])
        #expect(base.checksum != changed.checksum)
    }

    @Test("D13 int and float spellings of the same number give different checksums (35 vs 35.0)")
    func intVersusFloat() throws {
        let asInt = try TemporaryPack.load()
        let asFloat = try TemporaryPack.load(overrides: [
            "analysis_weights.yaml": "base_scores:\n  momentum:\n    funding_raised: 35.0\n  leadership_gap:\n    cto_role_posted: 70\ncomposite_weights: {M: 0.5, G: 0.5}\n",
        ])
        #expect(asInt.checksum != asFloat.checksum)
    }

    @Test("§10.4 formatting differences that do not change values keep the checksum")
    func formattingIgnored() throws {
        let base = try TemporaryPack.load()
        let reformatted = try TemporaryPack.load(overrides: [
            "pack.json": "{\n  \"schema_version\": \"2\", \"name\": \"Temporary Pack\",\n  \"id\": \"tmp_pack\", \"version\": \"1\"\n}\n",
            "analysis_weights.yaml": "# comment\nbase_scores: {momentum: {funding_raised: 35}, leadership_gap: {cto_role_posted: 70}}\ncomposite_weights:\n  M: 0.50\n  G: 0.5\n",
        ])
        #expect(base.checksum == reformatted.checksum)
    }
}
