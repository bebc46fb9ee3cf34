import Foundation
import Projections
import ReadModel
import Scoring
import SiglogCore
import SiglogRecords

extension LeanEvent {
    /// The deriver's view of the event.
    var deriverEvent: DeriverEvent {
        DeriverEvent(id: Int(id), entityID: Int(companyID), eventType: eventType, eventTime: eventTime, title: title,
                     summary: summary, url: url, source: source, confidence: confidence)
    }
}

extension LeanEventDecoder {
    /// A decoder of `pack`'s events that reads title and summary only when the pack's pattern
    /// derivers need them.
    init(_ pack: ResolvedPack) {
        self.init(pack: pack.uuid, decodesText: !pack.derivers.patterns.isEmpty)
    }

    /// The score stage's decoder of `pack`: as `init(_:)`, but urls are kept as bytes (only the
    /// explain's top events show them) unless pattern derivers read them.
    init(scoring pack: ResolvedPack) {
        self.init(pack: pack.uuid, decodesText: !pack.derivers.patterns.isEmpty,
                  keepsURLBytes: pack.derivers.patterns.isEmpty)
    }
}

/// One company's pack events as the score stage reads them for one day.
struct CompanyEvents {
    /// Every event of the pack with `event_time < midnight(asOf + 1)`, log order (D15).
    var upToEnd: [LeanEvent]
    /// The positions in `upToEnd` of those with `event_time >= midnight(asOf − 365)` too: the
    /// scoring window (D1), log order. Positions, so the events are not copied again.
    var window: [Int]
    /// The bytes the events' `urlRange`s index (shared by the companies of one read).
    var urlBytes: [UInt8]
    /// The passthrough signal of each event type by `typeIndex` (shared by the companies of one
    /// read); empty when not known, then each event's type is looked up.
    var typeSignals: [String?]

    init(_ events: [LeanEvent], asOf: Day, urlBytes: [UInt8] = [], typeSignals: [String?] = []) {
        self.urlBytes = urlBytes
        self.typeSignals = typeSignals
        let start = asOf.adding(days: -365).midnight
        let end = asOf.adding(days: 1).midnight
        // Most companies have no event after `asOf`: then the array is kept as it is, not copied.
        let upToEnd = events.allSatisfy { $0.eventTime < end } ? events : events.filter { $0.eventTime < end }
        self.upToEnd = upToEnd
        window = upToEnd.indices.filter { upToEnd[$0].eventTime >= start }
    }

    /// The url of the event at `position` in `upToEnd`, from its string or its kept bytes.
    func url(at position: Int) -> String? {
        let event = upToEnd[position]
        if let url = event.url { return url }
        return event.urlRange.map { String(decoding: urlBytes[Int($0.lowerBound)..<Int($0.upperBound)], as: UTF8.self) }
    }

    /// Reads the company's events of the decoder's pack up to the end of `asOf`.
    init(company: Int64, asOf: Day, decoder: inout LeanEventDecoder, reader: ViewReader) throws {
        self.init(try reader.leanEvents(ofCompany: company, decoder: &decoder), asOf: asOf)
    }

    /// The signal-producing events' latest time (lead feed `last_seen`) and the gate's signal ids.
    func derived(with derivers: DeriverSet) -> (lastSignalAt: Timestamp?, signalIDs: Set<String>) {
        guard derivers.patterns.isEmpty else {
            let summary = derivers.signalSummary(of: upToEnd.lazy.map(\.deriverEvent))
            return (summary.lastSignalAt, summary.signalIDs)
        }
        // Passthrough only: an event produces a signal exactly when its type is mapped, so one
        // lookup per event answers both questions (same result as `DeriverSet.evaluate`).
        // With the read's type signals, a type is hashed once per read, not once per event.
        var last: Timestamp?
        var ids: Set<String> = []
        var inserted = UInt128(0)  // bit i: the signal of type index i is in `ids`
        for event in upToEnd {
            if let index = event.typeIndex.map(Int.init), index < min(typeSignals.count, 128) {
                guard let signal = typeSignals[index] else { continue }
                if inserted & (1 << index) == 0 {
                    inserted |= 1 << index
                    ids.insert(signal)
                }
            } else {
                guard let signal = derivers.passthrough[event.eventType] else { continue }
                ids.insert(signal)
            }
            if last.map({ event.eventTime > $0 }) ?? true { last = event.eventTime }
        }
        return (last, ids)
    }
}
