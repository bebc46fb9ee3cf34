import EventLog
import Foundation
import LMDB
public import SiglogCore

/// How far a replay has come, reported after every committed write transaction.
public struct ReplayProgress: Sendable {
    /// Records folded so far.
    public var done: UInt64
    /// Records to fold in total (grows if the log grows during a rebuild).
    public var total: UInt64
    /// Seconds since the replay started.
    public var elapsed: Double
}

/// Settings of a replay.
public struct ReplayOptions: Sendable {
    /// Views to rebuild; nil rebuilds every view.
    public var views: [View]? = nil
    /// Records read per short read transaction of the log.
    public var chunkSize = 8192
    /// Records folded per write transaction of the views (each commits its checkpoint).
    public var transactionSize = 1_000_000
    /// At most this many records per write transaction of `--verify`'s scratch views. Each
    /// transaction holds its dirty pages to its commit, and verify's commits do not sync (the scratch
    /// environment is thrown away), so smaller transactions cost it little: on a 1.38M-record store
    /// its peak anonymous memory 237 → 207 MiB. A rebuild keeps `transactionSize` (250,000-record
    /// transactions cost it 9 % of its wall time for 225 → 168 MiB).
    public var verifyTransactionSize = 250_000
    /// Bytes of events index and timeline entries a rebuild (or `--verify`) holds for its bulk load
    /// before it inserts them and continues, so its memory does not grow with the log; nil holds
    /// them all until the end.
    public var bulkLoadBudget: Int? = 64 << 20
    /// Records a rebuild's fold transaction may run past `transactionSize` to end after a run of
    /// `event_stored` records instead of inside it (0: never). The events index entries of a fold
    /// are appended by the flush after it; those of a later fold fall among them and are put one by
    /// one, copying nearly every leaf of the index (the 1M store's last 9,935 events: 27.8 MiB).
    /// Each record of such a run holds only its 32-byte entry until that flush.
    public var eventRunReach = 65_536
    /// Whether a rebuild (and `--verify`) holds the company indexes' entries of each fold
    /// transaction and inserts them in key order before its commit (`BulkLoad`); false puts each
    /// one as the append path does (the tests' reference).
    var holdsCompanyIndexes = true
    /// Called after every committed write transaction.
    public var progress: (@Sendable (ReplayProgress) -> Void)? = nil

    /// Every view, 8192-record read chunks, 1 000 000-record write transactions (250,000 for
    /// `--verify`), a 64 MiB bulk load budget, no progress callback.
    public init() {}
}

/// What a replay did.
public struct ReplayResult: Sendable {
    /// Records folded into the views.
    public var recordsReplayed: UInt64
    /// Wall-clock seconds.
    public var elapsed: Double
    /// The generation (or, for a point-in-time store, 1) now holding the views.
    public var generation: Int
    /// The views rebuilt from the log (the requested ones plus the views they read).
    public var rebuilt: [View]
    /// The views copied unchanged from the previous generation (partial rebuilds).
    public var copied: [View]
    /// The last sequence reflected in the views.
    public var appliedSequence: UInt64
    /// The fingerprint of every view after the replay.
    public var fingerprints: [View: Fingerprint]

    /// Records folded per wall-clock second (0 when nothing was timed).
    public var recordsPerSecond: Double { elapsed > 0 ? Double(recordsReplayed) / elapsed : 0 }
}

/// An error of the replay engine, with a message for the user.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// An error whose message is `description`, shown to the user as is.
    public init(_ description: String) { self.description = description }
}

/// The replay engine: folds the log through the one `ViewProjector` into a fresh set of views.
///
/// - `rebuild`: into generation `g<N+1>` of the live store while readers use `g<N>`, then switches
///   `views.generation` and drops `g<N>` in one transaction. A half-built generation left by a
///   killed run is emptied by the next run before it starts.
/// - `verify`: into a scratch environment that is deleted afterwards, then compares view by view.
/// - `pointInTime`: the log prefix and its views into a separate, complete store.
///
/// The log is read in chunks of short read transactions; views are written in large write
/// transactions, each committing the views' checkpoint row with them.
public struct Replayer: Sendable {
    /// The store whose log is replayed and whose views are rebuilt or checked.
    public let store: Store

    /// A replayer of `store`.
    public init(store: Store) { self.store = store }

