import EventLog
import Foundation
import NATSClient
import Replication
import SiglogCore
import Testing

/// Log shipping through a 3-node JetStream cluster on loopback, through the built tools.
/// Sizes: the short tier by default, the full sizes with `tools/test --full`.
@Suite("Replication through NATS JetStream", .serialized)
struct ReplicationTests {
    static let records = ToolBox.isFullTier ? 100_000 : 20_000
    static let publisherKills = ToolBox.isFullTier ? 10 : 3
    static let followerKills = ToolBox.isFullTier ? 10 : 3
    /// Messages per fetch of the killed followers (small, so a fetch is a small part of the log).
    static let fetchMessages = 8

    /// Publishes `store` to the cluster (stops at the head).
    @discardableResult
    func publish(_ tools: ToolBox, _ store: String, _ cluster: NATSCluster) throws -> JSONValue {
        try tools.must("siglog-replicate", ["publish", "--store", store, "--nats", cluster.serverList]).json.unwrap("publish JSON")
    }

    /// Follows the stream into `replica` until it holds everything.
    @discardableResult
    func follow(_ tools: ToolBox, _ replica: String, _ cluster: NATSCluster) throws -> JSONValue {
        try tools.must("siglog-replicate", ["follow", "--store", replica, "--nats", cluster.serverList]).json.unwrap("follow JSON")
    }

