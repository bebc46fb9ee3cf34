import EventLog
import Foundation
import NATSClient
import Projections
@testable import Replication
import Testing

/// Record batches, the unit log shipping sends: grouping, decoding, refusals; how a replica applies
/// them (out of order, overlapping its head, refused with nothing written); the publisher's
/// acknowledged position over batches.
@Suite("Record batches")
struct RecordBatchTests {
    /// `count` stored records of a small log (sequence 1…count), payload sizes varying.
    static func storedRecords(_ count: Int) -> [[UInt8]] {
        (1...count).map { index in
            Envelope(type: RecordType(rawValue: 1), appendedAt: Int64(index) * 1_000, workspace: nil,
                     payload: Array(repeating: UInt8(index % 251), count: index % 37)).encoded(sequence: UInt64(index))
        }
    }

    /// Groups `records` (from sequence `first`) with `limits`; the finished batches in order.
    static func group(_ records: [[UInt8]], from first: UInt64, _ limits: RecordBatchLimits) -> [(first: UInt64, last: UInt64, bytes: [UInt8])] {
        var builder = RecordBatchBuilder(limits: limits)
        var batches: [(first: UInt64, last: UInt64, bytes: [UInt8])] = []
        for (offset, stored) in records.enumerated() {
            if let batch = stored.withUnsafeBytes({ builder.append(sequence: first + UInt64(offset), stored: $0) }) { batches.append(batch) }
        }
        if let batch = builder.finish() { batches.append(batch) }
        return batches
    }

    @Test("records are grouped by cells and a byte limit, decode back unchanged, and grouping again from a batch's first record gives the same batches")
    func grouping() throws {
        let records = Self.storedRecords(1_000)
        let limits = RecordBatchLimits(maxRecords: 64, maxBytes: 2_048)
        let batches = Self.group(records, from: 1, limits)
        var next: UInt64 = 1
        for batch in batches {
            #expect(batch.first == next)
            // Never across a cell's end, never above the byte limit (no record here is larger alone).
            #expect(limits.cellEnd(of: batch.first) >= batch.last)
            #expect(batch.bytes.count <= limits.maxBytes)
            let decoded = try RecordBatch(decoding: batch.bytes)
            #expect(decoded.sequences == batch.first...batch.last)
            for index in 0..<decoded.count {
                decoded.withRecord(at: index) { sequence, stored in
                    #expect(sequence == batch.first + UInt64(index))
                    #expect(Array(stored) == records[Int(sequence) - 1])
                }
            }
            next = batch.last + 1
        }
        #expect(next == 1_001)
        // Cells of 64 and the byte limit both cut: more batches than cells.
        #expect(batches.count > 1_000 / 64 + 1)
        // A restart at a batch's first record forms the same batches from there (dedup by message id).
        let restartAt = batches[7].first
        let again = Self.group(Array(records[Int(restartAt - 1)...]), from: restartAt, limits)
        #expect(again.map(\.bytes) == batches[7...].map(\.bytes))
        // Cut short by the head, the rest joins the cell's next batch; the cell after is the same again.
        let cut = Self.group(Array(records[0..<100]), from: 1, limits) + Self.group(Array(records[100...]), from: 101, limits)
        let nextCell = limits.cellEnd(of: 101) + 1
        #expect(cut.filter { $0.first >= nextCell }.map(\.bytes) == batches.filter { $0.first >= nextCell }.map(\.bytes))
    }

    @Test("a record larger than the byte limit goes alone; one-record limits give one record per batch")
    func limits() throws {
        let big = Envelope(type: RecordType(rawValue: 1), appendedAt: 1, workspace: nil, payload: Array(repeating: 7, count: 5_000))
        let records = [Self.storedRecords(1)[0], big.encoded(sequence: 2)] + Array(Self.storedRecords(4)[2...])
        let batches = Self.group(records, from: 1, RecordBatchLimits(maxRecords: 256, maxBytes: 1_024))
        #expect(batches.map { $0.first...$0.last } == [1...1, 2...2, 3...4])
        let single = Self.group(Self.storedRecords(5), from: 1, RecordBatchLimits(maxRecords: 1))
        #expect(single.map { $0.first...$0.last } == [1...1, 2...2, 3...3, 4...4, 5...5])
    }

