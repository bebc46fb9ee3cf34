import Foundation
public import LMDB

/// A projection builder: a pure fold from a record to view writes. The log calls every registered
/// projection for each record it appends, inside the append's write transaction, so records and
/// the views derived from them commit together or not at all. Replay calls the same projections.
public protocol LogProjection: Sendable {
    /// Applies one record. Applying a record whose effect is already in the view must change nothing.
    func apply(_ record: RecordView, in transaction: WriteTransaction) throws
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
        public init() {}
    }

    public let environment: Environment
    public let path: String
    public let knownRecordTypes: Set<RecordType>?
    let records: Database
    let dedup: Database
    let idempotency: Database
    let meta: Database

    /// Named databases the log owns; everything else in the environment belongs to views.
    public static let ownDatabases: Set<String> = ["log", "log.dedup", "log.idempotency", "log.meta"]

    /// Opens the store at `path`.
    public init(path: String, mode: Mode, options: Options = Options()) throws {
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        if mode != .create && !FileManager.default.fileExists(atPath: dataFile) {
            throw LogError.storeNotFound(path: path)
        }
        if mode == .create {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        var envOptions = Environment.Options()
        envOptions.readOnly = mode == .readOnly
        envOptions.durable = options.durable
        envOptions.initialMapSize = options.initialMapSize
        envOptions.noLock = options.noLock
        environment = try Environment(path: path, options: envOptions)
        self.path = path
        self.knownRecordTypes = options.knownRecordTypes
        let create = mode != .readOnly
        do {
            records = try environment.database("log", create: create)
            dedup = try environment.database("log.dedup", create: create)
            idempotency = try environment.database("log.idempotency", create: create)
            meta = try environment.database("log.meta", create: create)
        } catch LMDBError.notFound {
            throw LogError.storeNotFound(path: path)
        }
    }

    public var isReadOnly: Bool { environment.isReadOnly }

    // MARK: - Appending

    /// Runs `body` with a writer in one write transaction: every record appended, every index
    /// entry and every view write inside commits together, or — if `body` throws — none does.
    /// `projections` are applied to each appended record inside the same transaction.
    ///
    /// The body may run again if the map had to grow, so it must only change state through the
    /// writer (publish in-memory effects after this returns).
    public func write<T>(projections: [any LogProjection] = [], _ body: (LogWriter) throws -> T) throws -> T {
        guard !isReadOnly else { throw LogError.readOnly(path: path) }
        return try environment.write { txn in
            let writer = try LogWriter(log: self, transaction: txn, projections: projections)
            defer { writer.invalidate() }
            return try body(writer)
        }
    }

    /// Appends `envelopes` in transactions of at most `batchSize` records each, returning the
    /// sequence number of the last one. Each batch is atomic.
    @discardableResult
    public func append(_ envelopes: [Envelope], batchSize: Int = 10_000, projections: [any LogProjection] = []) throws -> UInt64 {
        precondition(batchSize > 0)
        var last = try head()
        var start = 0
        while start < envelopes.count {
            let end = min(start + batchSize, envelopes.count)
            last = try write(projections: projections) { writer in
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
        try environment.read { try EventLog.head(of: records, in: $0) }
    }

    static func head(of records: Database, in txn: Transaction) throws -> UInt64 {
        guard let last = try txn.cursor(records).last() else { return 0 }
        guard last.key.count == 8 else { throw LogError.malformedKey(after: 0) }
        return UInt64(bigEndian: last.key.loadUnaligned(as: UInt64.self))
    }

    /// The record at `sequence`, copied out and checked, or nil when there is none.
    public func record(at sequence: UInt64) throws -> Envelope? {
        try environment.read { txn in
            var key = sequence.bigEndian
            return try withUnsafeBytes(of: &key) { k in
                guard let bytes = try txn.get(records, key: k) else { return nil }
                return try RecordView(sequence: sequence, bytes: bytes, knownTypes: knownRecordTypes).envelope
            }
        }
    }

    /// The record at `sequence` seen in place inside `transaction` (checked), or nil.
    public func recordView(at sequence: UInt64, in transaction: Transaction) throws -> RecordView? {
        var key = sequence.bigEndian
        return try withUnsafeBytes(of: &key) { k in
            guard let bytes = try transaction.get(records, key: k) else { return nil }
            return try RecordView(sequence: sequence, bytes: bytes, knownTypes: knownRecordTypes)
        }
    }

    /// Walks the records from `start` in log order inside `transaction` (so a stage sees exactly the
    /// log its write transaction sees); `body` returns false to stop. Records are checked as on every read.
    public func forEach(in transaction: Transaction, from start: UInt64 = 1, _ body: (RecordView) throws -> Bool) throws {
        let cursor = try transaction.cursor(records)
        var key = max(start, 1).bigEndian
        var entry = try withUnsafeBytes(of: &key) { try cursor.seek(atOrAfter: $0) }
        while let e = entry {
            guard e.key.count == 8 else { throw LogError.malformedKey(after: 0) }
            let seq = UInt64(bigEndian: e.key.loadUnaligned(as: UInt64.self))
            if try !body(try RecordView(sequence: seq, bytes: e.value, knownTypes: knownRecordTypes)) { return }
            entry = try cursor.next()
        }
    }

    /// Calls `body` for every record with sequence in `range`, in order, reading in chunks of
    /// `chunkSize` records per short read transaction (so a long scan never pins old pages).
    /// Each record's checksum, format and type are checked; gaps are reported.
    /// `body` sees records in place: copy what must outlive the call.
    public func forEach(
        in range: ClosedRange<UInt64> = 1...UInt64.max, chunkSize: Int = 8192,
        _ body: (RecordView) throws -> Void
    ) throws {
        var next = max(range.lowerBound, 1)
        var previous = next - 1
        var finished = false
        while !finished {
            try environment.read { txn in
                let cursor = try txn.cursor(records)
                var key = next.bigEndian
                var entry = try withUnsafeBytes(of: &key) { try cursor.seek(atOrAfter: $0) }
                var count = 0
                while let e = entry {
                    guard e.key.count == 8 else { throw LogError.malformedKey(after: previous) }
                    let seq = UInt64(bigEndian: e.key.loadUnaligned(as: UInt64.self))
                    if seq > range.upperBound { finished = true; return }
                    if seq != previous + 1 { throw LogError.gap(after: previous, found: seq) }
                    try body(try RecordView(sequence: seq, bytes: e.value, knownTypes: knownRecordTypes))
                    previous = seq
                    count += 1
                    if count == chunkSize {
                        next = seq + 1
                        return
                    }
                    entry = try cursor.next()
                }
                finished = true
            }
        }
    }

    /// The result of `verify`.
    public struct VerifyReport: Sendable, Equatable {
        /// Records that passed every check.
        public var recordsChecked: UInt64
        /// The last sequence number in the log.
        public var head: UInt64
        /// The first problem found, or nil when the whole log is sound.
        public var firstProblem: LogError?
        public var isSound: Bool { firstProblem == nil }
    }

    /// Walks the whole log: every checksum, envelope, record type, and that sequence numbers run
    /// 1, 2, 3… without a gap. Stops at the first problem and reports its position.
    public func verify() throws -> VerifyReport {
        let head = try head()
        var checked: UInt64 = 0
        do {
            try forEach { _ in checked += 1 }
        } catch let error as LogError {
            return VerifyReport(recordsChecked: checked, head: head, firstProblem: error)
        }
        return VerifyReport(recordsChecked: checked, head: head, firstProblem: nil)
    }

    // MARK: - Store metadata

    /// A metadata value of the store (e.g. its format marker), or nil.
    public func metadata(_ key: String) throws -> [UInt8]? {
        try environment.read { try $0.get(meta, key: Array(key.utf8)) }
    }

    /// A metadata value of the store as seen by `transaction` (so it can be checked in the same
    /// snapshot as the data it describes), or nil.
    public func metadata(_ key: String, in transaction: Transaction) throws -> [UInt8]? {
        try transaction.get(meta, key: Array(key.utf8))
    }
}
