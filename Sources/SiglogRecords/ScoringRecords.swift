public import EventLog
public import Foundation
public import Scoring
public import SiglogCore
import Synchronization

/// What one derive run found for one `(entity_id, signal_id, pack_id)`: the view merges it into
/// the existing instance with the §3.2 step 6 rules.
public struct SignalInstanceDerived: SiglogRecord, Hashable {
    public static let recordType = RecordType.signalInstanceDerived
    /// The company (`entity_id`); with `signalID` and `pack` the upsert key.
    public var entityID: Int64
    /// The derived signal id (`signal_id`).
    public var signalID: String
    /// The pack derive ran for (`pack_id`, D3).
    public var pack: UUID
    /// The largest non-null confidence of the contributing events, nil when all were null (§3.2 step 4).
    public var confidence: Double?
    /// The earliest `event_time` of the contributing events.
    public var firstSeen: Timestamp?
    /// The latest `event_time` of the contributing events.
    public var lastSeen: Timestamp?
    /// Event ids (log sequence numbers) that produced the signal, in first-seen order.
    public var evidence: [Int64]
    /// The derive run that produced the aggregate, or nil.
    public var jobRunID: UInt64?

    /// Creates the record.
    public init(entityID: Int64, signalID: String, pack: UUID, confidence: Double?, firstSeen: Timestamp?,
                lastSeen: Timestamp?, evidence: [Int64], jobRunID: UInt64?) {
        self.entityID = entityID
        self.signalID = signalID
        self.pack = pack
        self.confidence = confidence
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.evidence = evidence
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, entityID)
        w.write(2, signalID)
        w.write(3, pack)
        w.write(4, confidence)
        w.write(5, firstSeen)
        w.write(6, lastSeen)
        for id in evidence { w.write(7, id) }
        if let jobRunID { w.write(8, jobRunID) }
    }

    public init(from r: inout PayloadReader) throws {
        entityID = 0; signalID = ""; evidence = []
        var pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: entityID = try f.int64()
            case 2: signalID = try f.string()
            case 3: pack = try f.uuid()
            case 4: confidence = try f.double()
            case 5: firstSeen = try f.timestamp()
            case 6: lastSeen = try f.timestamp()
            case 7: evidence.append(try f.int64())
            case 8: jobRunID = try f.uint64()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "signal_instance_derived") }
        self.pack = pack
    }
}

