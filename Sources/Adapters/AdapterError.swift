import SiglogCore

/// Why a fetch threw (ADAPTERS.md §0.1, §0.4): a body that is not JSON where the adapter throws on
/// it, a value of the wrong type where the reference applies string or object operations, or an
/// event that breaks a limit of PIPELINE.md §2.1. Transport failures are `TransportError`.
/// Messages never contain a credential.
public struct AdapterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: String, Sendable, Hashable {
        /// A response body that is not valid JSON.
        case invalidJSON
        /// A JSON value of a type the mapping cannot use.
        case unexpectedType
        /// A mapped event that breaks a raw-event limit (e.g. an empty company name).
        case eventOutOfLimits
    }

    /// The kind of failure.
    public var kind: Kind
    /// The message recorded as `"{source}: {message}"`.
    public var message: String

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func unexpectedType(_ field: String, expected: String, got value: JSONValue?) -> AdapterError {
        AdapterError(.unexpectedType, "\(field): expected \(expected), got \(PythonValue.typeName(value))")
    }
}
