import EventLog
import Foundation
import NATSClient
import Pipeline
import Projections
import SiglogCore
import SiglogRecords

/// What `follow` is asked to do.
public struct FollowOptions: Sendable {
    /// The stream to follow (default: the replica's marker, else `siglog`).
    public var stream: String?
    /// The durable consumer's name (default: the replica's marker, else a new `replica-…` name).
    public var consumer: String?
    /// Keep following after the replica holds everything in the stream (until `stop` says so).
    public var follow = false
    /// Messages (record batches) taken per apply (one write transaction), also asked for per fetch;
    /// the next fetch runs while the one before is applied.
    public var fetchBatch = 64
    /// How long one fetch waits for messages.
    public var fetchTimeoutMilliseconds: Int64 = 500
    /// How long a delivered message may stay unacknowledged before the stream delivers it again
    /// (also how long a restarted follower waits for what its killed predecessor had received).
    public var ackWaitMilliseconds: Int64 = 5_000
    /// Messages delivered and not yet applied at most (the reorder window).
    public var maxAckPending = 4_096
    /// How long a missing record may stay missing while later ones wait before it is a gap.
    public var gapGrace: Duration = .seconds(30)
    /// A run that is not `follow`ing gives up after this long with nothing delivered while the
    /// stream holds records the replica lacks (say, a consumer that already acknowledged them for
    /// another replica), instead of waiting for them forever; any run gives up after this long with
    /// later records waiting for a missing one and the head not moving (a gap).
    public var giveUpAfter: Duration = .seconds(120)
    /// Called after each commit for every record it appended, with the record's append time and the
    /// commit's time (UTC µs), for lag measurements.
    public var onApplied: (@Sendable (_ sequence: UInt64, _ appendedAt: Int64, _ appliedAt: Int64) -> Void)?

    /// Defaults: the marker's stream and consumer, stop when caught up.
    public init() {}
}

/// What a follow run did.
public struct FollowSummary: Sendable, Equatable {
    /// The stream and the store id followed.
    public var stream: LogStream
    /// The durable consumer.
    public var consumer: String
    /// The replica's last sequence at the end.
    public var appliedThrough: UInt64
    /// Records appended by this run.
    public var recordsApplied: UInt64
    /// Records skipped because the replica already held exactly that record.
    public var duplicatesSkipped: UInt64
}

/// Follows a store's JetStream subject into a replica store through a durable pull consumer: each
/// message's batch of records is unpacked and every record appended at its own sequence with its
/// own bytes (same sequence numbers, same checksums), folded through the same projector as every
/// append, and its dedup-index and idempotency-ledger entries are rebuilt in the same write
/// transaction; messages are acknowledged only after that transaction commits, so a killed
/// follower resumes from its durable position. A batch that starts ahead of a missing record waits
/// (re-sends after a failed publish can land out of order); a record the replica already holds (a
/// batch may overlap the head) must be byte for byte the same. An unreadable batch stops the
/// follower before anything of its fetch is written.
public final class LogFollower: Sendable {
    private let path: String
    private let servers: [String]
    private let options: FollowOptions

    /// A follower into the replica store at `path` from the cluster at `servers`.
    public init(replicaPath: String, servers: [String], options: FollowOptions) {
        path = replicaPath
        self.servers = servers
        self.options = options
    }

