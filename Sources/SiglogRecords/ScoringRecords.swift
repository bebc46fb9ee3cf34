public import EventLog
public import Foundation
public import SiglogCore

/// What one derive run found for one `(entity_id, signal_id, pack_id)`: the view merges it into
/// the existing instance with the §3.2 step 6 rules.
public struct SignalInstanceDerived: SiglogRecord, Hashable {
    public static let recordType = RecordType.signalInstanceDerived
    public var entityID: Int64
    public var signalID: String
    public var pack: UUID
    public var confidence: Double?
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
    /// Event ids (log sequence numbers) that produced the signal, in first-seen order.
    public var evidence: [Int64]
    public var jobRunID: UInt64?

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
public struct ReadinessSnapshotRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.readinessSnapshot
    public var companyID: Int64
    public var asOf: Day
    public var pack: UUID
    public var momentum: Int
    public var complexity: Int
    public var pressure: Int
    public var leadershipGap: Int
    public var composite: Int
    /// The explain payload (§4.7) as compact JSON in its fixed key order.
    public var explain: String
    public var jobRunID: UInt64?
    /// The latest time among the company's signal-producing events of the pack up to the end of
    /// `as_of` when the snapshot was computed (the lead feed's `last_seen`, D15), and whether the
    /// record carries it (records written before this field existed do not).
    public var lastSignalAt: Timestamp?
    public var carriesLastSignal: Bool = false

    public init(companyID: Int64, asOf: Day, pack: UUID, momentum: Int, complexity: Int, pressure: Int,
                leadershipGap: Int, composite: Int, explain: String, jobRunID: UInt64?,
                lastSignalAt: Timestamp? = nil, carriesLastSignal: Bool = false) {
        self.lastSignalAt = lastSignalAt
        self.carriesLastSignal = carriesLastSignal
        self.companyID = companyID
        self.asOf = asOf
        self.pack = pack
        self.momentum = momentum
        self.complexity = complexity
        self.pressure = pressure
        self.leadershipGap = leadershipGap
        self.composite = composite
        self.explain = explain
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, asOf)
        w.write(3, pack)
        w.write(4, momentum)
        w.write(5, complexity)
        w.write(6, pressure)
        w.write(7, leadershipGap)
        w.write(8, composite)
        w.write(9, explain)
        if let jobRunID { w.write(10, jobRunID) }
        w.write(11, lastSignalAt)
        if carriesLastSignal { w.write(12, true) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; asOf = Day(daysSinceEpoch: 0); momentum = 0; complexity = 0; pressure = 0
        leadershipGap = 0; composite = 0; explain = "{}"
        var pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: asOf = try f.day()
            case 3: pack = try f.uuid()
            case 4: momentum = try f.int()
            case 5: complexity = try f.int()
            case 6: pressure = try f.int()
            case 7: leadershipGap = try f.int()
            case 8: composite = try f.int()
            case 9: explain = try f.string()
            case 10: jobRunID = try f.uint64()
            case 11: lastSignalAt = try f.timestamp()
            case 12: carriesLastSignal = try f.bool()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "readiness_snapshot") }
        self.pack = pack
    }
}

