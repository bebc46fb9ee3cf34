import Foundation
package import LMDB

/// A projection builder: a pure fold from a record to view writes. The log calls every registered
/// projection for each record it appends, inside the append's write transaction, so records and
/// the views derived from them commit together or not at all. Replay calls the same projections.
package protocol LogProjection: Sendable {
    /// Applies one record. Applying a record whose effect is already in the view must change nothing.
    func apply(_ record: borrowing RecordView, in transaction: WriteTransaction) throws
    /// Applies one record the appender still holds as a typed value (`typed`, the value its payload
    /// was just encoded from), so a projection may use it instead of decoding the payload back.
    func apply(_ record: borrowing RecordView, typed: any Sendable, in transaction: WriteTransaction) throws
}

extension LogProjection {
    /// By default the typed value is not used: the record is applied from its bytes.
    package func apply(_ record: borrowing RecordView, typed: any Sendable, in transaction: WriteTransaction) throws {
        try apply(record, in: transaction)
    }
}

/// The append-only log: records keyed by gapless big-endian u64 sequence numbers in one LMDB
/// environment, with a durable dedup index and an idempotency ledger written in the same
/// transactions as the records.
public final class EventLog: Sendable {
    /// How to open a store.
    public enum Mode: Sendable {
        /// Create the store when missing.
        case create
        /// Open an existing store for appending; a missing store is `LogError.storeNotFound`.
        case readWrite
        /// Open an existing store with `MDB_RDONLY`: nothing can be written.
        case readOnly
    }

    public struct Options: Sendable {
        /// fsync on every commit (`false` only for tests and scratch rebuilds).
        public var durable = true
        /// Initial map size; it grows by itself.
        public var initialMapSize = 64 << 20
        /// Record types this binary knows; others are reported with their sequence number on read.
        public var knownRecordTypes: Set<RecordType>? = nil
        /// Open without the lock file (`MDB_NOLOCK`): only for read-only opens of a store whose
        /// directory cannot be written; a concurrent writer would not see this reader.
        public var noLock = false
        /// A writer verifies the whole store (every record and page) before appending, not only the
        /// log's last records: slower in proportion to the store, for when damage is suspected.
        public var verifyBeforeWriting = false
        public init() {}
    }

    /// The LMDB environment holding the log and the views (for the store's own modules).
    package let environment: Environment
    /// The store directory.
    public let path: String
    /// Record types this binary knows (nil: any type is accepted).
    public let knownRecordTypes: Set<RecordType>?
    /// The same as a table, for the check of every record read.
    let knownTypeTable: RecordTypeTable?
    let records: Database
    let dedup: Database
    let idempotency: Database
    let meta: Database
    /// Log shipping's own state (`Shipping.swift`); nil in a read-only store that never had it.
    let shipping: Database?

    /// Named databases the log owns; everything else in the environment belongs to views.
    public static let ownDatabases: Set<String> = ["log", "log.dedup", "log.idempotency", "log.meta", EventLog.shippingDatabase]