    /// Follows until the replica holds every record of the stream (or, with `follow`, until `stop()`).
    public func run(stop: @escaping @Sendable () -> Bool = { false }) throws -> FollowSummary {
        // No write deadline: it puts the socket in non-blocking mode, and the follower, which mostly
        // reads, then ran slower in 5 of 6 interleaved pairs of tools/bench-replicate (median −9 %).
        // Its writes are small (fetch requests, acks); a server that stops serving is caught by the
        // no-delivery rule.
        let connection = try NATSConnection(servers: servers, name: "siglog-replicate follow", writeDeadlineMilliseconds: 0)
        let jetStream = try JetStream(connection: connection)
        let exists = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("data.mdb"))
        let store = try Store(path: path, mode: exists ? .readWrite : .create)
        let marker = try store.log.replicaMarker().flatMap(ReplicaMarker.init(bytes:))
        let streamName = options.stream ?? marker?.stream ?? LogStream.defaultStreamName
        guard let state = try retryingTimeouts({ try jetStream.streamState(streamName) }) else {
            throw ReplicationError("no stream \(streamName) in the cluster at \(redactedServerList(servers)): publish the writer first (siglog-replicate publish)")
        }
        guard state.subjects.count == 1, let sourceID = LogStream.storeID(ofSubject: state.subjects[0]) else {
            throw ReplicationError("stream \(streamName) is not a siglog log stream (subjects: \(state.subjects.joined(separator: ", ")))")
        }
        let layout = LogStream(stream: streamName, storeID: sourceID)
        let consumer = options.consumer ?? marker?.consumer ?? "replica-\(UUID().uuidString.prefix(8).lowercased())"
        try claimReplica(store, layout: layout, marker: marker, consumer: consumer)
        _ = try retryingTimeouts {
            try jetStream.addConsumerIfMissing(stream: streamName, ConsumerSettings(
                durableName: consumer, filterSubject: layout.subject, ackWaitMilliseconds: options.ackWaitMilliseconds,
                maxAckPending: options.maxAckPending))
        }
        let subscription = try jetStream.pullSubscription(stream: streamName, consumer: consumer, subject: layout.subject)
        let prefetcher = MessagePrefetcher(subscription: subscription, fetchLimit: options.fetchBatch,
                                           fetchTimeoutMilliseconds: options.fetchTimeoutMilliseconds, capacity: 2 * options.fetchBatch)
        defer { prefetcher.stop() }