    /// The replica holds exactly the primary's records (bytes, sequence numbers, checksums) and the same views.
    func expectSameStore(_ tools: ToolBox, primary: String, replica: String) throws {
        let primaryRecords = try ToolBox.records(primary)
        let replicaRecords = try ToolBox.records(replica)
        #expect(replicaRecords.count == primaryRecords.count, "replica \(replica) has \(replicaRecords.count) records, primary \(primaryRecords.count)")
        let firstDifference = zip(primaryRecords, replicaRecords).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "record \((firstDifference ?? 0) + 1) differs")
        let a = try tools.fingerprints(primary)
        let b = try tools.fingerprints(replica)
        #expect(a.head == b.head)
        #expect(a.views == b.views)
    }

    @Test("a store published to a 3-node cluster and followed into two replicas: same records, same view fingerprints, replay --verify clean")
    func replicasMatchPrimary() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: Self.records)
        let published = try publish(tools, primary, cluster)
        let head = try tools.fingerprints(primary).head
        #expect(published["acknowledged_through"]?.numberValue == Double(head))
        #expect(published["created_stream"] == .bool(true))

        for name in ["replica-a", "replica-b"] {
            let replica = tools.path(name)
            let followed = try follow(tools, replica, cluster)
            #expect(followed["applied_through"]?.numberValue == Double(head))
            try expectSameStore(tools, primary: primary, replica: replica)
            let verify = try tools.run("siglog-replay", ["--verify", "--store", replica])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.json?["status"] == "ok")
            // Read-only for siglog-append, naming the promote command; reads work.
            let append = try tools.run("siglog-append", ["events", try tools.events(10, seed: 9, name: "more.ndjson"), "--store", replica])
            #expect(append.status == 67)
            #expect(append.stderr.contains("siglog-replicate promote --store \(replica)"))
            let stats = try tools.must("siglog-query", ["stats", "--store", replica, "--format", "json"]).json
            #expect(stats?["replication"]?["role"] == "replica")
            #expect(stats?["replication"]?["lag_records"]?.numberValue == 0)
        }

        let primaryLog = try EventLog(path: primary, mode: .readOnly)
        let replicaLog = try EventLog(path: tools.path("replica-a"), mode: .readOnly)
        #expect(try replicaLog.storeID() == primaryLog.storeID())

        // A second publish finds everything acknowledged: nothing sent.
        let again = try publish(tools, primary, cluster)
        #expect(again["messages_sent"]?.numberValue == 0)
        let stats = try tools.must("siglog-query", ["stats", "--store", primary, "--format", "json"]).json
        #expect(stats?["replication"]?["role"] == "writer")
        #expect(stats?["replication"]?["acknowledged_through"]?.numberValue == Double(head))

        // Status: two followers, no lag.
        let status = try tools.must("siglog-replicate", ["status", "--nats", cluster.serverList, "--store", primary]).json
        let followers = try status?["followers"]?.arrayValue.unwrap("followers")
        #expect(followers?.count == 2)
        #expect(followers?.allSatisfy { $0["lag_records"]?.numberValue == 0 && $0["applied_through"]?.numberValue == Double(head) } == true)
        #expect(status?["last_record"]?.numberValue == Double(head))
        #expect(status?["publisher"]?["lag_records"]?.numberValue == 0)
    }

    @Test("a NATS node killed in the middle of publishing: publishing goes on, the replica converges after the node returns")
    func nodeKilledWhilePublishing() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: Self.records / 2)
        let firstHead = try tools.fingerprints(primary).head
        let more = try tools.events(Self.records / 2, seed: 2, name: "more.ndjson")
        // The publisher tails the log while the second half is ingested; a node dies on the way.
        let publisher = try tools.start("siglog-replicate", ["publish", "--store", primary, "--nats", cluster.serverList,
                                                             "--follow", "--max-in-flight", "64"])
        let ingested = DispatchSemaphore(value: 0)
        Thread {
            _ = try? tools.run("siglog-append", ["events", more, "--store", primary, "--batch-size", "1000"])
            ingested.signal()
        }.start()
        let connection = try NATSConnection(servers: cluster.servers, name: "test")
        let jetStream = try JetStream(connection: connection)
        /// The last record the stream holds (a message holds a batch of records).
        func lastRecordInStream() -> UInt64 {
            guard let state = try? jetStream.streamState("siglog"), let subject = state.subjects.first,
                let id = LogStream.storeID(ofSubject: subject), let last = try? jetStream.lastMessage(stream: "siglog", subject: subject)
            else { return 0 }
            return LogStream(stream: "siglog", storeID: id).records(ofMessageID: last.messageID)?.upperBound ?? 0
        }
        var seen: UInt64 = 0
        while publisher.isRunning && seen < UInt64(firstHead / 2) {
            seen = lastRecordInStream()
            Thread.sleep(forTimeInterval: 0.01)
        }
        let victim = Int.random(in: 0..<3)
        try cluster.kill(victim)
        #expect(publisher.isRunning, "the publisher stopped before the node was killed")
        ingested.wait()
        let head = try tools.fingerprints(primary).head
        publisher.stop()
        let run = try publisher.finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.json?["acknowledged_through"]?.numberValue == Double(head))
        #expect(head > firstHead)
        try cluster.restart(victim)
        let replica = tools.path("replica")
        try follow(tools, replica, cluster)
        try expectSameStore(tools, primary: primary, replica: replica)
    }

    @Test("the publisher SIGKILLed at random moments while the primary ingests: the replica ends with exactly the primary's records")
    func publisherKilled() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: 0)
        let chunks = 4
        let files = try (0..<chunks).map { try tools.events(Self.records / chunks, seed: 100 + $0, name: "chunk-\($0).ndjson") }
        // Ingest in the background, chunk after chunk, while the publisher is killed and restarted.
        let ingested = DispatchSemaphore(value: 0)
        Thread {
            for file in files { _ = try? tools.run("siglog-append", ["events", file, "--store", primary, "--batch-size", "2000"]) }
            ingested.signal()
        }.start()
        var kills = 0
        while kills < Self.publisherKills {
            let publisher = try tools.start("siglog-replicate", ["publish", "--store", primary, "--nats", cluster.serverList,
                                                                 "--follow"])
            Thread.sleep(forTimeInterval: Double.random(in: 0.3...2.0))
            try publisher.kill()
            kills += 1
        }
        ingested.wait()
        try publish(tools, primary, cluster)
        let replica = tools.path("replica")
        try follow(tools, replica, cluster)
        try expectSameStore(tools, primary: primary, replica: replica)
        #expect(try tools.fingerprints(primary).head > Int64(Self.records / 2))
    }

    @Test("a follower SIGKILLed at random moments resumes from its durable position to the same end state")
    func followerKilled() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: Self.records)
        try publish(tools, primary, cluster)
        let replica = tools.path("replica")
        var heads: [UInt64] = []
        for _ in 0..<Self.followerKills {
            let follower = try tools.start("siglog-replicate", ["follow", "--store", replica, "--nats", cluster.serverList,
                                                                "--consumer", "killed-follower", "--fetch-messages", "\(Self.fetchMessages)"])
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...2.5))
            try follower.kill()
            if let log = try? EventLog(path: replica, mode: .readOnly) { heads.append(try log.head()) }
        }
        let finished = try tools.must("siglog-replicate", ["follow", "--store", replica, "--nats", cluster.serverList,
                                                           "--fetch-messages", "\(Self.fetchMessages)"]).json.unwrap("follow JSON")
        #expect(finished["consumer"] == "killed-follower")
        // It went on from its durable position: only what the killed run had applied and not yet
        // acknowledged (at most two fetches of full batches) came again, not the whole log.
        let twoFetches = 2 * Self.fetchMessages * RecordBatchLimits().maxRecords
        #expect(twoFetches < Self.records)
        #expect((finished["duplicates_skipped"]?.numberValue ?? .infinity) <= Double(twoFetches))
        try expectSameStore(tools, primary: primary, replica: replica)
        // Each restart went on from where the killed one stopped: the head never went back.
        #expect(heads == heads.sorted())
        let verify = try tools.run("siglog-replay", ["--verify", "--store", replica])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test("a new replica following through a consumer another replica used up: the run gives up with the positions and the remedy, instead of waiting forever")
    func usedUpConsumer() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: 2_000)
        try publish(tools, primary, cluster)
        let head = try tools.fingerprints(primary).head
        try tools.must("siglog-replicate", ["follow", "--store", tools.path("replica-a"), "--nats", cluster.serverList, "--consumer", "shared"])
        var options = FollowOptions()
        options.consumer = "shared"
        options.giveUpAfter = .seconds(2)
        let follower = LogFollower(replicaPath: tools.path("replica-b"), servers: cluster.servers, options: options)
        let error = #expect(throws: ReplicationError.self) { try follower.run() }
        let message = error?.message ?? ""
        #expect(message.contains("nothing delivered for 2 s while the stream holds records through \(head) and the replica through 0"), "\(message)")
        #expect(message.contains("consumer shared:"), "\(message)")
        #expect(message.contains("follow with a new --consumer"), "\(message)")
    }

    @Test("a missing first batch, the consumer held up at its max-ack-pending by a later one: the run reports the gap instead of waiting forever")
    func gapHoldingUpTheConsumer() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: 2_000)
        // The stream gets every batch of the log but its first.
        var batches: [(first: UInt64, last: UInt64, bytes: [UInt8])] = []
        let layout: LogStream
        do {
            let log = try EventLog(path: primary, mode: .readWrite)
            layout = LogStream(stream: "gappy", storeID: try log.ensureStoreID())
            var builder = RecordBatchBuilder()
            try log.forEach { record in
                if let batch = record.withStoredBytes({ builder.append(sequence: record.sequence, stored: $0) }) { batches.append(batch) }
            }
            if let batch = builder.finish() { batches.append(batch) }
        }
        #expect(batches.count >= 3)
        let connection = try NATSConnection(servers: cluster.servers, name: "test")
        let jetStream = try JetStream(connection: connection)
        _ = try jetStream.addStreamIfMissing(StreamSettings(name: layout.stream, subjects: [layout.subject], replicas: 3))
        for batch in batches.dropFirst() {
            try batch.bytes.withUnsafeBytes {
                try jetStream.publishAsync(subject: layout.subject, data: $0, messageID: layout.messageID(first: batch.first, last: batch.last))
            }
        }
        try jetStream.waitForPublishes(timeoutMilliseconds: 30_000)
        var options = FollowOptions()
        options.stream = layout.stream
        options.maxAckPending = 1
        options.gapGrace = .seconds(1)
        options.giveUpAfter = .seconds(3)
        let follower = LogFollower(replicaPath: tools.path("replica"), servers: cluster.servers, options: options)
        #expect(throws: ReplicaAppendError.gap(head: 0, found: batches[1].first)) { try follower.run() }
    }

    @Test("promotion: an incomplete replica is refused with the missing range; a caught-up one becomes the writer, appends, and the other replica follows it")
    func promotion() throws {
        let tools = try ToolBox()
        defer { tools.cleanUp() }
        let cluster = try NATSCluster(size: 3)
        defer { cluster.stop() }
        let primary = try tools.primary("primary", events: Self.records / 4)
        try publish(tools, primary, cluster)
        let first = tools.path("replica-a")
        let second = tools.path("replica-b")
        try follow(tools, first, cluster)
        try follow(tools, second, cluster)
        // More records reach the stream; only the first replica follows them.
        try tools.must("siglog-append", ["events", try tools.events(2_000, seed: 7, name: "late.ndjson"), "--store", primary])
        try publish(tools, primary, cluster)
        try follow(tools, first, cluster)
        let primaryHead = try tools.fingerprints(primary).head
        let secondHead = try tools.fingerprints(second).head

        // The primary is gone; the second replica is behind: refused, naming what it lacks.
        let refused = try tools.run("siglog-replicate", ["promote", "--store", second])
        #expect(refused.status == 67)
        #expect(refused.stderr.contains("records \(secondHead + 1)…\(primaryHead) are missing"), "\(refused.stderr)")

        let promoted = try tools.must("siglog-replicate", ["promote", "--store", first]).json
        #expect(promoted?["head"]?.numberValue == Double(primaryHead))
        let appended = try tools.run("siglog-append", ["events", try tools.events(1_000, seed: 8, name: "after.ndjson"), "--store", first])
        #expect(appended.status == 0, "\(appended.stderr)")
        // The dedup index came along with the records: the primary's first events are all duplicates here.
        let again = try tools.run("siglog-append", ["events", tools.path("primary-1.ndjson"), "--store", first])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json?["inserted"]?.numberValue == 0)
        #expect((again.json?["skipped_duplicate"]?.numberValue ?? 0) > 0)
        try publish(tools, first, cluster)
        // The old primary may not publish any more: the stream went on without it.
        let stale = try tools.run("siglog-replicate", ["publish", "--store", primary, "--nats", cluster.serverList])
        #expect(stale.status == 67)
        #expect(stale.stderr.contains("another store was promoted"), "\(stale.stderr)")

        try follow(tools, second, cluster)
        try expectSameStore(tools, primary: first, replica: second)
        #expect(try tools.fingerprints(first).head > primaryHead)
    }
}
