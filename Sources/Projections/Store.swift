public import EventLog
public import Foundation
import LMDB
public import SiglogCore
public import SiglogRecords

/// A siglog store: the log plus the current generation of its views, with the projector wired
/// into every append. The one object the pipeline and the tools open.
public final class Store: Sendable {
    public let log: EventLog
    public let views: ViewSet
    public let projector: ViewProjector

    static let generationKey = "views.generation"

    /// Opens the store at `path`. `.create` makes it when missing; `.readOnly` uses `MDB_RDONLY`.
    public init(path: String, mode: EventLog.Mode, durable: Bool = true) throws {
        var options = EventLog.Options()
        options.durable = durable
        options.knownRecordTypes = RecordType.siglogTypes
        log = try EventLog(path: path, mode: mode, options: options)
        let generation = try Store.currentGeneration(of: log)
        views = try ViewSet(environment: log.environment, generation: generation, create: mode != .readOnly)
        projector = ViewProjector(views: views)
    }

    /// The generation readers should use (1 until a rebuild switches it).
    static func currentGeneration(of log: EventLog) throws -> Int {
        guard let bytes = try log.metadata(generationKey), let text = String(bytes: bytes, encoding: .utf8),
            let value = Int(text)
        else { return 1 }
        return value
    }

    public var path: String { log.path }

    /// Runs `body` in one write transaction: appended records are projected into the views in the
    /// same transaction, so records and views commit together or not at all. The body may run again
    /// if the map had to grow; keep in-memory effects until this returns.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        try log.write(projections: [projector]) { writer in
            try body(StoreWriter(writer: writer, views: views, log: log))
        }
    }

    /// Runs `body` against one consistent snapshot of the views. Keep it short.
    public func read<T>(_ body: (ViewReader) throws -> T) throws -> T {
        try log.environment.read { try body(ViewReader(transaction: $0, views: views, log: log)) }
    }
}

/// Appends typed records and reads the views as they stand inside the same write transaction
/// (records appended earlier in the transaction are already projected).
public struct StoreWriter {
    public let writer: LogWriter
    public let views: ViewSet
    let log: EventLog

    /// The views as of this point of the transaction.
    public var reader: ViewReader { ViewReader(transaction: writer.transaction, views: views, log: log) }

    /// Appends `record` stamped with `time` (its `created_at`/`computed_at`), returning its sequence.
    @discardableResult
    public func append(_ record: some SiglogRecord, at time: Timestamp, workspace: UUID? = nil) throws -> UInt64 {
        try writer.append(record.envelope(at: time, workspace: workspace))
    }
}
