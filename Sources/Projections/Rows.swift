import EventLog
public import Foundation
public import SiglogCore
public import SiglogRecords

/// A record as a view row: the record's own payload plus the log position and append time of the
/// record that wrote it (fields 1000 and 1001, which the record's decoder skips). Views that keep
/// a record as it is (snapshots, lead-feed rows, packs, outreach) store this.
public struct Stamped<Record: SiglogRecord>: Sendable {
    /// The record as appended.
    public var record: Record
    /// Sequence number of the record that wrote the row.
    public var sequence: UInt64
    /// Append time of that record: `computed_at` / `updated_at` / `created_at` of the row (D14).
    public var recordedAt: Timestamp

    /// A row for `record`, written by the record at `sequence` appended at `recordedAt`.
    public init(record: Record, sequence: UInt64, recordedAt: Timestamp) {
        self.record = record
        self.sequence = sequence
        self.recordedAt = recordedAt
    }

    /// The row's stored bytes: the record's payload fields, then fields 1000 (sequence) and 1001 (append time).
    public func encoded() -> [UInt8] {
        var writer = PayloadWriter()
        record.encode(into: &writer)
        writer.write(1000, sequence)
        writer.write(1001, recordedAt)
        return writer.bytes
    }

    /// The row's stored bytes when `payload` is the record's payload as `record.encode` wrote it:
    /// the same bytes as `encoded()`, without encoding the record again.
    public static func encoded(payload: UnsafeRawBufferPointer, sequence: UInt64, recordedAt: Timestamp) -> [UInt8] {
        var writer = PayloadWriter(continuing: payload)
        writer.write(1000, sequence)
        writer.write(1001, recordedAt)
        return writer.bytes
    }

    /// Reads a row written by `encoded()`; a payload the record cannot decode is a `PayloadError`.
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
    /// The creating record: id, name, domain, URLs, source, normalized name and aliases.
    public var created: CompanyCreated
    /// 1 at creation; each `CompanyUpdated` sets the version it carries.
    public var version: Int64
    /// `alignment_ok_to_contact` from the latest update: true, false, or nil (unknown); drives the ESL alignment
    /// modifier.
    public var alignmentOK: Bool?
    /// The recorded status (`acquired`, `dead`, …) from the latest update, or nil; a status applies the global
    /// suppressor (D10).
    public var status: String?
    /// `created_at`: the append time of the `CompanyCreated` record (D14).
    public var createdAt: Timestamp
    /// `updated_at`: the append time of the latest record that changed the row (D14).
    public var updatedAt: Timestamp
    /// The profile fields from the latest update (none until one sets them).
    public var profile = CompanyProfileFields()

    /// The company's id, used as `entity_id` everywhere.
    public var id: Int64 { created.companyID }
    /// The display name as first seen.
    public var name: String { created.name }

    /// The row's stored bytes: the `CompanyCreated` payload plus fields 1000–1004 for the mutable
    /// state and times, then 1005–1010 for the profile fields that are set (a row without any is
    /// byte for byte what it was before they existed).
    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        created.encode(into: &w)
        return encoded(continuing: w)
    }

    /// `encoded()` of a new company's row whose `created` was just encoded to `payload` (the
    /// append path): that payload with the row's fields appended, without encoding it again.
    public func encoded(createdPayload payload: UnsafeRawBufferPointer) -> [UInt8] {
        encoded(continuing: PayloadWriter(continuing: payload, extraCapacity: 48))
    }

    /// The row's fields after its `created` fields, written by `w`.
    private func encoded(continuing w: consuming PayloadWriter) -> [UInt8] {
        var w = w
        w.write(1000, version)
        w.write(1001, alignmentOK)
        w.write(1002, status)
        w.write(1003, createdAt)
        w.write(1004, updatedAt)
        profile.encode(into: &w, from: 1005)
        return w.bytes
    }

    /// The `alignmentOK` and `status` of a row written by `encoded()`, the other fields skipped:
    /// what `decode` would give for them.
    public static func scoringState(_ bytes: UnsafeRawBufferPointer) throws -> (alignmentOK: Bool?, status: String?) {
        var alignmentOK: Bool?, status: String?
        var reader = PayloadReader(bytes)
        while let f = try reader.next() {
            if f.number == 1001 { alignmentOK = try f.bool() } else if f.number == 1002 { status = try f.string() }
        }
        return (alignmentOK, status)
    }

    /// The name and domain of a row written by `encoded()` (what a query prints beside a company's
    /// id), without decoding the rest of it.
    public static func label(_ bytes: UnsafeRawBufferPointer) throws -> CompanyLabel {
        var reader = PayloadReader(bytes)
        return try CompanyCreated.label(from: &reader)
    }

    /// Reads a row written by `encoded()`; a row without the extra fields is at version 1 with no state.
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
            default: _ = try row.profile.read(f, from: 1005)
            }
        }
        return row
    }
}

