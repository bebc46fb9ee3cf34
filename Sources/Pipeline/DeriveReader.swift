import EventLog
import Foundation
import Scoring
import SiglogCore
import SiglogRecords

/// A pack event as the derive fold takes it from `DeriveReader`.
enum DeriveBatch: Sendable {
    /// Events of a passthrough-only pack: the fields the fold reads and the slot of the type's signal,
    /// no strings (so the two threads never share a reference count).
    case passthrough([PassthroughEvent])
    /// Events of a pack with pattern derivers, which read the texts.
    case events([DeriverEvent])
}

/// An event of a passthrough-only pack: `SignalAggregator.add(id:entityID:passthroughSlot:eventTime:confidence:)`'s arguments.
struct PassthroughEvent: Sendable {
    var id: Int
    var entityID: Int
    /// `SignalAggregator.passthroughSlot(ofType:)` of the event's type; -1 when it derives nothing.
    var slot: Int32
    var eventTime: Timestamp
    var confidence: Double?
}

/// Reads, checks and decodes the log's pack events for the derive stage on a thread of its own,
/// while the calling thread folds the events decoded before: the read and the fold use both cores.
///
/// The events are handed over in log order, and an error (a damaged or undecodable record, an
/// interruption) at its place, after every event before it — so the fold sees exactly the events
/// it would have seen reading the log itself and fails at the same record with the same error.
/// The reader has its own read transaction, opened inside the caller's write transaction: no other
/// writer can commit while that is open, so it sees the log the writer sees (less what the writer
/// appended itself, which is never a stored event before the fold). It has ended when this returns,
/// whichever way: a write transaction that runs again (the map grew) needs every read transaction
/// of the process closed.
enum DeriveReader {
    /// Events per hand-over.
    static let batchSize = 4096
    /// Hand-overs waiting at most (bounds the memory whatever the log's size).
    static let capacity = 8

    /// Calls `fold` on the calling thread with the events of `decoder`'s pack (log order), those
    /// with `event_time < bound` when a bound is given, decoded on a second thread. With
    /// `passthroughSlots` (a passthrough-only pack: its slot per event type) the batches are
    /// `.passthrough`, else `.events`. Checks `interruption` every 65,536 records. Rethrows the
    /// first error, at its record's place.
    static func forEach(
        _ log: EventLog, decoder: LeanEventDecoder, bound: Timestamp?, passthroughSlots: [String: Int32]?,
        interruption: Interruption, _ fold: (DeriveBatch) throws -> Void
    ) throws {
        let channel = BoundedChannel<DeriveBatch>(capacity: capacity)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            struct Stopped: Error {}
            var decoder = decoder
            var passthrough: [PassthroughEvent] = []
            var events: [DeriverEvent] = []
            // The last type looked up and its slot: a log's types repeat, and interned strings
            // compare at once.
            var lastType = ""
            var lastSlot: Int32 = -1
            func handOver() -> Bool {
                if passthroughSlots != nil {
                    if passthrough.isEmpty { return true }
                    defer { passthrough = []; passthrough.reserveCapacity(batchSize) }
                    return channel.put(.passthrough(passthrough))
                }
                if events.isEmpty { return true }
                defer { events = []; events.reserveCapacity(batchSize) }
                return channel.put(.events(events))
            }
            do {
                try log.read { transaction in
                    try log.forEach(in: transaction) { record in
                        if record.sequence % 65_536 == 0 { try interruption.check() }
                        guard record.type == .eventStored, let event = try decoder.decode(record) else { return true }
                        if let bound, event.eventTime >= bound { return true }
                        if let passthroughSlots {
                            if event.eventType != lastType {
                                lastType = event.eventType
                                lastSlot = passthroughSlots[lastType] ?? -1
                            }
                            passthrough.append(PassthroughEvent(id: Int(event.id), entityID: Int(event.companyID), slot: lastSlot,
                                                                eventTime: event.eventTime, confidence: event.confidence))
                            if passthrough.count == batchSize, !handOver() { throw Stopped() }
                        } else {
                            events.append(event.deriverEvent)
                            if events.count == batchSize, !handOver() { throw Stopped() }
                        }
                        return true
                    }
                }
                _ = handOver()
                channel.close()
            } catch is Stopped {
                channel.close()
            } catch {
                // The events before the failing record first, then the failure.
                _ = handOver()
                channel.close(failure: error)
            }
        }
        thread.name = "siglog-derive-reader"
        thread.start()
        defer {
            channel.cancel()
            finished.wait()
        }
        while let batch = try channel.take() { try fold(batch) }
    }
}