    /// Opens the store at `path`.
    public init(path: String, mode: Mode, options: Options = Options()) throws {
        if mode != .create { try EventLog.requireStore(at: path) }
        if mode == .create {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        var envOptions = Environment.Options()
        envOptions.readOnly = mode == .readOnly
        envOptions.durable = options.durable
        envOptions.initialMapSize = options.initialMapSize
        envOptions.noLock = options.noLock
        do {
            environment = try Environment(path: path, options: envOptions)
        } catch LMDBError.corrupted {
            // Too damaged to open: say which record is the first one lost.
            let report = try? EventLog.verify(path: path, knownTypes: options.knownRecordTypes)
            throw LogError.damagedStore(path: path, problem: report?.firstProblem ?? .damagedPage(page: 0, reason: "unreadable", database: nil, after: nil))
        } catch {
            throw LogError.storage(StorageFailure(error))
        }
        self.path = path
        self.knownRecordTypes = options.knownRecordTypes
        self.knownTypeTable = options.knownRecordTypes.map(RecordTypeTable.init)
        let create = mode != .readOnly
        do {
            records = try environment.database("log", create: create)
            dedup = try environment.database("log.dedup", create: create)
            idempotency = try environment.database("log.idempotency", create: create)
            meta = try environment.database("log.meta", create: create)
            shipping = try create || environment.hasDatabase(EventLog.shippingDatabase)
                ? environment.database(EventLog.shippingDatabase, create: create) : nil
        } catch LMDBError.notFound {
            throw LogError.storeNotFound(path: path)
        } catch let error as LMDBError {
            throw LogError.storage(StorageFailure(error))
        }
        // Every writer checks the end of the log (or, on demand, the whole store) before appending to it.
        if mode != .readOnly {
            if options.verifyBeforeWriting {
                if let problem = try verify().firstProblem { throw LogError.damagedStore(path: path, problem: problem) }
            } else {
                try checkTail()
            }
        }
    }

    /// Whether a file (or directory) is at `path`, as `FileManager.fileExists(atPath:)` answers it
    /// (`stat` succeeds), without setting up `FileManager.default`: a query's start pays that
    /// otherwise (≈ 1 % of a lead-feed call).
    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Throws `storeNotFound` unless the store at `path` has its data file.
    static func requireStore(at path: String) throws {
        guard fileExists(dataFilePath(ofStore: path)) else { throw LogError.storeNotFound(path: path) }
    }

    /// The data file of the store at `path`.
    static func dataFilePath(ofStore path: String) -> String { (path as NSString).appendingPathComponent("data.mdb") }

    /// Whether the store was opened read-only.
    public var isReadOnly: Bool { environment.isReadOnly }

    /// The storage map's size and the bytes of it in use (the map grows by itself).
    public var mapUsage: (size: Int, used: Int) { environment.mapUsage }

    // MARK: - Appending

    /// Runs `body` with a writer in one write transaction: every record appended, every index
    /// entry and every view write inside commits together, or — if `body` throws — none does.
    /// `projections` are applied to each appended record inside the same transaction.
    ///
    /// The body may run again if the map had to grow, so it must only change state through the
    /// writer (publish in-memory effects after this returns).
    public func write<T>(_ body: (LogWriter) throws -> T) throws -> T {
        try write(projections: [], body)
    }

    /// `write` with `projections` applied to each appended record inside the same transaction.
    package func write<T>(projections: [any LogProjection], _ body: (LogWriter) throws -> T) throws -> T {
        guard !isReadOnly else { throw LogError.readOnly(path: path) }
        return try mappingStorageErrors {
            try environment.write { txn in
                let writer = try LogWriter(log: self, transaction: txn, projections: projections)
                defer { writer.invalidate() }
                return try body(writer)
            }
        }
    }

    /// Runs `body` in one read transaction of the store (for the store's own modules), with
    /// storage errors mapped to `LogError.storage`.
    package func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        try mappingStorageErrors { try environment.read(body) }
    }

    /// Appends `envelopes` in transactions of at most `batchSize` records each, returning the
    /// sequence number of the last one. Each batch is atomic.
    @discardableResult
    public func append(_ envelopes: [Envelope], batchSize: Int = 10_000) throws -> UInt64 {
        precondition(batchSize > 0)
        var last = try head()
        var start = 0
        while start < envelopes.count {
            let end = min(start + batchSize, envelopes.count)
            last = try write { writer in
                var seq: UInt64 = 0
                for envelope in envelopes[start..<end] { seq = try writer.append(envelope) }
                return seq
            }
            start = end
        }
        return last
    }

    // MARK: - Reading

    /// The sequence number of the last record, 0 for an empty log.
    public func head() throws -> UInt64 {
        try read { try EventLog.head(of: records, in: $0) }
    }

    /// The sequence number of the last record as `transaction` sees it, 0 for an empty log.
    package func head(in transaction: Transaction) throws -> UInt64 {
        try EventLog.head(of: records, in: transaction)
    }

    static func head(of records: Database, in txn: Transaction) throws -> UInt64 {
        try txn.withCursor(records) { cursor in
            try cursor.last { key, _ -> UInt64 in
                guard key.count == 8 else { throw LogError.malformedKey(after: 0) }
                return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            }
        } ?? 0
    }

    /// The record at `sequence`, copied out and checked, or nil when there is none.
    public func record(at sequence: UInt64) throws -> Envelope? {
        try read { txn in try withRecord(at: sequence, in: txn) { $0.envelope } }
    }

    /// Lends the record at `sequence`, seen in place inside `transaction` and checked, to `body`;
    /// nil when there is none.
    package func withRecord<R>(at sequence: UInt64, in transaction: Transaction, _ body: (borrowing RecordView) throws -> R)
        throws -> R?
    {
        try withUnsafeBytes(of: sequence.bigEndian) { key in
            try transaction.withValue(records, key: key) { bytes in
                try body(try RecordView(sequence: sequence, bytes: bytes, knownTypeTable: knownTypeTable))
            }
        }
    }