    @Test("a batch ending at the last possible sequence number reads and builds without overflow")
    func lastSequence() throws {
        let record = Envelope(type: RecordType(rawValue: 1), appendedAt: 1, workspace: nil, payload: [1]).encoded(sequence: .max)
        let built = Self.group([record], from: .max, RecordBatchLimits())
        #expect(built.map { $0.first...$0.last } == [UInt64.max...UInt64.max])
        let batch = try RecordBatch(decoding: built[0].bytes)
        #expect(batch.sequences == UInt64.max...UInt64.max)
        batch.withRecord(at: 0) { #expect($0 == .max && Array($1) == record) }
    }

    @Test("unreadable batches are refused naming the byte and the reason")
    func refusals() throws {
        let good = Self.group(Self.storedRecords(3), from: 5, RecordBatchLimits())[0].bytes
        func refused(_ bytes: [UInt8]) -> RecordBatchError? {
            do {
                _ = try RecordBatch(decoding: bytes)
                return nil
            } catch {
                return error
            }
        }
        #expect(refused(Array(good[0..<12]))?.reason.contains("header") == true)
        var format = good
        format[0] = 9
        #expect(refused(format)?.reason.contains("unknown batch format 9") == true)
        var zeroFirst = good
        for index in 1...8 { zeroFirst[index] = 0 }
        #expect(refused(zeroFirst)?.offset == 1)
        var noRecords = good
        for index in 9...12 { noRecords[index] = 0 }
        #expect(refused(noRecords)?.reason == "no records")
        var tooMany = good
        tooMany[9] = 0x7f
        #expect(refused(tooMany)?.reason.contains("cannot fit") == true)
        let short = refused(Array(good.dropLast(3)))
        #expect(short?.reason.contains("record 7") == true, "\(String(describing: short))")
        #expect(refused(good + [0])?.reason == "1 bytes after the last record")
        var tinyRecord = good
        tinyRecord.replaceSubrange(13..<17, with: [0, 0, 0, 3])
        #expect(refused(tinyRecord)?.reason.contains("shorter than an envelope") == true)
        #expect(refused(good)?.description == nil)
        #expect(RecordBatchError(offset: 13, reason: "x").description == "unreadable record batch at byte 13: x")
    }

    @Test("message ids name a batch's records; one-record ids of streams written before batching still read")
    func messageIDs() throws {
        let layout = LogStream(stream: "s", storeID: UUID())
        let id = layout.messageID(first: 257, last: 512)
        #expect(id == "\(layout.storeID.uuidString.lowercased()):257-512")
        #expect(layout.records(ofMessageID: id) == 257...512)
        #expect(layout.records(ofMessageID: "\(layout.storeID.uuidString.lowercased()):42") == 42...42)
        #expect(layout.records(ofMessageID: "\(layout.storeID.uuidString.lowercased()):9-3") == nil)
        #expect(layout.records(ofMessageID: "\(layout.storeID.uuidString.lowercased()):0") == nil)
        #expect(layout.records(ofMessageID: "\(UUID().uuidString.lowercased()):1-2") == nil)
        #expect(layout.records(ofMessageID: nil) == nil)

        let records = Self.storedRecords(3)
        let batch = Self.group(records, from: 1, RecordBatchLimits())[0]
        #expect(try layout.batch(ofMessageID: layout.messageID(first: 1, last: 3), data: batch.bytes).count == 3)
        // The id and the payload must agree.
        #expect(throws: ReplicationError.self) { try layout.batch(ofMessageID: layout.messageID(first: 1, last: 4), data: batch.bytes) }
        #expect(throws: ReplicationError.self) { try layout.batch(ofMessageID: layout.messageID(first: 1, last: 3), data: Array(batch.bytes.dropLast())) }
        // A one-record message carries the stored record itself.
        let legacy = try layout.batch(ofMessageID: "\(layout.storeID.uuidString.lowercased()):2", data: records[1])
        #expect(legacy.sequences == 2...2)
        legacy.withRecord(at: 0) { #expect(Array($1) == records[1]) }
    }

    @Test("the acknowledged position is the last record of the last batch below which every batch is acknowledged")
    func acknowledgedPosition() {
        let layout = LogStream(stream: "s", storeID: UUID())
        let tracker = AckTracker(layout: layout)
        tracker.reset(to: 256)
        func ack(_ first: UInt64, _ last: UInt64, duplicate: Bool = false, failure: String? = nil) {
            tracker.record(layout.records(ofMessageID: layout.messageID(first: first, last: last)), duplicate: duplicate, failure: failure)
        }
        ack(513, 700)
        ack(701, 768, duplicate: true)
        #expect(tracker.acknowledged == 256)
        ack(257, 300)
        #expect(tracker.acknowledged == 300)
        ack(301, 512)
        #expect(tracker.acknowledged == 768)
        #expect(tracker.duplicates == 1)
        ack(100, 200)  // an old batch: no effect
        #expect(tracker.acknowledged == 768)
        #expect(tracker.failure == nil)
        ack(769, 800, failure: "timeout")
        #expect(tracker.failure?.contains("769…800") == true)
        #expect(tracker.acknowledged == 768)
    }
}

/// A replica applying batches inside one write transaction (the follower's step), on a real store.
@Suite("Replica batch application", .serialized)
struct ReplicaBatchTests {
    final class Stores {
        let tools: ToolBox
        let records: [[UInt8]]
        let replica: Store

        init(events: Int) throws {
            tools = try ToolBox()
            let primary = try tools.primary("primary", events: events)
            records = try ToolBox.records(primary)
            replica = try Store(path: tools.path("replica"), mode: .create)
        }

        deinit { tools.cleanUp() }

        /// The batch of the source's records `range`, decoded.
        func batch(_ range: ClosedRange<Int>) throws -> RecordBatch {
            let bytes = RecordBatchTests.group(Array(records[(range.lowerBound - 1)...(range.upperBound - 1)]), from: UInt64(range.lowerBound),
                                               RecordBatchLimits(maxRecords: 1 << 20, maxBytes: Int.max))
            #expect(bytes.count == 1)
            return try RecordBatch(decoding: bytes[0].bytes)
        }

        func apply(_ batches: [RecordBatch]) throws -> ReplicaBatches.Outcome {
            try replica.write { try ReplicaBatches.apply(batches, in: $0, measuring: true) }
        }

        var head: UInt64 { get throws { try replica.log.head() } }

        /// The replica's stored records, in order (read through the open store: one environment per process).
        var replicaRecords: [[UInt8]] {
            get throws {
                var records: [[UInt8]] = []
                try replica.log.forEach { record in record.withStoredBytes { records.append(Array($0)) } }
                return records
            }
        }
    }

    @Test("batches delivered out of order are unpacked and appended in sequence order; one beyond the head waits")
    func outOfOrder() throws {
        let stores = try Stores(events: 200)
        let count = stores.records.count
        #expect(count > 120)
        let outcome = try stores.apply([try stores.batch(41...80), try stores.batch(1...40), try stores.batch(101...120)])
        #expect(outcome.applied == 80)
        #expect(Set(outcome.handled) == [0, 1])  // 101…120 waits for 81…100
        #expect(outcome.appended.map(\.sequence) == Array(1...80))
        #expect(try stores.head == 80)
        let rest = try stores.apply([try stores.batch(101...count), try stores.batch(81...100)])
        #expect(rest.applied == UInt64(count - 80))
        #expect(try stores.replicaRecords == stores.records)
        #expect(try stores.replica.log.verify().isSound)
    }

    @Test("a batch overlapping the replica's head: the records it holds are checked and skipped, the rest appended")
    func overlap() throws {
        let stores = try Stores(events: 100)
        _ = try stores.apply([try stores.batch(1...50)])
        let outcome = try stores.apply([try stores.batch(31...70), try stores.batch(1...10)])
        #expect(outcome.skipped == 30)
        #expect(outcome.applied == 20)
        #expect(outcome.appended.map(\.sequence) == Array(51...70))
        #expect(try stores.head == 70)
        #expect(try stores.replicaRecords == Array(stores.records[0..<70]))
    }

    @Test("a batch with different bytes at a held sequence, or a damaged record, is refused and nothing of the transaction is written")
    func refusedWritesNothing() throws {
        let stores = try Stores(events: 100)
        _ = try stores.apply([try stores.batch(1...20)])
        // Record 15 of another log (another append time) inside an overlapping batch, after a good batch.
        let otherSealed = try #require(stores.records[14].withUnsafeBytes { raw -> Envelope? in
            try? RecordView(sequence: 15, bytes: raw, knownTypes: nil).envelope
        })
        var changed = otherSealed
        changed.appendedAt += 1
        var mixed = Array(stores.records[9..<30])
        mixed[5] = changed.encoded(sequence: 15)
        let overlapping = try RecordBatch(decoding: RecordBatchTests.group(mixed, from: 10, RecordBatchLimits(maxRecords: 1 << 20))[0].bytes)
        #expect(throws: ReplicaAppendError.differentRecord(sequence: 15)) {
            try stores.apply([try stores.batch(21...25), overlapping])
        }
        #expect(try stores.head == 20)
        // A flipped byte in a record beyond the head fails its checksum: nothing written either.
        var damaged = Array(stores.records[20..<40])
        damaged[3][damaged[3].count / 2] ^= 0x10
        let bad = try RecordBatch(decoding: RecordBatchTests.group(damaged, from: 21, RecordBatchLimits(maxRecords: 1 << 20))[0].bytes)
        #expect(throws: LogError.checksumMismatch(sequence: 24)) { try stores.apply([bad]) }
        #expect(try stores.head == 20)
        #expect(try stores.replicaRecords == Array(stores.records[0..<20]))
    }
}
