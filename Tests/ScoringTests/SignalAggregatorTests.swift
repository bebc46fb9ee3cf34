import Scoring
import SeededRandom
import SiglogCore
import Testing

/// `SignalAggregator` finds aggregates by signal slot and company row and tells new evidence ids by
/// their order; these tests hold it to the plain §3.2 fold (a dictionary on `(entity, signal id)`,
/// a set of seen ids per aggregate) on random events: ascending ids as a derive run reads them,
/// shuffled ids, repeated ids, events without a company or signal, passthrough-only and pattern packs.
@Suite("Signal aggregator (§3.2 steps 4–5)")
struct SignalAggregatorTests {
    /// The §3.2 fold written plainly.
    static func plainFold(_ events: [DeriverEvent], _ derivers: DeriverSet) -> SignalAggregation {
        struct Key: Hashable {
            var entity: Int
            var signal: String
        }
        var order: [Key] = []
        var parts: [Key: (first: Timestamp, last: Timestamp, confidence: Double?, ids: [Int], seen: Set<Int>)] = [:]
        var processed = 0
        var skipped = 0
        for event in events {
            guard let entity = event.entityID else {
                skipped += 1
                continue
            }
            let signals = derivers.evaluate(event)
            if signals.isEmpty {
                skipped += 1
                continue
            }
            processed += 1
            for signal in signals {
                let key = Key(entity: entity, signal: signal.signalID)
                if var part = parts[key] {
                    part.first = min(part.first, event.eventTime)
                    part.last = max(part.last, event.eventTime)
                    if let c = event.confidence, part.confidence.map({ c > $0 }) ?? true { part.confidence = c }
                    if part.seen.insert(event.id).inserted { part.ids.append(event.id) }
                    parts[key] = part
                } else {
                    order.append(key)
                    parts[key] = (event.eventTime, event.eventTime, event.confidence, [event.id], [event.id])
                }
            }
        }
        var aggregation = SignalAggregation(events: [], derivers: derivers)
        aggregation.aggregates = order.map { key in
            let part = parts[key]!
            return SignalAggregate(entityID: key.entity, signalID: key.signal, firstSeen: part.first, lastSeen: part.last,
                                   confidence: part.confidence, evidenceEventIDs: part.ids)
        }
        aggregation.eventsProcessed = processed
        aggregation.eventsSkipped = skipped
        return aggregation
    }

    static let types = ["funding_raised", "cto_role_posted", "job_posted_engineering", "leadership_change_announced",
                        "mystery_type", "security_incident"]
    static let words = ["raised", "enterprise", "deadline", "hiring", "breach", "quiet"]

    static func events(count: Int, ids: IDOrder, _ random: inout SeededGenerator) -> [DeriverEvent] {
        var idList = Array(1...count)
        switch ids {
        case .ascending: break
        case .shuffled: idList.shuffle(using: &random)
        case .repeating: idList = idList.map { _ in 1 + random.below(max(1, count / 3)) }
        }
        return idList.map { id in
            DeriverEvent(
                id: id, entityID: random.chance(5) ? nil : -3 + random.below(40),
                eventType: types[random.below(types.count)],
                eventTime: Timestamp(microseconds: Int64(random.below(1_000_000)) * 1_000_000 - 400_000_000_000),
                title: random.chance(30) ? nil : words[random.below(words.count)] + " " + words[random.below(words.count)],
                summary: random.chance(50) ? nil : words[random.below(words.count)],
                confidence: random.chance(30) ? nil : Double(random.below(100)) / 100)
        }
    }

    enum IDOrder: CaseIterable {
        case ascending, shuffled, repeating
    }

    static let patternPack = DeriverSet(document: .object(["derivers": .object([
        "passthrough": [
            .object(["event_type": "funding_raised", "signal_id": "funding_raised"]),
            .object(["event_type": "security_incident", "signal_id": "funding_raised"]),
            .object(["event_type": "cto_role_posted", "signal_id": "cto_role_posted"]),
        ],
        "pattern": [
            .object(["signal_id": "enterprise_customer", "regex": "enterprise"]),
            .object(["signal_id": "funding_raised", "regex": "raised"]),
            .object(["signal_id": "regulatory_deadline", "regex": "deadline|breach"]),
        ],
    ])]))

    @Test("equals the plain fold: aggregates in first-contribution order, evidence order, counts", arguments: IDOrder.allCases)
    func equalsPlainFold(ids: IDOrder) {
        var random = SeededGenerator(seed: 20_261_130)
        for round in 0..<40 {
            let events = Self.events(count: 1 + random.below(400), ids: ids, &random)
            for derivers in [DeriverSet.core, Self.patternPack] {
                let expected = Self.plainFold(events, derivers)
                let got = SignalAggregation(events: events, derivers: derivers)
                #expect(got == expected, "round \(round), \(ids)")
                #expect(got.aggregates.map(\.evidenceEventIDs) == expected.aggregates.map(\.evidenceEventIDs))
            }
        }
    }

    @Test("an aggregate built from unordered evidence still drops repeats when more is folded in")
    func unorderedEvidence() {
        var aggregate = SignalAggregate(entityID: 1, signalID: "funding_raised", firstSeen: Timestamp(microseconds: 5),
                                        lastSeen: Timestamp(microseconds: 9), confidence: nil, evidenceEventIDs: [8, 3, 5])
        for id in [3, 9, 8, 10, 9, 1] {
            aggregate.add(DeriverEvent(id: id, entityID: 1, eventType: "funding_raised", eventTime: Timestamp(microseconds: 7)))
        }
        #expect(aggregate.evidenceEventIDs == [8, 3, 5, 9, 10, 1])
        var ascending = SignalAggregate(entityID: 1, signalID: "funding_raised", firstSeen: Timestamp(microseconds: 5),
                                        lastSeen: Timestamp(microseconds: 9), confidence: nil, evidenceEventIDs: [2, 4])
        for id in [6, 4, 7, 2, 7, 3] {
            ascending.add(DeriverEvent(id: id, entityID: 1, eventType: "funding_raised", eventTime: Timestamp(microseconds: 7)))
        }
        #expect(ascending.evidenceEventIDs == [2, 4, 6, 7, 3])
    }
}
