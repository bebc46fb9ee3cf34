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

    static let reference: URL = packageRoot
        .deletingLastPathComponent()
        .appendingPathComponent("shared/reference-packs", isDirectory: true)

    /// True when the shared reference packs exist; prints why the dependent tests are skipped
    /// otherwise (evaluated once).
    static let referenceAvailable: Bool = {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: reference.path, isDirectory: &isDirectory) && isDirectory.boolValue
        if !exists {
            print("SignalPacksTests: skipping reference-pack tests: \(reference.path) does not exist")
        }
        return exists
    }()

    static func fixture(_ packID: String) -> URL { fixtures.appendingPathComponent(packID, isDirectory: true) }

    static func reference(_ packID: String) -> URL { reference.appendingPathComponent(packID, isDirectory: true) }
}
