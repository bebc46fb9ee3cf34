import EventLog
import Foundation
import Projections
import Scoring
import SiglogCore
import SiglogRecords

/// One stored event as the score and lead-feed stages need it: no payload, no title or summary
/// unless the pack's pattern derivers read them.
struct LeanEvent {
    var id: UInt64
    var eventType: String
    var eventTime: Timestamp
    var confidence: Double?
    var source: String
    var url: String?
    var title: String?
    var summary: String?

    var deriverEvent: DeriverEvent {
        DeriverEvent(id: Int(id), entityID: nil, eventType: eventType, eventTime: eventTime, title: title,
                     summary: summary, url: url, source: source, confidence: confidence)
    }
}

/// Reads a company's events of one pack straight from the log records, decoding only the fields the
/// stages use. Event types and sources repeat endlessly, so their strings are shared (interned)
/// instead of allocated per event.
struct CompanyEventReader {
    let pack: UUID
    /// Pattern derivers read title and summary; passthrough-only packs never need them.
    let needsText: Bool
    private var types = StringInterner()
    private var sources = StringInterner()

    init(pack: ResolvedPack) {
        self.pack = pack.uuid
        needsText = !pack.derivers.patterns.isEmpty
    }

    /// The company's events of the pack with `event_time < end`, in log order.
    mutating func events(ofCompany company: Int64, before end: Timestamp, reader: ViewReader) throws -> [LeanEvent] {
        var result: [LeanEvent] = []
        for id in try reader.eventIDs(ofCompany: company) {
            guard let view = try reader.log.recordView(at: id, in: reader.transaction), view.type == .eventStored else {
                throw LogError.undecodablePayload(sequence: id, reason: "expected a stored event")
            }
            do {
                if let event = try decode(view.payload, id: id), event.eventTime < end { result.append(event) }
            } catch let error as PayloadError {
                throw LogError.undecodablePayload(sequence: id, reason: error.description)
            }
        }
        return result
    }

    /// An event record's company and fields, or nil for another pack (the derive stage's log pass).
    mutating func decodeWithCompany(_ payload: UnsafeRawBufferPointer, id: UInt64) throws -> (Int64, LeanEvent)? {
        do {
            guard let event = try decode(payload, id: id) else { return nil }
            return (try EventStored.companyID(inPayload: payload), event)
        } catch let error as PayloadError {
            throw LogError.undecodablePayload(sequence: id, reason: error.description)
        }
    }

    /// The fields of an `EventStored` payload (see its field numbers); nil for another pack.
    private mutating func decode(_ payload: UnsafeRawBufferPointer, id: UInt64) throws -> LeanEvent? {
        var reader = PayloadReader(payload)
        var event = LeanEvent(id: id, eventType: "", eventTime: Timestamp(microseconds: 0), confidence: nil, source: "",
                              url: nil, title: nil, summary: nil)
        var samePack = false
        while let f = try reader.next() {
            switch f.number {
            case 2: event.source = try sources.string(f)
            case 4: event.eventType = try types.string(f)
            case 5: event.eventTime = try f.timestamp()
            case 6 where needsText: event.title = try f.string()
            case 7 where needsText: event.summary = try f.string()
            case 8: event.url = try f.string()
            case 10: event.confidence = try f.double()
            case 11: samePack = try f.uuid() == pack
            default: break
            }
        }
        return samePack ? event : nil
    }
}

/// Shares one `String` per distinct byte sequence (event types, sources: a handful of values).
private struct StringInterner {
    private var entries: [(bytes: [UInt8], string: String)] = []

    mutating func string(_ field: PayloadReader.Field) throws -> String {
        let raw = try field.rawBytes()
        for entry in entries where entry.bytes.elementsEqual(raw) { return entry.string }
        let string = String(decoding: raw, as: UTF8.self)
        if entries.count < 256 { entries.append((Array(raw), string)) }
        return string
    }
}

/// One company's pack events as the score stage reads them for one day.
struct CompanyEvents {
    /// Every event of the pack with `event_time < midnight(asOf + 1)`, log order (D15).
    var upToEnd: [LeanEvent]
    /// Those with `event_time >= midnight(asOf − 365)` too: the scoring window (D1).
    var window: [LeanEvent]

    init(_ events: [LeanEvent], asOf: Day) {
        let start = asOf.adding(days: -365).midnight
        upToEnd = events
        window = events.filter { $0.eventTime >= start }
    }

    /// The signal-producing events' latest time (lead feed `last_seen`) and the gate's signal ids.
    func derived(with derivers: DeriverSet) -> (lastSignalAt: Timestamp?, signalIDs: Set<String>) {
        guard derivers.patterns.isEmpty else {
            let summary = derivers.signalSummary(of: upToEnd.lazy.map(\.deriverEvent))
            return (summary.lastSignalAt, summary.signalIDs)
        }
        // Passthrough only: an event produces a signal exactly when its type is mapped, so one
        // lookup per event answers both questions (same result as `DeriverSet.evaluate`).
        var last: Timestamp?
        var ids: Set<String> = []
        for event in upToEnd {
            guard let signal = derivers.passthrough[event.eventType] else { continue }
            ids.insert(signal)
            if last.map({ event.eventTime > $0 }) ?? true { last = event.eventTime }
        }
        return (last, ids)
    }
}