/// A readiness (TRS) snapshot for `(company_id, as_of, pack_id)`. `computed_at` is the record's
/// append time.
///
/// Fields 4–8 hold the five integers, fields 13–20 the rest of the explain. Records written before
/// the explain was typed carry it as a JSON document in field 9, read back on decode.
public struct ReadinessSnapshotRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.readinessSnapshot
    /// The company scored (`company_id`); with `asOf` and `pack` the upsert key.
    public var companyID: Int64
    /// The scoring day (`as_of`); only what existed by its end counts (D15).
    public var asOf: Day
    /// The workspace pack whose weights were used (`pack_id`).
    public var pack: UUID
    /// The explain (§4.7), which holds the snapshot's five integers.
    public var explain: ReadinessExplain
    /// The run that computed the snapshot.
    public var jobRunID: UInt64?
    /// The latest time among the company's signal-producing events of the pack up to the end of
    /// `as_of` when the snapshot was computed (the lead feed's `last_seen`, D15), and whether the
    /// record carries it (records written before this field existed do not).
    public var lastSignalAt: Timestamp?
    /// Whether `lastSignalAt` was recorded (nil then means "no signal-producing event").
    public var carriesLastSignal: Bool = false

    /// Momentum (M).
    public var momentum: Int { explain.momentum }
    /// Complexity (C).
    public var complexity: Int { explain.complexity }
    /// Pressure (P).
    public var pressure: Int { explain.pressure }
    /// Leadership gap (G).
    public var leadershipGap: Int { explain.leadershipGap }
    /// The composite (R).
    public var composite: Int { explain.composite }
    /// The band of the composite, when the pack defines bands.
    public var recommendationBand: RecommendationBand? { explain.recommendationBand }

    /// Creates a snapshot record.
    public init(companyID: Int64, asOf: Day, pack: UUID, explain: ReadinessExplain, jobRunID: UInt64?,
                lastSignalAt: Timestamp? = nil, carriesLastSignal: Bool = false) {
        self.companyID = companyID
        self.asOf = asOf
        self.pack = pack
        self.explain = explain
        self.jobRunID = jobRunID
        self.lastSignalAt = lastSignalAt
        self.carriesLastSignal = carriesLastSignal
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, asOf)
        w.write(3, pack)
        w.write(4, explain.momentum)
        w.write(5, explain.complexity)
        w.write(6, explain.pressure)
        w.write(7, explain.leadershipGap)
        w.write(8, explain.composite)
        if let jobRunID { w.write(10, jobRunID) }
        w.write(11, lastSignalAt)
        if carriesLastSignal { w.write(12, true) }
        w.write(13, bytes: ReadinessSnapshotRecorded.weightsText(explain.weights))
        for event in explain.topEvents {
            w.write(14) { nested in
                nested.write(1, event.eventType)
                nested.write(2, event.eventTime)
                nested.write(3, event.source)
                nested.write(4, event.url)
                nested.write(5, event.contributionPoints)
                nested.write(6, event.confidence)
            }
        }
        w.write(15, strings: explain.suppressorsApplied)
        w.write(16, strings: explain.quietSignalAmplificationApplied)
        w.write(17, strings: explain.disqualifiersApplied)
        if explain.minimumThreshold != 0 { w.write(18, explain.minimumThreshold) }
        w.write(19, explain.recommendationBand?.rawValue)
        w.write(20, explain.delta1d)
    }

    /// The last weights written and their JSON text: every snapshot of a score run carries its
    /// pack's weights (copies of one value), so their text is written once per run, not per company.
    private static let lastWeights = Mutex<(weights: JSONObject, text: [UInt8])?>(nil)

    /// `weights` as the JSON text `write(_:json:)` gives.
    static func weightsText(_ weights: JSONObject) -> [UInt8] {
        let cached = lastWeights.withLock { last in last.flatMap { $0.weights.sharesStorage(with: weights) ? $0.text : nil } }
        if let cached { return cached }
        let text = JSONWriter().bytes(.object(weights))
        lastWeights.withLock { $0 = (weights, text) }
        return text
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; asOf = Day(daysSinceEpoch: 0)
        var pack: UUID?
        var e = ReadinessExplain(
            weights: JSONObject(), momentum: 0, complexity: 0, pressure: 0, leadershipGap: 0, composite: 0, topEvents: [],
            suppressorsApplied: [], quietSignalAmplificationApplied: [], disqualifiersApplied: [], minimumThreshold: 0,
            recommendationBand: nil, delta1d: 0)
        var document: JSONValue?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: asOf = try f.day()
            case 3: pack = try f.uuid()
            case 4: e.momentum = try f.int()
            case 5: e.complexity = try f.int()
            case 6: e.pressure = try f.int()
            case 7: e.leadershipGap = try f.int()
            case 8: e.composite = try f.int()
            case 9: document = try f.json()
            case 10: jobRunID = try f.uint64()
            case 11: lastSignalAt = try f.timestamp()
            case 12: carriesLastSignal = try f.bool()
            case 13: e.weights = try f.json().objectValue ?? JSONObject()
            case 14:
                var nested = try f.message()
                var event = ReadinessTopEvent(eventType: "", eventTime: Timestamp(microseconds: 0), source: "", url: "",
                                              contributionPoints: 0, confidence: 0)
                while let g = try nested.next() {
                    switch g.number {
                    case 1: event.eventType = try g.string()
                    case 2: event.eventTime = try g.timestamp()
                    case 3: event.source = try g.string()
                    case 4: event.url = try g.string()
                    case 5: event.contributionPoints = try g.double()
                    case 6: event.confidence = try g.double()
                    default: break
                    }
                }
                e.topEvents.append(event)
            case 15: e.suppressorsApplied.append(try f.string())
            case 16: e.quietSignalAmplificationApplied.append(try f.string())
            case 17: e.disqualifiersApplied.append(try f.string())
            case 18: e.minimumThreshold = try f.int()
            case 19: e.recommendationBand = RecommendationBand(rawValue: try f.string())
            case 20: e.delta1d = try f.int()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "readiness_snapshot") }
        self.pack = pack
        if let document {
            // Written before the explain was typed: the document holds everything but the integers.
            let dimensions = (e.momentum, e.complexity, e.pressure, e.leadershipGap, e.composite)
            e = ReadinessExplain(json: document)
            (e.momentum, e.complexity, e.pressure, e.leadershipGap, e.composite) = dimensions
        }
        explain = e
    }
}

