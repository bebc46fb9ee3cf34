public import EventLog
public import Foundation
public import SiglogCore

/// A fact appended to the log. Each record type has a fixed number (never reused) and encodes its
/// fields as numbered payload fields: new fields get new numbers, so records written by older
/// binaries still decode (absent fields take their defaults).
public protocol SiglogRecord: Sendable {
    /// The record's type number in the log (see the `RecordType` constants); fixed forever.
    static var recordType: RecordType { get }
    /// Writes the record's fields under their numbers; nil optionals are left out.
    func encode(into writer: inout PayloadWriter)
    /// Reads the fields in any order, skipping numbers it does not know; absent fields take their
    /// defaults and a missing required field is a `PayloadError`.
    init(from reader: inout PayloadReader) throws
}

extension SiglogRecord {
    /// The payload bytes.
    public func payload() -> [UInt8] {
        var writer = PayloadWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a payload of this type.
    public static func decode(_ payload: UnsafeRawBufferPointer) throws -> Self {
        var reader = PayloadReader(payload)
        return try Self(from: &reader)
    }

    /// Decodes the record a stored record view holds. A view of another type, or a payload that
    /// does not decode, is `LogError.undecodablePayload` naming the record's position.
    public static func decode(_ view: borrowing RecordView) throws(LogError) -> Self {
        guard view.type == recordType else {
            throw LogError.undecodablePayload(sequence: view.sequence, reason: "expected \(recordType.name), found \(view.type.name)")
        }
        do {
            return try view.withPayload { try decode($0) }
        } catch let error as PayloadError {
            throw LogError.undecodablePayload(sequence: view.sequence, reason: error.description)
        } catch {
            throw LogError.undecodablePayload(sequence: view.sequence, reason: "\(error)")
        }
    }

    /// The envelope for appending this record.
    public func envelope(at time: Timestamp, workspace: UUID?) -> Envelope {
        Envelope(type: Self.recordType, appendedAt: time.microseconds, workspace: workspace, payload: payload())
    }
}

extension RecordType {
    /// `PackInstalled`: a registry row and its parsed pack. Type numbers are never reused; the tens
    /// group the kinds (1x registry, 2x companies, 30 events, 40 derive, 5x snapshots, 60 lead feed,
    /// 7x job runs, 80 outreach, 9x the stage queue, 10x watchlist and bundles, 11x alerts).
    public static let packInstalled = RecordType(rawValue: 10)
    /// `WorkspaceCreated`: a tenant and its first active pack.
    public static let workspaceCreated = RecordType(rawValue: 11)
    /// `WorkspacePackSet`: a workspace's active pack changed.
    public static let workspacePackSet = RecordType(rawValue: 12)
    /// `CompanyCreated`: a company and its aliases, made by ingest's match-or-create.
    public static let companyCreated = RecordType(rawValue: 20)
    /// `CompanyUpdated`: a company's alignment and status, with its new version.
    public static let companyUpdated = RecordType(rawValue: 21)
    /// `EventStored`: one `signal_events` row, the bulk of every log.
    public static let eventStored = RecordType(rawValue: 30)
    /// `SignalInstanceDerived`: one derive aggregate, merged into `signal_instances`.
    public static let signalInstanceDerived = RecordType(rawValue: 40)
    /// `ReadinessSnapshotRecorded`: a TRS snapshot (§4.9).
    public static let readinessSnapshot = RecordType(rawValue: 50)
    /// `EngagementSnapshotRecorded`: an ESL snapshot (§5.5).
    public static let engagementSnapshot = RecordType(rawValue: 51)
    /// `LeadFeedRowRecorded`: a lead-feed row, overwriting the previous one (§7).
    public static let leadFeedRow = RecordType(rawValue: 60)
    /// `JobRunStarted`: a stage run began; its sequence number is the `job_run_id`.
    public static let jobRunStarted = RecordType(rawValue: 70)
    /// `JobRunFinished`: a stage run ended, with its counters and result.
    public static let jobRunFinished = RecordType(rawValue: 71)
    /// `OutreachRecorded`: contact with a company, in one workspace.
    public static let outreachRecorded = RecordType(rawValue: 80)

    /// Every record type this binary knows, for the log's type check.
    public static let siglogTypes: Set<RecordType> = Set<RecordType>([
        .packInstalled, .workspaceCreated, .workspacePackSet, .companyCreated, .companyUpdated, .eventStored,
        .signalInstanceDerived, .readinessSnapshot, .engagementSnapshot, .leadFeedRow, .jobRunStarted,
        .jobRunFinished, .outreachRecorded, .watchlistAdded, .watchlistRemoved, .evidenceBundleStored, .alertCreated,
    ]).union(stageQueueTypes)

