public import SiglogCore

/// The contributions of one derive run to one `(entity, signal)` (§3.2 step 4).
public struct SignalAggregate: Sendable, Hashable {
    public var entityID: Int
    public var signalID: String
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// Max of the non-null event confidences; nil when every contribution had none.
    public var confidence: Double?
    /// Contributing event ids, first contribution first, no repeats.
    public private(set) var evidenceEventIDs: [Int]
    /// The same ids as a set, built only once an id arrives that is not above every id so far:
    /// a derive run reads the log in order, so its ids ascend and a comparison with the last one
    /// tells a new id without a set.
    private var evidenceSet: Set<Int>?

    public init(
        entityID: Int, signalID: String, firstSeen: Timestamp, lastSeen: Timestamp, confidence: Double?,
        evidenceEventIDs: [Int]
    ) {
        self.entityID = entityID
        self.signalID = signalID
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.confidence = confidence
        self.evidenceEventIDs = evidenceEventIDs
        let ascending = zip(evidenceEventIDs, evidenceEventIDs.dropFirst()).allSatisfy { $0 < $1 }
        self.evidenceSet = ascending ? nil : Set(evidenceEventIDs)
    }

    /// An aggregate whose evidence ids ascend (so they have no repeats and need no set yet).
    init(entityID: Int, signalID: String, firstSeen: Timestamp, lastSeen: Timestamp, confidence: Double?,
         ascendingEvidence: [Int]) {
        self.entityID = entityID
        self.signalID = signalID
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.confidence = confidence
        evidenceEventIDs = ascendingEvidence
        evidenceSet = nil
    }

    /// Folds one more contributing event in.
    public mutating func add(_ event: DeriverEvent) {
        add(id: event.id, eventTime: event.eventTime, confidence: event.confidence)
    }

    /// Folds one more contribution in: the fields of a `DeriverEvent` that aggregation reads.
    mutating func add(id: Int, eventTime: Timestamp, confidence c: Double?) {
        firstSeen = min(firstSeen, eventTime)
        lastSeen = max(lastSeen, eventTime)
        if let c, confidence.map({ c > $0 }) ?? true { confidence = c }
        if evidenceSet == nil, let last = evidenceEventIDs.last, id <= last {
            evidenceSet = Set(evidenceEventIDs)
        }
        if evidenceSet == nil || evidenceSet!.insert(id).inserted { evidenceEventIDs.append(id) }
    }

    // The set only speeds up `add`; it follows from the ids, so equality and hashing leave it out.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entityID == rhs.entityID && lhs.signalID == rhs.signalID && lhs.firstSeen == rhs.firstSeen
            && lhs.lastSeen == rhs.lastSeen && lhs.confidence == rhs.confidence
            && lhs.evidenceEventIDs == rhs.evidenceEventIDs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entityID)
        hasher.combine(signalID)
        hasher.combine(firstSeen)
        hasher.combine(lastSeen)
        hasher.combine(confidence)
        hasher.combine(evidenceEventIDs)
    }
}

/// The outcome of aggregating a derive run's events.
public struct SignalAggregation: Sendable, Hashable {
    /// In order of first contribution.
    public var aggregates: [SignalAggregate]
    /// Events that produced at least one signal.
    public var eventsProcessed: Int
    /// Events without a company or without any derived signal.
    public var eventsSkipped: Int

    /// Runs §3.2 steps 4–5 over `events` (in the order given, normally log order) with `derivers`.
    public init(events: [DeriverEvent], derivers: DeriverSet) {
        var aggregator = SignalAggregator(derivers: derivers)
        for event in events { aggregator.add(event) }
        self = aggregator.aggregation
    }

    init(aggregates: [SignalAggregate], eventsProcessed: Int, eventsSkipped: Int) {
        self.aggregates = aggregates
        self.eventsProcessed = eventsProcessed
        self.eventsSkipped = eventsSkipped
    }
}

/// §3.2 steps 4–5 fed one event at a time, so a derive run holds its aggregates, never its events.
///
/// Aggregates are found without hashing strings per event: each signal id the derivers can produce
/// gets a slot number up front, each company a row of slots (the index of its aggregate per
/// signal), found by the company id itself while ids are small (they are log-assigned numbers).
/// While event ids ascend (a derive run reads the log in order) an id is new to every aggregate, so
/// the fold keeps only each aggregate's seen times and confidence and writes the evidence to one
/// list in fold order, grouped per aggregate at the end: each event touches one small record
/// instead of an aggregate and its evidence array. An id that does not ascend switches to whole
/// aggregates, which check their evidence for repeats.
public struct SignalAggregator: Sendable {
    /// One aggregate while ids ascend; its evidence is in `evidence`.
    private struct Part {
        var entity: Int
        var slot: Int32
        var evidenceCount: Int32
        var firstSeen: Timestamp
        var lastSeen: Timestamp
        var confidence: Double?
    }

