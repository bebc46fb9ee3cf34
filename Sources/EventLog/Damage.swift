import Foundation
import Glibc
import LMDB

// Damage: reading the log without trusting the data file. `DataFile` reads it page by page and
// checks every page, so a damaged or truncated file is reported with the page and the first record
// it affects instead of crashing the process through the memory map.

extension EventLog {
    /// The result of `verify`.
    public struct VerifyReport: Sendable, Equatable {
        /// Records that passed every check (the log is intact from 1 through this number).
        public var recordsChecked: UInt64
        /// The last sequence number in the log (as recorded, even when records before it are damaged).
        public var head: UInt64
        /// The first problem found, or nil when the whole store is sound.
        public var firstProblem: LogError?
        public var isSound: Bool { firstProblem == nil }

        /// The first record that cannot be read intact, when the damage is in the log.
        public var firstDamagedSequence: UInt64? { firstProblem?.sequence }

        /// The records a salvage loses: those after the last intact one, nil when none is lost.
        public var lostSequences: ClosedRange<UInt64>? {
            guard firstProblem != nil, head > recordsChecked else { return nil }
            return (recordsChecked + 1)...head
        }
    }

    /// An error thrown by the caller's closure while reading, kept apart from damage to the store.
    private struct CallerFailure: Error { let error: any Error }

    /// Walks the log of `file` in order, checking every record (envelope, checksum, type, no gap) and
    /// lending each intact one to `body`, up to the first damage, which the report names. With
    /// `allDatabases`, the pages of every other database are checked as well.
    static func readIntact(
        _ file: DataFile, knownTypes: Set<RecordType>?, allDatabases: Bool, _ body: (borrowing RecordView) throws -> Void
    ) throws -> VerifyReport {
        let trees: [String: DataFile.Tree]
        do {
            trees = try file.databases()
        } catch let damage as PageDamage {
            return VerifyReport(recordsChecked: 0, head: 0,
                                firstProblem: .damagedPage(page: damage.page, reason: damage.reason, database: nil, after: nil))
        }
        var report = VerifyReport(recordsChecked: 0, head: 0, firstProblem: nil)
        if let log = trees["log"] {
            report = try readIntact(file, log: log, knownTypes: knownTypes, body)
            if report.firstProblem != nil { return report }
        }
        guard allDatabases else { return report }
        for (name, tree) in trees.sorted(by: { $0.key < $1.key }) where name != "log" {
            do {
                try file.forEach(in: tree) { _, _ in true }
            } catch let damage as PageDamage {
                report.firstProblem = .damagedPage(page: damage.page, reason: damage.reason, database: name, after: nil)
                return report
            }
        }
        return report
    }

    /// `readIntact` over the log tree `log`.
    static func readIntact(
        _ file: DataFile, log: DataFile.Tree, knownTypes: Set<RecordType>?, _ body: (borrowing RecordView) throws -> Void
    ) throws -> VerifyReport {
        var report = VerifyReport(recordsChecked: 0, head: UInt64(max(0, log.entries)), firstProblem: nil)  // a damaged count can be anything
        var previous: UInt64 = 0
        // Every record is checked: the known types as a table, built once (see `RecordTypeTable`).
        let table = knownTypes.map(RecordTypeTable.init)
        do {
            try file.forEach(in: log) { key, value in
                guard key.count == 8 else { throw LogError.malformedKey(after: previous) }
                let sequence = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
                guard sequence == previous + 1 else { throw LogError.gap(after: previous, found: sequence) }
                let record = try RecordView(sequence: sequence, bytes: value, knownTypeTable: table)
                do { try body(record) } catch { throw CallerFailure(error: error) }
                previous = sequence
                report.recordsChecked += 1
                return true
            }
        } catch let failure as CallerFailure {
            throw failure.error
        } catch let problem as LogError {
            report.firstProblem = problem
        } catch let damage as PageDamage {
            report.firstProblem = .damagedPage(page: damage.page, reason: damage.reason, database: "log", after: previous)
        }
        report.head = max(report.head, previous)
        return report
    }

