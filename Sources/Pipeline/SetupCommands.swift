public import Foundation
public import SignalPacks
import Projections
import ReadModel
import SiglogCore
import SiglogRecords

/// What installing a pack did.
public struct PackInstallResult: Sendable, Equatable {
    public var uuid: UUID
    /// False when identical content was already installed (nothing was written).
    public var installed: Bool
}

extension StageRunner {
    /// Installs a validated pack: appends a record holding the whole parsed pack, under `requested`,
    /// else the fixed id §0.3 gives the pack (`fractional_cto_v1`, `bookkeeping_v1`,
    /// `fractional_cmo_v1`, `fractional_coo_v1`, `fractional_cfo_v1`, `core`, each at version `1`)
    /// when no other pack holds it, else a new UUID. Identical content
    /// already installed under `(pack_id, version)` is a no-op returning its UUID; different content
    /// under the same key is refused.
    public func installPack(_ pack: Pack, uuid requested: UUID? = nil) throws -> PackInstallResult {
        try store.write { writer in
            let reader = writer.reader
            if let existing = try reader.packUUID(packID: pack.id, version: pack.version) {
                let stored = try reader.pack(existing)
                guard stored?.record.checksum == pack.checksum else {
                    throw SiglogError.conflict("pack \(pack.id) version \(pack.version) is already installed with different content "
                        + "(checksum \(stored?.record.checksum.prefix(12) ?? "?")…, new \(pack.checksum.prefix(12))…); "
                        + "install the change under a new version")
                }
                if let requested, requested != existing {
                    throw SiglogError.conflict("pack \(pack.id) version \(pack.version) is already installed as \(existing.lowercased)")
                }
                return PackInstallResult(uuid: existing, installed: false)
            }
            // Without an explicit id, the packs of §0.3 get their fixed ids (when still free).
            var fixed = WellKnownIDs.packUUID(packID: pack.id, version: pack.version)
            if let id = fixed, try reader.pack(id) != nil { fixed = nil }
            let uuid = requested ?? fixed ?? UUID()
            if try reader.pack(uuid) != nil {
                throw SiglogError.conflict("pack id \(uuid.lowercased) is already used by another pack")
            }
            let record = PackInstalled(packUUID: uuid, packID: pack.id, version: pack.version, checksum: pack.checksum,
                                       document: pack.document)
            try writer.append(record, at: clock.now())
            return PackInstallResult(uuid: uuid, installed: true)
        }
    }

    /// `siglog-append init`: the default workspace with the bundled `fractional_cto_v1` as its
    /// active pack. Running it again changes nothing.
    /// Returns whether anything was written.
    @discardableResult
    public func initialize(bundledPack: Pack) throws -> Bool {
        let pack = try installPack(bundledPack, uuid: try store.read { reader in
            try reader.packUUID(packID: bundledPack.id, version: bundledPack.version)
        } ?? WellKnownIDs.fractionalCTOPack)
        let createdWorkspace = try store.write { writer in
            guard try writer.reader.workspace(WellKnownIDs.defaultWorkspace) == nil else { return false }
            try writer.append(WorkspaceCreated(workspaceID: WellKnownIDs.defaultWorkspace,
                                               name: WellKnownIDs.defaultWorkspaceName, activePack: pack.uuid),
                              at: clock.now(), workspace: WellKnownIDs.defaultWorkspace)
            return true
        }
        return pack.installed || createdWorkspace
    }

    /// Creates a workspace. Its pack, when given, must be installed.
    public func createWorkspace(name: String, id: UUID?, pack: UUID?) throws -> UUID {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw SiglogError.usage("workspace name must not be blank") }
        return try store.write { writer in
            let workspace = id ?? UUID()
            if try writer.reader.workspace(workspace) != nil {
                throw SiglogError.conflict("workspace \(workspace.lowercased) already exists")
            }
            if let pack, try writer.reader.pack(pack) == nil {
                throw SiglogError.packNotInstalled(pack)
            }
            try writer.append(WorkspaceCreated(workspaceID: workspace, name: trimmed, activePack: pack),
                              at: clock.now(), workspace: workspace)
            return workspace
        }
    }

    /// Makes `pack` the workspace's active pack.
    public func setWorkspacePack(workspace: UUID, pack: UUID) throws {
        try store.write { writer in
            guard try writer.reader.workspace(workspace) != nil else {
                throw SiglogError.workspaceNotFound(workspace)
            }
            guard try writer.reader.pack(pack) != nil else {
                throw SiglogError.packNotInstalled(pack)
            }
            try writer.append(WorkspacePackSet(workspaceID: workspace, pack: pack), at: clock.now(), workspace: workspace)
        }
    }
}
