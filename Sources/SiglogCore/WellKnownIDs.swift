public import Foundation

/// Fixed identifiers of the spec (§0.3). Packs are resolved by `(pack_id, version)`, never by
/// these UUIDs; the pack UUIDs are only the ids `init` gives the bundled packs.
public enum WellKnownIDs {
    public static let defaultWorkspace = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    public static let defaultWorkspaceName = "Default"
    public static let fractionalCTOPack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
    public static let corePack = UUID(uuidString: "c0de0000-0000-4000-8000-000000000001")!
    public static let bookkeepingPack = UUID(uuidString: "b2c3d4e5-f6a7-8b90-cdef-123456789012")!
    public static let fractionalCMOPack = UUID(uuidString: "d3e4f5a6-b7c8-9d01-ef23-4567890abcde")!
    public static let fractionalCOOPack = UUID(uuidString: "e4f5a6b7-c8d9-0e12-f345-67890abcdef1")!
    public static let fractionalCFOPack = UUID(uuidString: "f5a6b7c8-d9e0-1234-5678-90abcdef0123")!
    /// The default pack is looked up by this `(pack_id, version)`.
    public static let defaultPackKey = (packID: "fractional_cto_v1", version: "1")

    /// The fixed registry ids of §0.3 by `(pack_id, version)`: a pack installed without an explicit
    /// id gets its id from here when it has one.
    public static let packUUIDs: [String: UUID] = [
        "fractional_cto_v1@1": fractionalCTOPack, "core@1": corePack, "bookkeeping_v1@1": bookkeepingPack,
        "fractional_cmo_v1@1": fractionalCMOPack, "fractional_coo_v1@1": fractionalCOOPack,
        "fractional_cfo_v1@1": fractionalCFOPack,
    ]

    /// The fixed id §0.3 gives the pack `(packID, version)`, or nil when it gives none.
    public static func packUUID(packID: String, version: String) -> UUID? { packUUIDs["\(packID)@\(version)"] }
}

extension UUID {
    /// Lower-case canonical text, the form every output of this project uses.
    public var lowercased: String { uuidString.lowercased() }
}