    /// Opens the data file of the store at `path` for reading at one snapshot (pinned by a read
    /// transaction, so a concurrent writer cannot reuse its pages) and runs `body` on it. A store
    /// too damaged for the storage engine to open is read from its newest meta page unpinned —
    /// writers refuse a damaged store, so nothing writes meanwhile.
    static func withDataFile<R>(path: String, _ body: (DataFile) throws -> R) throws -> R {
        try EventLog.requireStore(at: path)
        let dataFile = EventLog.dataFilePath(ofStore: path)
        var options = Environment.Options()
        options.readOnly = true
        options.noLock = access(path, W_OK) != 0
        let environment: Environment
        do {
            environment = try Environment(path: path, options: options)
        } catch LMDBError.corrupted {
            let file: DataFile
            do {
                file = try mappingStorageErrors { try DataFile(path: dataFile) }
            } catch let damage as PageDamage {
                // Neither meta page can be read: nothing of the store can be found.
                throw LogError.damagedPage(page: damage.page, reason: damage.reason, database: nil, after: nil)
            }
            return try mappingStorageErrors { try body(file) }
        } catch {
            throw LogError.storage(StorageFailure(error))
        }
        return try mappingStorageErrors { try environment.withDataFile(body) }
    }

    /// Verifies the store at `path` without opening it as a log: every record of the log (checksum,
    /// envelope, type, no gap) and every page of every database. Works on a store too damaged to open.
    public static func verify(path: String, knownTypes: Set<RecordType>?) throws -> VerifyReport {
        try withDataFile(path: path) { try readIntact($0, knownTypes: knownTypes, allDatabases: true) { _ in } }
    }

    /// Lends every intact record of the store at `path` to `body`, in order, up to the first damage
    /// (salvage); the report says where the damage is and what lies beyond it.
    ///
    /// When the catalog of the snapshot read is damaged (a truncated file often loses the newest copy),
    /// the older copies of the log's catalog entry still in the file are tried, and the one leading
    /// to the most intact records is read.
    public static func readIntactRecords(
        path: String, knownTypes: Set<RecordType>?, _ body: (borrowing RecordView) throws -> Void
    ) throws -> VerifyReport {
        try withDataFile(path: path) { file in
            let report = try readIntact(file, knownTypes: knownTypes, allDatabases: false, body)
            guard case .damagedPage(_, _, nil, _)? = report.firstProblem else { return report }
            var best: (tree: DataFile.Tree, report: VerifyReport)?
            for tree in file.catalogEntries(named: "log") {
                let trial = try readIntact(file, log: tree, knownTypes: knownTypes) { _ in }
                if trial.recordsChecked > best?.report.recordsChecked ?? 0 { best = (tree, trial) }
            }
            guard let best else { return report }
            var found = try readIntact(file, log: best.tree, knownTypes: knownTypes, body)
            // What lies beyond this older copy is unknown: the damage reported is the catalog's.
            found.firstProblem = found.firstProblem ?? report.firstProblem
            return found
        }
    }

    /// Walks the whole store: every checksum, envelope, record type, that sequence numbers run
    /// 1, 2, 3… without a gap, and every page of every database. Stops at the first problem and
    /// reports its position.
    public func verify() throws -> VerifyReport {
        try mappingStorageErrors {
            try environment.withDataFile { try EventLog.readIntact($0, knownTypes: knownRecordTypes, allDatabases: true) { _ in } }
        }
    }

    /// Writes a consistent, compacted copy of the whole store (log, indexes, views) into the existing
    /// directory `directory` while writers and readers go on: the snapshot of one read transaction.
    public func copy(to directory: String) throws {
        try mappingStorageErrors { try environment.copy(to: directory, compact: true) }
    }

    /// Checks the last `count` records (pages, checksums, no gap) before anything is appended; on
    /// damage, verifies the whole log to name the first damaged record, and refuses.
    func checkTail(count: Int = 32) throws {
        let problem: LogError?
        do {
            problem = try environment.withDataFile { file -> LogError? in
                guard let log = try file.databases()["log"] else { return nil }
                var seen = 0
                var expected: UInt64?
                do {
                    try file.forEach(in: log, reverse: true) { key, value in
                        guard key.count == 8 else { throw LogError.malformedKey(after: expected ?? 0) }
                        let sequence = UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
                        if let expected, sequence != expected { throw LogError.gap(after: sequence, found: expected + 1) }
                        _ = try RecordView(sequence: sequence, bytes: value, knownTypeTable: knownTypeTable)
                        expected = sequence - 1
                        seen += 1
                        return seen < count
                    }
                } catch let damage as PageDamage {
                    return .damagedPage(page: damage.page, reason: damage.reason, database: "log", after: nil)
                } catch let error as LogError {
                    return error
                }
                return nil
            }
        } catch let damage as PageDamage {
            problem = .damagedPage(page: damage.page, reason: damage.reason, database: nil, after: nil)
        } catch let error as LMDBError {
            throw LogError.storage(StorageFailure(error))
        }
        guard let problem else { return }
        let first = (try? verify())?.firstProblem ?? problem
        throw LogError.damagedStore(path: path, problem: first)
    }
}
