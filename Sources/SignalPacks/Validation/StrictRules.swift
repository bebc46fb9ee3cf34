public import Foundation
import SiglogCore

/// The optional strict modes of §10.2 (off by default): each one is an extra rule run after the
/// eight ordinary ones.
public struct StrictModes: Sendable, Hashable {
    /// The manifest `version` must be a semantic version `x.y.z` (three dot-separated decimal numbers).
    public var semanticVersion: Bool
    /// `taxonomy.explainability_templates` must hold a non-blank text template for every signal id
    /// the pack may reference (§10.2 step 2's allowed ids).
    public var explainabilityTemplates: Bool

    /// Modes as given (none by default).
    public init(semanticVersion: Bool = false, explainabilityTemplates: Bool = false) {
        self.semanticVersion = semanticVersion
        self.explainabilityTemplates = explainabilityTemplates
    }

    /// Every strict mode.
    public static let all = StrictModes(semanticVersion: true, explainabilityTemplates: true)
}

extension PackValidator {
    /// Runs the strict modes that are on; the first failure is a `.validation` `PackError` naming
    /// its file (`pack.json`, `taxonomy.yaml`).
    public static func validateStrict(_ pack: Pack, modes: StrictModes) throws(PackError) {
        if modes.semanticVersion && !isSemanticVersion(pack.version) {
            throw PackError(.validation, "version '\(pack.version)' is not a semantic version x.y.z (strict mode)", file: "pack.json")
        }
        if modes.explainabilityTemplates {
            let templates = pack.taxonomy["explainability_templates"]
            guard let map = templates?.objectValue else {
                throw PackError(.validation, "taxonomy.explainability_templates must be a mapping of signal_id to template "
                    + "(strict mode)", file: "taxonomy.yaml")
            }
            for id in pack.allowedSignalIDs {
                guard let text = map[id]?.stringValue, !text.trimmingWhitespace.isEmpty else {
                    throw PackError(.validation, "taxonomy.explainability_templates has no template for signal_id '\(id)' "
                        + "(strict mode)", file: "taxonomy.yaml")
                }
            }
        }
    }

    /// Whether `version` is `x.y.z` with decimal numbers (no leading `v`, no pre-release suffix).
    public static func isSemanticVersion(_ version: String) -> Bool {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}

/// The outcome of validating one directory of a packs root.
public struct PackDirectoryValidation: Sendable {
    /// The directory's name (the pack id by convention).
    public var name: String
    /// The loaded pack, or why it was refused; nil for a skipped directory.
    public var result: Result<Pack, PackError>?

    /// Whether the directory was skipped (see `PackLoader.validateAll`).
    public var skipped: Bool { result == nil }
}

extension PackLoader {
    /// Pack directories `validateAll` leaves out: the reference's deliberately invalid fixture
    /// (§10.2: "validate all packs" skips it).
    public static let skippedByValidateAll: Set<String> = ["invalid_schema_pack"]

    /// Loads and validates every directory directly under `root` (hidden ones ignored), by name,
    /// with the strict `modes` on; `skippedByValidateAll` are listed as skipped. A root that is not
    /// a directory is `.notFound`.
    public static func validateAll(in root: URL, modes: StrictModes = StrictModes()) throws(PackError) -> [PackDirectoryValidation] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PackError(.notFound, "packs directory does not exist", location: root.path)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { name in
                var isDirectory: ObjCBool = false
                return !name.hasPrefix(".")
                    && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
            }.sorted()
        } catch {
            throw PackError(.notFound, "cannot list the packs directory", location: root.path)
        }
        return names.map { name in
            if skippedByValidateAll.contains(name) { return PackDirectoryValidation(name: name, result: nil) }
            do throws(PackError) {
                let pack = try load(directory: root.appendingPathComponent(name, isDirectory: true))
                try PackValidator.validateStrict(pack, modes: modes)
                return PackDirectoryValidation(name: name, result: .success(pack))
            } catch {
                return PackDirectoryValidation(name: name, result: .failure(error.located(at: root.appendingPathComponent(name).path)))
            }
        }
    }
}
