public import Foundation
import SiglogCore

/// Loads pack directories (§10.1) into validated `Pack` values.
///
/// Layout by schema version:
/// - v1 (`schema_version` "1" or absent): `taxonomy.yaml`, `scoring.yaml`, `esl_policy.yaml` and
///   `derivers.yaml` are required.
/// - v2: `analysis_weights.yaml` (else `scoring.yaml`) and `esl_rubric.yaml` (else
///   `esl_policy.yaml`) are required; `taxonomy.yaml` and `derivers.yaml` read as `{}` when absent;
///   `prompt_bundles/` gives `system.txt` (else `system.md`), `templates/*.yaml`, `few_shot/*.yaml`.
/// - both: `playbooks/*.yaml`, keyed by file stem.
///
/// After loading, the §10.2 rules run in order (`PackValidator`); the first failure is thrown.
public enum PackLoader {
    /// Loads `<packsRoot>/<packID>` after checking that `packID` and `version` are safe path
    /// components, and requires `pack.json`'s `version` to equal `version`.
    public static func load(packsRoot: URL, packID: String, version: String) throws(PackError) -> Pack {
        try PackReference.check(packID, label: "pack_id")
        try PackReference.check(version, label: "version")
        let directory = packsRoot.appendingPathComponent(packID, isDirectory: true)
        return try load(PackDirectory(url: directory), expectedVersion: version)
    }

    /// Loads the pack in `directory`, whatever its version.
    public static func load(directory: URL) throws(PackError) -> Pack {
        try load(PackDirectory(url: directory), expectedVersion: nil)
    }

    /// Loads a pack from files held in memory (relative path → contents), validated like a
    /// directory; `name` stands for the directory in error messages.
    public static func load(name: String, files: [String: String]) throws(PackError) -> Pack {
        try load(PackDirectory(name: name, files: files), expectedVersion: nil)
    }

    /// The pack bundled with the tools (`fractional_cto_v1`), embedded in the executable so a
    /// copied binary needs no file next to it.
    public static func bundledDefault() throws(PackError) -> Pack {
        try load(name: "<bundled>/\(BundledPackFiles.packID)", files: BundledPackFiles.files)
    }

    private static func load(_ directory: PackDirectory, expectedVersion: String?) throws(PackError) -> Pack {
        let location = directory.path
        guard directory.isDirectory() else { throw PackError(.notFound, "pack directory does not exist", location: location) }
        guard directory.isFile("pack.json") else {
            throw PackError(.notFound, "pack.json not found", location: location, file: "pack.json")
        }
        let manifestDocument = try directory.json("pack.json")
        let manifest: PackManifest
        do {
            manifest = try PackManifest(document: manifestDocument)
        } catch {
            throw error.located(at: location)
        }
        if let expectedVersion, manifest.version != expectedVersion {
            throw PackError(
                .versionMismatch,
                "pack.json version '\(manifest.version)' does not match requested version '\(expectedVersion)'",
                location: location, file: "pack.json")
        }
        let schema = manifest.schema
        let files = try sourceFiles(in: directory, schema: schema)
        let pack: Pack
        do {
            pack = try Pack(
                manifestDocument: manifestDocument,
                taxonomy: try optionalMapping(files.taxonomy, in: directory, required: schema == .v1),
                scoring: try directory.yamlMapping(files.scoring),
                eslPolicy: try directory.yamlMapping(files.eslPolicy),
                derivers: try optionalMapping(files.derivers, in: directory, required: schema == .v1),
                playbooks: try directory.yamlMappings(in: "playbooks"),
                promptBundles: schema == .v2 ? try promptBundles(in: directory) : Optional<JSONValue>.none)
            try PackValidator.validate(pack, files: files)
        } catch {
            throw error.located(at: location)
        }
        return pack
    }

    /// Picks the scoring and ESL files for the layout; a missing required one is `.notFound`.
    private static func sourceFiles(in directory: PackDirectory, schema: PackSchemaVersion) throws(PackError) -> PackSourceFiles {
        let scoringCandidates = schema == .v2 ? ["analysis_weights.yaml", "scoring.yaml"] : ["scoring.yaml"]
        let eslCandidates = schema == .v2 ? ["esl_rubric.yaml", "esl_policy.yaml"] : ["esl_policy.yaml"]
        func pick(_ candidates: [String]) throws(PackError) -> String {
            guard let name = directory.firstFile(candidates) else {
                throw PackError(
                    .notFound, "required file not found: \(candidates.joined(separator: " or "))",
                    location: directory.path, file: candidates[0])
            }
            return name
        }
        return PackSourceFiles(scoring: try pick(scoringCandidates), eslPolicy: try pick(eslCandidates))
    }

    private static func optionalMapping(_ name: String, in directory: PackDirectory, required: Bool) throws(PackError) -> JSONValue {
        if directory.isFile(name) { return try directory.yamlMapping(name) }
        if required { throw PackError(.notFound, "required file not found: \(name)", location: directory.path, file: name) }
        return .object([:])
    }

    /// The v2 `prompt_bundles` document; every part is empty when the directory is absent.
    private static func promptBundles(in directory: PackDirectory) throws(PackError) -> JSONValue {
        let root = "prompt_bundles"
        let system: JSONValue = if let name = directory.firstFile(["\(root)/system.txt", "\(root)/system.md"]) {
            .string(try directory.text(name))
        } else {
            .null
        }
        return .object([
            "system": system,
            "templates": .object(try directory.yamlMappings(in: "\(root)/templates")),
            "few_shot": .object(try directory.yamlMappings(in: "\(root)/few_shot")),
        ])
    }
}
