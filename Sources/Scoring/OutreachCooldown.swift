public import Foundation
public import SiglogCore

/// One `outreach_history` record as scoring reads it.
public struct OutreachRecord: Sendable, Hashable {
    public var entityID: Int
    public var workspaceID: UUID
    public var outreachType: String
    public var sentAt: Timestamp
    /// e.g. `declined`, `replied`; nil when unknown.
    public var outcome: String?

    public init(entityID: Int, workspaceID: UUID, outreachType: String, sentAt: Timestamp, outcome: String? = nil) {
        self.entityID = entityID
        self.workspaceID = workspaceID
        self.outreachType = outreachType
        self.sentAt = sentAt
        self.outcome = outcome
    }

    /// The latest record by `sentAt`; among equal times the one given last (later in the log).
    public static func latest(of records: some Sequence<OutreachRecord>) -> OutreachRecord? {
        var best: OutreachRecord?
        for record in records where best.map({ record.sentAt >= $0.sentAt }) ?? true { best = record }
        return best
    }
}

/// Whether a new outreach record may be created (§5.7).
public enum OutreachCooldownVerdict: Sendable, Hashable {
    case allowed
    /// The reason names the whole-day age and the window (`"… 10 days ago … 60 days …"`, or
    /// `"… declined … 180 days …"`); `nextAllowed` is the first instant no window blocks.
    case blocked(reason: String, nextAllowed: Timestamp)

    public var isBlocked: Bool { if case .blocked = self { return true }; return false }
}

/// The manual outreach cooldown (§5.7, D17): strict on timestamps, unlike the ESL cadence test,
/// which counts the whole 60th day before `as_of`.
public enum OutreachCooldown {
    /// Checks creating an outreach for `entityID` in `workspaceID` at `time` against `history`
    /// (records of other companies or workspaces are ignored, D9). Windows come from the policy
    /// (`cadence_cooldown_days`, `declined_cooldown_days`; 60 / 180 by default, D8).
    public static func check(
        entityID: Int, workspaceID: UUID, at time: Timestamp, history: [OutreachRecord], policy: ESLPolicy = .noPack
    ) -> OutreachCooldownVerdict {
        let own = history.filter { $0.entityID == entityID && $0.workspaceID == workspaceID }
        let declinedSince = time.adding(days: -policy.declinedCooldownDays)
        let declined = OutreachRecord.latest(of: own.filter { $0.outcome == "declined" && $0.sentAt > declinedSince })
        // Both windows may block; the next allowed instant is past the later one.
        let declinedEnd = declined.map { $0.sentAt.adding(days: policy.declinedCooldownDays) }
        if let latest = OutreachRecord.latest(of: own),
            latest.sentAt > time.adding(days: -policy.cadenceCooldownDays)
        {
            let age = wholeDays(from: latest.sentAt, to: time)
            let cadenceEnd = latest.sentAt.adding(days: policy.cadenceCooldownDays)
            return .blocked(reason: "Outreach cooldown: last outreach was \(age) days ago; "
                + "at least \(policy.cadenceCooldownDays) days must pass between outreaches",
                nextAllowed: max(cadenceEnd, declinedEnd ?? cadenceEnd))
        }
        if let declined, let declinedEnd {
            let age = wholeDays(from: declined.sentAt, to: time)
            return .blocked(reason: "Outreach cooldown: the company declined outreach \(age) days ago; "
                + "wait \(policy.declinedCooldownDays) days after a declined outreach", nextAllowed: declinedEnd)
        }
        return .allowed
    }

    /// Floor of the elapsed whole days, 0 for a record dated after `time`.
    static func wholeDays(from start: Timestamp, to end: Timestamp) -> Int {
        Int(max(0, end.microseconds - start.microseconds) / Timestamp.microsecondsPerDay)
    }
}
