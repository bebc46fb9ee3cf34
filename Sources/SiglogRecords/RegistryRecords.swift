public import EventLog
public import Foundation
public import SiglogCore

/// A pack was installed: its registry row and the whole parsed pack, so replay never reads pack
/// files again.
public struct PackInstalled: SiglogRecord, Hashable {
    public static let recordType = RecordType.packInstalled
    public var packUUID: UUID
    public var packID: String
    public var version: String
    public var checksum: String
    /// The parsed pack as one JSON document (see `SignalPacks.Pack.document`).
    public var document: JSONValue

    public init(packUUID: UUID, packID: String, version: String, checksum: String, document: JSONValue) {
        self.packUUID = packUUID
        self.packID = packID
        self.version = version
        self.checksum = checksum
        self.document = document
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, packUUID)
        w.write(2, packID)
        w.write(3, version)
        w.write(4, checksum)
        w.write(5, json: document)
    }

    public init(from r: inout PayloadReader) throws {
        var uuid: UUID?
        packID = ""; version = ""; checksum = ""; document = .null
        while let f = try r.next() {
            switch f.number {
            case 1: uuid = try f.uuid()
            case 2: packID = try f.string()
            case 3: version = try f.string()
            case 4: checksum = try f.string()
            case 5: document = try f.json()
            default: break
            }
        }
        guard let uuid else { throw missingField("pack_uuid", in: "pack_installed") }
        packUUID = uuid
    }
}

/// A workspace (tenant) was created.
public struct WorkspaceCreated: SiglogRecord, Hashable {
    public static let recordType = RecordType.workspaceCreated
    public var workspaceID: UUID
    public var name: String
    public var activePack: UUID?

    public init(workspaceID: UUID, name: String, activePack: UUID?) {
        self.workspaceID = workspaceID
        self.name = name
        self.activePack = activePack
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, workspaceID)
        w.write(2, name)
        w.write(3, activePack)
    }

    public init(from r: inout PayloadReader) throws {
        var id: UUID?
        name = ""
        while let f = try r.next() {
            switch f.number {
            case 1: id = try f.uuid()
            case 2: name = try f.string()
            case 3: activePack = try f.uuid()
            default: break
            }
        }
        guard let id else { throw missingField("workspace_id", in: "workspace_created") }
        workspaceID = id
    }
}

/// A workspace's active pack changed.
public struct WorkspacePackSet: SiglogRecord, Hashable {
    public static let recordType = RecordType.workspacePackSet
    public var workspaceID: UUID
    public var pack: UUID

    public init(workspaceID: UUID, pack: UUID) {
        self.workspaceID = workspaceID
        self.pack = pack
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, workspaceID)
        w.write(2, pack)
    }

    public init(from r: inout PayloadReader) throws {
        var id: UUID?, pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: id = try f.uuid()
            case 2: pack = try f.uuid()
            default: break
            }
        }
        guard let id, let pack else { throw missingField("workspace_id/pack", in: "workspace_pack_set") }
        workspaceID = id
        self.pack = pack
    }
}

/// Recorded outreach to a company (an email, a call…), scoped to a workspace.
public struct OutreachRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.outreachRecorded
    public var companyID: Int64
    public var workspaceID: UUID
    public var outreachType: String
    public var sentAt: Timestamp
    public var outcome: String?
    public var message: String?
    public var notes: String?
    /// Recorded despite the cooldown (importing history).
    public var forced: Bool

    public init(companyID: Int64, workspaceID: UUID, outreachType: String, sentAt: Timestamp, outcome: String?,
                message: String? = nil, notes: String? = nil, forced: Bool = false) {
        self.companyID = companyID
        self.workspaceID = workspaceID
        self.outreachType = outreachType
        self.sentAt = sentAt
        self.outcome = outcome
        self.message = message
        self.notes = notes
        self.forced = forced
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, workspaceID)
        w.write(3, outreachType)
        w.write(4, sentAt)
        w.write(5, outcome)
        w.write(6, message)
        w.write(7, notes)
        if forced { w.write(8, true) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; outreachType = ""; sentAt = Timestamp(microseconds: 0); forced = false
        var workspace: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: workspace = try f.uuid()
            case 3: outreachType = try f.string()
            case 4: sentAt = try f.timestamp()
            case 5: outcome = try f.string()
            case 6: message = try f.string()
            case 7: notes = try f.string()
            case 8: forced = try f.bool()
            default: break
            }
        }
        guard let workspace else { throw missingField("workspace_id", in: "outreach_recorded") }
        workspaceID = workspace
    }
}