        var summary = FollowSummary(stream: layout, consumer: consumer, appliedThrough: try store.log.head(),
                                    recordsApplied: 0, duplicatesSkipped: 0)
        var waiting: [Delivered] = []
        var streamEnd = summary.appliedThrough
        var streamEndAsked = ContinuousClock.now
        var gapSince: ContinuousClock.Instant?
        var lastDelivery = ContinuousClock.now
        while true {
            let messages = try prefetcher.next(limit: options.fetchBatch, timeoutMilliseconds: options.fetchTimeoutMilliseconds)
            if !messages.isEmpty { lastDelivery = ContinuousClock.now }
            var morePending = false
            for message in messages {
                let batch: RecordBatch
                do {
                    batch = try layout.batch(ofMessageID: message.messageID, data: message.data)
                } catch let error as ReplicationError {
                    throw ReplicationError("message \(message.streamSequence) of stream \(streamName): \(error.message)")
                }
                waiting.append(Delivered(batch: batch, message: message))
                streamEnd = max(streamEnd, batch.last)
                morePending = morePending || message.pending > 0
            }
            // The stream holds more than delivered: its last record, asked at most twice a second
            // (pending counts messages, not records).
            if morePending && ContinuousClock.now - streamEndAsked > .milliseconds(500) {
                streamEndAsked = ContinuousClock.now
                if let last = try? jetStream.lastMessage(stream: streamName, subject: layout.subject),
                    let records = layout.records(ofMessageID: last.messageID)
                {
                    streamEnd = max(streamEnd, records.upperBound)
                }
            }
            let headBefore = summary.appliedThrough
            if !waiting.isEmpty {
                let outcome = try apply(&waiting, to: store, streamEnd: streamEnd)
                summary.recordsApplied += outcome.applied
                summary.duplicatesSkipped += outcome.skipped
                summary.appliedThrough = outcome.head
                if let onApplied = options.onApplied {
                    let now = nowMicroseconds()
                    for (sequence, appendedAt) in outcome.appended { onApplied(sequence, appendedAt, now) }
                }
            }
            if waiting.isEmpty || summary.appliedThrough > headBefore {
                gapSince = nil
            }
            if !waiting.isEmpty && messages.isEmpty {
                // Later records wait for a missing one: a re-send may still come; past the grace
                // period, with nothing left to deliver, it is a gap — and past `giveUpAfter` without
                // the head moving even while the consumer holds more (it may be stuck at its
                // max-ack-pending behind the waiting batches).
                let since = gapSince ?? ContinuousClock.now
                gapSince = since
                let waited = ContinuousClock.now - since
                if waited > options.gapGrace,
                    let consumerState = try jetStream.consumerState(stream: streamName, name: consumer),
                    consumerState.pending == 0 || waited > options.giveUpAfter
                {
                    let next = waiting.map(\.batch.first).min()!
                    throw ReplicaAppendError.gap(head: summary.appliedThrough, found: next)
                }
            }
            if messages.isEmpty && waiting.isEmpty {
                if options.follow {
                    if stop() { break }
                    continue
                }
                // Caught up when the replica holds the stream's last record (the consumer's own
                // counts can lag behind while a cluster node restarts or a leader is elected).
                let last = try retryingTimeouts { try jetStream.lastMessage(stream: streamName, subject: layout.subject) }
                let lastRecord = layout.records(ofMessageID: last?.messageID)?.upperBound ?? 0
                if lastRecord <= summary.appliedThrough { break }
                if ContinuousClock.now - lastDelivery > options.giveUpAfter {
                    let state = try? retryingTimeouts { try jetStream.consumerState(stream: streamName, name: consumer) }
                    throw ReplicationError(stalled(consumer: consumer, state: state, lastRecord: lastRecord, applied: summary.appliedThrough))
                }
            } else if options.follow && stop() {
                break
            }
        }
        try connection.flush()
        return summary
    }

    /// Why a catch-up run gave up: what the stream holds, what the replica holds, where the consumer is.
    private func stalled(consumer: String, state: ConsumerState?, lastRecord: UInt64, applied: UInt64) -> String {
        let seconds = Int(options.giveUpAfter.components.seconds)
        var text = "nothing delivered for \(seconds) s while the stream holds records through \(lastRecord) and the replica through \(applied)"
        if let state {
            text += " (consumer \(consumer): acknowledged through stream message \(state.ackFloorStreamSequence), "
                + "\(state.pending) not delivered, \(state.ackPending) awaiting acknowledgement)"
            if state.pending == 0 && state.ackPending == 0 {
                text += ": the consumer has passed records this replica lacks — if another replica used it, follow with a new --consumer"
            }
        } else {
            text += " (consumer \(consumer): no state)"
        }
        return text
    }

    /// Marks the store as a replica of `layout` (its id and the marker), refusing a store that
    /// holds another log or is a writer with records of its own.
    private func claimReplica(_ store: Store, layout: LogStream, marker: ReplicaMarker?, consumer: String) throws {
        let log = store.log
        if let id = try log.storeID(), id != layout.storeID {
            throw ReplicationError("the store at \(path) holds log \(id.uuidString.lowercased()), not \(layout.storeID.uuidString.lowercased()) of stream \(layout.stream)")
        }
        let head = try log.head()
        if marker == nil && head > 0 {
            throw ReplicationError("the store at \(path) is a writer with \(head) records of its own, not a replica: follow into a new directory")
        }
        let newMarker = ReplicaMarker(stream: layout.stream, consumer: consumer, servers: servers)
        let currentID = try log.storeID()
        guard newMarker != marker || currentID == nil else { return }
        try log.write { writer in
            try writer.setMetadata(EventLog.storeIDKey, withUnsafeBytes(of: layout.storeID.uuid) { Array($0) })
            try writer.setMetadata(EventLog.replicaKey, newMarker.bytes)
        }
    }

    /// A delivered message and the records it carries.
    private struct Delivered {
        var batch: RecordBatch
        var message: ConsumedMessage
    }

    /// Appends the records of every waiting batch that reaches the replica's head (and checks those
    /// it already holds) in one write transaction, then acknowledges those batches' messages.
    private func apply(_ waiting: inout [Delivered], to store: Store, streamEnd: UInt64) throws -> ReplicaBatches.Outcome {
        let batches = waiting.map(\.batch)
        let measuring = options.onApplied != nil
        let outcome = try store.write { writer -> ReplicaBatches.Outcome in
            let outcome = try ReplicaBatches.apply(batches, in: writer, measuring: measuring)
            let log = writer.writer
            let now = nowMicroseconds()
            try log.recordShippedPosition(ShippingKey.applied, ShippedPosition(sequence: log.head, recordedAt: now))
            try log.recordShippedPosition(ShippingKey.streamEnd, ShippedPosition(sequence: max(streamEnd, log.head), recordedAt: now))
            if streamEnd <= log.head {
                try log.recordShippedPosition(ShippingKey.caughtUp, ShippedPosition(sequence: log.head, recordedAt: now))
            }
            return outcome
        }
        for index in outcome.handled { try waiting[index].message.ack() }
        let handled = Set(outcome.handled)
        waiting = waiting.indices.filter { !handled.contains($0) }.map { waiting[$0] }
        return outcome
    }
}

