public import Foundation
public import Projections
public import ReadModel
import SiglogCore
public import SiglogRecords
public import StageQueue

/// The write side over one store: every stage and command runs through it. It holds what the
/// stages share — the parsed packs, the clock, the rate limit read from the environment.
public final class StageRunner: Sendable {
    /// The store written to.
    public let store: Store
    /// Where "now" comes from (the append time of the records written).
    public let clock: any WallClock
    /// `WORKSPACE_JOB_RATE_LIMIT_PER_HOUR` (default 10; 0 or less disables).
    public let rateLimitPerHour: Int
    /// Installed packs, parsed once.
    public let packs = PackResolver()
    /// Raised by the tools' signal handlers; stages stop at their next check.
    public let interruption = Interruption()
    /// The process recorded with every run this runner starts.
    public let owner = RunOwner.current

    /// The stage chain whose band trigger (if any) queues a company when a lead-feed row moves its
    /// band into the trigger's set, in the same transaction as the row.
    public let stageChain: StageChain?

    /// A runner over `store`. The rate limit defaults to `WORKSPACE_JOB_RATE_LIMIT_PER_HOUR`.
    public init(store: Store, clock: any WallClock = SystemClock(), rateLimitPerHour: Int? = nil, stageChain: StageChain? = nil) {
        self.store = store
        self.clock = clock
        self.stageChain = stageChain
        if let rateLimitPerHour {
            self.rateLimitPerHour = rateLimitPerHour
        } else {
            let text = ProcessInfo.processInfo.environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"] ?? ""
            self.rateLimitPerHour = Int(text.trimmingCharacters(in: .whitespaces)) ?? 10
        }
    }

    /// The workspace and parsed pack a stage runs with (§9.4, D20): a given workspace must exist
    /// and a given pack must be installed; the pack is nil when none resolves.
    public func stageScope(workspace: UUID?, pack: UUID?, in reader: ViewReader) throws -> (workspace: UUID, pack: ResolvedPack?) {
        let scope = try Scope.resolve(workspace: workspace, pack: pack, in: reader)
        return (scope.workspace, try packs.resolve(scope, in: reader))
    }

    /// `stageScope` in a read transaction of its own.
    func stageScope(workspace: UUID?, pack: UUID?) throws -> (workspace: UUID, pack: ResolvedPack?) {
        try store.read { try stageScope(workspace: workspace, pack: pack, in: $0) }
    }
}
