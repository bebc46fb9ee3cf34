import Dispatch
public import EventLog
import Foundation
import NATSClient
import Synchronization

/// What `publish` is asked to do.
public struct PublishOptions: Sendable {
    /// The stream to publish to (created when missing).
    public var stream = LogStream.defaultStreamName
    /// Replicas of a stream this publisher creates.
    public var replicas = 3
    /// Keep tailing the log after reaching its head (until `stop` says so).
    public var follow = false
    /// Messages (record batches) in flight (sent, not yet acknowledged) at most.
    public var maxInFlight = 64
    /// How records are grouped into messages.
    public var batchLimits = RecordBatchLimits()
    /// How often the acknowledged position is written to the store at most while publishing.
    public var positionInterval: Duration = .milliseconds(100)
    /// How long to wait for the head to move when following.
    public var pollInterval: Duration = .milliseconds(20)
    /// Give up after this long without any acknowledged progress while publishes fail.
    public var giveUpAfter: Duration = .seconds(120)

    /// Defaults: stream `siglog`, 3 replicas, stop at the head.
    public init() {}
}

/// What a publish run did.
public struct PublishSummary: Sendable, Equatable {
    /// The stream and subject it published to.
    public var stream: LogStream
    /// Whether it created the stream.
    public var createdStream: Bool
    /// The acknowledged position it started from.
    public var startedAfter: UInt64
    /// The acknowledged position at the end (every record up to it is in the stream).
    public var acknowledgedThrough: UInt64
    /// Messages (record batches) sent, including re-sends after failures.
    public var messagesSent: UInt64
    /// Records in the messages sent.
    public var recordsSent: UInt64
    /// Publishes the stream dropped as already held (re-publishes after a crash).
    public var duplicates: UInt64
    /// Times publishing restarted from the acknowledged position after failed publishes.
    public var restarts: Int
    /// Seconds from the first publish to the last acknowledgement (connecting, creating the stream
    /// and the checks before publishing left out).
    public var publishingSeconds: Double
}

/// Publishes a store's log to its JetStream subject: from the last acknowledged position, batches
/// of consecutive records (`RecordBatch`, grouped by `RecordBatchLimits`) with message id
/// `<store id>:<first>-<last>`, at most `maxInFlight` messages awaiting their acknowledgement, the
/// acknowledged position (the last record of the last batch below which every batch is
/// acknowledged) written to the store's shipping state in order. After failed publishes it waits
/// for the outstanding ones and starts again from the acknowledged position: since a batch is
/// determined by its first record (unless the head cut it short), the same batches are formed
/// again and the stream drops what it already holds (de-duplication by message id); followers skip
/// records they already hold when a re-publish is not dropped (a batch formed differently, or one
/// after the de-duplication window).
public final class LogPublisher: Sendable {
    private let log: EventLog
    private let servers: [String]
    private let options: PublishOptions

    /// A publisher of `log` to the cluster at `servers`.
    public init(log: EventLog, servers: [String], options: PublishOptions) {
        self.log = log
        self.servers = servers
        self.options = options
    }