/// An engagement (ESL) snapshot for `(company_id, as_of, pack_id)`.
///
/// Fields 4–13 hold the spec's columns, fields 16–21 the rest of the explain. Records written before
/// the explain was typed carry it as a JSON document in field 14, read back on decode.
public struct EngagementSnapshotRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.engagementSnapshot
    /// The company (`company_id`); with `asOf` and `pack` the upsert key.
    public var companyID: Int64
    /// The scoring day (`as_of`); only what existed by its end counts (D15).
    public var asOf: Day
    /// The pack whose ESL rubric was applied (`pack_id`).
    public var pack: UUID
    /// `roundInt(composite * esl_score)`.
    public var outreachScore: Int
    /// The explain (§5.5), which holds the snapshot's columns.
    public var explain: EngagementExplain
    /// The run that computed the snapshot.
    public var jobRunID: UInt64?

    /// ESL, 3 decimals.
    public var eslScore: Double { explain.eslComposite }
    /// The recommendation label.
    public var engagementType: String { explain.recommendationType }
    /// SVI.
    public var stressVolatilityIndex: Double { explain.svi }
    /// CSI.
    public var communicationStabilityIndex: Double { explain.csi }
    /// SPI.
    public var sustainedPressureIndex: Double { explain.spi }
    /// Whether the cadence blocked outreach.
    public var cadenceBlocked: Bool { explain.cadenceBlocked }
    /// `allow`, `allow_with_constraints` or `suppress`.
    public var eslDecision: String { explain.eslDecision ?? "" }
    /// The gate's reason code.
    public var eslReasonCode: String { explain.eslReasonCode ?? "" }
    /// `low`, `medium`, `high` or nil.
    public var sensitivityLevel: String? { explain.sensitivityLevel }

    /// Creates a snapshot record.
    public init(companyID: Int64, asOf: Day, pack: UUID, outreachScore: Int, explain: EngagementExplain, jobRunID: UInt64?) {
        self.companyID = companyID
        self.asOf = asOf
        self.pack = pack
        self.outreachScore = outreachScore
        self.explain = explain
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, asOf)
        w.write(3, pack)
        w.write(4, explain.eslComposite)
        w.write(5, outreachScore)
        w.write(6, explain.recommendationType)
        w.write(7, explain.svi)
        w.write(8, explain.csi)
        w.write(9, explain.spi)
        w.write(10, explain.cadenceBlocked)
        w.write(11, explain.eslDecision)
        w.write(12, explain.eslReasonCode)
        w.write(13, explain.sensitivityLevel)
        if let jobRunID { w.write(15, jobRunID) }
        w.write(16, explain.baseEngageability)
        w.write(17, explain.stabilityModifier)
        w.write(18, explain.cadenceModifier)
        w.write(19, explain.alignmentModifier)
        w.write(20, explain.stabilityCapTriggered)
        w.write(21, explain.toneConstraint)
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; asOf = Day(daysSinceEpoch: 0); outreachScore = 0
        var pack: UUID?
        var e = EngagementExplain(
            baseEngageability: 0, stabilityModifier: 0, cadenceModifier: 0, alignmentModifier: 0, svi: 0, spi: 0, csi: 0,
            eslComposite: 0, cadenceBlocked: false, recommendationType: "", stabilityCapTriggered: false, eslDecision: nil,
            eslReasonCode: nil, sensitivityLevel: nil, toneConstraint: nil)
        var document: JSONValue?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: asOf = try f.day()
            case 3: pack = try f.uuid()
            case 4: e.eslComposite = try f.double()
            case 5: outreachScore = try f.int()
            case 6: e.recommendationType = try f.string()
            case 7: e.svi = try f.double()
            case 8: e.csi = try f.double()
            case 9: e.spi = try f.double()
            case 10: e.cadenceBlocked = try f.bool()
            case 11: e.eslDecision = try f.string()
            case 12: e.eslReasonCode = try f.string()
            case 13: e.sensitivityLevel = try f.string()
            case 14: document = try f.json()
            case 15: jobRunID = try f.uint64()
            case 16: e.baseEngageability = try f.double()
            case 17: e.stabilityModifier = try f.double()
            case 18: e.cadenceModifier = try f.double()
            case 19: e.alignmentModifier = try f.double()
            case 20: e.stabilityCapTriggered = try f.bool()
            case 21: e.toneConstraint = try f.string()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "engagement_snapshot") }
        self.pack = pack
        if let document {
            // Written before the explain was typed: the columns stay, the rest comes from the document.
            let old = EngagementExplain(json: document)
            e.baseEngageability = old.baseEngageability
            e.stabilityModifier = old.stabilityModifier
            e.cadenceModifier = old.cadenceModifier
            e.alignmentModifier = old.alignmentModifier
            e.stabilityCapTriggered = old.stabilityCapTriggered
            e.toneConstraint = old.toneConstraint
        }
        explain = e
    }
}

