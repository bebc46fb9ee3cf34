import EventLog
import Foundation
import Projections
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

extension DeriveBatch {
    /// How many events the batch holds.
    var count: Int {
        switch self {
        case .passthrough(let events): events.count
        case .events(let events): events.count
        }
    }

    /// Adds the batch's events to `aggregator`, in order.
    func fold(into aggregator: inout SignalAggregator) {
        switch self {
        case .passthrough(let events):
            for event in events {
                aggregator.add(id: event.id, entityID: event.entityID, passthroughSlot: event.slot < 0 ? nil : Int(event.slot),
                               eventTime: event.eventTime, confidence: event.confidence)
            }
        case .events(let events):
            for event in events { aggregator.add(event) }
        }
    }
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

/// Decodes a passthrough-only pack's events straight to `PassthroughEvent`: the fields
/// `LeanEventDecoder` reads for such a pack, with the same checks and the same errors, but the type
/// looked up by its bytes instead of made a `String` (and the source checked, not made a `String`).
struct PassthroughDecoder: Sendable {
    /// Events of other packs decode to nil.
    let pack: UUID
    /// Each passthrough event type's bytes and its signal slot.
    private let types: [(bytes: [UInt8], slot: Int32)]
    /// The slot of an event without a type (`LeanEventDecoder` leaves it "").
    private let untypedSlot: Int32

    /// A decoder of `pack`'s events, with the slot of each passthrough event type.
    init(pack: UUID, slots: [String: Int32]) {
        self.pack = pack
        types = slots.map { (Array($0.key.utf8), $0.value) }
        untypedSlot = slots[""] ?? -1
    }

    /// The slot of the type whose UTF-8 bytes are `raw`; -1 when the pack derives nothing from it.
    private func slot(of raw: UnsafeRawBufferPointer) -> Int32 {
        for type in types where type.bytes.count == raw.count {
            let equal = type.bytes.withUnsafeBytes { raw.count == 0 || memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
            if equal { return type.slot }
        }
        return -1
    }

    /// The event in `record` (a stored event) when it is of the pack; nil for another pack. A
    /// payload that does not decode is `LogError.undecodablePayload`, as `LeanEventDecoder` says it.
    func decode(_ record: borrowing RecordView) throws -> PassthroughEvent? {
        typealias F = EventStored.Field
        let id = record.sequence
        do {
            return try record.withPayload { payload -> PassthroughEvent? in
                var reader = PayloadReader(payload)
                var event = PassthroughEvent(id: Int(id), entityID: 0, slot: untypedSlot, eventTime: Timestamp(microseconds: 0),
                                             confidence: nil)
                var samePack = false
                while let f = try reader.next() {
                    switch f.number {
                    case F.companyID: event.entityID = Int(try f.int64())
                    case F.source: _ = try f.rawBytes()
                    case F.eventType: event.slot = slot(of: try f.rawBytes())
                    case F.eventTime: event.eventTime = try f.timestamp()
                    case F.confidence: event.confidence = try f.double()
                    case F.pack: samePack = try f.isUUID(pack)
                    default: break
                    }
                }
                return samePack ? event : nil
            }
        } catch let error as PayloadError {
            throw LogError.undecodablePayload(sequence: id, reason: error.description)
        }
    }
}

/// Reads, checks and decodes the log's pack events for the derive stage on a thread of its own,
/// while the calling thread folds the events decoded before: the read and the fold use both cores.
///
/// The events are handed over in log order, and an error (a damaged or undecodable record, an
/// interruption) at its place, after every event before it — so the fold sees exactly the events
/// it would have seen reading the log itself and fails at the same record with the same error.
/// The reader reads in a committed read of the caller's write transaction (`StoreWriter.withCommittedReads`):
/// a read-only transaction on the snapshot the write started from, checked to be that snapshot, so
/// it sees the log the writer sees (less what the writer appended itself, which is never a stored
/// event before the fold), and it takes no part in the store's transaction gate, so it cannot wait
/// behind a map resize that waits for the writer. It has ended when this returns, whichever way: a
/// write transaction that runs again (the map grew) needs every read transaction of the process closed.
enum DeriveReader {
    /// Events per hand-over.
    static let batchSize = 4096
    /// Hand-overs waiting at most (bounds the memory whatever the log's size).
    static let capacity = 8

    /// The slot of each passthrough type's signal when `aggregator`'s pack derives by passthrough
    /// only (`forEach` then hands over `.passthrough` batches), else nil.
    static func passthroughSlots(of aggregator: SignalAggregator, derivers: DeriverSet) -> [String: Int32]? {
        guard aggregator.isPassthroughOnly else { return nil }
        return derivers.passthrough.keys.reduce(into: [:]) { slots, type in
            slots[type] = aggregator.passthroughSlot(ofType: type).map { Int32($0) }
        }
    }

    /// Calls `fold` on the calling thread with the events of `decoder`'s pack (log order), those
    /// with `event_time < bound` when a bound is given, decoded on a second thread. With
    /// `passthroughSlots` (a passthrough-only pack: its slot per event type) the batches are
    /// `.passthrough`, decoded by `PassthroughDecoder`, else `.events`. Checks `interruption` every 65,536 records. Rethrows the
    /// first error, at its record's place.
    static func forEach(
        _ reads: CommittedViewReads, decoder: LeanEventDecoder, bound: Timestamp?, passthroughSlots: [String: Int32]?,
        interruption: Interruption, _ fold: (DeriveBatch) throws -> Void
    ) throws {
        try BoundedChannel<DeriveBatch>.stream(threadName: "siglog-derive-reader", capacity: capacity, produce: { channel in
            struct Stopped: Error {}
            var decoder = decoder
            let passthroughDecoder = passthroughSlots.map { PassthroughDecoder(pack: decoder.pack, slots: $0) }
            var passthrough: [PassthroughEvent] = []
            var events: [DeriverEvent] = []
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
                try reads.read { reader in
                    try reader.log.forEach(in: reader.transaction) { record in
                        if record.sequence % 65_536 == 0 { try interruption.check() }
                        guard record.type == .eventStored else { return true }
                        if let passthroughDecoder {
                            guard let event = try passthroughDecoder.decode(record) else { return true }
                            if let bound, event.eventTime >= bound { return true }
                            passthrough.append(event)
                            if passthrough.count == batchSize, !handOver() { throw Stopped() }
                        } else {
                            guard let event = try decoder.decode(record) else { return true }
                            if let bound, event.eventTime >= bound { return true }
                            events.append(event.deriverEvent)
                            if events.count == batchSize, !handOver() { throw Stopped() }
                        }
                        return true
                    }
                }
            } catch is Stopped {
                return
            } catch {
                // The events before the failing record first, then the failure.
                _ = handOver()
                throw error
            }
            _ = handOver()
        }, consume: fold)
    }
}
