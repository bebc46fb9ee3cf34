public import ArgumentParser
public import Foundation
public import Pipeline
public import Projections
import ReadModel
import SiglogCore
import StageQueue

/// `--store PATH`, shared by every tool.
public struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store directory (default: $SIGLOG_STORE, else ./siglog-store).")
    public var store: String?

    public init() {}

    /// The store path after applying the environment and default.
    public var path: String {
        if let store, !store.isEmpty { return store }
        if let env = ProcessInfo.processInfo.environment["SIGLOG_STORE"], !env.isEmpty { return env }
        return "siglog-store"
    }

    /// Opens the store for appending (it must exist), with the store's stage chain (`chain`, else
    /// `SIGLOG_STAGE_CHAIN`, else `<store>/stages.yaml` when present) so its band trigger applies.
    public func openForWriting(chain: String? = nil) throws -> StageRunner {
        let stageChain = try StageChainLoader.loadChain(explicit: chain, storePath: path)
        return StageRunner(store: try Store(path: path, mode: .readWrite), stageChain: stageChain)
    }

    /// Opens or creates the store.
    public func openCreating() throws -> StageRunner {
        StageRunner(store: try Store(path: path, mode: .create))
    }

    /// Opens the store read-only (without the lock file when the directory cannot be written).
    public func openForReading() throws -> Store {
        try Store.openForReading(path: path)
    }
}

/// `--workspace-id` and `--pack-id`, validated with the spec's messages.
public struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("workspace-id"), help: "Workspace UUID (default: the default workspace).")
    public var workspaceID: String?

    @Option(name: .customLong("pack-id"), help: "Pack UUID (default: the workspace's active pack).")
    public var packID: String?

    public init() {}

    /// The workspace id, nil when not given; `Invalid workspace_id: must be a valid UUID` otherwise.
    public var workspace: UUID? { get throws { try RequestIDs.workspaceID(workspaceID) } }
    /// The pack id, nil when not given; `Invalid pack_id: must be a valid UUID` otherwise.
    public var pack: UUID? { get throws { try RequestIDs.packID(packID) } }
}
