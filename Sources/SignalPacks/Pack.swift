public import SiglogCore

/// A loaded, validated scoring pack: its manifest and every document the pipeline may read, as
/// parsed from the pack directory, plus the checksum of that content (§10.4).
///
/// A pack is a value: the whole of it round-trips through one `JSONValue` (`document` /
/// `init(document:)`), which is what the log stores, so replay never reads pack files again.
public struct Pack: Sendable, Hashable {
    /// The validated `pack.json` fields.
    public let manifest: PackManifest
    /// `pack.json` exactly as parsed; this, not `manifest`, is what the checksum covers.
    public let manifestDocument: JSONValue
    /// The layout the manifest declares (v1 when `schema_version` is absent).
    public let schemaVersion: PackSchemaVersion
    /// `taxonomy.yaml`; `{}` for a v2 pack without one.
    public let taxonomy: JSONValue
    /// `scoring.yaml`, or for v2 `analysis_weights.yaml` when present.
    public let scoring: JSONValue
    /// `esl_policy.yaml`, or for v2 `esl_rubric.yaml` when present.
    public let eslPolicy: JSONValue
    /// `derivers.yaml` (with its top-level `derivers` key); `{}` for a v2 pack without one.
    public let derivers: JSONValue
    /// `playbooks/*.yaml` keyed by file stem, in stem order.
    public let playbooks: JSONObject
    /// v2 only: `{system: string|null, templates: {stem: object}, few_shot: {stem: object}}`.
    public let promptBundles: JSONValue?
    /// SHA-256 of the canonical content, 64 lowercase hex digits (§10.4, D13).
    public private(set) var checksum: String

    /// Assembles a pack from its documents and computes its checksum. Nothing is validated here;
    /// `PackValidator.validate(_:)` does that.
    public init(
        manifestDocument: JSONValue, taxonomy: JSONValue = .object([:]), scoring: JSONValue,
        eslPolicy: JSONValue, derivers: JSONValue = .object([:]), playbooks: JSONObject = [:],
        promptBundles: JSONValue? = nil
    ) throws(PackError) {
        let manifest = try PackManifest(document: manifestDocument)
        self.manifest = manifest
        self.manifestDocument = manifestDocument
        self.schemaVersion = manifest.schema
        self.taxonomy = taxonomy
        self.scoring = scoring
        self.eslPolicy = eslPolicy
        self.derivers = derivers
        self.playbooks = playbooks
        // Spelled out: a bare `nil` in a ternary would become `JSONValue.null` (ExpressibleByNilLiteral).
        if manifest.schema == .v2 {
            self.promptBundles = promptBundles ?? PromptBundles.empty
        } else {
            self.promptBundles = Optional<JSONValue>.none
        }
        self.checksum = ""
        self.checksum = PackChecksum.sha256Hex(of: canonicalContent)
    }

    /// `pack.json` `id`.
    public var id: String { manifest.id }
    /// `pack.json` `version`.
    public var version: String { manifest.version }

    /// The taxonomy's `signal_ids` (string members only), or nil when the taxonomy has none.
    public var signalIDs: [String]? {
        taxonomy["signal_ids"]?.arrayValue?.compactMap(\.stringValue)
    }

    /// The signal ids this pack may reference (§10.2 step 2): the 20 core ids for v2, the
    /// taxonomy's `signal_ids` for v1.
    public var allowedSignalIDs: [String] {
        switch schemaVersion {
        case .v2: CoreTaxonomy.signalIDs
        case .v1: signalIDs ?? []
        }
    }

    /// Human labels from `taxonomy.labels` (string values only).
    public var labels: [String: String] {
        var labels: [String: String] = [:]
        for member in taxonomy["labels"]?.objectValue ?? [:] {
            if let label = member.value.stringValue { labels[member.key] = label }
        }
        return labels
    }

    /// The playbook loaded from `playbooks/<stem>.yaml`, if any.
    public func playbook(named stem: String) -> JSONValue? { playbooks[stem] }
}

/// Shapes of the v2 `prompt_bundles` document.
enum PromptBundles {
    /// What a v2 pack without a `prompt_bundles/` directory carries.
    static let empty: JSONValue = .object(["system": .null, "templates": .object([:]), "few_shot": .object([:])])
}
