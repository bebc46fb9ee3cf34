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
    /// Publishes in flight (sent, not yet acknowledged) at most.
    public var maxInFlight = 4_096
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
    /// Publishes sent, including re-sends after failures.
    public var messagesSent: UInt64
    /// Publishes the stream dropped as already held (re-publishes after a crash).
    public var duplicates: UInt64
    /// Times publishing restarted from the acknowledged position after failed publishes.
    public var restarts: Int
}

/// Publishes a store's log to its JetStream subject: from the last acknowledged position, each
/// record's stored bytes with message id `<store id>:<sequence>`, at most `maxInFlight` publishes
/// awaiting their acknowledgement, the acknowledged position (the highest sequence below which
/// every record is acknowledged) written to the store's shipping state in order. After failed
/// publishes it waits for the outstanding ones and starts again from the acknowledged position:
/// the stream drops what it already holds (de-duplication by message id), and followers skip a
/// record they already hold when a re-publish comes after the de-duplication window.
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
                                     messagesSent: 0, duplicates: 0, restarts: 0)
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
                let last = min(head, next + 1_023)
                do {
                    try log.forEach(in: next...last) { record in
                        try record.withStoredBytes { bytes in
                            try jetStream.publishAsync(subject: layout.subject, data: bytes, messageID: layout.messageID(record.sequence))
                        }
                    }
                } catch let error as NATSError {
                    tracker.fail("publish: \(error)")
                    continue
                }
                summary.messagesSent += last - next + 1
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
        summary.acknowledgedThrough = tracker.acknowledged
        summary.duplicates = tracker.duplicates
        try recorder.finish(summary.acknowledgedThrough)
        return summary
    }

    /// Refuses to publish when the stream holds records this store does not: another store was
    /// promoted to writer for this log, or this store lost records.
    private func checkNoOtherWriter(_ jetStream: JetStream, _ layout: LogStream) throws {
        guard let last = try jetStream.lastMessage(stream: layout.stream, subject: layout.subject),
            let sequence = layout.sequence(ofMessageID: last.messageID)
        else { return }
        let head = try log.head()
        guard sequence <= head else {
            throw ReplicationError(
                "stream \(layout.stream) holds record \(sequence) of this log but the store ends at \(head): another store was promoted to writer; this one must not publish (follow the new writer instead)")
        }
        let same = try log.record(at: sequence)?.encoded(sequence: sequence) == last.data
        guard same else {
            throw ReplicationError(
                "stream \(layout.stream) holds a different record \(sequence) than this store: another store was promoted to writer; this one must not publish")
        }
    }
}

/// Acknowledgements as they come (on the client library's thread): the acknowledged position is
/// the highest sequence below which every record is acknowledged.
final class AckTracker: Sendable {
    private struct State {
        var acknowledged: UInt64 = 0
        var above: Set<UInt64> = []
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
        guard let sequence = layout.sequence(ofMessageID: outcome.messageID) else { return }
        state.withLock { s in
            if let failure = outcome.failure {
                if sequence > s.acknowledged { s.failure = s.failure ?? "record \(sequence): \(failure)" }
                return
            }
            if outcome.duplicate { s.duplicates += 1 }
            guard sequence > s.acknowledged else { return }
            s.above.insert(sequence)
            while s.above.remove(s.acknowledged + 1) != nil { s.acknowledged += 1 }
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
