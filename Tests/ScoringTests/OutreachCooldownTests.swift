import Foundation
import Scoring
import SiglogCore
import Testing

/// Spec §11.21 (`test_outreach_cooldown.py`) and §5.7, D8 (cooldown days from the pack), D9
/// (workspace scoping).
@Suite("Outreach cooldown (§5.7, §11.21)")
struct OutreachCooldownTests {
    typealias F = ESLFixture
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 15, minute: 30)

    static func record(daysAgo: Int, outcome: String? = nil, entity: Int = 1, workspace: UUID = F.workspace) -> OutreachRecord {
        OutreachRecord(
            entityID: entity, workspaceID: workspace, outreachType: "email", sentAt: now.adding(days: -daysAgo),
            outcome: outcome)
    }

    static func check(_ history: [OutreachRecord], policy: ESLPolicy = .noPack) -> OutreachCooldownVerdict {
        OutreachCooldown.check(entityID: 1, workspaceID: F.workspace, at: now, history: history, policy: policy)
    }

    static func reason(_ verdict: OutreachCooldownVerdict) -> String {
        if case .blocked(let reason, _) = verdict { return reason }
        return ""
    }

    @Test("§11.21 10 days → blocked, reason has \"10 days ago\" and \"60 days\"")
    func tenDays() {
        let verdict = Self.check([Self.record(daysAgo: 10)])
        #expect(verdict.isBlocked)
        #expect(Self.reason(verdict).contains("10 days ago"))
        #expect(Self.reason(verdict).contains("60 days"))
    }

    @Test("the next allowed instant: 60 days after the last outreach, or 180 after a decline, whichever is later")
    func nextAllowed() {
        func next(_ verdict: OutreachCooldownVerdict) -> Timestamp? {
            if case .blocked(_, let next) = verdict { return next }
            return nil
        }
        // Sent 10 days ago: allowed again 60 days after it, i.e. 50 days from now.
        #expect(next(Self.check([Self.record(daysAgo: 10)])) == Self.now.adding(days: 50))
        // Declined 100 days ago: allowed 180 days after it, 80 days from now.
        #expect(next(Self.check([Self.record(daysAgo: 100, outcome: "declined")])) == Self.now.adding(days: 80))
        // Declined 20 days ago: the cadence window ends in 40 days but the decline's in 160.
        #expect(next(Self.check([Self.record(daysAgo: 20, outcome: "declined")])) == Self.now.adding(days: 160))
    }

    @Test("§11.21 exactly 60 or 61 days → allowed", arguments: [60, 61])
    func sixtyDays(_ days: Int) {
        #expect(Self.check([Self.record(daysAgo: days)]) == .allowed)
    }

    @Test("§5.7 strict timestamp: one microsecond inside 60 days is blocked, with age 59")
    func justInside() {
        var r = Self.record(daysAgo: 60)
        r.sentAt = Timestamp(microseconds: r.sentAt.microseconds + 1)
        let verdict = Self.check([r])
        #expect(verdict.isBlocked)
        #expect(Self.reason(verdict).contains("59 days ago"))
    }

    @Test("§11.21 declined 100 days → blocked, reason has \"declined\" and \"180 days\"")
    func declined100() {
        let verdict = Self.check([Self.record(daysAgo: 100, outcome: "declined")])
        #expect(verdict.isBlocked)
        #expect(Self.reason(verdict).contains("declined"))
        #expect(Self.reason(verdict).contains("180 days"))
    }

    @Test("§11.21 declined exactly 180 or 181 days → allowed", arguments: [180, 181])
    func declined180(_ days: Int) {
        #expect(Self.check([Self.record(daysAgo: days, outcome: "declined")]) == .allowed)
    }

    @Test("§11.21 replied 50 days → blocked by cadence (\"50 days ago\")")
    func replied50() {
        let verdict = Self.check([Self.record(daysAgo: 50, outcome: "replied")])
        #expect(verdict.isBlocked)
        #expect(Self.reason(verdict).contains("50 days ago"))
        #expect(Self.reason(verdict).contains("60 days"))
    }

    @Test("§11.21 no history → allowed; an old declined behind a recent send still reports the cadence first")
    func noHistoryAndOrder() {
        #expect(Self.check([]) == .allowed)
        let verdict = Self.check([Self.record(daysAgo: 120, outcome: "declined"), Self.record(daysAgo: 5)])
        #expect(Self.reason(verdict).contains("5 days ago"))
        let declinedOnly = Self.check([Self.record(daysAgo: 120, outcome: "declined"), Self.record(daysAgo: 70)])
        #expect(Self.reason(declinedOnly).contains("120 days ago"))
    }

    @Test("D9 scoping: records of another workspace or company do not count")
    func scoping() {
        #expect(Self.check([Self.record(daysAgo: 5, workspace: F.otherWorkspace)]) == .allowed)
        #expect(Self.check([Self.record(daysAgo: 5, outcome: "declined", entity: 2)]) == .allowed)
    }

    @Test("D8 cooldown days come from the pack (30 / 90)")
    func packDays() {
        let policy = ESLPolicy(document: .object(["cadence_cooldown_days": 30, "declined_cooldown_days": 90]))
        #expect(Self.check([Self.record(daysAgo: 40)], policy: policy) == .allowed)
        let blocked = Self.check([Self.record(daysAgo: 20)], policy: policy)
        #expect(Self.reason(blocked).contains("30 days"))
        #expect(Self.check([Self.record(daysAgo: 100, outcome: "declined")], policy: policy) == .allowed)
        #expect(Self.check([Self.record(daysAgo: 80, outcome: "declined")], policy: policy).isBlocked)
    }
}
