import EventLog
import Foundation
import NATSClient
import Testing

/// `LogWriter.appendReplicated`: records copied at their own sequence; refusals write nothing.
@Suite("Replicated appends")
struct ReplicatedAppendTests {
    final class Logs {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-replicated-\(UUID().uuidString)")
        let source: EventLog
        let replica: EventLog

        init(records: Int) throws {
            var options = EventLog.Options()
            options.durable = false
            source = try EventLog(path: directory.appendingPathComponent("source").path, mode: .create, options: options)
            replica = try EventLog(path: directory.appendingPathComponent("replica").path, mode: .create, options: options)
            let envelopes = (0..<records).map {
                Envelope(type: RecordType(rawValue: 1), appendedAt: Int64($0) * 1_000, workspace: nil, payload: Array("record \($0)".utf8))
            }
            try source.append(envelopes)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// The stored bytes of the source's record `sequence`.
        func stored(_ sequence: UInt64) throws -> [UInt8] {
            try source.record(at: sequence).unwrap("record \(sequence)").encoded(sequence: sequence)
        }

        /// Appends `records` (sequence, bytes) to the replica in one transaction.
        @discardableResult
        func copy(_ records: [(UInt64, [UInt8])]) throws -> [ReplicatedAppend] {
            try replica.write { writer in
                try records.map { sequence, bytes in try bytes.withUnsafeBytes { try writer.appendReplicated($0, sequence: sequence) } }
            }
        }
    }

    @Test("records copied at their sequence are byte for byte the source's; a copy of a held record is skipped")
    func copies() throws {
        let logs = try Logs(records: 50)
        let outcomes = try logs.copy(try (1...50).map { ($0, try logs.stored($0)) })
        #expect(outcomes == Array(repeating: .appended, count: 50))
        #expect(try logs.replica.verify().isSound)
        for sequence in UInt64(1)...50 {
            #expect(try logs.replica.record(at: sequence)?.encoded(sequence: sequence) == logs.stored(sequence))
        }
        #expect(try logs.copy([(7, try logs.stored(7))]) == [.alreadyPresent])
        #expect(try logs.replica.head() == 50)
    }

    @Test("a gap is refused and nothing of the transaction is written")
    func gap() throws {
        let logs = try Logs(records: 10)
        try logs.copy([(1, try logs.stored(1)), (2, try logs.stored(2))])
        #expect(throws: ReplicaAppendError.gap(head: 3, found: 5)) {
            try logs.copy([(3, try logs.stored(3)), (5, try logs.stored(5))])
        }
        #expect(try logs.replica.head() == 2)
    }

    @Test("different bytes at a held sequence are refused and nothing of the transaction is written")
    func differentRecord() throws {
        let logs = try Logs(records: 10)
        try logs.copy([(1, try logs.stored(1)), (2, try logs.stored(2))])
        let other = Envelope(type: RecordType(rawValue: 1), appendedAt: 5, workspace: nil, payload: [1, 2, 3]).encoded(sequence: 2)
        #expect(throws: ReplicaAppendError.differentRecord(sequence: 2)) {
            try logs.copy([(3, try logs.stored(3)), (2, other)])
        }
        #expect(try logs.replica.head() == 2)
        #expect(try logs.replica.record(at: 2)?.encoded(sequence: 2) == logs.stored(2))
    }

    @Test("a damaged record (or one sent under another sequence) fails its checksum and is not written")
    func checksum() throws {
        let logs = try Logs(records: 3)
        var damaged = try logs.stored(1)
        damaged[damaged.count / 2] ^= 0x40
        #expect(throws: LogError.checksumMismatch(sequence: 1)) { try logs.copy([(1, damaged)]) }
        #expect(throws: LogError.checksumMismatch(sequence: 1)) { try logs.copy([(1, try logs.stored(2))]) }
        #expect(try logs.replica.head() == 0)
    }

    @Test("the store id is created once and kept; the replica marker and shipped positions round-trip")
    func shippingState() throws {
        let logs = try Logs(records: 3)
        #expect(try logs.source.storeID() == nil)
        let id = try logs.source.ensureStoreID()
        #expect(try logs.source.ensureStoreID() == id)
        #expect(try logs.source.storeID() == id)
        let marker = ReplicaMarker(stream: "east", consumer: "replica-1", servers: ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"])
        #expect(ReplicaMarker(bytes: marker.bytes) == marker)
        try logs.source.recordShippedPosition(ShippingKey.published, ShippedPosition(sequence: 2, recordedAt: 1_000))
        #expect(try logs.source.shippedPosition(ShippingKey.published) == ShippedPosition(sequence: 2, recordedAt: 1_000))
        let figures = try logs.source.shippingFigures(now: 3_000_000)
        #expect(figures.lagRecords == 1)
        #expect(figures.published?.sequence == 2)
        #expect(figures.lagSeconds == Double(3_000_000 - 2_000) / 1e6)  // record 3 was appended at 2,000 µs
        #expect(try logs.source.head() == 3)  // shipping state is not a log record
    }
}

@Suite("Server URLs in messages")
struct ServerURLTests {
    @Test("credentials in a server URL are never printed")
    func redaction() {
        #expect(redactedServerURL("nats://alice:s3cret@nats-a:4222") == "nats://***@nats-a:4222")
        #expect(redactedServerURL("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222")
        #expect(redactedServerList(["nats://token@a:1", "nats://b:2"]) == "nats://***@a:1,nats://b:2")
        #expect(!redactedServerList(["nats://u:p@x:1"]).contains("p@"))
    }
}
