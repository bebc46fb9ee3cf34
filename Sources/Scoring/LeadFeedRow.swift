public import Foundation
public import SiglogCore

/// `lead_feed.outreach_status_summary`: the latest outreach of the entity in the row's workspace.
public struct OutreachSummary: Sendable, Hashable {
    public var lastSentAt: Timestamp
    public var outcome: String?
    public var outreachType: String

    public init(lastSentAt: Timestamp, outcome: String?, outreachType: String) {
        self.lastSentAt = lastSentAt
        self.outcome = outcome
        self.outreachType = outreachType
    }

    /// The summary of a record.
    public init(_ record: OutreachRecord) {
        self.init(lastSentAt: record.sentAt, outcome: record.outcome, outreachType: record.outreachType)
    }

    /// Reads `{last_sent_at, outcome, outreach_type}` (summaries stored as documents by earlier
    /// versions); nil when the time or the type is missing.
    public init?(json: JSONValue) {
        guard let sent = json["last_sent_at"]?.stringValue.flatMap({ Timestamp(iso: $0) }),
            let type = json["outreach_type"]?.stringValue
        else { return nil }
        self.init(lastSentAt: sent, outcome: json["outcome"]?.stringValue, outreachType: type)
    }

    /// `{last_sent_at, outcome, outreach_type}` with the time as `…+00:00`.
    public var json: JSONValue {
        .object([
            "last_sent_at": .string(lastSentAt.description),
            "outcome": outcome.map(JSONValue.string) ?? .null,
            "outreach_type": .string(outreachType),
        ])
    }
}

/// One `lead_feed` row (§1.7), keyed by `(workspaceID, packID, entityID)`.
public struct LeadFeedRow: Sendable, Hashable {
    public var workspaceID: UUID
    public var packID: UUID
    public var entityID: Int
    public var compositeScore: Int
    public var topSignalIDs: [String]
    public var eslDecision: String?
    public var sensitivityLevel: String?
    /// `IGNORE`, `WATCH`, `HIGH_PRIORITY` or nil.
    public var recommendationBand: RecommendationBand?
    public var lastSeen: Timestamp?
    public var outreachStatusSummary: OutreachSummary?
    public var asOf: Day
    public var updatedAt: Timestamp

    public init(
        workspaceID: UUID, packID: UUID, entityID: Int, compositeScore: Int, topSignalIDs: [String],
        eslDecision: String?, sensitivityLevel: String?, recommendationBand: RecommendationBand?, lastSeen: Timestamp?,
        outreachStatusSummary: OutreachSummary?, asOf: Day, updatedAt: Timestamp
    ) {
        self.workspaceID = workspaceID
        self.packID = packID
        self.entityID = entityID
        self.compositeScore = compositeScore
        self.topSignalIDs = topSignalIDs
        self.eslDecision = eslDecision
        self.sensitivityLevel = sensitivityLevel
        self.recommendationBand = recommendationBand
        self.lastSeen = lastSeen
        self.outreachStatusSummary = outreachStatusSummary
        self.asOf = asOf
        self.updatedAt = updatedAt
    }
}

/// What one lead-feed row is built from: a readiness snapshot and the engagement snapshot of the
/// same `(company, as_of, pack)`, plus facts the caller looks up.
public struct LeadFeedInput: Sendable, Hashable {
    public var workspaceID: UUID
    /// The workspace pack.
    public var packID: UUID
    public var entityID: Int
    public var asOf: Day
    /// Readiness `composite`.
    public var composite: Int
    /// Readiness explain (`top_events`, `minimum_threshold`, `recommendation_band`).
    public var readinessExplain: ReadinessExplain
    /// Time of the record that stored the readiness snapshot (D14): `last_seen` fallback.
    public var readinessComputedAt: Timestamp
    /// Engagement `esl_decision` column.
    public var eslDecision: String?
    /// Engagement `sensitivity_level` column.
    public var sensitivityLevel: String?
    /// Engagement explain.
    public var engagementExplain: EngagementExplain?
    /// Latest `event_time` among the company's signal-producing events of the pack up to the end of
    /// `as_of` (D15; `DeriverSet.lastSignalTime(of:)`), or nil.
    public var lastSignalAt: Timestamp?
    /// The latest outreach of the entity in this workspace, or nil.
    public var latestOutreach: OutreachSummary?
    /// Time of the record that triggers the build (D14).
    public var updatedAt: Timestamp

    public init(
        workspaceID: UUID, packID: UUID, entityID: Int, asOf: Day, composite: Int, readinessExplain: ReadinessExplain,
        readinessComputedAt: Timestamp, eslDecision: String?, sensitivityLevel: String?,
        engagementExplain: EngagementExplain?, lastSignalAt: Timestamp?, latestOutreach: OutreachSummary?,
        updatedAt: Timestamp
    ) {
        self.workspaceID = workspaceID
        self.packID = packID
        self.entityID = entityID
        self.asOf = asOf
        self.composite = composite
        self.readinessExplain = readinessExplain
        self.readinessComputedAt = readinessComputedAt
        self.eslDecision = eslDecision
        self.sensitivityLevel = sensitivityLevel
        self.engagementExplain = engagementExplain
        self.lastSignalAt = lastSignalAt
        self.latestOutreach = latestOutreach
        self.updatedAt = updatedAt
    }
}

/// Lead-feed row rules (§7.1 with the band rule of §7.2), shared by the incremental and the batch
/// path (D6).
public enum LeadFeedRowBuilder {
    /// The row for `input`, or nil when the entity is excluded (suppressed engagement, or composite
    /// below a positive `minimum_threshold`).
    public static func build(_ input: LeadFeedInput) -> LeadFeedRow? {
        if isExcluded(
            composite: input.composite, readinessExplain: input.readinessExplain,
            eslDecision: input.eslDecision, engagementExplain: input.engagementExplain)
        {
            return nil
        }
        return LeadFeedRow(
            workspaceID: input.workspaceID, packID: input.packID, entityID: input.entityID,
            compositeScore: input.composite, topSignalIDs: input.readinessExplain.topSignalIDs,
            eslDecision: DecisionGate.effectiveDecision(column: input.eslDecision, explain: input.engagementExplain),
            sensitivityLevel: input.sensitivityLevel ?? input.engagementExplain?.sensitivityLevel,
            recommendationBand: input.readinessExplain.recommendationBand,
            lastSeen: input.lastSignalAt ?? input.readinessComputedAt,
            outreachStatusSummary: input.latestOutreach, asOf: input.asOf, updatedAt: input.updatedAt)
    }

    /// Excluded when the engagement is suppressed (§5.4 helper) or `explain.minimum_threshold > 0`
    /// and `composite < minimum_threshold`.
    public static func isExcluded(
        composite: Int, readinessExplain: ReadinessExplain, eslDecision: String?, engagementExplain: EngagementExplain?
    ) -> Bool {
        if DecisionGate.isSuppressed(column: eslDecision, explain: engagementExplain) { return true }
        let minimum = readinessExplain.minimumThreshold
        return minimum > 0 && composite < minimum
    }
}