/// A lead-feed row for `(workspace_id, pack_id, entity_id)`; every column is overwritten.
/// `updated_at` is the record's append time.
public struct LeadFeedRowRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.leadFeedRow
    /// The workspace of the row (`workspace_id`); with `pack` and `entityID` the upsert key.
    public var workspaceID: UUID
    /// The workspace pack (`pack_id`), never the core pack.
    public var pack: UUID
    /// The company (`entity_id`).
    public var entityID: Int64
    /// A copy of the readiness composite (`composite_score`, 0…100); the feed ranks by it.
    public var compositeScore: Int
    /// `top_signal_ids`: the event types of the first 8 top events of the readiness explain, de-duplicated in order,
    /// blanks skipped; empty, never nil (§7.1).
    public var topSignalIDs: [String]
    /// The ESL decision (`allow`, `allow_with_constraints`; suppressed entities get no row), or nil.
    public var eslDecision: String?
    /// The ESL sensitivity level (`low`, `medium`, `high`), or nil.
    public var sensitivityLevel: String?
    /// The band copied from the readiness explain (D6), nil when the pack defines no bands.
    public var recommendationBand: RecommendationBand?
    /// The latest `event_time` of the company's signal-producing events of the pack up to the end of `as_of` (D15);
    /// when none, the readiness snapshot's `computed_at`.
    public var lastSeen: Timestamp?
    /// The latest outreach of the entity in the row's workspace up to the end of `as_of`, or nil.
    public var outreachStatusSummary: OutreachSummary?
    /// The snapshot day the row was built from; not part of the key, so a later build overwrites the row.
    public var asOf: Day
    /// The run that built the row, or nil.
    public var jobRunID: UInt64?

    /// Creates the record.
    public init(workspaceID: UUID, pack: UUID, entityID: Int64, compositeScore: Int, topSignalIDs: [String],
                eslDecision: String?, sensitivityLevel: String?, recommendationBand: RecommendationBand?, lastSeen: Timestamp?,
                outreachStatusSummary: OutreachSummary?, asOf: Day, jobRunID: UInt64?) {
        self.workspaceID = workspaceID
        self.pack = pack
        self.entityID = entityID
        self.compositeScore = compositeScore
        self.topSignalIDs = topSignalIDs
        self.eslDecision = eslDecision
        self.sensitivityLevel = sensitivityLevel
        self.recommendationBand = recommendationBand
        self.lastSeen = lastSeen
        self.outreachStatusSummary = outreachStatusSummary
        self.asOf = asOf
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, workspaceID)
        w.write(2, pack)
        w.write(3, entityID)
        w.write(4, compositeScore)
        w.write(5, strings: topSignalIDs)
        w.write(6, eslDecision)
        w.write(7, sensitivityLevel)
        w.write(8, recommendationBand?.rawValue)
        w.write(9, lastSeen)
        w.write(11, asOf)
        if let jobRunID { w.write(12, jobRunID) }
        if let summary = outreachStatusSummary {
            w.write(13) { nested in
                nested.write(1, summary.lastSentAt)
                nested.write(2, summary.outcome)
                nested.write(3, summary.outreachType)
            }
        }
    }

    public init(from r: inout PayloadReader) throws {
        entityID = 0; compositeScore = 0; topSignalIDs = []; asOf = Day(daysSinceEpoch: 0)
        var workspace: UUID?, pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: workspace = try f.uuid()
            case 2: pack = try f.uuid()
            case 3: entityID = try f.int64()
            case 4: compositeScore = try f.int()
            case 5: topSignalIDs.append(try f.string())
            case 6: eslDecision = try f.string()
            case 7: sensitivityLevel = try f.string()
            case 8: recommendationBand = RecommendationBand(rawValue: try f.string())
            case 9: lastSeen = try f.timestamp()
            case 10: outreachStatusSummary = OutreachSummary(json: try f.json())  // written as a JSON document before
            case 11: asOf = try f.day()
            case 12: jobRunID = try f.uint64()
            case 13:
                var nested = try f.message()
                var summary = OutreachSummary(lastSentAt: Timestamp(microseconds: 0), outcome: nil, outreachType: "")
                while let g = try nested.next() {
                    switch g.number {
                    case 1: summary.lastSentAt = try g.timestamp()
                    case 2: summary.outcome = try g.string()
                    case 3: summary.outreachType = try g.string()
                    default: break
                    }
                }
                outreachStatusSummary = summary
            default: break
            }
        }
        guard let workspace, let pack else { throw missingField("workspace_id/pack_id", in: "lead_feed_row") }
        workspaceID = workspace
        self.pack = pack
    }
}
