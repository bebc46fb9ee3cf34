public import Foundation

/// Fixed identifiers of the spec (§0.3). Packs are resolved by `(pack_id, version)`, never by
/// these UUIDs; the pack UUIDs are only the ids `init` gives the bundled packs.
public enum WellKnownIDs {
    public static let defaultWorkspace = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    public static let defaultWorkspaceName = "Default"
    public static let fractionalCTOPack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
    public static let corePack = UUID(uuidString: "c0de0000-0000-4000-8000-000000000001")!
    public static let bookkeepingPack = UUID(uuidString: "b2c3d4e5-f6a7-8b90-cdef-123456789012")!
    /// The default pack is looked up by this `(pack_id, version)`.
    public static let defaultPackKey = (packID: "fractional_cto_v1", version: "1")
}

extension UUID {
    /// Lower-case canonical text, the form every output of this project uses.
    public var lowercased: String { uuidString.lowercased() }
}
