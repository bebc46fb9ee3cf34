import Foundation
import Testing
@testable import SignalPacks

/// The bundled pack is compiled into the tools from Fixtures/packs/fractional_cto_v1 by
/// tools/generate-bundled-pack; these tests fail while the generated source is stale.
@Suite("Bundled pack")
struct BundledPackTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/packs/fractional_cto_v1")

    /// Every file of the fixture pack, by relative path.
    static func fixtureFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = try #require(FileManager.default.enumerator(at: fixture, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(fixture.standardizedFileURL.path.count + 1))
            files[relative] = try String(contentsOf: url, encoding: .utf8)
        }
        return files
    }

    @Test("the embedded files are exactly the fixture pack's files (run tools/generate-bundled-pack after changing it)")
    func embeddedFilesAreCurrent() throws {
        let onDisk = try Self.fixtureFiles()
        #expect(onDisk.count >= 5)
        #expect(Set(BundledPackFiles.files.keys) == Set(onDisk.keys))
        for (path, text) in onDisk { #expect(BundledPackFiles.files[path] == text, "\(path) differs") }
    }

    @Test("the bundled pack loads, validates and has the same checksum as the directory")
    func bundledEqualsDirectory() throws {
        let bundled = try PackLoader.bundledDefault()
        let fromDisk = try PackLoader.load(directory: Self.fixture)
        #expect(bundled.id == "fractional_cto_v1")
        #expect(bundled.checksum == fromDisk.checksum)
        #expect(bundled.document == fromDisk.document)
    }

    @Test("an embedded pack missing a required file is refused with the file named")
    func embeddedMissingFile() throws {
        var files = BundledPackFiles.files
        files.removeValue(forKey: "esl_rubric.yaml")
        let error = #expect(throws: PackError.self) { try PackLoader.load(name: "<test>", files: files) }
        #expect(error?.description.contains("esl_rubric.yaml") == true)
    }
}
