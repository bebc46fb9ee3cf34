public import EventLog
public import Foundation
import LMDB
public import SiglogCore
public import SiglogRecords
import Synchronization

/// A siglog store: the log plus the current generation of its views, with the projector wired
/// into every append. The one object the pipeline and the tools open.
///
/// The views in use are those of the generation named by the log metadata key `views.generation`.
/// Every transaction checks that key in its own snapshot: when a rebuild (in this or another
/// process) has switched generations, the store opens the new generation's databases and runs the
/// transaction again, so it never reads or writes a dropped generation.
public final class Store: Sendable {
    /// The append-only log: the source of truth every view is rebuilt from.
    public let log: EventLog
    private let current: Mutex<ViewSet>

    /// The generation of views this store reads and writes.
    public var views: ViewSet { current.withLock { $0 } }

    static let generationKey = "views.generation"

    /// The encoding of view rows this binary writes. A store whose views an earlier encoding wrote
    /// is rebuilt from the log when a writer opens it: its rows are right but encoded differently,
    /// so a verify would find them unequal to a rebuild. Version 2: typed explains, outreach
    /// summaries and bands, times printed with microseconds in timeline entries, `jobs.running`.
    public static let viewFormat = 2
    static let viewFormatKey = "views.format"

    /// The view encoding recorded in the log metadata (nil: written before it was recorded).
    static func storedViewFormat(of log: EventLog) throws -> Int? {
        guard let bytes = try log.metadata(viewFormatKey), let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        return Int(text)
    }

    /// Opens the store at `path`. `.create` makes it when missing; `.readOnly` uses `MDB_RDONLY`.
    /// `noLock` opens without the lock file (`MDB_NOLOCK`), for read-only opens of an unwritable directory.
    /// `verifyBeforeWriting`: a writer verifies the whole store first, not only the log's tail.
    /// `initialMapSize`: the map's size at open (it grows by itself); tests use a small one to make
    /// write transactions run again after the map grows.
    public init(path: String, mode: EventLog.Mode, durable: Bool = true, noLock: Bool = false,
                verifyBeforeWriting: Bool = false, initialMapSize: Int = EventLog.Options().initialMapSize) throws {
        var options = EventLog.Options()
        options.initialMapSize = initialMapSize
        options.durable = durable
        options.noLock = noLock
        options.verifyBeforeWriting = verifyBeforeWriting
        options.knownRecordTypes = RecordType.siglogTypes
        log = try EventLog(path: path, mode: mode, options: options)
        let generation = try Store.currentGeneration(of: log)
        let log = log
        // Views a newer binary added are missing from a store written before: a writer builds them
        // from the log (a partial rebuild), a reader cannot and says so.
        let missing = try mappingStorageErrors {
            try View.allCases.filter { try !log.environment.hasDatabase(ViewSet.databaseName($0.name, generation: generation)) }
        }
        let existing = try mappingStorageErrors {
            try log.environment.hasDatabase(ViewSet.databaseName(ViewSet.checkpointName, generation: generation))
        }
        if mode == .readOnly, existing, !missing.isEmpty {
            throw LogError.viewsOutdated(path: path, missing: missing.map(\.name))
        }
        current = Mutex(try mappingStorageErrors {
            try ViewSet(environment: log.environment, generation: generation, create: mode != .readOnly)
        })
        guard mode != .readOnly else { return }
        if !existing {
            try log.write { try $0.setMetadata(Store.viewFormatKey, Array(String(Store.viewFormat).utf8)) }
        } else if try Store.storedViewFormat(of: log) != Store.viewFormat {
            try Replayer(store: self).rebuild()
        } else if !missing.isEmpty, try log.head() > 0 {
            var options = ReplayOptions()
            options.views = missing
            try Replayer(store: self).rebuild(options: options)
        }
    }

    /// The generation recorded in the log metadata as seen by `transaction`.
    static func generation(in transaction: Transaction, of log: EventLog) throws -> Int {
        guard let bytes = try log.metadata(generationKey, in: transaction), let text = String(bytes: bytes, encoding: .utf8),
            let value = Int(text)
        else { return 1 }
        return value
    }

    /// Thrown inside a transaction that found another generation than its views'; never escapes.
    struct GenerationChanged: Error { let generation: Int }

    /// Opens the views of `generation` (outside any transaction) and uses them from now on.
    func adopt(generation: Int) throws {
        let views = try mappingStorageErrors { try ViewSet(environment: log.environment, generation: generation, create: false) }
        current.withLock { $0 = views }
    }

    /// Runs `attempt` with the current views; when the generation changed underneath, adopts the new
    /// one and tries again.
    private func withCurrentViews<T>(_ attempt: (ViewSet) throws -> T) throws -> T {
        while true {
            do {
                return try attempt(views)
            } catch let changed as GenerationChanged {
                try adopt(generation: changed.generation)
            }
        }
    }