    /// A readable name for listings (`stats`, `export`).
    public var name: String {
        switch self {
        case .packInstalled: "pack_installed"
        case .workspaceCreated: "workspace_created"
        case .workspacePackSet: "workspace_pack_set"
        case .companyCreated: "company_created"
        case .companyUpdated: "company_updated"
        case .eventStored: "event_stored"
        case .signalInstanceDerived: "signal_instance_derived"
        case .readinessSnapshot: "readiness_snapshot"
        case .engagementSnapshot: "engagement_snapshot"
        case .leadFeedRow: "lead_feed_row"
        case .jobRunStarted: "job_run_started"
        case .jobRunFinished: "job_run_finished"
        case .outreachRecorded: "outreach_recorded"
        case .stageQueued: "stage_queued"
        case .stageStarted: "stage_started"
        case .stageJobAccepted: "stage_job_accepted"
        case .stageCompleted: "stage_completed"
        case .stageFailed: "stage_failed"
        case .stageStuckReset: "stage_stuck_reset"
        case .stageRetried: "stage_retried"
        case .stageReleased: "stage_released"
        case .watchlistAdded: "watchlist_added"
        case .watchlistRemoved: "watchlist_removed"
        case .evidenceBundleStored: "evidence_bundle_stored"
        case .alertCreated: "alert_created"
        default: "type_\(rawValue)"
        }
    }
}

// MARK: - Field helpers for the types every record uses

extension PayloadWriter {
    /// A UUID as its 16 raw bytes.
    public mutating func write(_ field: Int, _ value: UUID) {
        withUnsafeBytes(of: value.uuid) { write(field, bytes: $0) }
    }
    /// A UUID, or no field at all when nil (an absent field decodes as nil).
    public mutating func write(_ field: Int, _ value: UUID?) { if let value { write(field, value) } }
    /// A timestamp as int64 microseconds since 1970-01-01T00:00:00Z.
    public mutating func write(_ field: Int, _ value: Timestamp) { write(field, value.microseconds) }
    /// A timestamp, or no field at all when nil.
    public mutating func write(_ field: Int, _ value: Timestamp?) { if let value { write(field, value) } }
    /// A day as int64 days since 1970-01-01 (negative before).
    public mutating func write(_ field: Int, _ value: Day) { write(field, Int64(value.daysSinceEpoch)) }
    /// Each string as its own occurrence of `field`, in order: a repeated field that decodes back to the list.
    public mutating func write(_ field: Int, strings: [String]) { for s in strings { write(field, s) } }
    /// A JSON value as compact JSON text in member order (its UTF-8 bytes as written, without
    /// making a string of them first).
    public mutating func write(_ field: Int, json value: JSONValue?) {
        if let value { write(field, bytes: JSONWriter().bytes(value)) }
    }
}

extension PayloadReader.Field {
    /// The field as a UUID; any length other than 16 bytes is a `PayloadError`.
    public func uuid() throws -> UUID {
        // The bytes in place: no array per UUID field (every decoded record has one or more).
        let raw = try uuidBytes()
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)  // UUID() would read the random source
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: raw) }
        return UUID(uuid: value)
    }
    /// Whether the field is the UUID `expected`: `uuid() == expected` (same errors) without
    /// building a `UUID` — the score and derive readers ask it of every event's pack.
    public func isUUID(_ expected: UUID) throws -> Bool {
        let raw = try uuidBytes()
        return withUnsafeBytes(of: expected.uuid) { memcmp($0.baseAddress!, raw.baseAddress!, 16) == 0 }
    }
    /// The 16 bytes of a UUID field in place; any other length is a `PayloadError`.
    private func uuidBytes() throws -> UnsafeRawBufferPointer {
        let raw = try rawBytes()
        guard raw.count == 16 else { throw PayloadError("field \(number) is not a UUID") }
        return raw
    }
    /// The field as a timestamp (int64 microseconds since the epoch).
    public func timestamp() throws -> Timestamp { Timestamp(microseconds: try int64()) }
    /// The field as a day (int64 days since 1970-01-01, truncated to 32 bits).
    public func day() throws -> Day { Day(daysSinceEpoch: Int32(truncatingIfNeeded: try int64())) }
    /// JSON text written by `write(_:json:)`, parsed back.
    public func json() throws -> JSONValue {
        do { return try JSONParser.parse(Array(try string().utf8)) } catch {
            throw PayloadError("field \(number) is not valid JSON: \(error)")
        }
    }
}

/// A record field that must be present was not.
public func missingField(_ name: String, in record: String) -> PayloadError {
    PayloadError("\(record): required field \(name) is missing")
}
