public import Foundation
public import Projections
import SiglogCore
import SiglogRecords
import SignalPacks
import Synchronization

/// The pipeline over one store: pack and workspace resolution shared by every stage, the clock,
/// and the settings that come from the environment.
public final class Pipeline: Sendable {
    public let store: Store
    public let clock: any Clock
    /// `WORKSPACE_JOB_RATE_LIMIT_PER_HOUR` (default 10; 0 or less disables).
    public let rateLimitPerHour: Int
    private let packCache = Mutex<[UUID: ResolvedPack]>([:])

    public init(store: Store, clock: any Clock = SystemClock(), rateLimitPerHour: Int? = nil) {
        self.store = store
        self.clock = clock
        if let rateLimitPerHour {
            self.rateLimitPerHour = rateLimitPerHour
        } else {
            let text = ProcessInfo.processInfo.environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"] ?? ""
            self.rateLimitPerHour = Int(text.trimmingCharacters(in: .whitespaces)) ?? 10
        }
    }

    /// Parses an optional UUID option: blank → nil; malformed → the spec's error text.
    public static func parseWorkspaceID(_ text: String?) throws(PipelineError) -> UUID? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw .invalidWorkspaceID() }
        return id
    }

    public static func parsePackID(_ text: String?) throws(PipelineError) -> UUID? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw .invalidPackID() }
        return id
    }

    // MARK: - Pack resolution (§9.4)

    /// The installed pack with this UUID, parsed (cached per process), or nil when not installed or
    /// its stored document no longer loads.
    public func resolvePack(_ uuid: UUID, in reader: ViewReader) throws -> ResolvedPack? {
        if let cached = packCache.withLock({ $0[uuid] }) { return cached }
        guard let stored = try reader.pack(uuid) else { return nil }
        guard let pack = try? Pack(document: stored.record.document) else { return nil }
        let resolved = ResolvedPack(uuid: uuid, pack: pack)
        packCache.withLock { $0[uuid] = resolved }
        return resolved
    }

    /// The default pack: the one installed as `fractional_cto_v1` version `1` (looked up, never a
    /// hard-coded id).
    public func defaultPackUUID(in reader: ViewReader) throws -> UUID? {
        try reader.packUUID(packID: WellKnownIDs.defaultPackKey.packID, version: WellKnownIDs.defaultPackKey.version)
    }

    /// `workspacePack(ws)`: the workspace's active pack, else the default pack.
    public func workspacePackUUID(_ workspace: UUID?, in reader: ViewReader) throws -> UUID? {
        if let workspace, let row = try reader.workspace(workspace), let active = row.activePack,
            try reader.pack(active) != nil
        {
            return active
        }
        return try defaultPackUUID(in: reader)
    }

    /// The pack a stage uses: the explicit one when given (it must be installed), else the
    /// workspace's pack.
    public func stagePack(explicit: UUID?, workspace: UUID, in reader: ViewReader) throws -> ResolvedPack? {
        if let explicit {
            guard let resolved = try resolvePack(explicit, in: reader) else {
                throw PipelineError(.notFound, "pack \(explicit.lowercased) is not installed")
            }
            return resolved
        }
        guard let uuid = try workspacePackUUID(workspace, in: reader) else { return nil }
        return try resolvePack(uuid, in: reader)
    }
}