    /// The generation readers should use (1 until a rebuild switches it).
    static func currentGeneration(of log: EventLog) throws -> Int {
        guard let bytes = try log.metadata(generationKey), let text = String(bytes: bytes, encoding: .utf8),
            let value = Int(text)
        else { return 1 }
        return value
    }

    /// The store's directory (the LMDB environment).
    public var path: String { log.path }

    /// Runs `body` in one write transaction: appended records are projected into the views in the
    /// same transaction, so records and views commit together or not at all. The body may run again
    /// if the map had to grow; keep in-memory effects until this returns.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        try withCurrentViews { views in
            // The checkpoint row is read at the first record and written once, when the body is done.
            let checkpoint = DeferredCheckpoint()
            let held = BulkLoad()
            // The company index entries to keep for the run's next transaction, once this one commits.
            var keeping: (kept: KeptCompanyIndexes, entries: HeldCompanyIndexes, complete: ViewMask, transaction: Int)?
            let result = try log.write(projections: [ViewProjector(views: views, bulk: held, deferred: checkpoint)]) { writer in
                keeping = nil
                checkpoint.reset()
                held.reset()
                let generation = try Store.generation(in: writer.transaction, of: log)
                if generation != views.generation { throw GenerationChanged(generation: generation) }
                let result = try body(StoreWriter(writer: writer, views: views, log: log, held: held))
                // The company indexes first: `flushReleasing` drops everything held when it is done.
                if held.holdsCompanyIndexEntries {
                    try held.flushCompanyIndexes(into: views, transaction: writer.transaction,
                                                 row: try checkpoint.buffer(views: views, in: writer.transaction).row)
                }
                if let taken = held.takeForKeeping() {
                    keeping = (taken.kept, taken.entries, taken.complete, writer.transaction.id)
                }
                if held.holdsRankingIndexEntries {
                    try held.flushRankingIndexes(into: views, transaction: writer.transaction,
                                                 row: try checkpoint.buffer(views: views, in: writer.transaction).row)
                }
                if held.count > 0 { try held.flushReleasing(into: views, transaction: writer.transaction) }
                try checkpoint.store(in: writer.transaction)
                return result
            }
            if let keeping { keeping.kept.keep(keeping.entries, complete: keeping.complete, committedAs: keeping.transaction) }
            return result
        }
    }

    /// Runs `body` (write transactions with large commits) while the store's file is written out
    /// to the disk as commits copy pages into it (`Environment.writingBack`): each commit's sync
    /// then waits for less.
    public func writingBack<R>(_ body: () throws -> R) rethrows -> R {
        try log.environment.writingBack(body)
    }

    /// Runs `body` against one consistent snapshot of the views. Keep it short.
    public func read<T>(_ body: (ViewReader) throws -> T) throws -> T {
        try withCurrentViews { views in
            try log.read { txn in
                let generation = try Store.generation(in: txn, of: log)
                if generation != views.generation { throw GenerationChanged(generation: generation) }
                return try body(ViewReader(transaction: txn, views: views, log: log))
            }
        }
    }
}

/// Appends typed records and reads the views as they stand inside the same write transaction
/// (records appended earlier in the transaction are already projected). Valid only inside
/// `Store.write`'s closure.
public struct StoreWriter {
    /// The log writer of the transaction.
    public let writer: LogWriter
    /// The views being written.
    public let views: ViewSet
    let log: EventLog
    /// The entries held back until the body returns (see `holdTimelineInserts`).
    let held: BulkLoad

    /// The views as of this point of the transaction.
    public var reader: ViewReader { ViewReader(transaction: writer.transaction, views: views, log: log, held: held) }

    /// From here to the end of the transaction's body, timeline entries are held back and inserted
    /// in key order when the body returns, before the commit: one pass over the timeline instead of
    /// a random descent per entry, for a body that appends many records across many companies. The
    /// views, fingerprints and commit are the same; only for bodies that do not read the timeline
    /// after this call.
    /// `expecting`: about how many entries the body will hold (room is made for them up front).
    public func holdTimelineInserts(expecting entries: Int = 0) { held.hold(.timeline, expecting: entries) }

    /// `holdTimelineInserts` for the events index (`events.by_company`): its entries are inserted
    /// in key order when the body returns. For bodies that append many events across many companies
    /// and do not read the events index after this call (ingest).
    /// `expecting`: as `holdTimelineInserts`'s.
    public func holdEventIndexInserts(expecting entries: Int = 0) { held.hold(.eventsByCompany, expecting: entries) }