    /// Views that a view's projection reads besides itself: rebuilding a view rebuilds these too.
    /// (Every other view's projection reads only its own rows.)
    static func dependencies(of view: View) -> [View] {
        switch view {
        case .timeline: [.instances, .leadFeed, .companies, .watchlist]
        case .leadFeedRank: [.leadFeed]
        case .engagementByOutreach: [.engagement]
        // The queue indexes and counts are written from the state row a record changes.
        case .stageQueued, .stageStarted, .stageCounts: [.stageStates]
        case .runningJobs: [.jobs]
        default: []
        }
    }

    /// The requested views plus, transitively, the views they read, in slot order.
    public static func closure(of views: [View]) -> [View] {
        var result = Set<View>()
        var pending = views
        while let view = pending.popLast() {
            if result.insert(view).inserted { pending += dependencies(of: view) }
        }
        return View.allCases.filter(result.contains)
    }

    // MARK: - Folding

    /// Folds records `start...end` of `log` into `views` (in `environment`), `transactionSize`
    /// records per write transaction. Records up to `partialThrough` write only `partial`.
    static func fold(
        _ log: EventLog, _ start: UInt64, _ end: UInt64, into views: ViewSet, environment: Environment,
        partial: ViewMask = .all, partialThrough: UInt64 = 0, options: ReplayOptions,
        copyLogTo copyTarget: Database? = nil, bulk: BulkLoad? = nil, eventRunReach: Int = 0, counter: inout ReplayCounter
    ) throws {
        guard start <= end else { return }
        let projector = ViewProjector(views: views, bulk: bulk)
        var next = start
        while next <= end {
            var last = min(end, next &+ UInt64(options.transactionSize) &- 1)
            if let bulk, bulk.holds(.eventsByCompany), eventRunReach > 0, last < end {
                last = try Replayer.endOfEventRun(log, at: last, through: min(end, last &+ UInt64(eventRunReach)))
            }
            let range = next...last
            let held = bulk?.mark
            try environment.write { txn in
                // The body runs again from the start if the map has to grow: the bulk load goes
                // back to what it held before this transaction, as the views do.
                if let bulk, let held { bulk.rollBack(to: held) }
                // Nothing in this transaction reads the checkpoint but the projector: it is read
                // once, kept in memory across the records and written once.
                let checkpoint = try CheckpointBuffer(views: views, in: txn)
                if copyTarget == nil && bulk != nil {
                    // A rebuild: the log is read and decoded on two other threads while this one writes.
                    let runs = ReplayReader.EventRuns(bulkLoaded: bulk?.holds(.eventsByCompany) ?? false, partialThrough: partialThrough,
                                                      partialWritesEvents: partial.contains(.eventsByCompany))
                    let apply = { (item: ReplayItem) throws in
                        try projector.apply(item, in: txn, active: item.sequence <= partialThrough ? partial : .all,
                                            checkpoint: checkpoint)
                        if let bulk, let held, bulk.isOverBudget { try bulk.flush(since: held, into: views, transaction: txn) }
                        if let bulk, bulk.companyIndexesOverBudget {
                            try bulk.flushCompanyIndexesReleasing(into: views, transaction: txn, row: checkpoint.row)
                        }
                    }
                    // The decoders must not ask for the transaction gate this transaction holds: they read
                    // the log in committed reads when the log shares this environment (every record
                    // of `range` was committed before this transaction began: `range` ends at a head
                    // read before it, and this transaction writes only views).
                    if log.environment === environment {
                        try txn.withCommittedReads { reads in
                            try ReplayReader.forEach(log, in: range, chunkSize: options.chunkSize, eventRuns: runs,
                                                     committed: reads, apply)
                        }
                    } else {
                        try ReplayReader.forEach(log, in: range, chunkSize: options.chunkSize, eventRuns: runs,
                                                 committed: nil, apply)
                    }
                    // The company indexes' held entries go in with this transaction, counted in its
                    // checkpoint row: its commit holds the indexes its fingerprints count, and the
                    // next fold and the switch's own records find them stored.
                    try bulk?.flushCompanyIndexesReleasing(into: views, transaction: txn, row: checkpoint.row)
                    try checkpoint.store(in: txn)
                    // A flush follows this transaction when half the budget is held, or the rebuild
                    // ends after it: its sort runs while this transaction commits.
                    if let bulk, last == end || bulk.isOverHalfBudget { bulk.orderInBackground() }
                    // The held instance rows are appended after the last fold (or when they pass
                    // the budget): their sort, too, runs while this transaction commits and the
                    // other held entries are flushed.
                    if let bulk, last == end || bulk.instanceRowsOverBudget { bulk.orderInstanceRowsInBackground() }
                    return
                }
                try log.forEach(in: range, chunkSize: options.chunkSize) { record in
                    if let copyTarget {
                        try withUnsafeBytes(of: record.sequence.bigEndian) { k in
                            try record.withStoredBytes { try txn.put(copyTarget, key: k, value: $0, options: .append) }
                        }
                    }
                    try projector.apply(record, in: txn, active: record.sequence <= partialThrough ? partial : .all,
                                        checkpoint: checkpoint)
                }
                try bulk?.flushCompanyIndexesReleasing(into: views, transaction: txn, row: checkpoint.row)
                try checkpoint.store(in: txn)
            }
            // After the commit, in transactions of their own: each commits few dirty pages.
            if let bulk, bulk.isOverHalfBudget { try bulk.flushCommitting(into: views, environment: environment) }
            if let bulk, bulk.instanceRowsOverBudget { try bulk.flushInstanceRows(into: views, environment: environment) }
            counter.done += last - next + 1
            counter.report(options)
            next = last + 1
        }
    }

