public import EventLog
public import Foundation
public import Projections
public import SiglogCore
import SiglogRecords

/// `stats`, `verify` and `export`: the log itself (store administration, not tenant data).
public enum LogQueries {
    // MARK: - Stats

    /// What `stats` reports.
    public struct Stats: Sendable {
        /// The store's directory as it was opened.
        public var store: String
        public var head: UInt64
        /// Records per type name, in type-number order.
        public var recordsByType: [(type: String, count: Int)]
        /// The last log sequence number reflected in the views, and their generation.
        public var viewCheckpoint: UInt64
        public var viewGeneration: Int
        /// Entries per view database.
        public var viewEntries: [(name: String, entries: Int)]
        /// The stored fingerprint (`sum/count`) of every fingerprinted view, by name.
        public var viewFingerprints: [(name: String, fingerprint: String)]
        /// `data.mdb` size on disk, the map size and the bytes of the map in use.
        public var fileBytes: Int64
        public var mapSize: Int
        public var mapBytesUsed: Int
        /// Log shipping as this store knows it (`replicationJSON`): role, acknowledged or applied position, lag.
        public var shipping: ShippingFigures? = nil

        public var json: JSONObject {
            [
                "head": .int(Int64(head)),
                "records_by_type": .object(JSONObject(recordsByType.map { .init(key: $0.type, value: .int(Int64($0.count))) })),
                "view_checkpoint": .int(Int64(viewCheckpoint)), "view_generation": .int(Int64(viewGeneration)),
                "views_behind": .int(Int64(head) - Int64(viewCheckpoint)),
                "view_entries": .object(JSONObject(viewEntries.map { .init(key: $0.name, value: .int(Int64($0.entries))) })),
                "view_fingerprints": .object(JSONObject(viewFingerprints.map { .init(key: $0.name, value: .string($0.fingerprint)) })),
                "file_bytes": .int(fileBytes), "map_size": .int(Int64(mapSize)), "map_bytes_used": .int(Int64(mapBytesUsed)),
                "store": .string(store),
                "replication": shipping.map { .object(LogQueries.replicationJSON($0)) } ?? .null,
            ]
        }

        /// The table and CSV form: one `{name, value}` row per figure, records, view sizes and
        /// fingerprints prefixed by `records.`, `view.` and `fingerprint.`.
        public var rows: QueryRows {
            var rows: [JSONObject] = [
                ["name": "store", "value": .string(store)], ["name": "head", "value": .int(Int64(head))],
                ["name": "view_checkpoint", "value": .int(Int64(viewCheckpoint))],
                ["name": "view_generation", "value": .int(Int64(viewGeneration))],
                ["name": "file_bytes", "value": .int(fileBytes)],
                ["name": "map_size", "value": .int(Int64(mapSize))],
                ["name": "map_bytes_used", "value": .int(Int64(mapBytesUsed))],
            ]
            rows += recordsByType.map { ["name": .string("records." + $0.type), "value": .int(Int64($0.count))] }
            rows += viewEntries.map { ["name": .string("view." + $0.name), "value": .int(Int64($0.entries))] }
            rows += viewFingerprints.map { ["name": .string("fingerprint." + $0.name), "value": .string($0.fingerprint)] }
            rows += (shipping.map(LogQueries.replicationJSON) ?? [:]).map { ["name": .string("replication." + $0.key), "value": $0.value] }
            return QueryRows(columns: ["name", "value"], rows: rows)
        }
    }

    /// Counts every record of the log (a full walk) and reads the views' checkpoint and sizes.
    public static func stats(store: Store) throws -> Stats {
        let (head, checkpoint, generation, entries, fingerprints) = try store.read { reader in
            let head = try store.log.head()
            let entries = try View.allCases.map { (name: $0.name, entries: try reader.entryCount($0)) }
            let stored = try reader.fingerprints()
            let fingerprints = View.allCases.map { (name: $0.name, fingerprint: (stored[$0] ?? Fingerprint()).description) }
                .sorted { $0.name < $1.name }
            return (head, try reader.appliedSequence(), reader.views.generation, entries, fingerprints)
        }
        var counts: [RecordType: Int] = [:]
        if head > 0 { try store.log.forEach(in: 1...head) { counts[$0.type, default: 0] += 1 } }
        let dataFile = (store.path as NSString).appendingPathComponent("data.mdb")
        let size = (try? FileManager.default.attributesOfItem(atPath: dataFile)[.size] as? NSNumber)?.int64Value ?? 0
        let map = store.log.mapUsage
        return Stats(
            store: store.path, head: head, recordsByType: counts.keys.sorted().map { ($0.name, counts[$0]!) }, viewCheckpoint: checkpoint,
            viewGeneration: generation, viewEntries: entries, viewFingerprints: fingerprints, fileBytes: size,
            mapSize: map.size, mapBytesUsed: map.used,
            shipping: try store.log.shippingFigures(now: Int64((Date().timeIntervalSince1970 * 1e6).rounded())))
    }

