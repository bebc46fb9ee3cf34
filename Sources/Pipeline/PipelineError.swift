/// A pipeline failure a user can act on. `kind` maps to the command-line exit codes.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request itself is wrong (bad option value, invalid UUID, unknown job type).
        case usage
        /// Input data is malformed.
        case badInput
        /// A store, workspace, pack or company that does not exist.
        case notFound
        /// The request contradicts what is stored (stale version, different pack content, cooldown).
        case conflict
        /// The workspace's job rate limit is exhausted.
        case rateLimited
        /// A stage could not run (e.g. derive without a pack).
        case stageFailed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func invalidWorkspaceID() -> PipelineError { .init(.usage, "Invalid workspace_id: must be a valid UUID") }
    public static func invalidPackID() -> PipelineError { .init(.usage, "Invalid pack_id: must be a valid UUID") }
    public static let noPackResolved = PipelineError(.stageFailed, "No pack resolved for workspace")
    public static let deriveRequiresPack = PipelineError(.stageFailed, "Derive stage requires a pack; no pack available")
    public static let rateLimitExceeded = PipelineError(.rateLimited, "Workspace job rate limit exceeded")
}
