import Foundation

/// Where the tests find pack directories: the repository's own fixtures, and the shared
/// reference packs that sit next to the repository (`../shared/reference-packs`).
enum PackPaths {
    /// The package root, found from this file's path (Tests/SignalPacksTests/Support/…).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // SignalPacksTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static let fixtures: URL = packageRoot.appendingPathComponent("Fixtures/packs", isDirectory: true)

    /// The shared reference packs: `$SIGLOG_REFERENCE_PACKS`, else `../shared/reference-packs` next to
    /// the repository (read in place, never copied in). Missing, the tests that read them fail with
    /// this message rather than being skipped.
    static func referenceRoot() throws -> URL {
        let environment = ProcessInfo.processInfo.environment["SIGLOG_REFERENCE_PACKS"]
        let root = environment.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference-packs", isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MissingReferencePacks(path: root.path)
        }
        return root
    }

    static func fixture(_ packID: String) -> URL { fixtures.appendingPathComponent(packID, isDirectory: true) }

    static func reference(_ packID: String) throws -> URL { try referenceRoot().appendingPathComponent(packID, isDirectory: true) }
}

/// The reference packs are not where the tests look for them.
struct MissingReferencePacks: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "the shared reference packs are missing at \(path): put them there or set SIGLOG_REFERENCE_PACKS"
    }
}
