public import EventLog
public import Foundation
public import Ingest
public import Projections
import ReadModel
import SiglogCore
import SiglogRecords

/// What an import or a salvage wrote.
public struct LoadResult: Sendable {
    /// Records written (sequences 1 through this number).
    public var records: UInt64
    /// The new store's log head and view fingerprints (as `stats` shows them).
    public var head: UInt64
    public var viewFingerprints: [String: String]
}

/// `siglog-append import`: a `siglog-query export` stream into an empty store.
public enum LogImport {
    /// Longest export line read (a pack's whole document travels in one record).
    static let maxLineBytes = 256 << 20

    /// Appends every record of the export stream `input` (NDJSON, `{seq, type, appended_at,
    /// workspace_id, payload, record}` per line) to the empty store `store`, rebuilding the views
    /// and the log's indexes. Each record is rebuilt from its exact bytes (`payload`, with `type`,
    /// `appended_at` and `workspace_id`), so the log and every view come out identical to the
    /// exported store's; `record` is the readable form and is not read. A line that does not hold
    /// such a record is `badInput` naming its line and field.
    public static func load(_ input: FileHandle, name: String, into store: Store) throws -> LoadResult {
        let loader = try StoreLoader(store: store)
        var splitter = NDJSONLineSplitter(maxLineBytes: maxLineBytes)
        let handle: (NDJSONLine) throws -> Void = { line in
            guard !line.isOverLimit else { throw SiglogError.badInput("\(name):\(line.number): longer than \(maxLineBytes) bytes") }
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            let (sequence, envelope) = try record(line, name: name)
            do {
                try loader.add(envelope, sequence: sequence)
            } catch let error as StoreLoader.LoadError {
                throw SiglogError.badInput("\(name):\(line.number): seq: \(error.description)")
            }
        }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { try splitter.feed($0, handle) }
        }
        try splitter.finish(handle)
        try loader.flush()
        return try LoadResult.of(store, records: loader.nextSequence - 1)
    }

    /// The sequence and envelope one export line describes, checked: the payload must decode as its
    /// type. Anything else is `SiglogError.badInput` naming `name`, the line and the field.
    public static func record(_ line: NDJSONLine, name: String) throws -> (UInt64, Envelope) {
        func bad(_ field: String, _ reason: String) -> SiglogError { .badInput("\(name):\(line.number): \(field): \(reason)") }
        let object: JSONObject
        do {
            guard let parsed = try JSONParser.parse(line.bytes).objectValue else { throw bad("line", "not a JSON object") }
            object = parsed
        } catch let error as JSONParser.Failure {
            throw bad("line", "invalid JSON: \(error)")
        }
        guard case .int(let seq)? = object["seq"], seq > 0 else { throw bad("seq", "missing or not a positive integer") }
        guard case .string(let typeName)? = object["type"], let type = RecordType(name: typeName) else {
            throw bad("type", "missing or not a record type")
        }
        guard case .string(let timeText)? = object["appended_at"], let time = try? Timestamp(parsing: timeText) else {
            throw bad("appended_at", "missing or not an ISO-8601 time")
        }
        var workspace: UUID?
        switch object["workspace_id"] {
        case .null?, nil: workspace = nil
        case .string(let text)?:
            guard let id = UUID(uuidString: text) else { throw bad("workspace_id", "not a UUID") }
            // The log stores "no workspace" as the all-zero UUID: a record can never belong to it.
            guard withUnsafeBytes(of: id.uuid, { $0.contains { $0 != 0 } }) else { throw bad("workspace_id", "the all-zero UUID (write null for no workspace)") }
            workspace = id
        default: throw bad("workspace_id", "not a UUID or null")
        }
        guard case .string(let encoded)? = object["payload"] else {
            throw bad("payload", "missing (an export written before payloads were exported cannot be imported; export it again)")
        }
        guard let payload = Data(base64Encoded: encoded) else { throw bad("payload", "not base64") }
        let envelope = Envelope(type: type, appendedAt: time.microseconds, workspace: workspace, payload: Array(payload))
        let sequence = UInt64(seq)
        let bytes = envelope.encoded(sequence: sequence)
        do {
            try bytes.withUnsafeBytes { raw in
                let view = try RecordView(sequence: sequence, bytes: raw, knownTypes: RecordType.siglogTypes)
                _ = try AnyRecord(view)
            }
        } catch let error as LogError {
            throw bad("payload", "\(error)")
        }
        return (sequence, envelope)
    }
}

extension LoadResult {
    /// The figures of `store` after a load.
    static func of(_ store: Store, records: UInt64) throws -> LoadResult {
        let (head, fingerprints) = try store.read { reader in (try store.log.head(), try reader.fingerprints()) }
        return LoadResult(records: records, head: head, viewFingerprints: Backup.fingerprintNames(fingerprints))
    }
}
