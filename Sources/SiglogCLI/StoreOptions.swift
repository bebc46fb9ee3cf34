public import ArgumentParser
public import Foundation
public import Pipeline
public import Projections

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

    /// Opens the store for appending (it must exist).
    public func openForWriting() throws -> Pipeline {
        Pipeline(store: try Store(path: path, mode: .readWrite))
    }

    /// Opens or creates the store.
    public func openCreating() throws -> Pipeline {
        Pipeline(store: try Store(path: path, mode: .create))
    }

    /// Opens the store read-only.
    public func openReadOnly() throws -> Store {
        try Store(path: path, mode: .readOnly)
    }
}

/// `--workspace-id` and `--pack-id`, validated with the spec's messages.
public struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("workspace-id"), help: "Workspace UUID (default: the default workspace).")
    public var workspaceID: String?

    @Option(name: .customLong("pack-id"), help: "Pack UUID (default: the workspace's active pack).")
    public var packID: String?

    public init() {}

    public var workspace: UUID? { get throws { try Pipeline.parseWorkspaceID(workspaceID) } }
    public var pack: UUID? { get throws { try Pipeline.parsePackID(packID) } }
}
