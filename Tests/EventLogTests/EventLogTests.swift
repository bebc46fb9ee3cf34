import Foundation
import LMDB
import Testing
@testable import EventLog

@Suite("Append-only log")
struct EventLogTests {
    @Test("appends get gapless sequence numbers in order, across batches")
    func gaplessOrder() throws {
        let log = try scratchLog()
        let envelopes = (0..<2_500).map { Envelope(type: sampleType, appendedAt: Int64($0), workspace: nil, payload: samplePayload($0)) }
        let last = try log.append(envelopes, batchSize: 1_000)
        #expect(last == 2_500)
        #expect(try log.head() == 2_500)
        var expected: UInt64 = 1
        try log.forEach(chunkSize: 300) { record in
            #expect(record.sequence == expected)
            let (n, _) = try record.withPayload(decodeSample)
            #expect(n == Int(expected) - 1)
            expected += 1
        }
        #expect(expected == 2_501)
    }

    @Test("an envelope round-trips: type, time, workspace and payload")
    func envelopeRoundTrip() throws {
        let log = try scratchLog()
        let workspace = UUID()
        let envelope = Envelope(type: sampleType, appendedAt: 1_771_400_000_000_000, workspace: workspace, payload: samplePayload(5))
        try log.append([envelope])
        let read = try #require(try log.record(at: 1))
        #expect(read == envelope)
        #expect(try log.record(at: 2) == nil)
    }

