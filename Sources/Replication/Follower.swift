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
    /// Messages asked for per fetch (each fetch is applied in one write transaction).
    public var fetchBatch = 2_000
    /// How long one fetch waits for messages.
    public var fetchTimeoutMilliseconds: Int64 = 500
    /// How long a delivered message may stay unacknowledged before the stream delivers it again
    /// (also how long a restarted follower waits for what its killed predecessor had received).
    public var ackWaitMilliseconds: Int64 = 5_000
    /// Messages delivered and not yet applied at most (the reorder window).
    public var maxAckPending = 20_000
    /// How long a missing record may stay missing while later ones wait before it is a gap.
    public var gapGrace: Duration = .seconds(30)
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
    /// Messages skipped because the replica already held exactly that record.
    public var duplicatesSkipped: UInt64
}

/// Follows a store's JetStream subject into a replica store through a durable pull consumer: each
/// record is appended at its own sequence with its own bytes (same sequence numbers, same
/// checksums), folded through the same projector as every append, and its dedup-index and
/// idempotency-ledger entries are rebuilt in the same write transaction; messages are acknowledged
/// only after that transaction commits, so a killed follower resumes from its durable position.
/// A record that arrives ahead of a missing one waits (re-sends after a failed publish can land
/// out of order); a record the replica already holds must be byte for byte the same.
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
        let connection = try NATSConnection(servers: servers, name: "siglog-replicate follow")
        let jetStream = try JetStream(connection: connection)
        let exists = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("data.mdb"))
        let store = try Store(path: path, mode: exists ? .readWrite : .create)
        let marker = try store.log.replicaMarker().flatMap(ReplicaMarker.init(bytes:))
        let streamName = options.stream ?? marker?.stream ?? LogStream.defaultStreamName
        guard let state = try jetStream.streamState(streamName) else {
            throw ReplicationError("no stream \(streamName) in the cluster at \(redactedServerList(servers)): publish the writer first (siglog-replicate publish)")
        }
        guard state.subjects.count == 1, let sourceID = LogStream.storeID(ofSubject: state.subjects[0]) else {
            throw ReplicationError("stream \(streamName) is not a siglog log stream (subjects: \(state.subjects.joined(separator: ", ")))")
        }
        let layout = LogStream(stream: streamName, storeID: sourceID)
        let consumer = options.consumer ?? marker?.consumer ?? "replica-\(UUID().uuidString.prefix(8).lowercased())"
        try claimReplica(store, layout: layout, marker: marker, consumer: consumer)
        try jetStream.addConsumerIfMissing(stream: streamName, ConsumerSettings(
            durableName: consumer, filterSubject: layout.subject, ackWaitMilliseconds: options.ackWaitMilliseconds,
            maxAckPending: options.maxAckPending))
        let subscription = try jetStream.pullSubscription(stream: streamName, consumer: consumer, subject: layout.subject)

        var summary = FollowSummary(stream: layout, consumer: consumer, appliedThrough: try store.log.head(),
                                    recordsApplied: 0, duplicatesSkipped: 0)
        var waiting: [UInt64: [ConsumedMessage]] = [:]
        var streamEnd = summary.appliedThrough
        var gapSince: ContinuousClock.Instant?
        while true {
            let messages = try subscription.fetch(limit: options.fetchBatch, timeoutMilliseconds: options.fetchTimeoutMilliseconds)
            for message in messages {
                guard let sequence = layout.sequence(ofMessageID: message.messageID) else {
                    throw ReplicationError(
                        "message \(message.streamSequence) of stream \(streamName) carries no record id of store \(sourceID) (id: \(message.messageID ?? "none"))")
                }
                waiting[sequence, default: []].append(message)
                streamEnd = max(streamEnd, sequence + message.pending)
            }
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
            if waiting.isEmpty {
                gapSince = nil
            } else if messages.isEmpty {
                // Later records wait for a missing one: a re-send may still come; past the grace
                // period, with nothing left to deliver, it is a gap.
                let since = gapSince ?? ContinuousClock.now
                gapSince = since
                if ContinuousClock.now - since > options.gapGrace,
                    let consumerState = try jetStream.consumerState(stream: streamName, name: consumer), consumerState.pending == 0
                {
                    let next = waiting.keys.min()!
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
                let last = try jetStream.lastMessage(stream: streamName, subject: layout.subject)
                if layout.sequence(ofMessageID: last?.messageID) ?? 0 <= summary.appliedThrough { break }
            } else if options.follow && stop() {
                break
            }
        }
        try connection.flush()
        return summary
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

    private struct ApplyOutcome {
        var applied: UInt64 = 0
        var skipped: UInt64 = 0
        var head: UInt64 = 0
        var appended: [(sequence: UInt64, appendedAt: Int64)] = []
        var handled: [UInt64] = []
    }

    /// Appends every waiting record that extends the replica (and checks those it already holds) in
    /// one write transaction, then acknowledges them.
    private func apply(_ waiting: inout [UInt64: [ConsumedMessage]], to store: Store, streamEnd: UInt64) throws -> ApplyOutcome {
        let pending = waiting
        let measuring = options.onApplied != nil
        let outcome = try store.write { writer -> ApplyOutcome in
            var outcome = ApplyOutcome()
            let log = writer.writer
            for (sequence, copies) in pending where sequence <= log.head {
                for copy in copies {
                    _ = try copy.data.withUnsafeBytes { try log.appendReplicated($0, sequence: sequence) }
                }
                outcome.skipped += UInt64(copies.count)
                outcome.handled.append(sequence)
            }
            while let copies = pending[log.head + 1] {
                let sequence = log.head + 1
                for (index, copy) in copies.enumerated() {
                    try copy.data.withUnsafeBytes { bytes in
                        let result = try log.appendReplicated(bytes, sequence: sequence)
                        if index == 0 {
                            let view = try RecordView(sequence: sequence, bytes: bytes, knownTypes: nil)
                            try ReplicaIndexes.recordEntries(of: view, in: writer)
                            if measuring { outcome.appended.append((sequence, view.appendedAt)) }
                            _ = consume view
                        }
                        if result == .appended { outcome.applied += 1 } else { outcome.skipped += 1 }
                    }
                }
                outcome.handled.append(sequence)
            }
            outcome.head = log.head
            let now = nowMicroseconds()
            try log.recordShippedPosition(ShippingKey.applied, ShippedPosition(sequence: log.head, recordedAt: now))
            try log.recordShippedPosition(ShippingKey.streamEnd, ShippedPosition(sequence: max(streamEnd, log.head), recordedAt: now))
            if streamEnd <= log.head {
                try log.recordShippedPosition(ShippingKey.caughtUp, ShippedPosition(sequence: log.head, recordedAt: now))
            }
            return outcome
        }
        for sequence in outcome.handled {
            for message in waiting.removeValue(forKey: sequence) ?? [] { try message.ack() }
        }
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
