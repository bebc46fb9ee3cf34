public import Foundation
public import SiglogCore

/// A failure a user can act on, shared by the read layer, the stages and every front end: the
/// command-line tools map `kind` to an exit code, the HTTP service to a status. Each case carries
/// its facts; `message` is the text users see.
public enum SiglogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A value that does not parse (a day, a time, an id).
    case invalidValue(InvalidValue)
    /// A request the tools cannot carry out as asked (a bad option combination, a blank name).
    case usage(String)
    /// A job type outside the stage registry (§9.1 step 4).
    case unknownJobType(String)
    /// Input data is malformed (bad lines under `--strict`).
    case badInput(String)
    /// A workspace id that names no workspace (D20).
    case workspaceNotFound(UUID)
    /// A pack id that names no installed pack.
    case packNotInstalled(UUID)
    /// A company id or domain that names no company.
    case companyNotFound(CompanyReference)
    /// A job run id that names no run of the workspace.
    case jobNotFound(UInt64)
    /// A file named as input does not exist.
    case fileNotFound(path: String)
    /// The request contradicts what is stored (a stale version, different pack content, the cooldown).
    case conflict(String)
    /// The workspace's job rate limit is exhausted (§9.1 step 3).
    case rateLimited
    /// No pack resolves for the workspace (§7.3, §9.2).
    case noPack(workspace: UUID)
    /// Derive was asked for without any pack (D4).
    case deriveRequiresPack
    /// The stage cannot run in this store.
    case stageUnavailable(String)

    /// The classes of failure front ends map to exit codes and HTTP statuses.
    public enum Kind: Sendable, Hashable {
        case usage, badInput, notFound, conflict, rateLimited, cannotRun
    }

    /// This failure's class.
    public var kind: Kind {
        switch self {
        case .invalidValue, .usage, .unknownJobType: .usage
        case .badInput: .badInput
        case .workspaceNotFound, .packNotInstalled, .companyNotFound, .jobNotFound, .fileNotFound: .notFound
        case .conflict: .conflict
        case .rateLimited: .rateLimited
        case .noPack, .deriveRequiresPack, .stageUnavailable: .cannotRun
        }
    }

    /// The text users see (the spec's exact texts where it gives one).
    public var message: String {
        switch self {
        case .invalidValue(let value): value.message
        case .usage(let text), .badInput(let text), .conflict(let text), .stageUnavailable(let text): text
        case .unknownJobType(let type):
            "Unknown job_type: \(type) (valid: \(JobType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .workspaceNotFound(let id): "Workspace not found: \(id.lowercased)"
        case .packNotInstalled(let id): "Pack not found: \(id.lowercased)"
        case .companyNotFound(let reference): "Company not found: \(reference)"
        case .jobNotFound(let id): "Job run not found: \(id)"
        case .fileNotFound(let path): "\(path): no such file"
        case .rateLimited: "Workspace job rate limit exceeded"
        case .noPack: "No pack resolved for workspace"
        case .deriveRequiresPack: "Derive stage requires a pack; no pack available"
        }
    }

    public var description: String { message }
}
