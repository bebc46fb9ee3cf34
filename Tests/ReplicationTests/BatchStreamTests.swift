import EventLog
import Foundation
import NATSClient
import Replication
import SiglogCore
import Testing

extension ReplicationTests {
    @Test("a stream written one record per message (before batching) is followed, and the batch publisher continues it from its acknowledged position")
    func oneRecordMessagesThenBatches() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: 2_000)
        let records = try ToolBox.records(primary)
        let halfway = UInt64(records.count / 2)
        let layout: LogStream
        do {
            let log = try EventLog(path: primary, mode: .readWrite)
            layout = LogStream(stream: LogStream.defaultStreamName, storeID: try log.ensureStoreID())
            // The first half as the publisher wrote it before batching: one record per message,
            // id `<store id>:<sequence>`, its acknowledged position kept in the store.
            let connection = try NATSConnection(servers: cluster.servers, name: "test")
            let jetStream = try JetStream(connection: connection)
            _ = try jetStream.addStreamIfMissing(StreamSettings(name: layout.stream, subjects: [layout.subject], replicas: 3))
            for sequence in 1...halfway {
                try records[Int(sequence) - 1].withUnsafeBytes {
                    try jetStream.publishAsync(subject: layout.subject, data: $0, messageID: "\(layout.storeID.uuidString.lowercased()):\(sequence)")
                }
            }
            try jetStream.waitForPublishes(timeoutMilliseconds: 60_000)
            try log.recordShippedPosition(ShippingKey.published, ShippedPosition(sequence: halfway, recordedAt: 0))
        }
        let published = try publish(tools, primary, cluster)
        #expect(published["started_after"]?.numberValue == Double(halfway))
        #expect(published["records_sent"]?.numberValue == Double(UInt64(records.count) - halfway))
        // Batches: far fewer messages than records.
        #expect((published["messages_sent"]?.numberValue ?? .infinity) <= Double(records.count) / 8)
        let replica = tools.path("replica")
        let followed = try follow(tools, replica, cluster)
        #expect(followed["duplicates_skipped"]?.numberValue == 0)
        try expectSameStore(tools, primary: primary, replica: replica)
        let status = try tools.must("siglog-replicate", ["status", "--nats", cluster.serverList, "--store", primary]).json
        #expect(status?["last_record"]?.numberValue == Double(records.count))
        #expect(status?["messages"]?.numberValue == Double(halfway) + (published["messages_sent"]?.numberValue ?? 0))
    }

    @Test("a corrupt or short batch in the stream stops the follower with a clear error and nothing of its fetch written")
    func corruptBatch() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: 1_000)
        try publish(tools, primary, cluster)
        let replica = tools.path("replica")
        try follow(tools, replica, cluster)
        let head = UInt64(try tools.fingerprints(primary).head)
        let log = try EventLog(path: primary, mode: .readOnly)
        let layout = LogStream(stream: LogStream.defaultStreamName, storeID: try #require(try log.storeID()))
        let connection = try NATSConnection(servers: cluster.servers, name: "test")
        let jetStream = try JetStream(connection: connection)
        // Two good records beyond the head in a batch, then the same batch cut short under the next ids.
        let good = Envelope(type: RecordType(rawValue: 1), appendedAt: 1, workspace: nil, payload: [])
        var builder = RecordBatchBuilder()
        _ = good.encoded(sequence: head + 1).withUnsafeBytes { builder.append(sequence: head + 1, stored: $0) }
        _ = good.encoded(sequence: head + 2).withUnsafeBytes { builder.append(sequence: head + 2, stored: $0) }
        let finished = builder.finish()
        let batch = try #require(finished)
        try Array(batch.bytes.dropLast(5)).withUnsafeBytes {
            try jetStream.publishAsync(subject: layout.subject, data: $0, messageID: layout.messageID(first: head + 1, last: head + 2))
        }
        try jetStream.waitForPublishes(timeoutMilliseconds: 30_000)
        let refused = try tools.run("siglog-replicate", ["follow", "--store", replica, "--nats", cluster.serverList])
        #expect(refused.status == 67, "\(refused.stderr)")
        #expect(refused.stderr.contains("unreadable record batch"), "\(refused.stderr)")
        #expect(refused.stderr.contains("\(head + 1)-\(head + 2)"), "\(refused.stderr)")
        #expect(try tools.fingerprints(replica).head == Int64(head))
        #expect(try ToolBox.records(replica) == ToolBox.records(primary))
    }
}
