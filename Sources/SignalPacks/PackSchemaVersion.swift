/// The layout a pack directory follows (§10.1): which files are read and which signal ids it may use.
public enum PackSchemaVersion: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// `schema_version` "1" or absent: the pack brings its own taxonomy `signal_ids` and derivers.
    case v1 = 1
    /// `schema_version` "2": the core taxonomy applies; prompt bundles are part of the pack.
    case v2 = 2

    /// Orders v1 before v2.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// "1" or "2".
    public var description: String { String(rawValue) }
}