    /// From here to the end of the transaction's body, the company matching indexes' entries (five
    /// views, several keys per created company) are held back and inserted in key order when the
    /// body returns, before the commit. Readers from `reader` still find them: a lookup that misses
    /// in the view asks the held entries (the view's own entry, from an earlier transaction, wins,
    /// as it would have kept its key); a domain is held only when the view lacks it, so a held
    /// domain is asked first. For bodies that read those indexes only through `reader` (ingest's
    /// company resolution). The views, fingerprints and commit are the same; what is held is
    /// bounded by the companies the transaction creates and dropped with it.
    public func holdCompanyIndexInserts() {
        held.holdCompanyIndexes(emptyViews: emptyCompanyIndexes())
    }

    /// `holdCompanyIndexInserts` for one of a run's transactions: the entries the run's last
    /// transaction flushed are found in `kept` (when no other writer committed since), and what
    /// this one holds is kept there for the next once it commits. On a store the run began empty,
    /// the company indexes are then asked nothing: the kept and held entries are all they store.
    public func holdCompanyIndexInserts(keeping kept: KeptCompanyIndexes) {
        if let (entries, complete) = kept.take(for: writer.transaction.id) {
            held.holdCompanyIndexes(emptyViews: complete, entries: entries, keptIn: kept)
        } else {
            // The run's first transaction: room for all the run may keep (it moves on from one
            // transaction to the next with the entries), so later ones add to it without a copy.
            var entries = HeldCompanyIndexes()
            entries.reserve(bytes: kept.limit)
            held.holdCompanyIndexes(emptyViews: emptyCompanyIndexes(), entries: entries, keptIn: kept)
        }
    }

    /// The company indexes that store nothing yet (a store's first batch): not asked at all while
    /// their entries are held. One whose figures cannot be read counts as not empty, and is asked.
    private func emptyCompanyIndexes() -> ViewMask {
        ViewMask(HeldCompanyIndexes.views.filter { (try? writer.transaction.statistics(of: views[$0]).entries) == 0 })
    }

    /// From here to the end of the transaction's body, the instance rows the appended records write
    /// are held back and put in key order when the body returns, before the commit (appended when
    /// the view has no later key): a pass over the instances view instead of a random descent per
    /// row. Each record is merged with the row as stored before the body, so only for a body that
    /// appends at most one `SignalInstanceDerived` per `(entity, signal, pack)` after this call and
    /// does not read the instances view for keys it appended. The views, fingerprints and commit
    /// are the same.
    public func holdInstanceInserts() { held.holdInstances() }

    /// From here to the end of the transaction's body, the key-only entries of the ranking indexes
    /// (`lead_feed.rank`, `engagement.outreach`: keyed by score before company, so a body writing
    /// companies in id order puts them in random order) are held back and inserted in key order when
    /// the body returns, before the commit. For bodies that do not read those two views after this
    /// call (a delete from one of them inserts what it holds first). The views, fingerprints and
    /// commit are the same.
    public func holdRankingIndexInserts() { held.holdRankingIndexes() }

    /// Appends `record` stamped with `time` (its `created_at`/`computed_at`), returning its sequence.
    /// The projector is handed `record` with its bytes, so it does not decode what was just encoded.
    /// An `EventStored` is not handed over: the projector reads only its company from the payload,
    /// and boxing the record for it would cost an allocation per ingested event.
    @discardableResult
    public func append<Record: SiglogRecord>(_ record: Record, at time: Timestamp, workspace: UUID? = nil) throws -> UInt64 {
        let typed: (any Sendable)? = Record.recordType == .eventStored ? nil : record
        return try writer.append(type: Record.recordType, appendedAt: time.microseconds, workspace: workspace, typed: typed) {
            record.encode(into: &$0)
        }
    }

    /// Appends a record of type `Record` whose payload `encodePayload` writes — the bytes
    /// `Record.encode(into:)` of the same fields writes — without a value of the record: the
    /// projector applies it from its bytes. Ingest appends its events this way.
    @discardableResult
    public func append<Record: SiglogRecord>(_ type: Record.Type, at time: Timestamp, workspace: UUID? = nil,
                                             payload encodePayload: (inout PayloadWriter) -> Void) throws -> UInt64 {
        try writer.append(type: Record.recordType, appendedAt: time.microseconds, workspace: workspace, typed: nil,
                          payload: encodePayload)
    }

    /// The sequence recorded in the dedup index for `naturalKey`, if any.
    public func dedupSequence(for naturalKey: [UInt8]) throws -> UInt64? { try writer.dedupSequence(for: naturalKey) }

    /// Records `naturalKey → sequence` in the dedup index (first occurrence wins).
    public func recordDedup(_ naturalKey: [UInt8], sequence: UInt64) throws { try writer.recordDedup(naturalKey, sequence: sequence) }

    /// Records the result (the job run id) of a completed run under `(workspace, key)`.
    public func recordIdempotentResult(workspace: UUID, key: String, result: [UInt8]) throws {
        try writer.recordIdempotentResult(workspace: workspace, key: key, result: result)
    }
}
