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

    /// An aggregate of one contribution.
    init(entityID: Int, signalID: String, id: Int, eventTime: Timestamp, confidence: Double?) {
        self.entityID = entityID
        self.signalID = signalID
        firstSeen = eventTime
        lastSeen = eventTime
        self.confidence = confidence
        evidenceEventIDs = [id]
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
/// gets a slot number up front, each company a row of slots (the index of its aggregate per signal).
public struct SignalAggregator: Sendable {
    /// The derivers applied to every event.
    public let derivers: DeriverSet
    /// Every signal id the derivers can produce, by slot.
    private let signalIDs: [String]
    /// Slot of each signal id.
    private let slotOfSignal: [String: Int]
    /// Slot of the passthrough signal of each event type.
    private let passthroughSlot: [String: Int]
    private var aggregates: [SignalAggregate] = []
    /// Where each company's row of slots starts in `slots`.
    private var rowOfEntity: [Int: Int] = [:]
    /// Per company, one entry per signal slot: the aggregate's index in `aggregates`, or -1.
    private var slots: [Int32] = []
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
        rowOfEntity.reserveCapacity(4_096)
    }

    /// Folds the next event (log order) in.
    public mutating func add(_ event: DeriverEvent) {
        guard let entity = event.entityID else {
            skipped += 1
            return
        }
        if derivers.patterns.isEmpty {
            // Passthrough only: at most one signal, the type's mapping (what `evaluate` returns),
            // without building the per-event list and set.
            guard let slot = passthroughSlot[event.eventType] else {
                skipped += 1
                return
            }
            fold(event, entity: entity, slot: slot)
        } else {
            let signals = derivers.evaluate(event)
            if signals.isEmpty {
                skipped += 1
                return
            }
            for signal in signals { fold(event, entity: entity, slot: slotOfSignal[signal.signalID]!) }
        }
        processed += 1
    }

    private mutating func fold(_ event: DeriverEvent, entity: Int, slot: Int) {
        let row: Int
        if let existing = rowOfEntity[entity] {
            row = existing
        } else {
            row = slots.count
            rowOfEntity[entity] = row
            slots.append(contentsOf: repeatElement(-1, count: signalIDs.count))
        }
        let i = Int(slots[row + slot])
        if i >= 0 {
            aggregates[i].add(id: event.id, eventTime: event.eventTime, confidence: event.confidence)
        } else {
            slots[row + slot] = Int32(aggregates.count)
            aggregates.append(SignalAggregate(
                entityID: entity, signalID: signalIDs[slot], id: event.id, eventTime: event.eventTime,
                confidence: event.confidence))
        }
    }

    /// The aggregates so far, in order of first contribution, with the counts.
    public var aggregation: SignalAggregation {
        SignalAggregation(aggregates: aggregates, eventsProcessed: processed, eventsSkipped: skipped)
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