/// How a replica applies record batches inside a write transaction.
enum ReplicaBatches {
    /// What applying did.
    struct Outcome {
        /// Records appended.
        var applied: UInt64 = 0
        /// Records the replica already held, byte for byte.
        var skipped: UInt64 = 0
        /// The replica's last sequence afterwards.
        var head: UInt64 = 0
        /// Each appended record's sequence and append time (when measuring).
        var appended: [(sequence: UInt64, appendedAt: Int64)] = []
        /// Indices of the batches applied; the others start beyond the head and wait.
        var handled: [Int] = []
    }

    /// Applies, in `writer`'s transaction and in order of first record, every batch that reaches the
    /// head: its records at or below the head must be byte for byte the ones held (skipped), the
    /// rest are appended at their sequence with their index entries. A batch that starts beyond
    /// head + 1 is left for later. A refused record (different bytes, a bad checksum) throws and
    /// the caller's transaction writes nothing.
    static func apply(_ batches: [RecordBatch], in writer: StoreWriter, measuring: Bool) throws -> Outcome {
        var outcome = Outcome()
        let log = writer.writer
        let order = batches.indices.sorted { batches[$0].first < batches[$1].first }
        // Sorted by first record, a batch that starts beyond head + 1 means every later one does too.
        for index in order where batches[index].first <= log.head + 1 {
            let batch = batches[index]
            for position in 0..<batch.count {
                try batch.withRecord(at: position) { sequence, bytes in
                    if sequence <= log.head {
                        _ = try log.appendReplicated(bytes, sequence: sequence)
                        outcome.skipped += 1
                        return
                    }
                    _ = try log.appendReplicated(bytes, sequence: sequence)
                    let view = try RecordView(sequence: sequence, bytes: bytes, knownTypes: nil)
                    try ReplicaIndexes.recordEntries(of: view, in: writer)
                    if measuring { outcome.appended.append((sequence, view.appendedAt)) }
                    _ = consume view
                    outcome.applied += 1
                }
            }
            outcome.handled.append(index)
        }
        outcome.head = log.head
        return outcome
    }
}

/// The dedup-index and idempotency-ledger entries a replica rebuilds from each record (the keys
/// are the write side's, `LogIndexes`).
enum ReplicaIndexes {
    /// Writes, inside `writer`'s transaction, the index entries `record` implies: the dedup entry of
    /// an event with a source event id (the first occurrence wins, as on ingest), and the ledger
    /// entry of a run that completed with an idempotency key (its `JobRunStarted` is read back from
    /// the log in the same transaction).
    static func recordEntries(of record: borrowing RecordView, in writer: StoreWriter) throws {
        switch record.type {
        case .eventStored:
            guard case .eventStored(let event) = try AnyRecord(record), let id = event.sourceEventID else { return }
            try writer.recordDedup(LogIndexes.dedupKey(source: event.source, sourceEventID: id), sequence: record.sequence)
        case .jobRunFinished:
            guard case .jobRunFinished(let finished) = try AnyRecord(record), finished.status == .completed else { return }
            let log = writer.writer.log
            let started = try log.withRecord(at: finished.jobRunID, in: writer.writer.transaction) { try AnyRecord($0) }
            guard case .jobRunStarted(let start)? = started, let key = start.idempotencyKey, let workspace = start.workspaceID
            else { return }
            try writer.recordIdempotentResult(
                workspace: workspace, key: LogIndexes.ledgerKey(jobType: start.jobType, idempotencyKey: key),
                result: withUnsafeBytes(of: finished.jobRunID.bigEndian) { Array($0) })
        default:
            return
        }
    }
}