/// The `signal_instances` view row, keyed `(entity_id, signal_id, pack_id)`.
public struct InstanceRow: Sendable, Hashable {
    /// The company (`entity_id`).
    public var entityID: Int64
    /// The derived signal id (`signal_id`).
    public var signalID: String
    /// The pack derive ran for (`pack_id`, D3).
    public var pack: UUID
    /// `strength`: always 1.0, as the reference writes it.
    public var strength: Double
    /// The new aggregate's confidence when non-null, else the existing one (§3.2 step 6); nil when never known.
    public var confidence: Double?
    /// The earliest `event_time` over every merged aggregate.
    public var firstSeen: Timestamp?
    /// The latest `event_time` over every merged aggregate.
    public var lastSeen: Timestamp?
    /// `evidence_event_ids`: the distinct union of every aggregate's event ids (log sequence numbers), the existing ids
    /// first, then new ones not yet present; it only grows.
    public var evidenceEventIDs: [Int64]
    /// `created_at`: the append time of the record that inserted the row (D14).
    public var createdAt: Timestamp
    /// The append time of the latest record that changed the row (D14).
    public var updatedAt: Timestamp

    /// The row's stored bytes: a `SignalInstanceDerived` payload plus fields 1000–1002 (strength and times).
    public func encoded() -> [UInt8] {
        var w = PayloadWriter(capacity: encodedCapacity)  // one allocation
        encode(into: &w)
        return w.bytes
    }

    /// The size of `encoded()` at most: 128 bytes, the signal id's and 11 an evidence id.
    var encodedCapacity: Int { 128 + signalID.utf8.count + 11 * evidenceEventIDs.count }

    /// Writes the fields of `encoded()` (at most `encodedCapacity` bytes).
    func encode(into w: inout PayloadWriter) {
        SignalInstanceDerived(entityID: entityID, signalID: signalID, pack: pack, confidence: confidence,
                              firstSeen: firstSeen, lastSeen: lastSeen, evidence: evidenceEventIDs, jobRunID: nil)
            .encode(into: &w)
        w.write(1000, strength)
        w.write(1001, createdAt)
        w.write(1002, updatedAt)
    }

    /// Reads a row written by `encoded()`.
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
    /// The workspace id (`workspaces.id`).
    public var id: UUID
    /// The display name.
    public var name: String
    /// `active_pack_id`: set at creation, replaced by each `WorkspacePackSet`; nil when none.
    public var activePack: UUID?
    /// The append time of the `WorkspaceCreated` record (D14).
    public var createdAt: Timestamp
    /// The append time of the latest record that changed the row (D14).
    public var updatedAt: Timestamp

