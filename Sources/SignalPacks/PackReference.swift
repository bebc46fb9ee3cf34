/// Path safety for the two strings that name a pack on disk (§10.1): `pack_id` and `version`
/// become directory names, so they must be plain `[A-Za-z0-9_-]+` tokens.
public enum PackReference {
    /// Throws `.invalidReference` unless `value` is a safe path component. `label` names the
    /// argument in the message ("pack_id", "version"). Checks, in order: non-empty; no NUL;
    /// no `..`; no `/` or `\`; only ASCII letters, digits, `_` and `-`.
    public static func check(_ value: String, label: String) throws(PackError) {
        func fail(_ message: String) -> PackError { PackError(.invalidReference, "\(label) \(message)") }
        if value.isEmpty { throw fail("must be non-empty") }
        if value.unicodeScalars.contains("\u{0}") { throw fail("must not contain NUL characters") }
        if value.contains("..") { throw fail("must not contain '..' (got '\(value)')") }
        if value.contains("/") || value.contains("\\") {
            throw fail("must not contain path separators ('/' or '\\') (got '\(value)')")
        }
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
            default: false
            }
        }
        if !allowed { throw fail("must match [A-Za-z0-9_-]+ (got '\(value)')") }
    }
}
