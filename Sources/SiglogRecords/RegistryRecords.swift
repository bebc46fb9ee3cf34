public import EventLog
public import Foundation
public import SiglogCore

/// A pack was installed: its registry row and the whole parsed pack, so replay never reads pack
/// files again.
public struct PackInstalled: SiglogRecord, Hashable {
    public static let recordType = RecordType.packInstalled
    /// The registry row id (`signal_packs.id`) that events, snapshots and workspaces reference.
    public var packUUID: UUID
    /// The pack's directory name (`pack_id`, e.g. `fractional_cto_v1`); with `version` the key of `packs.by_key`.
    public var packID: String
    /// The pack version as a string (`version`, e.g. `"1"`).
    public var version: String
    /// `config_checksum`: SHA-256 hex of the pack's canonical form (§10.4, D13).
    public var checksum: String
    /// The parsed pack as one JSON document (see `SignalPacks.Pack.document`).
    public var document: JSONValue

    /// Creates the record.
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
    /// The workspace id (`workspaces.id`); the seeded default is `00000000-0000-0000-0000-000000000001`.
    public var workspaceID: UUID
    /// The display name (`Default` for the seeded workspace).
    public var name: String
    /// `active_pack_id`: the pack the workspace's stages use when none is given, or nil.
    public var activePack: UUID?

    /// Creates the record.
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
    /// The workspace whose active pack changes.
    public var workspaceID: UUID
    /// The new `active_pack_id`.
    public var pack: UUID

    /// Creates the record.
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
    /// The company contacted (`company_id`).
    public var companyID: Int64
    /// The workspace that made the contact: the ESL cadence and the lead feed's outreach summary only see outreach of
    /// their own workspace (D9).
    public var workspaceID: UUID
    /// `outreach_type`, e.g. `email` or `call`.
    public var outreachType: String
    /// When it was sent (`sent_at`); the cooldowns (§5.2, §5.7) and the `as_of` bound (D15) compare it.
    public var sentAt: Timestamp
    /// `outcome`, e.g. `replied` or `declined` (which starts the 180-day cooldown), or nil.
    public var outcome: String?
    /// The message sent, free text, or nil.
    public var message: String?
    /// Free-text notes, or nil.
    public var notes: String?
    /// Recorded despite the cooldown (importing history).
    public var forced: Bool

    /// Creates the record; `forced` marks one recorded despite §5.7's cooldown (D17).
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
