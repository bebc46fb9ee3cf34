import EventLog
public import Foundation
public import SiglogCore
public import SiglogRecords

/// A record as a view row: the record's own payload plus the log position and append time of the
/// record that wrote it (fields 1000 and 1001, which the record's decoder skips). Views that keep
/// a record as it is (snapshots, lead-feed rows, packs, outreach) store this.
public struct Stamped<Record: SiglogRecord>: Sendable {
    public var record: Record
    /// Sequence number of the record that wrote the row.
    public var sequence: UInt64
    /// Append time of that record: `computed_at` / `updated_at` / `created_at` of the row (D14).
    public var recordedAt: Timestamp

    public init(record: Record, sequence: UInt64, recordedAt: Timestamp) {
        self.record = record
        self.sequence = sequence
        self.recordedAt = recordedAt
    }

    public func encoded() -> [UInt8] {
        var writer = PayloadWriter()
        record.encode(into: &writer)
        writer.write(1000, sequence)
        writer.write(1001, recordedAt)
        return writer.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Stamped {
        var reader = PayloadReader(bytes)
        let record = try Record(from: &reader)
        var stamps = PayloadReader(bytes)
        var sequence: UInt64 = 0
        var at = Timestamp(microseconds: 0)
        while let f = try stamps.next() {
            if f.number == 1000 { sequence = try f.uint64() } else if f.number == 1001 { at = try f.timestamp() }
        }
        return Stamped(record: record, sequence: sequence, recordedAt: at)
    }
}

/// The `companies` view row: creation data plus the current mutable state.
public struct CompanyRow: Sendable, Hashable {
    public var created: CompanyCreated
    public var version: Int64
    public var alignmentOK: Bool?
    public var status: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public var id: Int64 { created.companyID }
    public var name: String { created.name }

    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        created.encode(into: &w)
        w.write(1000, version)
        w.write(1001, alignmentOK)
        w.write(1002, status)
        w.write(1003, createdAt)
        w.write(1004, updatedAt)
        return w.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> CompanyRow {
        var reader = PayloadReader(bytes)
        let created = try CompanyCreated(from: &reader)
        var row = CompanyRow(created: created, version: 1, alignmentOK: nil, status: nil,
                             createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
        var extra = PayloadReader(bytes)
        while let f = try extra.next() {
            switch f.number {
            case 1000: row.version = try f.int64()
            case 1001: row.alignmentOK = try f.bool()
            case 1002: row.status = try f.string()
            case 1003: row.createdAt = try f.timestamp()
            case 1004: row.updatedAt = try f.timestamp()
            default: break
            }
        }
        return row
    }
}

/// The `signal_instances` view row, keyed `(entity_id, signal_id, pack_id)`.
public struct InstanceRow: Sendable, Hashable {
    public var entityID: Int64
    public var signalID: String
    public var pack: UUID
    public var strength: Double
    public var confidence: Double?
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    public var evidenceEventIDs: [Int64]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        SignalInstanceDerived(entityID: entityID, signalID: signalID, pack: pack, confidence: confidence,
                              firstSeen: firstSeen, lastSeen: lastSeen, evidence: evidenceEventIDs, jobRunID: nil)
            .encode(into: &w)
        w.write(1000, strength)
        w.write(1001, createdAt)
        w.write(1002, updatedAt)
        return w.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> InstanceRow {
        var reader = PayloadReader(bytes)
        let r = try SignalInstanceDerived(from: &reader)
        var row = InstanceRow(entityID: r.entityID, signalID: r.signalID, pack: r.pack, strength: 1.0,
                              confidence: r.confidence, firstSeen: r.firstSeen, lastSeen: r.lastSeen,
                              evidenceEventIDs: r.evidence, createdAt: Timestamp(microseconds: 0),
                              updatedAt: Timestamp(microseconds: 0))
        var extra = PayloadReader(bytes)
        while let f = try extra.next() {
            switch f.number {
            case 1000: row.strength = try f.double()
            case 1001: row.createdAt = try f.timestamp()
            case 1002: row.updatedAt = try f.timestamp()
            default: break
            }
        }
        return row
    }
}

/// The `workspaces` view row.
public struct WorkspaceRow: Sendable, Hashable {
    public var id: UUID
    public var name: String
    public var activePack: UUID?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        WorkspaceCreated(workspaceID: id, name: name, activePack: activePack).encode(into: &w)
        w.write(1000, createdAt)
        w.write(1001, updatedAt)
        return w.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> WorkspaceRow {
        var reader = PayloadReader(bytes)
        let created = try WorkspaceCreated(from: &reader)
        var row = WorkspaceRow(id: created.workspaceID, name: created.name, activePack: created.activePack,
                               createdAt: Timestamp(microseconds: 0), updatedAt: Timestamp(microseconds: 0))
        var extra = PayloadReader(bytes)
        while let f = try extra.next() {
            if f.number == 1000 { row.createdAt = try f.timestamp() } else if f.number == 1001 { row.updatedAt = try f.timestamp() }
        }
        return row
    }
}

/// The `job_runs` view row: the start record merged with the finish record.
public struct JobRow: Sendable, Hashable {
    public var id: UInt64
    public var started: JobRunStarted
    public var startedAt: Timestamp
    public var status: JobStatus
    public var finishedAt: Timestamp?
    public var companiesProcessed: Int?
    public var companiesESLSuppressed: Int?
    public var errorMessage: String?
    public var result: JSONValue

    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        started.encode(into: &w)
        w.write(1000, id)
        w.write(1001, startedAt)
        w.write(1002, status.rawValue)
        w.write(1003, finishedAt)
        w.write(1004, companiesProcessed)
        w.write(1005, companiesESLSuppressed)
        w.write(1006, errorMessage)
        w.write(1007, json: result)
        return w.bytes
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> JobRow {
        var reader = PayloadReader(bytes)
        let started = try JobRunStarted(from: &reader)
        var row = JobRow(id: 0, started: started, startedAt: Timestamp(microseconds: 0), status: .running,
                         finishedAt: nil, companiesProcessed: nil, companiesESLSuppressed: nil, errorMessage: nil,
                         result: .null)
        var extra = PayloadReader(bytes)
        while let f = try extra.next() {
            switch f.number {
            case 1000: row.id = try f.uint64()
            case 1001: row.startedAt = try f.timestamp()
            case 1002:
                let name = try f.string()
                guard let status = JobStatus(rawValue: name) else { throw PayloadError("job row: unknown status '\(name)'") }
                row.status = status
            case 1003: row.finishedAt = try f.timestamp()
            case 1004: row.companiesProcessed = try f.int()
            case 1005: row.companiesESLSuppressed = try f.int()
            case 1006: row.errorMessage = try f.string()
            case 1007: row.result = try f.json()
            default: break
            }
        }
        return row
    }
}

/// One entry of a company's timeline: what happened, when, and which job run caused it.
public struct TimelineEntry: Sendable, Hashable {
    public var companyID: Int64
    public var sequence: UInt64
    public var at: Timestamp
    /// `company_created`, `company_updated`, `event_stored`, `instance_derived`,
    /// `readiness_snapshot`, `engagement_snapshot`, `lead_feed_band`, `outreach`.
    public var kind: String
    public var detail: String
    public var jobRunID: UInt64?

    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        w.write(1, at)
        w.write(2, kind)
        w.write(3, detail)
        if let jobRunID { w.write(4, jobRunID) }
        return w.bytes
    }

    public static func decode(companyID: Int64, sequence: UInt64, _ bytes: UnsafeRawBufferPointer) throws -> TimelineEntry {
        var entry = TimelineEntry(companyID: companyID, sequence: sequence, at: Timestamp(microseconds: 0), kind: "", detail: "", jobRunID: nil)
        var reader = PayloadReader(bytes)
        while let f = try reader.next() {
            switch f.number {
            case 1: entry.at = try f.timestamp()
            case 2: entry.kind = try f.string()
            case 3: entry.detail = try f.string()
            case 4: entry.jobRunID = try f.uint64()
            default: break
            }
        }
        return entry
    }
}