/// An engagement (ESL) snapshot for `(company_id, as_of, pack_id)`.
public struct EngagementSnapshotRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.engagementSnapshot
    public var companyID: Int64
    public var asOf: Day
    public var pack: UUID
    public var eslScore: Double
    public var outreachScore: Int
    public var engagementType: String
    public var stressVolatilityIndex: Double
    public var communicationStabilityIndex: Double
    public var sustainedPressureIndex: Double
    public var cadenceBlocked: Bool
    public var eslDecision: String
    public var eslReasonCode: String
    public var sensitivityLevel: String?
    /// The explain payload (§5.5) as compact JSON in its fixed key order.
    public var explain: String
    public var jobRunID: UInt64?

    public init(companyID: Int64, asOf: Day, pack: UUID, eslScore: Double, outreachScore: Int, engagementType: String,
                stressVolatilityIndex: Double, communicationStabilityIndex: Double, sustainedPressureIndex: Double,
                cadenceBlocked: Bool, eslDecision: String, eslReasonCode: String, sensitivityLevel: String?,
                explain: String, jobRunID: UInt64?) {
        self.companyID = companyID
        self.asOf = asOf
        self.pack = pack
        self.eslScore = eslScore
        self.outreachScore = outreachScore
        self.engagementType = engagementType
        self.stressVolatilityIndex = stressVolatilityIndex
        self.communicationStabilityIndex = communicationStabilityIndex
        self.sustainedPressureIndex = sustainedPressureIndex
        self.cadenceBlocked = cadenceBlocked
        self.eslDecision = eslDecision
        self.eslReasonCode = eslReasonCode
        self.sensitivityLevel = sensitivityLevel
        self.explain = explain
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, asOf)
        w.write(3, pack)
        w.write(4, eslScore)
        w.write(5, outreachScore)
        w.write(6, engagementType)
        w.write(7, stressVolatilityIndex)
        w.write(8, communicationStabilityIndex)
        w.write(9, sustainedPressureIndex)
        w.write(10, cadenceBlocked)
        w.write(11, eslDecision)
        w.write(12, eslReasonCode)
        w.write(13, sensitivityLevel)
        w.write(14, explain)
        if let jobRunID { w.write(15, jobRunID) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; asOf = Day(daysSinceEpoch: 0); eslScore = 0; outreachScore = 0; engagementType = ""
        stressVolatilityIndex = 0; communicationStabilityIndex = 0; sustainedPressureIndex = 0; cadenceBlocked = false
        eslDecision = ""; eslReasonCode = ""; explain = "{}"
        var pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: asOf = try f.day()
            case 3: pack = try f.uuid()
            case 4: eslScore = try f.double()
            case 5: outreachScore = try f.int()
            case 6: engagementType = try f.string()
            case 7: stressVolatilityIndex = try f.double()
            case 8: communicationStabilityIndex = try f.double()
            case 9: sustainedPressureIndex = try f.double()
            case 10: cadenceBlocked = try f.bool()
            case 11: eslDecision = try f.string()
            case 12: eslReasonCode = try f.string()
            case 13: sensitivityLevel = try f.string()
            case 14: explain = try f.string()
            case 15: jobRunID = try f.uint64()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "engagement_snapshot") }
        self.pack = pack
    }
}

/// A lead-feed row for `(workspace_id, pack_id, entity_id)`; every column is overwritten.
/// `updated_at` is the record's append time.
public struct LeadFeedRowRecorded: SiglogRecord, Hashable {
    public static let recordType = RecordType.leadFeedRow
    public var workspaceID: UUID
    public var pack: UUID
    public var entityID: Int64
    public var compositeScore: Int
    public var topSignalIDs: [String]
    public var eslDecision: String?
    public var sensitivityLevel: String?
    public var recommendationBand: String?
    public var lastSeen: Timestamp?
    /// `{last_sent_at, outcome, outreach_type}` as compact JSON, or nil.
    public var outreachStatusSummary: String?
    public var asOf: Day
    public var jobRunID: UInt64?

    public init(workspaceID: UUID, pack: UUID, entityID: Int64, compositeScore: Int, topSignalIDs: [String],
                eslDecision: String?, sensitivityLevel: String?, recommendationBand: String?, lastSeen: Timestamp?,
                outreachStatusSummary: String?, asOf: Day, jobRunID: UInt64?) {
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
        w.write(8, recommendationBand)
        w.write(9, lastSeen)
        w.write(10, outreachStatusSummary)
        w.write(11, asOf)
        if let jobRunID { w.write(12, jobRunID) }
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
            case 8: recommendationBand = try f.string()
            case 9: lastSeen = try f.timestamp()
            case 10: outreachStatusSummary = try f.string()
            case 11: asOf = try f.day()
            case 12: jobRunID = try f.uint64()
            default: break
            }
        }
        guard let workspace, let pack else { throw missingField("workspace_id/pack_id", in: "lead_feed_row") }
        workspaceID = workspace
        self.pack = pack
    }
}