    /// Log shipping as the store knows it, without asking the cluster: `role` (`writer` or
    /// `replica`), `store_id`; a writer's `acknowledged_through` (null when never published), a
    /// replica's `stream`, `consumer` and `stream_end`; `lag_records` and `lag_seconds` (a writer:
    /// records not yet acknowledged and the age of the oldest; a replica: records of the stream not
    /// yet applied and how long since it last held all it knew of).
    public static func replicationJSON(_ figures: ShippingFigures) -> JSONObject {
        var object: JSONObject = [
            "role": .string(figures.replica == nil ? "writer" : "replica"),
            "store_id": figures.storeID.map { .string($0.lowercased) } ?? .null,
            "lag_records": .int(Int64(figures.lagRecords)), "lag_seconds": .double(figures.lagSeconds),
        ]
        if let replica = figures.replica {
            object["stream"] = .string(replica.stream)
            object["consumer"] = .string(replica.consumer)
            object["stream_end"] = figures.streamEnd.map { .int(Int64($0)) } ?? .null
        } else {
            object["acknowledged_through"] = figures.published.map { .int(Int64($0.sequence)) } ?? .null
        }
        return object
    }

    // MARK: - Verify

    /// The columns of `verifyJSON`, for the CSV form.
    public static let verifyColumns = ["sound", "head", "records_checked", "problem", "problem_sequence", "lost_records", "next_step"]

    /// Checks the store at `path` — every record of the log and every page of every database — without
    /// trusting it: a store too damaged to open is still reported on.
    public static func verify(path: String) throws -> EventLog.VerifyReport {
        try EventLog.verify(path: path, knownTypes: RecordType.siglogTypes)
    }

    /// `verify`'s report as JSON: `{sound, head, records_checked, problem, problem_sequence,
    /// lost_records, next_step}`.
    public static func verifyJSON(_ report: EventLog.VerifyReport, store: String) -> JSONObject {
        [
            "sound": .bool(report.isSound), "head": .int(Int64(report.head)),
            "records_checked": .int(Int64(report.recordsChecked)),
            "problem": report.firstProblem.map { .string($0.description) } ?? .null,
            "problem_sequence": report.firstProblem?.sequence.map { .int(Int64($0)) } ?? .null,
            "lost_records": report.lostSequences.map { .int(Int64($0.count)) } ?? .null,
            "next_step": nextStep(report, store: store).map(JSONValue.string) ?? .null,
        ]
    }

    /// What to do about a damaged store, in words; nil for a sound one.
    public static func nextStep(_ report: EventLog.VerifyReport, store: String) -> String? {
        guard let problem = report.firstProblem else { return nil }
        let salvage = "`siglog-append salvage --store \(store) --out NEW`"
        if let lost = report.lostSequences, problem.sequence != nil {
            return "the log is intact through record \(report.recordsChecked) of \(report.head): \(salvage) copies records "
                + "1…\(report.recordsChecked) into a new store and rebuilds its views; records \(lost.lowerBound)…\(lost.upperBound) "
                + "(\(lost.count)) are lost — restore a backup taken after them (`siglog-append restore DIR --store NEW`) if there "
                + "is one, or ingest their input again into NEW; then use NEW in place of \(store)"
        }
        if case .damagedPage(_, _, nil, _) = problem {
            return "the catalog of the store's databases is damaged, so no record can be found: restore a backup "
                + "(`siglog-append restore DIR --store NEW`); \(salvage) tries the older snapshot"
        }
        return "the log is intact (\(report.head) records) but other data is damaged: \(salvage) copies the whole log into a "
            + "new store and rebuilds its views; then use NEW in place of \(store)"
    }

    // MARK: - Export

    /// One exported record: `{seq, type, appended_at, workspace_id, payload, record: {decoded fields}}`;
    /// `payload` is the record's stored bytes in base64, which `siglog-append import` rebuilds it from.
    public static func exportJSON(_ view: borrowing RecordView) throws -> JSONObject {
        [
            "seq": .int(Int64(view.sequence)), "type": .string(view.type.name),
            "appended_at": Timestamp(microseconds: view.appendedAt).queryJSON,
            "workspace_id": nullable(view.workspace?.lowercased),
            "payload": .string(view.withPayload { Data($0).base64EncodedString() }),
            "record": .object(RecordJSON.fields(try AnyRecord(view))),
        ]
    }

    /// Writes the log from `from` (to the head at the start) as NDJSON through `emit`, one line per record.
    public static func export(store: Store, from: UInt64, workspace: UUID? = nil, _ emit: (String) -> Void) throws {
        let head = try store.log.head()
        guard head >= max(from, 1) else { return }
        let writer = JSONWriter()
        try store.log.forEach(in: max(from, 1)...head) { view in
            if let workspace, view.workspace != nil, view.workspace != workspace { return }
            emit(writer.string(.object(try exportJSON(view))))
        }
    }
}
