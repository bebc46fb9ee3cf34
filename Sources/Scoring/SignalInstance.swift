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
    /// The same ids as a set, so folding an event in stays O(1) however long the evidence grows.
    private var evidenceSet: Set<Int>

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
        self.evidenceSet = Set(evidenceEventIDs)
    }

    /// Folds one more contributing event in.
    public mutating func add(_ event: DeriverEvent) {
        firstSeen = min(firstSeen, event.eventTime)
        lastSeen = max(lastSeen, event.eventTime)
        if let c = event.confidence, confidence.map({ c > $0 }) ?? true { confidence = c }
        if evidenceSet.insert(event.id).inserted { evidenceEventIDs.append(event.id) }
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
public struct SignalAggregator: Sendable {
    private struct Key: Hashable {
        var entity: Int
        var signal: String
    }

    /// The derivers applied to every event.
    public let derivers: DeriverSet
    private var aggregates: [SignalAggregate] = []
    private var index: [Key: Int] = [:]
    private var processed = 0
    private var skipped = 0

    /// An empty aggregation with `derivers`.
    public init(derivers: DeriverSet) { self.derivers = derivers }

    /// Folds the next event (log order) in.
    public mutating func add(_ event: DeriverEvent) {
        guard let entity = event.entityID else {
            skipped += 1
            return
        }
        if derivers.patterns.isEmpty {
            // Passthrough only: at most one signal, the type's mapping (what `evaluate` returns),
            // without building the per-event list and set.
            guard let signal = derivers.passthrough[event.eventType] else {
                skipped += 1
                return
            }
            fold(event, entity: entity, signal: signal)
        } else {
            let signals = derivers.evaluate(event)
            if signals.isEmpty {
                skipped += 1
                return
            }
            for signal in signals { fold(event, entity: entity, signal: signal.signalID) }
        }
        processed += 1
    }

    private mutating func fold(_ event: DeriverEvent, entity: Int, signal: String) {
        let key = Key(entity: entity, signal: signal)
        if let i = index[key] {
            aggregates[i].add(event)
        } else {
            index[key] = aggregates.count
            aggregates.append(SignalAggregate(
                entityID: entity, signalID: signal, firstSeen: event.eventTime,
                lastSeen: event.eventTime, confidence: event.confidence, evidenceEventIDs: [event.id]))
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