    /// Lends the records at `sequences` (ascending) to `body` one after another, each with its index
    /// in `sequences`, seen in place inside `transaction` and checked. One cursor moves forward over
    /// them, so records that share a page are found without a search from the root. Stops at the
    /// first sequence with no record and returns it; nil when every record was found.
    package func withRecords(
        at sequences: [UInt64], in transaction: Transaction, _ body: (Int, borrowing RecordView) throws -> Void
    ) throws -> UInt64? {
        try transaction.withCursor(records) { cursor in
            for (index, sequence) in sequences.enumerated() {
                let found = try withUnsafeBytes(of: sequence.bigEndian) { key in
                    try cursor.seek(atOrAfter: key) { foundKey, value -> Bool in
                        guard foundKey.elementsEqual(key) else { return false }
                        try body(index, try RecordView(sequence: sequence, bytes: value, knownTypeTable: knownTypeTable))
                        return true
                    }
                }
                if found != true { return sequence }
            }
            return nil
        }
    }

    /// Walks the records from `start` in log order inside `transaction` (so a stage sees exactly the
    /// log its write transaction sees); `body` returns false to stop. Records are checked as on every read.
    package func forEach(in transaction: Transaction, from start: UInt64 = 1, _ body: (borrowing RecordView) throws -> Bool) throws {
        try transaction.forEach(records, from: withUnsafeBytes(of: max(start, 1).bigEndian) { Array($0) }) { key, value in
            guard key.count == 8 else { throw LogError.malformedKey(after: 0) }
            let seq = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
            return try body(try RecordView(sequence: seq, bytes: value, knownTypeTable: knownTypeTable))
        }
    }

    /// Calls `body` for every record with sequence in `range`, in order, reading in chunks of
    /// `chunkSize` records per short read transaction (so a long scan never pins old pages).
    /// Each record's checksum, format and type are checked; gaps are reported.
    /// `body` sees records in place: copy what must outlive the call.
    public func forEach(
        in range: ClosedRange<UInt64> = 1...UInt64.max, chunkSize: Int = 8192,
        _ body: (borrowing RecordView) throws -> Void
    ) throws {
        try forEach(in: range, chunkSize: chunkSize, reading: { try read($0) }, body)
    }

    /// `forEach(in:chunkSize:_:)` with each chunk's read transaction opened by `reading` (which runs
    /// its argument in one read transaction), e.g. a committed read beside a write transaction that
    /// must not ask for the store's transaction gate again.
    package func forEach(
        in range: ClosedRange<UInt64>, chunkSize: Int, reading: ((Transaction) throws -> Void) throws -> Void,
        _ body: (borrowing RecordView) throws -> Void
    ) throws {
        var next = max(range.lowerBound, 1)
        while true {
            let count = try forEachInChunk(from: next, through: range.upperBound, limit: chunkSize, reading: reading, body)
            // A short chunk: the range or the log ended there.
            if chunkSize <= 0 || count < chunkSize { return }
            next += UInt64(count)
        }
    }

    /// One chunk of `forEach(in:chunkSize:reading:_:)`: calls `body` for the records from `start` on,
    /// at most `limit` of them (no limit when it is not positive) and none past `upperBound`, in one read transaction opened by
    /// `reading`, checking each record as `forEach` does (a gap counts from `start - 1`). Returns the
    /// number of records read: fewer than `limit` when the range or the log ended before.
    /// Consecutive chunks (each starting where the one before stopped, while it read `limit`) read
    /// exactly what one `forEach` over their range reads, in any order and on any threads.
    package func forEachInChunk(
        from start: UInt64, through upperBound: UInt64, limit: Int, reading: ((Transaction) throws -> Void) throws -> Void,
        _ body: (borrowing RecordView) throws -> Void
    ) throws -> Int {
        var previous = start - 1
        var count = 0
        guard start <= upperBound else { return 0 }
        // `reading` runs the chunk before it returns: `body` does not escape.
        try withoutActuallyEscaping(body) { body in
            try reading { txn in
                count = 0
                previous = start - 1
                try txn.forEach(records, from: withUnsafeBytes(of: start.bigEndian) { Array($0) }) { key, value in
                    guard key.count == 8 else { throw LogError.malformedKey(after: previous) }
                    let seq = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
                    if seq > upperBound { return false }
                    if seq != previous + 1 { throw LogError.gap(after: previous, found: seq) }
                    try body(try RecordView(sequence: seq, bytes: value, knownTypeTable: knownTypeTable))
                    previous = seq
                    count += 1
                    return limit <= 0 || count < limit
                }
            }
        }
        return count
    }

    // MARK: - Store metadata

    /// A metadata value of the store (e.g. its format marker), or nil.
    public func metadata(_ key: String) throws -> [UInt8]? {
        try read { try $0.value(meta, key: Array(key.utf8)) }
    }

    /// A metadata value of the store as seen by `transaction` (so it can be checked in the same
    /// snapshot as the data it describes), or nil.
    package func metadata(_ key: String, in transaction: Transaction) throws -> [UInt8]? {
        try transaction.value(meta, key: Array(key.utf8))
    }
}