    /// Publishes until the head is acknowledged (or, with `follow`, until `stop()` returns true).
    public func run(stop: @escaping @Sendable () -> Bool = { false }) throws -> PublishSummary {
        let storeID = try log.ensureStoreID()
        let layout = LogStream(stream: options.stream, storeID: storeID)
        let tracker = AckTracker(layout: layout)
        let connection = try NATSConnection(servers: servers, name: "siglog-replicate publish")
        let jetStream = try JetStream(
            connection: connection, maxPendingPublishes: options.maxInFlight, onPublish: { tracker.record($0) })
        let (state, created) = try jetStream.addStreamIfMissing(
            StreamSettings(name: layout.stream, subjects: [layout.subject], replicas: options.replicas))
        guard state.subjects.contains(layout.subject) else {
            throw ReplicationError(
                "stream \(layout.stream) carries \(state.subjects.joined(separator: ", ")), not this store's subject \(layout.subject): give each store its own stream (--stream NAME)")
        }
        try checkNoOtherWriter(jetStream, layout)

        let start = try log.shippedPosition(ShippingKey.published)?.sequence ?? 0
        tracker.reset(to: start)
        let recorder = PositionRecorder(log: log, start: start)
        var summary = PublishSummary(stream: layout, createdStream: created, startedAfter: start, acknowledgedThrough: start,
                                     messagesSent: 0, recordsSent: 0, duplicates: 0, restarts: 0, publishingSeconds: 0)
        let publishingStarted = ContinuousClock.now
        var next = start + 1
        var lastProgress = ContinuousClock.now
        var lastAcknowledged = start
        var lastRecorded = ContinuousClock.now
        while true {
            let head = try log.head()
            if tracker.failure != nil {
                // Let the outstanding publishes settle, then start again from the acknowledged position.
                try? jetStream.waitForPublishes(timeoutMilliseconds: 15_000)
                jetStream.abandonPendingPublishes()
                let acknowledged = tracker.acknowledged
                if ContinuousClock.now - lastProgress > options.giveUpAfter {
                    throw ReplicationError(
                        "publishing to \(layout.stream) makes no progress (acknowledged through \(acknowledged)): \(tracker.failure ?? "")")
                }
                tracker.reset(to: acknowledged)
                next = acknowledged + 1
                summary.restarts += 1
                Thread.sleep(forTimeInterval: 0.2)
                continue
            }
            if next <= head {
                // A read of whole cells (so no batch is cut short but by the head).
                let last = min(head, options.batchLimits.cellEnd(of: next + UInt64(options.batchLimits.maxRecords) * 15))
                var builder = RecordBatchBuilder(limits: options.batchLimits)
                func send(_ batch: (first: UInt64, last: UInt64, bytes: [UInt8])) throws {
                    try batch.bytes.withUnsafeBytes {
                        try jetStream.publishAsync(subject: layout.subject, data: $0, messageID: layout.messageID(first: batch.first, last: batch.last))
                    }
                    summary.messagesSent += 1
                    summary.recordsSent += batch.last - batch.first + 1
                }
                do {
                    try log.forEach(in: next...last) { record in
                        if let batch = record.withStoredBytes({ builder.append(sequence: record.sequence, stored: $0) }) {
                            try send(batch)
                        }
                    }
                    if let batch = builder.finish() { try send(batch) }
                } catch let error as NATSError {
                    tracker.fail("publish: \(error)")
                    continue
                }
                next = last + 1
            } else if options.follow && !stop() {
                Thread.sleep(forTimeInterval: options.pollInterval.seconds)
            } else {
                // At the head: wait for the last acknowledgements.
                do {
                    try jetStream.waitForPublishes(timeoutMilliseconds: 30_000)
                } catch let error as NATSError where error.isTimeout {
                    tracker.fail("acknowledgements did not come within 30 s")
                }
                if tracker.failure == nil && tracker.acknowledged >= head { break }
                if tracker.failure == nil { tracker.fail("acknowledgements missing after \(tracker.acknowledged)") }
                continue
            }
            let acknowledged = tracker.acknowledged
            if acknowledged != lastAcknowledged {
                lastAcknowledged = acknowledged
                lastProgress = ContinuousClock.now
            }
            if ContinuousClock.now - lastRecorded >= options.positionInterval {
                recorder.offer(acknowledged)
                lastRecorded = ContinuousClock.now
            }
        }
        summary.publishingSeconds = (ContinuousClock.now - publishingStarted).seconds
        summary.acknowledgedThrough = tracker.acknowledged
        summary.duplicates = tracker.duplicates
        try recorder.finish(summary.acknowledgedThrough)
        return summary
    }

    /// Refuses to publish when the stream holds records this store does not: another store was
    /// promoted to writer for this log, or this store lost records.
    private func checkNoOtherWriter(_ jetStream: JetStream, _ layout: LogStream) throws {
        guard let last = try jetStream.lastMessage(stream: layout.stream, subject: layout.subject),
            layout.records(ofMessageID: last.messageID) != nil
        else { return }
        let batch = try layout.batch(ofMessageID: last.messageID, data: last.data)
        let head = try log.head()
        guard batch.last <= head else {
            throw ReplicationError(
                "stream \(layout.stream) holds record \(batch.last) of this log but the store ends at \(head): another store was promoted to writer; this one must not publish (follow the new writer instead)")
        }
        var index = 0
        var different: UInt64?
        try log.forEach(in: batch.sequences) { record in
            let same = record.withStoredBytes { held in batch.withRecord(at: index) { _, sent in held.elementsEqual(sent) } }
            if !same && different == nil { different = record.sequence }
            index += 1
        }
        if let different {
            throw ReplicationError(
                "stream \(layout.stream) holds a different record \(different) than this store: another store was promoted to writer; this one must not publish")
        }
    }
}

