/// Why a pack could not be loaded or accepted.
///
/// `message` is the bare text of the failure (for validation failures, the spec's §10.2 wording,
/// e.g. `scoring base_scores.momentum references signal_id 'ghost_signal' not in
/// taxonomy.signal_ids`); `description` adds where it happened: the pack directory (or the stored
/// document) and the file, when one applies.
public struct PackError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The family of a failure, for callers that react differently to each.
    public enum Kind: String, Sendable, Hashable {
        /// `pack_id` or `version` is not a safe path component.
        case invalidReference
        /// The pack directory or a required file does not exist.
        case notFound
        /// A file exists but could not be read or decoded (bad UTF-8, bad JSON or YAML, wrong shape).
        case malformedFile
        /// `pack.json`'s version differs from the requested one.
        case versionMismatch
        /// A §10.2 validation rule failed.
        case validation
        /// A stored pack document does not have the shape `Pack.document` writes, or its checksum
        /// does not match its content.
        case invalidDocument
    }

    /// The family of the failure.
    public var kind: Kind
    /// The bare failure text, without location.
    public var message: String
    /// The pack directory path, or a short label such as "stored pack document".
    public var location: String?
    /// The file the failure is about, relative to the pack directory.
    public var file: String?

    /// Creates an error; `location` and `file` are filled in by the loader when known.
    public init(_ kind: Kind, _ message: String, location: String? = nil, file: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.file = file
    }

    /// "pack '<location>', <file>: <message>", leaving out the parts that are unknown.
    public var description: String {
        var text = "pack"
        if let location { text += " '\(location)'" }
        if let file { text += ", \(file)" }
        return text + ": " + message
    }

    /// The same error with the location filled in when it was not known where it was raised.
    func located(at location: String) -> PackError {
        var copy = self
        if copy.location == nil { copy.location = location }
        return copy
    }
}