    /// Where a fold that would end at `last` ends instead: when records `last` and `last + 1` are
    /// both `event_stored`, at the last record of that run (at most `limit`); otherwise at `last`.
    /// A record that cannot be read ends the run: the fold meets it at its place, as before.
    static func endOfEventRun(_ log: EventLog, at last: UInt64, through limit: UInt64) throws -> UInt64 {
        guard last < limit else { return last }
        var end = last
        do {
            try log.read { txn in
                try log.forEach(in: txn, from: last) { record in
                    guard record.sequence <= limit, record.type == .eventStored,
                          record.sequence == last || record.sequence == end + 1 else { return false }
                    if record.sequence > last { end = record.sequence }
                    return true
                }
            }
        } catch {
            return end
        }
        return end
    }

    // MARK: - Rebuild

    /// Rebuilds the views (all, or `options.views` and what they read) into a new generation and
    /// switches to it. Views not rebuilt are copied byte for byte from the current generation.
    @discardableResult
    public func rebuild(options: ReplayOptions = ReplayOptions()) throws -> ReplayResult {
        do {
            // Every transaction of a rebuild commits many MiB: the disk starts on them while they
            // are copied, so each commit's sync waits for less.
            return try mappingStorageErrors { try store.writingBack { try rebuildViews(options: options) } }
        } catch LogError.storage(let failure) where failure.isNoSpace {
            // Out of space before the switch: the current views stay in use. The half-built
            // generation is dropped (if that still fits) so its pages are free for other writes.
            let log = store.log
            if let generation = try? Store.currentGeneration(of: log) {
                try? Replayer.dropGeneration(generation + 1, in: log.environment)
            }
            throw LogError.storage(failure)
        }
    }