    /// One contribution while ids ascend: an event id for the aggregate at index `part`.
    private struct Evidence {
        var part: Int32
        var id: Int
    }

    /// Company ids below this are looked up in a table instead of a dictionary.
    private static let smallEntityLimit = 1 << 22

    /// The derivers applied to every event.
    public let derivers: DeriverSet
    /// Every signal id the derivers can produce, by slot.
    private let signalIDs: [String]
    /// Slot of each signal id.
    private let slotOfSignal: [String: Int]
    /// Slot of the passthrough signal of each event type.
    private let passthroughSlot: [String: Int]
    /// Where the row of a company with a small id starts in `slots` (-1: none yet).
    private var rowOfSmallEntity: [Int32] = []
    /// Where the row of any other company starts in `slots`.
    private var rowOfEntity: [Int: Int32] = [:]
    /// Per company, one entry per signal slot: the aggregate's index, or -1.
    private var slots: [Int32] = []
    /// The aggregates in order of first contribution while ids ascend.
    private var parts: [Part] = []
    /// Every contribution in fold order while ids ascend.
    private var evidence: [Evidence] = []
    /// The largest event id folded in so far.
    private var lastEventID = Int.min
    /// The aggregates in order of first contribution once an id did not ascend.
    private var unordered: [SignalAggregate]?
    private var processed = 0
    private var skipped = 0

    /// An empty aggregation with `derivers`.
    public init(derivers: DeriverSet) {
        self.derivers = derivers
        var ids: [String] = []
        var slotOf: [String: Int] = [:]
        func slot(_ id: String) -> Int {
            if let s = slotOf[id] { return s }
            slotOf[id] = ids.count
            ids.append(id)
            return ids.count - 1
        }
        var passthrough: [String: Int] = [:]
        for (type, signal) in derivers.passthrough.sorted(by: { $0.key < $1.key }) { passthrough[type] = slot(signal) }
        for pattern in derivers.patterns { _ = slot(pattern.signalID) }
        signalIDs = ids
        slotOfSignal = slotOf
        passthroughSlot = passthrough
    }

    /// Folds the next event (log order) in.
    public mutating func add(_ event: DeriverEvent) {
        if derivers.patterns.isEmpty {
            // Passthrough only: at most one signal, the type's mapping (what `evaluate` returns),
            // without building the per-event list and set.
            return add(id: event.id, entityID: event.entityID, passthroughSlot: passthroughSlot[event.eventType],
                       eventTime: event.eventTime, confidence: event.confidence)
        }
        guard let entity = event.entityID else {
            skipped += 1
            return
        }
        if event.id <= lastEventID, unordered == nil { unordered = aggregates() }
        lastEventID = max(lastEventID, event.id)
        let signals = derivers.evaluate(event)
        if signals.isEmpty {
            skipped += 1
            return
        }
        for signal in signals {
            fold(id: event.id, eventTime: event.eventTime, confidence: event.confidence, entity: entity,
                 slot: slotOfSignal[signal.signalID]!)
        }
        processed += 1
    }

    /// Whether the derivers are passthrough only: then an event's signal follows from its type alone
    /// (`passthroughSlot(ofType:)`), and `add(id:entityID:passthroughSlot:eventTime:confidence:)`
    /// folds it in without its strings.
    public var isPassthroughOnly: Bool { derivers.patterns.isEmpty }

    /// The slot of the signal a passthrough-only pack derives from an event of `type`; nil when it
    /// derives none.
    public func passthroughSlot(ofType type: String) -> Int? { passthroughSlot[type] }

    /// `add(_:)` of an event of a passthrough-only pack, given by the fields the fold reads and the
    /// slot of its type (`passthroughSlot(ofType:)`): the same fold.
    public mutating func add(id: Int, entityID: Int?, passthroughSlot slot: Int?, eventTime: Timestamp, confidence: Double?) {
        precondition(isPassthroughOnly, "pattern derivers read the whole event")
        guard let entity = entityID else {
            skipped += 1
            return
        }
        if id <= lastEventID, unordered == nil { unordered = aggregates() }
        lastEventID = max(lastEventID, id)
        guard let slot else {
            skipped += 1
            return
        }
        fold(id: id, eventTime: eventTime, confidence: confidence, entity: entity, slot: slot)
        processed += 1
    }

    /// The start of `entity`'s row in `slots`, made when missing.
    private mutating func row(of entity: Int) -> Int {
        if entity >= 0 && entity < Self.smallEntityLimit {
            if entity >= rowOfSmallEntity.count {
                let count = min(Self.smallEntityLimit, max(entity + 1, 2 * rowOfSmallEntity.count, 1_024))
                rowOfSmallEntity.append(contentsOf: repeatElement(-1, count: count - rowOfSmallEntity.count))
            }
            let row = rowOfSmallEntity[entity]
            if row >= 0 { return Int(row) }
            rowOfSmallEntity[entity] = Int32(slots.count)
        } else {
            if let row = rowOfEntity[entity] { return Int(row) }
            rowOfEntity[entity] = Int32(slots.count)
        }
        slots.append(contentsOf: repeatElement(-1, count: signalIDs.count))
        return slots.count - signalIDs.count
    }

