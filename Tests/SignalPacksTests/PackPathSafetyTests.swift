import Foundation
import SignalPacks
import Testing

@Suite("§11.20 pack loader: path safety and lookup")
struct PackPathSafetyTests {
    static let unsafe: [(packID: String, version: String, fragment: String)] = [
        ("../etc", "1", "must not contain"),
        ("fractional_cto_v1", "..", "must not contain"),
        ("foo/bar", "1", "path separators"),
        ("foo\\bar", "1", "path separators"),
        ("", "1", "non-empty"),
        ("fractional_cto_v1", "", "non-empty"),
        ("foo\u{0}bar", "1", "must not contain"),
        ("foo bar", "1", "[A-Za-z0-9_-]+"),
        ("fractional_cto_v1", "1.0", "[A-Za-z0-9_-]+"),
    ]

    @Test("§11.20 path safety: unsafe pack_id / version is refused with the spec's wording", arguments: unsafe)
    func unsafeReference(packID: String, version: String, fragment: String) throws {
        let error = try #require(throws: PackError.self) {
            try PackLoader.load(packsRoot: PackPaths.fixtures, packID: packID, version: version)
        }
        #expect(error.kind == .invalidReference)
        #expect(error.message.contains(fragment))
    }

    @Test("§11.20 path safety: '../etc' → must not contain")
    func dotDotEtc() {
        #expect(throws: PackError.self) { try PackReference.check("../etc", label: "pack_id") }
        do {
            try PackReference.check("../etc", label: "pack_id")
        } catch {
            #expect(error.description.contains("pack_id must not contain"))
        }
    }

    @Test("§10.1 safe references pass", arguments: ["fractional_cto_v1", "A-Z_0-9", "1", "v2-beta"])
    func safeReference(value: String) throws {
        try PackReference.check(value, label: "pack_id")
    }

    @Test("§11.20 nonexistent pack → not found")
    func nonexistentPack() throws {
        let error = try #require(throws: PackError.self) {
            try PackLoader.load(packsRoot: PackPaths.fixtures, packID: "no_such_pack", version: "1")
        }
        #expect(error.kind == .notFound)
        #expect(error.description.contains("no_such_pack"))
    }

    @Test("§11.20 version \"99\" of an existing pack → version mismatch")
    func wrongVersion() throws {
        let error = try #require(throws: PackError.self) {
            try PackLoader.load(packsRoot: PackPaths.fixtures, packID: "fractional_cto_v1", version: "99")
        }
        #expect(error.kind == .versionMismatch)
        #expect(error.message.contains("'99'"))
        #expect(error.file == "pack.json")
    }

    @Test("§10.1 requested version that matches loads")
    func matchingVersion() throws {
        let pack = try PackLoader.load(packsRoot: PackPaths.fixtures, packID: "fractional_cto_v1", version: "1")
        #expect(pack.id == "fractional_cto_v1")
        #expect(pack.version == "1")
    }

    @Test("§10.1 directory without pack.json → not found, naming pack.json")
    func missingManifest() throws {
        let error = try #require(try TemporaryPack.loadError(overrides: ["pack.json": nil]))
        #expect(error.kind == .notFound)
        #expect(error.file == "pack.json")
        #expect(error.description.contains("tmp_pack"))
    }

    @Test("§10.1 pack.json that is not JSON → malformed file")
    func brokenManifest() throws {
        let error = try #require(try TemporaryPack.loadError(overrides: ["pack.json": "{id: 1"]))
        #expect(error.kind == .malformedFile)
        #expect(error.file == "pack.json")
    }
}
