public import ArgumentParser
public import Foundation
public import Projections
public import ReadModel
import SiglogCore

/// `--store PATH`, shared by every tool.
public struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Store directory (default: $SIGLOG_STORE, else ./siglog-store).")
    public var store: String?

    public init() {}

    /// The store path after applying the environment and default.
    public var path: String { Self.path(store) }

    /// The store path of a `--store` value (nil: not given) after applying the environment and default.
    public static func path(_ store: String?) -> String {
        if let store, !store.isEmpty { return store }
        if let env = ProcessInfo.processInfo.environment["SIGLOG_STORE"], !env.isEmpty { return env }
        return "siglog-store"
    }

    /// Opens the store read-only (without the lock file when the directory cannot be written).
    public func openForReading() throws -> Store {
        try Store.openForReading(path: path)
    }
}

/// `--workspace-id` and `--pack-id`: a UUID, or a workspace's name / a pack's `pack_id[@version]`.
public struct ScopeOptions: ParsableArguments {
    @Option(name: .customLong("workspace-id"), help: "The workspace: its UUID or its name (default: the default workspace).")
    public var workspace: String?

    @Option(name: .customLong("pack-id"),
            help: "The pack: its UUID or its pack_id[@version] (default: the workspace's active pack).")
    public var pack: String?

    public init() {}

    /// The workspace and pack ids the options name, looked up in `reader` (nil: not given).
    public func ids(in reader: ViewReader) throws -> (workspace: UUID?, pack: UUID?) {
        try Self.ids(workspace: workspace, pack: pack, in: reader)
    }

    /// The scope the options name (D20: a workspace that is given must exist).
    public func scope(in reader: ViewReader) throws -> Scope {
        try Self.scope(workspace: workspace, pack: pack, in: reader)
    }

    /// The workspace and pack ids of a `--workspace-id` and a `--pack-id` value (nil: not given).
    public static func ids(workspace: String?, pack: String?, in reader: ViewReader) throws -> (workspace: UUID?, pack: UUID?) {
        (try NameOrID(parsing: workspace).map(reader.workspaceID), try NameOrID(parsing: pack).map(reader.packID))
    }

    /// The scope of a `--workspace-id` and a `--pack-id` value (D20: a workspace that is given must exist).
    public static func scope(workspace: String?, pack: String?, in reader: ViewReader) throws -> Scope {
        let (workspace, pack) = try ids(workspace: workspace, pack: pack, in: reader)
        return try Scope.resolve(workspace: workspace, pack: pack, in: reader)
    }
}
