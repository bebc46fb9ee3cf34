public import SiglogCore

extension Pack {
    /// The whole pack as one JSON document: the checksummed content (`manifest`, `taxonomy`,
    /// `scoring`, `esl_policy`, `derivers`, `playbooks`, v2 `prompt_bundles`) plus `checksum`.
    /// This is what the log stores; `init(document:)` reads it back.
    public var document: JSONValue {
        guard case .object(var object) = canonicalContent else { return canonicalContent }
        object["checksum"] = .string(checksum)
        return .object(object)
    }

    /// Rebuilds a pack from `document`, recomputing the checksum and requiring it to equal the
    /// stored one.
    ///
    /// The §10.2 rules are not re-run: a stored pack was validated when it was recorded, and replay
    /// must accept what was accepted then even if the rules later change.
    public init(document: JSONValue) throws(PackError) {
        let location = "stored pack document"
        func fail(_ message: String) -> PackError { PackError(.invalidDocument, message, location: location) }
        guard let object = document.objectValue else { throw fail("a stored pack must be a JSON object") }
        func section(_ key: String) throws(PackError) -> JSONValue {
            guard let value = object[key] else { throw fail("missing '\(key)'") }
            guard value.objectValue != nil else { throw fail("'\(key)' must be an object") }
            return value
        }
        guard let manifest = object["manifest"] else { throw fail("missing 'manifest'") }
        let playbooks = try section("playbooks").objectValue ?? [:]
        for member in playbooks where member.value.objectValue == nil {
            throw fail("playbook '\(member.key)' must be an object")
        }
        let promptBundles = object["prompt_bundles"]
        if let promptBundles, let problem = PromptBundles.shapeProblem(promptBundles) { throw fail(problem) }
        guard case .string(let stored)? = object["checksum"] else { throw fail("missing 'checksum'") }
        let pack: Pack
        do {
            pack = try Pack(
                manifestDocument: manifest, taxonomy: try section("taxonomy"), scoring: try section("scoring"),
                eslPolicy: try section("esl_policy"), derivers: try section("derivers"), playbooks: playbooks,
                promptBundles: promptBundles)
        } catch {
            throw error.located(at: location)
        }
        if (pack.schemaVersion == .v2) != (promptBundles != nil) {
            throw fail(pack.schemaVersion == .v2
                ? "missing 'prompt_bundles' for a schema_version 2 pack"
                : "'prompt_bundles' present in a schema_version 1 pack")
        }
        guard pack.checksum == stored else {
            throw fail("checksum mismatch: stored \(stored), content hashes to \(pack.checksum)")
        }
        self = pack
    }
}

extension PromptBundles {
    /// What is wrong with `value` as `{system: string|null, templates: {stem: object},
    /// few_shot: {stem: object}}`, or nil when it has that shape.
    static func shapeProblem(_ value: JSONValue) -> String? {
        guard let object = value.objectValue else { return "'prompt_bundles' must be an object" }
        switch object["system"] {
        case .string?, .null?: break
        default: return "'prompt_bundles.system' must be a string or null"
        }
        for key in ["templates", "few_shot"] {
            guard let group = object[key]?.objectValue else { return "'prompt_bundles.\(key)' must be an object" }
            for member in group where member.value.objectValue == nil {
                return "'prompt_bundles.\(key).\(member.key)' must be an object"
            }
        }
        return nil
    }
}
