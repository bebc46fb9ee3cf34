public import Foundation
public import SiglogCore

/// A failure a user can act on, shared by the read layer, the stages and every front end: the
/// command-line tools map `kind` to an exit code, the HTTP service to a status. Each case carries
/// its facts; `message` is the text users see.
public enum SiglogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `workspaceNotFound` for an id.
    public static func workspaceNotFound(_ id: UUID) -> SiglogError { .workspaceNotFound(id.lowercased) }
    /// `packNotInstalled` for an id.
    public static func packNotInstalled(_ id: UUID) -> SiglogError { .packNotInstalled(id.lowercased) }

    /// A value that does not parse (a day, a time, an id).
    case invalidValue(InvalidValue)
    /// A request the tools cannot carry out as asked (a bad option combination, a blank name).
    case usage(String)
    /// A job type outside the stage registry (§9.1 step 4).
    case unknownJobType(String)
    /// Input data is malformed (bad lines under `--strict`).
    case badInput(String)
    /// A workspace id (or name) that names no workspace (D20).
    case workspaceNotFound(String)
    /// A pack id (or `pack_id`) that names no installed pack.
    case packNotInstalled(String)
    /// A company id or domain that names no company.
    case companyNotFound(CompanyReference)
    /// A job run id that names no run of the workspace.
    case jobNotFound(UInt64)
    /// A file named as input does not exist.
    case fileNotFound(path: String)
    /// The request contradicts what is stored (a stale version, different pack content, the cooldown).
    case conflict(String)
    /// The workspace's job rate limit is exhausted (§9.1 step 3): `limit` runs of the type in the
    /// last hour; the window frees a run at `freesAt`.
    case rateLimited(limit: Int, freesAt: Timestamp)
    /// Recording this outreach is refused by the cooldown (§5.7, D17) until `nextAllowed`.
    case cooldown(reason: String, nextAllowed: Timestamp)
    /// No pack resolves for the workspace (§7.3, §9.2).
    case noPack(workspace: UUID)
    /// Derive was asked for without any pack (D4).
    case deriveRequiresPack
    /// The stage cannot run in this store.
    case stageUnavailable(String)
    /// The process was asked to stop (SIGINT, SIGTERM); the run was recorded as failed.
    case interrupted
    /// The file system holding `store` is full (or the store's map cannot grow): `reason` says
    /// which, `outcome` what was kept and how to go on.
    case noSpace(store: String, reason: String, outcome: String)
    /// The store is damaged (`problem`, naming the first damaged record when it is in the log):
    /// nothing is written to it.
    case damagedStore(store: String, problem: String)

    /// The classes of failure front ends map to exit codes and HTTP statuses.
    public enum Kind: Sendable, Hashable {
        case usage, badInput, notFound, conflict, rateLimited, cannotRun, interrupted
        /// Storage ran out: the disk is full or the map cannot grow.
        case noSpace
        /// The store's data file is damaged.
        case damaged
    }

    /// This failure's class.
    public var kind: Kind {
        switch self {
        case .invalidValue, .usage, .unknownJobType: .usage
        case .badInput: .badInput
        case .workspaceNotFound, .packNotInstalled, .companyNotFound, .jobNotFound, .fileNotFound: .notFound
        case .conflict, .cooldown: .conflict
        case .rateLimited: .rateLimited
        case .noPack, .deriveRequiresPack, .stageUnavailable: .cannotRun
        case .interrupted: .interrupted
        case .noSpace: .noSpace
        case .damagedStore: .damaged
        }
    }

    /// The text users see (the spec's exact texts where it gives one).
    public var message: String {
        switch self {
        case .invalidValue(let value): value.message
        case .usage(let text), .badInput(let text), .conflict(let text), .stageUnavailable(let text): text
        case .unknownJobType(let type):
            "Unknown job_type: \(type) (valid: \(JobType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .workspaceNotFound(let id): "Workspace not found: \(id)"
        case .packNotInstalled(let id): "Pack not found: \(id)"
        case .companyNotFound(let reference): "Company not found: \(reference)"
        case .jobNotFound(let id): "Job run not found: \(id)"
        case .fileNotFound(let path): "\(path): no such file"
        case .rateLimited: "Workspace job rate limit exceeded"
        case .cooldown(let reason, _): reason
        case .noPack: "No pack resolved for workspace"
        case .deriveRequiresPack: "Derive stage requires a pack; no pack available"
        case .interrupted: "interrupted by signal"
        case .noSpace(let store, let reason, let outcome): "\(reason) while writing \(store): \(outcome)"
        case .damagedStore(_, let problem): problem
        }
    }

    public var description: String { message }

    /// What a person can do about it, beyond the spec's text (the command-line tools print it after
    /// the message); nil when the message says it all.
    public var hint: String? {
        switch self {
        case .rateLimited(let limit, let freesAt):
            "at most \(limit) runs of a stage per workspace and hour (WORKSPACE_JOB_RATE_LIMIT_PER_HOUR; 0 disables it); "
                + "the next run is possible from \(freesAt)"
        case .cooldown(_, let nextAllowed):
            "the next outreach is allowed from \(nextAllowed); --force records it anyway (e.g. when importing history)"
        case .noPack:
            "install a pack (`siglog-append init` installs the bundled one) or give --pack-id"
        case .workspaceNotFound:
            "`siglog-query workspaces` lists the workspaces (name one by its id or its name)"
        case .packNotInstalled:
            "`siglog-query packs` lists the installed packs (name one by its id, or by pack_id[@version])"
        case .damagedStore(let store, _):
            "`siglog-query verify --store \(store)` says what is intact; `siglog-append salvage --store \(store) --out NEW` "
                + "copies the intact records into a new store and rebuilds its views"
        default:
            nil
        }
    }
}