    private mutating func fold(id: Int, eventTime: Timestamp, confidence: Double?, entity: Int, slot: Int) {
        let at = row(of: entity) + slot
        let i = Int(slots[at])
        if unordered != nil {
            if i >= 0 {
                unordered![i].add(id: id, eventTime: eventTime, confidence: confidence)
            } else {
                slots[at] = Int32(unordered!.count)
                unordered!.append(SignalAggregate(
                    entityID: entity, signalID: signalIDs[slot], firstSeen: eventTime, lastSeen: eventTime,
                    confidence: confidence, ascendingEvidence: [id]))
            }
        } else if i >= 0 {
            parts[i].firstSeen = min(parts[i].firstSeen, eventTime)
            parts[i].lastSeen = max(parts[i].lastSeen, eventTime)
            if let c = confidence, parts[i].confidence.map({ c > $0 }) ?? true { parts[i].confidence = c }
            parts[i].evidenceCount += 1
            evidence.append(Evidence(part: Int32(i), id: id))
        } else {
            slots[at] = Int32(parts.count)
            evidence.append(Evidence(part: Int32(parts.count), id: id))
            parts.append(Part(entity: entity, slot: Int32(slot), evidenceCount: 1, firstSeen: eventTime,
                              lastSeen: eventTime, confidence: confidence))
        }
    }

    /// The aggregates so far in order of first contribution.
    private func aggregates() -> [SignalAggregate] {
        if let unordered { return unordered }
        // Group the evidence per aggregate, keeping fold order within each (a counting sort).
        var start = [Int](repeating: 0, count: parts.count + 1)
        for (i, part) in parts.enumerated() { start[i + 1] = start[i] + Int(part.evidenceCount) }
        var next = start
        var ids = [Int](repeating: 0, count: evidence.count)
        for entry in evidence {
            ids[next[Int(entry.part)]] = entry.id
            next[Int(entry.part)] += 1
        }
        return parts.indices.map { i in
            let part = parts[i]
            return SignalAggregate(
                entityID: part.entity, signalID: signalIDs[Int(part.slot)], firstSeen: part.firstSeen, lastSeen: part.lastSeen,
                confidence: part.confidence, ascendingEvidence: Array(ids[start[i]..<start[i + 1]]))
        }
    }

    /// The aggregates so far, in order of first contribution, with the counts (built on each call).
    public var aggregation: SignalAggregation {
        SignalAggregation(aggregates: aggregates(), eventsProcessed: processed, eventsSkipped: skipped)
    }
}

/// A stored `signal_instances` row's values, keyed elsewhere by `(entity_id, signal_id, pack)` (D3).
public struct SignalInstance: Sendable, Hashable {
    public var entityID: Int
    public var signalID: String
    public var strength: Double?
    public var confidence: Double?
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    /// nil and `[]` both read as empty when merging.
    public var evidenceEventIDs: [Int]?

    public init(
        entityID: Int, signalID: String, strength: Double? = 1.0, confidence: Double?, firstSeen: Timestamp?,
        lastSeen: Timestamp?, evidenceEventIDs: [Int]?
    ) {
        self.entityID = entityID
        self.signalID = signalID
        self.strength = strength
        self.confidence = confidence
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.evidenceEventIDs = evidenceEventIDs
    }

    /// The row after upserting `aggregate` (§3.2 step 6): insert when there is no row; otherwise
    /// first/last seen least/greatest ignoring nulls, confidence the new one when non-null, strength
    /// 1.0, evidence the existing ids followed by the new ones not already present.
    public static func upserting(_ aggregate: SignalAggregate, into existing: SignalInstance?) -> SignalInstance {
        guard let existing else {
            return SignalInstance(
                entityID: aggregate.entityID, signalID: aggregate.signalID, strength: 1.0,
                confidence: aggregate.confidence, firstSeen: aggregate.firstSeen, lastSeen: aggregate.lastSeen,
                evidenceEventIDs: aggregate.evidenceEventIDs)
        }
        var evidence = existing.evidenceEventIDs ?? []
        var seen = Set(evidence)
        for id in aggregate.evidenceEventIDs where seen.insert(id).inserted { evidence.append(id) }
        return SignalInstance(
            entityID: existing.entityID, signalID: existing.signalID, strength: 1.0,
            confidence: aggregate.confidence ?? existing.confidence,
            firstSeen: existing.firstSeen.map { min($0, aggregate.firstSeen) } ?? aggregate.firstSeen,
            lastSeen: existing.lastSeen.map { max($0, aggregate.lastSeen) } ?? aggregate.lastSeen,
            evidenceEventIDs: evidence)
    }
}
