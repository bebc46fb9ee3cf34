public import Foundation
public import Projections
import SignalPacks
import Synchronization

/// Installed packs parsed into the configurations the stages use, once per process: parsing a
/// pack document is far dearer than reading it, and a pack's content never changes under its id.
public final class PackResolver: Sendable {
    private let cache = Mutex<[UUID: ResolvedPack]>([:])

    /// Creates an empty resolver.
    public init() {}

    /// The installed pack with this UUID, parsed, or nil when it is not installed or its stored
    /// document no longer loads (§9.4 `resolvePack`).
    public func resolve(_ uuid: UUID, in reader: ViewReader) throws -> ResolvedPack? {
        if let cached = cache.withLock({ $0[uuid] }) { return cached }
        guard let stored = try reader.pack(uuid) else { return nil }
        guard let pack = try? Pack(document: stored.record.document) else { return nil }
        let resolved = ResolvedPack(uuid: uuid, pack: pack)
        cache.withLock { $0[uuid] = resolved }
        return resolved
    }

    /// The pack of `scope`, parsed; nil when the scope has none.
    public func resolve(_ scope: Scope, in reader: ViewReader) throws -> ResolvedPack? {
        guard let pack = scope.pack else { return nil }
        return try resolve(pack, in: reader)
    }
}