/// Acknowledgements as they come (on the client library's thread): the acknowledged position is
/// the last record of the last batch below which every batch is acknowledged (batches are
/// acknowledged out of order; the position moves only over a contiguous run of them).
final class AckTracker: Sendable {
    private struct State {
        var acknowledged: UInt64 = 0
        /// Acknowledged batches beyond the position: first record → last record.
        var above: [UInt64: UInt64] = [:]
        var failure: String?
        var duplicates: UInt64 = 0
    }
    private let state = Mutex(State())
    private let layout: LogStream

    init(layout: LogStream) { self.layout = layout }

    var acknowledged: UInt64 { state.withLock { $0.acknowledged } }
    var failure: String? { state.withLock { $0.failure } }
    var duplicates: UInt64 { state.withLock { $0.duplicates } }

    func reset(to position: UInt64) {
        state.withLock { s in
            s.acknowledged = position
            s.above.removeAll()
            s.failure = nil
        }
    }

    func fail(_ reason: String) { state.withLock { $0.failure = $0.failure ?? reason } }

    func record(_ outcome: PublishOutcome) {
        record(layout.records(ofMessageID: outcome.messageID), duplicate: outcome.duplicate, failure: outcome.failure)
    }

    /// The outcome of the publish of the batch of `records` (nil: not a message of this log).
    func record(_ records: ClosedRange<UInt64>?, duplicate: Bool, failure: String?) {
        guard let records else { return }
        state.withLock { s in
            if let failure {
                if records.upperBound > s.acknowledged {
                    s.failure = s.failure ?? "records \(records.lowerBound)…\(records.upperBound): \(failure)"
                }
                return
            }
            if duplicate { s.duplicates += 1 }
            guard records.upperBound > s.acknowledged else { return }
            if records.lowerBound <= s.acknowledged + 1 {
                s.acknowledged = records.upperBound
            } else {
                s.above[records.lowerBound] = max(s.above[records.lowerBound] ?? 0, records.upperBound)
            }
            while let last = s.above.removeValue(forKey: s.acknowledged + 1) { s.acknowledged = max(s.acknowledged, last) }
        }
    }
}

/// Writes the acknowledged position to the store's shipping state on a thread of its own, so a
/// long write transaction of the ingest (which the position write must wait for) never stalls
/// publishing. Positions only move forward; a newer offer replaces one not yet written.
final class PositionRecorder: Sendable {
    private let log: EventLog
    private let queue = DispatchQueue(label: "siglog.publisher.position")
    private struct State {
        var offered: UInt64
        var written: UInt64
        var scheduled = false
        var failure: String?
    }
    private let state: Mutex<State>

    init(log: EventLog, start: UInt64) {
        self.log = log
        state = Mutex(State(offered: start, written: start))
    }

    func offer(_ position: UInt64) {
        let schedule = state.withLock { s -> Bool in
            guard position > s.offered else { return false }
            s.offered = position
            if s.scheduled { return false }
            s.scheduled = true
            return true
        }
        if schedule { queue.async { self.drain() } }
    }

    private func drain() {
        while true {
            let target = state.withLock { s -> UInt64? in
                if s.offered <= s.written {
                    s.scheduled = false
                    return nil
                }
                return s.offered
            }
            guard let target else { return }
            do {
                try log.recordShippedPosition(ShippingKey.published, ShippedPosition(sequence: target, recordedAt: nowMicroseconds()))
                state.withLock { $0.written = max($0.written, target) }
            } catch {
                state.withLock { s in
                    s.failure = "\(error)"
                    s.scheduled = false
                }
                return
            }
        }
    }

    /// Writes `position` now (after the background writes) and reports a failed background write.
    func finish(_ position: UInt64) throws {
        queue.sync {}
        if let failure = state.withLock({ $0.failure }) { throw ReplicationError("recording the acknowledged position failed: \(failure)") }
        if position > state.withLock({ $0.written }) {
            try log.recordShippedPosition(ShippingKey.published, ShippedPosition(sequence: position, recordedAt: nowMicroseconds()))
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
