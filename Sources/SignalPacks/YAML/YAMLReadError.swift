/// Why a YAML text could not be turned into a `JSONValue`.
public struct YAMLReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words a pack author understands.
    public var reason: String

    /// Creates an error with the given reason.
    public init(reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