    /// The row's stored bytes: a `WorkspaceCreated` payload plus fields 1000 and 1001 (times).
    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        WorkspaceCreated(workspaceID: id, name: name, activePack: activePack).encode(into: &w)
        w.write(1000, createdAt)
        w.write(1001, updatedAt)
        return w.bytes
    }

    /// Reads a row written by `encoded()`.
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
    /// `job_runs.id`: the sequence number of the `JobRunStarted` record.
    public var id: UInt64
    /// The start record: job type, workspace, pack, idempotency key, parent run and `as_of`.
    public var started: JobRunStarted
    /// `started_at`: the append time of the start record (D14).
    public var startedAt: Timestamp
    /// `running` until the finish record sets `completed`, `failed` or `skipped`.
    public var status: JobStatus
    /// `finished_at`: the append time of the finish record; nil while running.
    public var finishedAt: Timestamp?
    /// `companies_processed` from the finish record (its meaning depends on the job, §9.2).
    public var companiesProcessed: Int?
    /// `companies_esl_suppressed` from the finish record (score runs).
    public var companiesESLSuppressed: Int?
    /// `error_message` from the finish record, or nil.
    public var errorMessage: String?
    /// The stage's result object, returned as is for a repeated idempotency key (D5); `.null` while running.
    public var result: JSONValue

    /// The row's stored bytes: the `JobRunStarted` payload plus fields 1000–1007 (id, times, outcome).
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

    /// Reads a row written by `encoded()`; an unknown status is a `PayloadError`.
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
    /// The company the entry belongs to (the first key component; not stored in the value).
    public var companyID: Int64
    /// The log position of the record that caused the entry (the event id for `event_stored`); orders the timeline.
    public var sequence: UInt64
    /// The append time of that record.
    public var at: Timestamp
    /// `company_created`, `company_updated`, `event_stored`, `instance_derived`,
    /// `readiness_snapshot`, `engagement_snapshot`, `lead_feed_band`, `outreach`.
    public var kind: String
    /// A one-line human description, e.g. `as_of 2026-02-18: composite 57 (M60 C40 P55 G70)`.
    public var detail: String
    /// The job run that appended the record, or nil.
    public var jobRunID: UInt64?

    /// The value stored under `(company_id, sequence)`: time, kind, detail and job run.
    public func encoded() -> [UInt8] {
        var detail = detail
        return detail.withUTF8 {
            TimelineEntry.encoded(at: at, kind: kind, detail: UnsafeRawBufferPointer($0), jobRunID: jobRunID)
        }
    }

    /// `encoded()` of an entry whose detail is given as its UTF-8 bytes.
    static func encoded(at: Timestamp, kind: StaticString, detail: TimelineDetail, jobRunID: UInt64?) -> [UInt8] {
        kind.withUTF8Buffer { kind in
            detail.bytes.withUnsafeBytes { detail in
                encoded(at: at, kind: UnsafeRawBufferPointer(kind), detail: detail, jobRunID: jobRunID)
            }
        }
    }

    private static func encoded(at: Timestamp, kind: String, detail: UnsafeRawBufferPointer, jobRunID: UInt64?) -> [UInt8] {
        var kind = kind
        return kind.withUTF8 { encoded(at: at, kind: UnsafeRawBufferPointer($0), detail: detail, jobRunID: jobRunID) }
    }

    private static func encoded(at: Timestamp, kind: UnsafeRawBufferPointer, detail: UnsafeRawBufferPointer, jobRunID: UInt64?)
        -> [UInt8]
    {
        var w = PayloadWriter(capacity: encodedCapacity(kind: kind.count, detail: detail.count))  // one allocation
        encode(into: &w, at: at, kind: kind, detail: detail, jobRunID: jobRunID)
        return w.bytes
    }

    /// The size of an encoded entry at most: tags, lengths, the time and the job run (32 bytes), the
    /// kind's and the detail's.
    static func encodedCapacity(kind: Int, detail: Int) -> Int { 32 + kind + detail }

    /// `encodedCapacity` of an entry of `kind` with `detail`.
    static func encodedCapacity(kind: StaticString, detail: TimelineDetail) -> Int {
        encodedCapacity(kind: kind.utf8CodeUnitCount, detail: detail.bytes.count)
    }

    /// Writes the fields of `encoded(at:kind:detail:jobRunID:)` (at most `encodedCapacity` bytes).
    static func encode(into w: inout PayloadWriter, at: Timestamp, kind: StaticString, detail: TimelineDetail, jobRunID: UInt64?) {
        kind.withUTF8Buffer { kind in
            detail.bytes.withUnsafeBytes { detail in
                encode(into: &w, at: at, kind: UnsafeRawBufferPointer(kind), detail: detail, jobRunID: jobRunID)
            }
        }
    }

    private static func encode(into w: inout PayloadWriter, at: Timestamp, kind: UnsafeRawBufferPointer,
                               detail: UnsafeRawBufferPointer, jobRunID: UInt64?) {
        w.write(1, at)
        w.write(2, bytes: kind)
        w.write(3, bytes: detail)
        if let jobRunID { w.write(4, jobRunID) }
    }

    /// Reads a value written by `encoded()`; the company and sequence come from its key.
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

/// A timeline entry's detail text written as UTF-8 bytes, piece by piece: the text the same
/// string interpolation gives, without its intermediate strings (the score stage writes three
/// entries per company).
struct TimelineDetail {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(96) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `value.description`: an optional minus sign, then the decimal digits.
    mutating func append(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    mutating func append(_ day: Day) { append(day.description) }

    /// `time.description`.
    mutating func append(_ time: Timestamp) { time.appendDescription(to: &bytes) }

    mutating func append(_ value: Double) { append(value.description) }
}
