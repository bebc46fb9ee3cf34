public import ArgumentParser
import EventLog
public import Foundation
public import Pipeline
public import Projections
import ReadModel
import SiglogCore

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

    /// Opens the store for appending (it must exist). A replica is refused: its records come from its stream only.
    public func openForWriting() throws -> StageRunner {
        StageRunner(store: try refusingReplica(Store(path: path, mode: .readWrite)))
    }

    /// Opens or creates the store (a replica is refused).
    public func openCreating() throws -> StageRunner {
        StageRunner(store: try refusingReplica(Store(path: path, mode: .create)))
    }

    /// Opens the store to rebuild its views, replicas included (each copy's views are its own).
    public func openForRebuilding() throws -> Store {
        try Store(path: path, mode: .readWrite)
    }

    private func refusingReplica(_ store: Store) throws -> Store {
        if let marker = try store.log.replicaMarker() {
            let stream = ReplicaMarker(bytes: marker)?.stream ?? "its stream"
            throw SiglogError.conflict(
                "the store at \(path) is a read-only replica of \(stream): promote it with `siglog-replicate promote --store \(path)` before appending")
        }
        return store
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