    private func rebuildViews(options: ReplayOptions) throws -> ReplayResult {
        let log = store.log
        let environment = log.environment
        var counter = ReplayCounter()
        let generation = try Store.currentGeneration(of: log)
        let old = try ViewSet(environment: environment, generation: generation, create: true)
        let target = try ViewSet(environment: environment, generation: generation + 1, create: true)
        let rebuilt = options.views.map(Replayer.closure) ?? View.allCases
        let copied = View.allCases.filter { !rebuilt.contains($0) }

        // A killed run may have left a half-built generation: start it from nothing. Views outside a
        // partial rebuild are copied in the same transaction, with their fingerprints, as of the
        // current generation's checkpoint; records after it are then applied to every view.
        // A run killed between the switch and the drop leaves the generation before the current one.
        try Replayer.dropGeneration(generation - 1, in: environment)
        let copiedThrough: UInt64 = try environment.write { txn in
            for db in target.allDatabases { try txn.empty(db) }
            guard !copied.isEmpty else { return 0 }
            let applied = try old.appliedSequence(in: txn)
            let fingerprints = try old.fingerprints(in: txn)
            var row = [UInt8](repeating: 0, count: ViewSet.checkpointRowSize)
            try row.withUnsafeMutableBytes { out in
                for view in copied {
                    try Replayer.copy(old[view], to: target[view], in: txn)
                    (fingerprints[view] ?? Fingerprint()).store(into: out, at: ViewSet.fingerprintOffset(view))
                }
            }
            try txn.put(target.checkpoint, key: ViewSet.checkpointKey, value: row)
            return applied
        }
        let mask = ViewMask(rebuilt)

        // Catch up with the log until a pass finds nothing new, then switch in one transaction that
        // also applies whatever was appended meanwhile (no append can commit while it runs).
        var next: UInt64 = 1
        let bulk = BulkLoad(rebuilding: mask, budget: options.bulkLoadBudget, holdingCompanyIndexes: options.holdsCompanyIndexes)
        while true {
            let head = try log.head()
            counter.total = head
            if head < next || head - next < UInt64(options.transactionSize / 10) { break }
            try Replayer.fold(log, next, head, into: target, environment: environment, partial: mask,
                              partialThrough: copiedThrough, options: options, bulk: bulk,
                              eventRunReach: options.eventRunReach, counter: &counter)
            next = head + 1
        }
        try bulk.flushCommitting(into: target, environment: environment)
        try bulk.flushInstanceRows(into: target, environment: environment)
        let finalHead: UInt64 = try log.write { writer in
            let txn = writer.transaction
            guard try Store.generation(in: txn, of: log) == generation else {
                throw ReplayError("another rebuild switched the views meanwhile; nothing was changed")
            }
            let head = writer.head
            if head >= next {
                let projector = ViewProjector(views: target)
                // Read in committed reads of this transaction (it appends nothing to the log, so they
                // see every record up to `head`): the log's own reads would ask again for the
                // transaction gate this transaction holds.
                try txn.withCommittedReads { reads in
                    try log.forEach(in: next...head, chunkSize: options.chunkSize,
                                    reading: { body in try mappingStorageErrors { try reads.read(body) } }) { record in
                        try projector.apply(record, in: txn, active: record.sequence <= copiedThrough ? mask : .all)
                    }
                }
            }
            try writer.setMetadata(Store.generationKey, Array(String(generation + 1).utf8))
            try writer.setMetadata(Store.viewFormatKey, Array(String(Store.viewFormat).utf8))
            return head
        }
        // Dropped in a transaction of its own: `mdb_drop` closes the handles at once, so it must not
        // sit in a transaction that could be retried after the map grows. Without the space for it
        // the old generation stays behind until the next rebuild drops it; the switch is done.
        do {
            try environment.write { txn in for db in old.allDatabases { try txn.drop(db) } }
        } catch LMDBError.noSpace {}
        if finalHead >= next { counter.done += finalHead - next + 1 }
        counter.total = finalHead
        try store.adopt(generation: generation + 1)
        let (applied, fingerprints) = try environment.read { txn in
            (try target.appliedSequence(in: txn), try target.fingerprints(in: txn))
        }
        return ReplayResult(recordsReplayed: counter.done, elapsed: counter.elapsed, generation: generation + 1,
                            rebuilt: rebuilt, copied: copied, appliedSequence: applied, fingerprints: fingerprints)
    }

    /// Deletes the databases of `generation` that exist (leftovers of an interrupted run).
    static func dropGeneration(_ generation: Int, in environment: Environment) throws {
        guard generation >= 1 else { return }
        var databases: [Database] = []
        for name in View.names + [ViewSet.checkpointName]
        where try environment.hasDatabase(ViewSet.databaseName(name, generation: generation)) {
            databases.append(try environment.database(ViewSet.databaseName(name, generation: generation), create: false))
        }
        guard !databases.isEmpty else { return }
        try environment.write { txn in for db in databases { try txn.drop(db) } }
    }

    /// Copies every entry of `source` into the empty `destination` (same environment), in key order.
    static func copy(_ source: Database, to destination: Database, in txn: WriteTransaction) throws {
        // Writes to another database never touch the source's pages, so the cursor stays valid.
        try txn.forEach(source) { key, value in
            try txn.put(destination, key: key, value: value, options: .append)
            return true
        }
    }

    // MARK: - Point in time

