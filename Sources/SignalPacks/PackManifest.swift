public import SiglogCore

/// The identity of a pack, read from `pack.json` (§10.1).
public struct PackManifest: Sendable, Hashable {
    /// `id`: the pack's directory name by convention.
    public var id: String
    /// `version`: compared with the requested version when loading by reference.
    public var version: String
    /// `name`: the human name.
    public var name: String
    /// `schema_version` as written; nil when absent (which means version 1).
    public var schemaVersion: String?
    /// `offer_type`, e.g. "fractional CTO".
    public var offerType: String?

    /// Creates a manifest without validating it.
    public init(id: String, version: String, name: String, schemaVersion: String? = nil, offerType: String? = nil) {
        self.id = id
        self.version = version
        self.name = name
        self.schemaVersion = schemaVersion
        self.offerType = offerType
    }

    /// The layout this manifest declares: "2" → v2, "1" or absent → v1.
    public var schema: PackSchemaVersion {
        schemaVersion?.trimmingWhitespace == "2" ? .v2 : .v1
    }

    /// Validation step 1 (§10.2): `id`, `version` and `name` are non-blank strings;
    /// `schema_version`, when present, is non-blank and "1" or "2"; `offer_type` is a string.
    /// Errors carry `pack.json` as their file.
    public init(document: JSONValue) throws(PackError) {
        func fail(_ message: String) -> PackError { PackError(.validation, message, file: "pack.json") }
        guard let object = document.objectValue else { throw fail("pack.json must be a JSON object") }
        func required(_ key: String) throws(PackError) -> String {
            guard let value = object[key], !value.isNull else { throw fail("pack.json missing required field '\(key)'") }
            guard let text = value.stringValue else { throw fail("pack.json field '\(key)' must be a string") }
            guard !text.trimmingWhitespace.isEmpty else { throw fail("pack.json field '\(key)' must be non-empty") }
            return text
        }
        let id = try required("id")
        let version = try required("version")
        let name = try required("name")
        var schemaVersion: String?
        if let value = object["schema_version"], !value.isNull {
            let text: String
            switch value {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            default: throw fail("pack.json field 'schema_version' must be a string")
            }
            guard !text.trimmingWhitespace.isEmpty else { throw fail("pack.json field 'schema_version' must be non-empty when present") }
            guard ["1", "2"].contains(text.trimmingWhitespace) else {
                throw fail("pack.json schema_version '\(text)' is not supported (expected \"1\" or \"2\")")
            }
            schemaVersion = text
        }
        var offerType: String?
        if let value = object["offer_type"], !value.isNull {
            guard let text = value.stringValue else { throw fail("pack.json field 'offer_type' must be a string") }
            offerType = text
        }
        self.init(id: id, version: version, name: name, schemaVersion: schemaVersion, offerType: offerType)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (Python's `str.strip()`
    /// for the characters pack files contain).
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