    @Test("a range read returns exactly the requested records")
    func rangeRead() throws {
        let log = try scratchLog()
        try log.append((0..<100).map { Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload($0)) })
        var seen: [UInt64] = []
        try log.forEach(in: 40...45, chunkSize: 2) { seen.append($0.sequence) }
        #expect(seen == [40, 41, 42, 43, 44, 45])
    }

    @Test("a failed batch leaves the store exactly as before")
    func failedBatchLeavesNothing() throws {
        struct Reject: Error {}
        let log = try scratchLog()
        try log.append([Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload(1))])
        #expect(throws: Reject.self) {
            try log.write { writer in
                let seq = try writer.append(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload(2))
                try writer.recordDedup(Array("k".utf8), sequence: seq)
                try writer.recordIdempotentResult(workspace: UUID(), key: "x", result: [1])
                throw Reject()
            }
        }
        #expect(try log.head() == 1)
        #expect(try log.dedupSequence(for: Array("k".utf8)) == nil)
        #expect(try log.verify().isSound)
    }

    @Test("a flipped byte inside a stored record is detected by read and by verify")
    func flippedByte() throws {
        let log = try scratchLog()
        try log.append((0..<10).map { Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload($0)) })
        try corruptRecord(in: log, sequence: 7) { bytes in bytes[40] ^= 0x04 }
        #expect(throws: LogError.checksumMismatch(sequence: 7)) { _ = try log.record(at: 7) }
        let report = try log.verify()
        #expect(report.firstProblem == .checksumMismatch(sequence: 7))
        #expect(report.recordsChecked == 6)
        #expect(report.firstProblem?.description.contains("record 7") == true)
    }

    @Test("an unknown record type is reported with its position")
    func unknownType() throws {
        let known: Set<RecordType> = [sampleType]
        let path = temporaryStorePath()
        let log = try scratchLog(path: path, known: known)
        try log.append([
            Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: []),
            Envelope(type: RecordType(rawValue: 999), appendedAt: 0, workspace: nil, payload: []),
        ])
        #expect(throws: LogError.unknownRecordType(sequence: 2, type: 999)) { _ = try log.record(at: 2) }
        #expect(try log.verify().firstProblem == .unknownRecordType(sequence: 2, type: 999))
    }

    @Test("a record type table holds exactly its set's types, and a log's reads refuse the others")
    func recordTypeTable() throws {
        // Sets of every size class: none, the extremes, one per 64-bit word boundary, scattered.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt16 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt16(truncatingIfNeeded: state >> 40)
        }
        let sets: [Set<UInt16>] = [[], [0], [UInt16.max], [63, 64, 127, 128], Set((0..<40).map { _ in next() }),
                                   Set((0..<3_000).map { _ in next() })]
        for raw in sets {
            let types = Set(raw.map(RecordType.init(rawValue:)))
            let table = RecordTypeTable(types)
            for value in UInt16.min...UInt16.max {
                let type = RecordType(rawValue: value)
                if table.contains(type) != types.contains(type) {
                    Issue.record("type \(value) in a set of \(raw.count)")
                    break
                }
            }
        }
        let path = temporaryStorePath()
        let log = try scratchLog(path: path, known: [sampleType])
        try log.append([
            Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: []),
            Envelope(type: RecordType(rawValue: sampleType.rawValue ^ 64), appendedAt: 0, workspace: nil, payload: []),
        ])
        var seen: [UInt64] = []
        #expect(throws: LogError.unknownRecordType(sequence: 2, type: sampleType.rawValue ^ 64)) {
            try log.forEach(chunkSize: 10) { seen.append($0.sequence) }
        }
        #expect(seen == [1])
    }

    @Test("an envelope format newer than the binary is reported with its position")
    func newerFormat() throws {
        let log = try scratchLog()
        try log.append([Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: [1, 2, 3], formatVersion: 9)])
        #expect(throws: LogError.unsupportedFormat(sequence: 1, version: 9)) { _ = try log.record(at: 1) }
    }

    @Test("a gap in sequence numbers is reported by verify")
    func gapDetected() throws {
        let log = try scratchLog()
        try log.append((0..<5).map { Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload($0)) })
        let db = try log.environment.database("log")
        try log.environment.write { txn in
            var key = UInt64(3).bigEndian
            try withUnsafeBytes(of: &key) { _ = try txn.delete(db, key: $0) }
        }
        #expect(try log.verify().firstProblem == .gap(after: 2, found: 4))
    }

    @Test("a store that does not exist gives a clear error that suggests init")
    func missingStore() throws {
        let path = temporaryStorePath()
        do {
            _ = try EventLog(path: path, mode: .readOnly)
            Issue.record("opened a store that does not exist")
        } catch let error as LogError {
            #expect(error == .storeNotFound(path: path))
            #expect(error.description.contains("siglog-append init"))
        }
        #expect(!FileManager.default.fileExists(atPath: path), "a read-only open must not create anything")
    }

    @Test("the store-existence check answers as FileManager does: files, directories, symbolic links, missing and empty paths")
    func fileExistsMatchesFileManager() throws {
        let directory = temporaryStorePath()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/data.mdb"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3])))
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: file)
        try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: directory + "/gone")
        for path in [file, directory, directory + "/", directory + "/link", directory + "/dangling", directory + "/gone",
                     directory + "/data.mdb/inside", ""] {
            #expect(EventLog.fileExists(path) == FileManager.default.fileExists(atPath: path), "\(path)")
        }
        #expect(EventLog.fileExists(file) && !EventLog.fileExists(directory + "/gone"))
    }

    @Test("a read-only log refuses appends")
    func readOnlyLog() throws {
        let path = temporaryStorePath()
        try scratchLog(path: path).append([Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: [])])
        let reader = try EventLog(path: path, mode: .readOnly)
        #expect(throws: LogError.readOnly(path: path)) {
            try reader.append([Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: [])])
        }
        #expect(try reader.head() == 1)
    }

    @Test("dedup index: first occurrence wins; long natural keys are hashed and still compared")
    func dedupIndex() throws {
        let log = try scratchLog()
        let short = Array("crunchbase\u{0}round-1".utf8)
        let long = Array(("github\u{0}" + String(repeating: "owner/repo:123:PushEvent", count: 40)).utf8)
        #expect(long.count > 511)
        try log.write { writer throws in
            #expect(try writer.dedupSequence(for: short) == nil)
            #expect(try writer.recordDedup(short, sequence: 1))
            #expect(try writer.recordDedup(short, sequence: 2) == false)
            #expect(try writer.recordDedup(long, sequence: 3))
        }
        #expect(try log.dedupSequence(for: short) == 1)
        #expect(try log.dedupSequence(for: long) == 3)
        var otherLong = long
        otherLong[otherLong.count - 1] = UInt8(ascii: "X")
        #expect(try log.dedupSequence(for: otherLong) == nil)
    }

    @Test("idempotency ledger is scoped by workspace and durable across reopen")
    func idempotencyLedger() throws {
        let path = temporaryStorePath()
        let a = UUID(), b = UUID()
        do {
            let log = try scratchLog(path: path)
            try log.write { writer in
                try writer.recordIdempotentResult(workspace: a, key: "nightly", result: [10])
                try writer.recordIdempotentResult(workspace: b, key: "nightly", result: [20])
            }
        }
        let reopened = try EventLog(path: path, mode: .readWrite)
        #expect(try reopened.idempotentResult(workspace: a, key: "nightly") == [10])
        #expect(try reopened.idempotentResult(workspace: b, key: "nightly") == [20])
        #expect(try reopened.idempotentResult(workspace: a, key: "other") == nil)
    }

    /// Counts records per type into a view database, in the append transaction.
    struct CountingProjection: LogProjection {
        let view: Database
        func apply(_ record: borrowing RecordView, in transaction: WriteTransaction) throws {
            let key = withUnsafeBytes(of: record.type.rawValue.bigEndian) { Array($0) }
            let current = try transaction.withValue(view, key: key) { $0.loadUnaligned(as: UInt64.self) } ?? 0
            try transaction.put(view, key: key, value: withUnsafeBytes(of: current + 1) { Array($0) })
        }
    }

    @Test("projections fold appended records in the same transaction, and roll back with it")
    func projectionHook() throws {
        struct Reject: Error {}
        let log = try scratchLog()
        let view = try log.environment.database("view.counts")
        let projection = CountingProjection(view: view)
        let count: () throws -> UInt64 = {
            let key = withUnsafeBytes(of: sampleType.rawValue.bigEndian) { Array($0) }
            return try log.environment.read { try $0.withValue(view, key: key) { $0.loadUnaligned(as: UInt64.self) } } ?? 0
        }
        try log.write(projections: [projection]) { writer in
            for n in 0..<5 { try writer.append(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload(n)) }
        }
        #expect(try count() == 5)
        #expect(throws: Reject.self) {
            try log.write(projections: [projection]) { writer in
                try writer.append(type: sampleType, appendedAt: 0, workspace: nil, payload: [])
                throw Reject()
            }
        }
        #expect(try count() == 5)
    }
}