    /// The last sequence of the log prefix as it stood at `time`: the record before the first one
    /// appended after `time` (0 when even the first record is later).
    public func sequence(atOrBefore time: Timestamp) throws -> UInt64 {
        var last: UInt64 = 0
        struct Done: Error {}
        do {
            try store.log.forEach { record in
                if record.appendedAt > time.microseconds { throw Done() }
                last = record.sequence
            }
        } catch is Done {}
        return last
    }

    /// Writes a complete store at `outputPath` holding the log up to `sequence` (records, dedup
    /// entries of those records, metadata) and its views folded from it. The live store is only read.
    /// The idempotency ledger is not copied: its cached results may describe later runs.
    @discardableResult
    public func pointInTime(through sequence: UInt64, outputPath: String, options: ReplayOptions = ReplayOptions()) throws
        -> ReplayResult
    {
        try mappingStorageErrors { try buildPointInTime(through: sequence, outputPath: outputPath, options: options) }
    }

    private func buildPointInTime(through sequence: UInt64, outputPath: String, options: ReplayOptions) throws -> ReplayResult {
        let log = store.log
        let head = try log.head()
        guard sequence <= head else { throw ReplayError("--to-seq \(sequence) is beyond the end of the log (\(head))") }
        if FileManager.default.fileExists(atPath: (outputPath as NSString).appendingPathComponent("data.mdb")) {
            throw ReplayError("\(outputPath) already holds a store; choose a new --out path")
        }
        let output = try Store(path: outputPath, mode: .create)
        let environment = output.log.environment
        let outLog = try environment.database("log")
        var counter = ReplayCounter()
        counter.total = sequence
        try Replayer.fold(log, 1, sequence, into: output.views, environment: environment, options: options,
                          copyLogTo: outLog, counter: &counter)
        // Dedup entries of the copied records, and the store's metadata (but not the generation).
        let sourceDedup = try log.environment.database("log.dedup")
        let sourceMeta = try log.environment.database("log.meta")
        let outDedup = try environment.database("log.dedup")
        let outMeta = try environment.database("log.meta")
        var after: [UInt8]? = nil
        repeat {
            let chunk = try Replayer.readChunk(sourceDedup, in: log.environment, after: after, limit: 50_000)
            try environment.write { txn in
                for (key, value) in chunk where value.count >= 8 {
                    let seq = value.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
                    if seq <= sequence { try txn.put(outDedup, key: key, value: value, options: .append) }
                }
            }
            after = chunk.last?.0
            if chunk.count < 50_000 { break }
        } while true
        let meta = try Replayer.readChunk(sourceMeta, in: log.environment, after: nil, limit: Int.max)
        try environment.write { txn in
            for (key, value) in meta where key != Array(Store.generationKey.utf8) && key != Array(Store.viewFormatKey.utf8) {
                try txn.put(outMeta, key: key, value: value)
            }
            try txn.put(outMeta, key: Array(Store.viewFormatKey.utf8), value: Array(String(Store.viewFormat).utf8))
        }
        let views = output.views
        let (applied, fingerprints) = try environment.read { txn in
            (try views.appliedSequence(in: txn), try views.fingerprints(in: txn))
        }
        return ReplayResult(recordsReplayed: counter.done, elapsed: counter.elapsed, generation: views.generation,
                            rebuilt: View.allCases, copied: [], appliedSequence: applied, fingerprints: fingerprints)
    }

    /// Up to `limit` entries after `after` (from the start when nil), copied out of one short read.
    static func readChunk(_ db: Database, in environment: Environment, after: [UInt8]?, limit: Int) throws
        -> [([UInt8], [UInt8])]
    {
        try environment.read { txn in
            var result: [([UInt8], [UInt8])] = []
            guard limit > 0 else { return result }
            try txn.forEach(db, from: after) { key, value in
                if let after, key.elementsEqual(after) { return true }
                result.append((Array(key), Array(value)))
                return result.count < limit
            }
            return result
        }
    }
}

/// Records done and the clock of one replay.
struct ReplayCounter {
    var done: UInt64 = 0
    var total: UInt64 = 0
    let start = ContinuousClock.now

    var elapsed: Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func report(_ options: ReplayOptions) {
        options.progress?(ReplayProgress(done: done, total: max(total, done), elapsed: elapsed))
    }
}
