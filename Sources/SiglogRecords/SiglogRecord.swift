public import EventLog
public import Foundation
public import SiglogCore

/// A fact appended to the log. Each record type has a fixed number (never reused) and encodes its
/// fields as numbered payload fields: new fields get new numbers, so records written by older
/// binaries still decode (absent fields take their defaults).
public protocol SiglogRecord: Sendable {
    static var recordType: RecordType { get }
    func encode(into writer: inout PayloadWriter)
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
    public static let packInstalled = RecordType(rawValue: 10)
    public static let workspaceCreated = RecordType(rawValue: 11)
    public static let workspacePackSet = RecordType(rawValue: 12)
    public static let companyCreated = RecordType(rawValue: 20)
    public static let companyUpdated = RecordType(rawValue: 21)
    public static let eventStored = RecordType(rawValue: 30)
    public static let signalInstanceDerived = RecordType(rawValue: 40)
    public static let readinessSnapshot = RecordType(rawValue: 50)
    public static let engagementSnapshot = RecordType(rawValue: 51)
    public static let leadFeedRow = RecordType(rawValue: 60)
    public static let jobRunStarted = RecordType(rawValue: 70)
    public static let jobRunFinished = RecordType(rawValue: 71)
    public static let outreachRecorded = RecordType(rawValue: 80)

    /// Every record type this binary knows, for the log's type check.
    public static let siglogTypes: Set<RecordType> = [
        .packInstalled, .workspaceCreated, .workspacePackSet, .companyCreated, .companyUpdated, .eventStored,
        .signalInstanceDerived, .readinessSnapshot, .engagementSnapshot, .leadFeedRow, .jobRunStarted,
        .jobRunFinished, .outreachRecorded,
    ]

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
        default: "type_\(rawValue)"
        }
    }
}

// MARK: - Field helpers for the types every record uses

extension PayloadWriter {
    public mutating func write(_ field: Int, _ value: UUID) {
        write(field, bytes: withUnsafeBytes(of: value.uuid) { Array($0) })
    }
    public mutating func write(_ field: Int, _ value: UUID?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Timestamp) { write(field, value.microseconds) }
    public mutating func write(_ field: Int, _ value: Timestamp?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Day) { write(field, Int64(value.daysSinceEpoch)) }
    public mutating func write(_ field: Int, strings: [String]) { for s in strings { write(field, s) } }
    /// A JSON value as compact JSON text in member order.
    public mutating func write(_ field: Int, json value: JSONValue?) {
        if let value { write(field, JSONWriter().string(value)) }
    }
}

extension PayloadReader.Field {
    public func uuid() throws -> UUID {
        let raw = try bytes()
        guard raw.count == 16 else { throw PayloadError("field \(number) is not a UUID") }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)  // UUID() would read the random source
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: raw) }
        return UUID(uuid: value)
    }
    public func timestamp() throws -> Timestamp { Timestamp(microseconds: try int64()) }
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
