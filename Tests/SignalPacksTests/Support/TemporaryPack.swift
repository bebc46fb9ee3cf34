import Foundation
import SignalPacks

/// A pack directory written to a fresh temporary folder for one test, removed by `remove()`.
///
/// Starts from a small valid pack of the requested layout; each entry of `overrides` replaces a
/// file (relative path → content) and `nil` deletes it.
struct TemporaryPack {
    let root: URL
    let directory: URL

    static let validV2: [String: String] = [
        "pack.json": #"{"id":"tmp_pack","version":"1","name":"Temporary Pack","schema_version":"2"}"#,
        "analysis_weights.yaml": """
            base_scores:
              momentum:
                funding_raised: 35
              leadership_gap:
                cto_role_posted: 70
            composite_weights: {M: 0.5, G: 0.5}
            """,
        "esl_rubric.yaml": """
            recommendation_boundaries:
              - [0.0, "Observe Only"]
              - [0.7, "Standard Outreach"]
            """,
    ]

    static let validV1: [String: String] = [
        "pack.json": #"{"id":"tmp_pack","version":"1","name":"Temporary Pack","schema_version":"1"}"#,
        "taxonomy.yaml": "signal_ids: [funding_raised, layoffs_announced]\n",
        "scoring.yaml": """
            base_scores:
              momentum:
                funding_raised: 20
                layoffs_announced: 10
            """,
        "esl_policy.yaml": """
            recommendation_boundaries:
              - [0.0, "Observe Only"]
              - [0.7, "Standard Outreach"]
            """,
        "derivers.yaml": """
            derivers:
              passthrough:
                - {event_type: funding_raised, signal_id: funding_raised}
            """,
    ]

    init(_ base: [String: String] = validV2, overrides: [String: String?] = [:]) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("signalpacks-\(UUID().uuidString)", isDirectory: true)
        directory = root.appendingPathComponent("tmp_pack", isDirectory: true)
        var files = base
        for (path, content) in overrides { files[path] = content }
        for (path, content) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// Loads the pack, removing the directory afterwards.
    static func load(_ base: [String: String] = validV2, overrides: [String: String?] = [:]) throws -> Pack {
        let pack = try TemporaryPack(base, overrides: overrides)
        defer { pack.remove() }
        return try PackLoader.load(directory: pack.directory)
    }

    /// The error loading such a pack throws, or nil when it loads.
    static func loadError(_ base: [String: String] = validV2, overrides: [String: String?] = [:]) throws -> PackError? {
        let pack = try TemporaryPack(base, overrides: overrides)
        defer { pack.remove() }
        do {
            _ = try PackLoader.load(directory: pack.directory)
            return nil
        } catch {
            return error
        }
    }
}
