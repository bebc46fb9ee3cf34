import Foundation
import Scoring
import SiglogCore
import Testing

/// Spec §11.16 (`test_lead_feed.py`), pure parts: row rules of §7.1/§7.2 (both paths, D6) and the
/// lead-card query of §7.4 with the `entity_id` tie-breaker (D7).
@Suite("Lead feed rows and lead cards (§7, §11.16)")
struct LeadFeedTests {
    typealias F = ESLFixture
    static let asOf = Day(year: 2099, month: 6, day: 15)!
    static let computedAt = Timestamp(day: asOf, hour: 3)
    static let updatedAt = Timestamp(day: asOf, hour: 4)

    /// A readiness explain whose top events have these types (10 points each), the other parts as given.
    static func readinessExplain(_ types: [String], band: RecommendationBand? = nil, minimumThreshold: Int = 0) -> ReadinessExplain {
        ReadinessExplain(
            weights: [:], momentum: 0, complexity: 0, pressure: 0, leadershipGap: 0, composite: 0,
            topEvents: types.map {
                ReadinessTopEvent(eventType: $0, eventTime: computedAt, source: "", url: "", contributionPoints: 10, confidence: 0.7)
            },
            suppressorsApplied: [], quietSignalAmplificationApplied: [], disqualifiersApplied: [],
            minimumThreshold: minimumThreshold, recommendationBand: band, delta1d: 0)
    }

    static func input(
        entity: Int = 1, composite: Int = 80, topTypes: [String] = ["cto_role_posted", "funding_round"],
        band: RecommendationBand? = nil, minimumThreshold: Int = 0, decision: String? = "allow", sensitivity: String? = nil,
        engagementExplain: JSONValue? = .object(["esl_decision": "allow"]), lastSignalAt: Timestamp? = nil,
        outreach: OutreachSummary? = nil, workspace: UUID = F.workspace
    ) -> LeadFeedInput {
        LeadFeedInput(
            workspaceID: workspace, packID: F.ctoPack, entityID: entity, asOf: asOf, composite: composite,
            readinessExplain: readinessExplain(topTypes, band: band, minimumThreshold: minimumThreshold),
            readinessComputedAt: computedAt, eslDecision: decision, sensitivityLevel: sensitivity,
            engagementExplain: engagementExplain.map(EngagementExplain.init(json:)), lastSignalAt: lastSignalAt,
            latestOutreach: outreach, updatedAt: updatedAt)
    }

    static func row(_ entity: Int, _ composite: Int, lastSeen: Timestamp? = nil, workspace: UUID = F.workspace,
                    pack: UUID = F.ctoPack, asOf: Day = asOf) -> LeadFeedRow {
        LeadFeedRow(
            workspaceID: workspace, packID: pack, entityID: entity, compositeScore: composite, topSignalIDs: ["cto_role_posted"],
            eslDecision: "allow", sensitivityLevel: nil, recommendationBand: nil, lastSeen: lastSeen,
            outreachStatusSummary: nil, asOf: asOf, updatedAt: updatedAt)
    }

    @Test("§11.16 row: composite 80, top ids [cto_role_posted, funding_round], allow, as_of kept")
    func buildRow() throws {
        let row = try #require(LeadFeedRowBuilder.build(Self.input()))
        #expect(row.compositeScore == 80)
        #expect(row.topSignalIDs == ["cto_role_posted", "funding_round"])
        #expect(row.eslDecision == "allow")
        #expect(row.asOf == Self.asOf)
        #expect(row.updatedAt == Self.updatedAt)
        #expect(row.workspaceID == F.workspace)
        #expect(row.packID == F.ctoPack)
        #expect(row.recommendationBand == nil)
    }

    @Test("§11.16/D6 band HIGH_PRIORITY copied from the readiness explain; unknown band → null")
    func band() throws {
        let high = try #require(LeadFeedRowBuilder.build(Self.input(band: .highPriority)))
        #expect(high.recommendationBand == .highPriority)
        // A stored explain naming a band that is not one of the three reads as no band.
        let odd = ReadinessExplain(json: .object(["recommendation_band": "URGENT", "top_events": []]))
        #expect(odd.recommendationBand == nil)
        #expect(ReadinessExplain(json: .object(["recommendation_band": "WATCH"])).recommendationBand == .watch)
    }

    @Test("§11.16 ES suppress → excluded (column or explain)")
    func suppressExcluded() {
        #expect(LeadFeedRowBuilder.build(Self.input(decision: "suppress")) == nil)
        #expect(LeadFeedRowBuilder.build(
            Self.input(decision: nil, engagementExplain: .object(["esl_decision": "suppress"]))) == nil)
    }

    @Test("§11.16 minimum_threshold 60 and composite 40 → excluded; composite 60 kept; threshold 0 ignored")
    func minimumThreshold() {
        #expect(LeadFeedRowBuilder.build(Self.input(composite: 40, minimumThreshold: 60)) == nil)
        #expect(LeadFeedRowBuilder.build(Self.input(composite: 60, minimumThreshold: 60)) != nil)
        #expect(LeadFeedRowBuilder.build(Self.input(composite: 0, minimumThreshold: 0)) != nil)
    }

    @Test("§7.1 top_signal_ids: first 8 top events, de-duplicated in order, blanks skipped; none → []")
    func topSignalIDs() {
        let types = ["a", "b", "a", "", "c", "d", "e", "f", "g", "h"]
        #expect(Self.readinessExplain(types).topSignalIDs == ["a", "b", "c", "d", "e", "f"])
        #expect(Self.readinessExplain([]).topSignalIDs == [])
    }

    @Test("§7.1 decision and sensitivity: column else explain")
    func decisionAndSensitivityFallback() throws {
        let fromExplain = try #require(LeadFeedRowBuilder.build(Self.input(
            decision: nil, sensitivity: nil,
            engagementExplain: .object(["esl_decision": "allow_with_constraints", "sensitivity_level": "medium"]))))
        #expect(fromExplain.eslDecision == "allow_with_constraints")
        #expect(fromExplain.sensitivityLevel == "medium")
        let fromColumn = try #require(LeadFeedRowBuilder.build(Self.input(
            decision: "allow", sensitivity: "high", engagementExplain: .object(["sensitivity_level": "low"]))))
        #expect(fromColumn.eslDecision == "allow")
        #expect(fromColumn.sensitivityLevel == "high")
    }

    @Test("§7.1/D15 last_seen: latest signal event time, else the readiness computed_at")
    func lastSeen() throws {
        let seen = Timestamp(day: Self.asOf, hour: 18)
        #expect(try #require(LeadFeedRowBuilder.build(Self.input(lastSignalAt: seen))).lastSeen == seen)
        #expect(try #require(LeadFeedRowBuilder.build(Self.input(lastSignalAt: nil))).lastSeen == Self.computedAt)
    }

    @Test("§11.16 outreach summary {last_sent_at, outcome, outreach_type = email}")
    func outreachSummary() throws {
        let records = [
            OutreachRecord(entityID: 1, workspaceID: F.workspace, outreachType: "call", sentAt: F.time(2099, 6, 1)),
            OutreachRecord(entityID: 1, workspaceID: F.workspace, outreachType: "email", sentAt: F.time(2099, 6, 10, 9)),
        ]
        let latest = try #require(OutreachRecord.latest(of: records))
        let row = try #require(LeadFeedRowBuilder.build(Self.input(outreach: OutreachSummary(latest))))
        #expect(row.outreachStatusSummary?.json == .object([
            "last_sent_at": "2099-06-10T09:00:00.000000Z", "outcome": nil, "outreach_type": "email",
        ]))
    }

    // MARK: - Lead cards (§7.4)

    @Test("§11.16 composite 85 with ES 0.8 and no stored outreach → outreach 68")
    func cardOutreachFromESL() {
        let cards = LeadCards.leads(
            rows: [Self.row(1, 85)], workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: LeadEngagement(eslScore: 0.8, outreachScore: nil, cadenceBlocked: false)])
        #expect(cards.map(\.outreachScore) == [68])
        #expect(cards.first?.compositeScore == 85)
        #expect(cards.first?.topSignalIDs == ["cto_role_posted"])
        #expect(cards.first?.eslDecision == "allow")
    }

    @Test("§7.4 stored outreach_score wins; no engagement → outreach = composite")
    func cardOutreachSources() {
        let cards = LeadCards.leads(
            rows: [Self.row(1, 85), Self.row(2, 70)], workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: LeadEngagement(eslScore: 0.8, outreachScore: 50, cadenceBlocked: false)])
        #expect(cards.map(\.outreachScore) == [50, 70])
    }

    @Test("§11.16 composite 50 × 0.5 = 25 < 30 → empty list")
    func belowThreshold() {
        let cards = LeadCards.leads(
            rows: [Self.row(1, 50)], workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: LeadEngagement(eslScore: 0.5, outreachScore: nil, cadenceBlocked: false)])
        #expect(cards.isEmpty)
    }

    @Test("§11.16 cadence-blocked (composite 80, ESL 0.0) included at threshold 30 with outreach 0")
    func cadenceBlockedIncluded() {
        let cards = LeadCards.leads(
            rows: [Self.row(1, 80)], workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: LeadEngagement(eslScore: 0.0, outreachScore: 0, cadenceBlocked: true)], threshold: 30)
        #expect(cards.map(\.entityID) == [1])
        #expect(cards.map(\.outreachScore) == [0])
    }

    @Test("§11.16 100 rows, limit 50, threshold 0 → 50 cards in composite order, ties by entity id")
    func limitFifty() {
        let rows = (1...100).map { Self.row($0, $0 % 10) }
        let cards = LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf, engagements: [:], limit: 50,
            threshold: 0)
        #expect(cards.count == 50)
        #expect(cards.first?.entityID == 9)
        #expect(Array(cards.prefix(3).map(\.entityID)) == [9, 19, 29])
        #expect(cards.map(\.compositeScore) == cards.map(\.compositeScore).sorted(by: >))
    }

    @Test("D19: rows are read until limit cards qualify (no 2 × limit cap); offset counts cards, not rows")
    func readUntilLimitAndOffset() {
        let rows = [Self.row(1, 90), Self.row(2, 80), Self.row(3, 70), Self.row(4, 60)]
        let low = LeadEngagement(eslScore: 0.1, outreachScore: nil, cadenceBlocked: false)
        // Rows 1 and 2 fall below 30 (90 × 0.1 = 9, 80 × 0.1 = 8); the reference would read only
        // 2 × 1 rows and return nothing, D19 reads on to row 3.
        let cards = LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: low, 2: low], limit: 1, threshold: 30)
        #expect(cards.map(\.entityID) == [3])
        // Offset 1 skips the first qualifying card (3), not the first row: 4 is the next card.
        let skipped = LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf,
            engagements: [1: low, 2: low], limit: 2, offset: 1, threshold: 30)
        #expect(skipped.map(\.entityID) == [4])
        let offset = LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf, engagements: [:], limit: 2,
            offset: 1, threshold: 0)
        #expect(offset.map(\.entityID) == [2, 3])
    }

    @Test("§7.4 last_seen sort: descending, rows without last_seen last, ties by entity id")
    func lastSeenSort() {
        let rows = [
            Self.row(3, 10, lastSeen: nil), Self.row(2, 20, lastSeen: F.time(2099, 6, 1)),
            Self.row(1, 30, lastSeen: F.time(2099, 6, 1)), Self.row(4, 40, lastSeen: F.time(2099, 6, 5)),
        ]
        let cards = LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf, engagements: [:], sort: .lastSeen,
            threshold: 0)
        #expect(cards.map(\.entityID) == [4, 1, 2, 3])
    }

    @Test("§11.21 scoping: workspace A cards never include workspace B rows (80 vs 70, no ES)")
    func workspaceScoping() {
        let rows = [Self.row(1, 80, workspace: F.workspace), Self.row(2, 70, workspace: F.otherWorkspace)]
        let a = LeadCards.leads(rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf, engagements: [:])
        #expect(a.map(\.entityID) == [1])
        #expect(a.map(\.outreachScore) == [80])
        let b = LeadCards.leads(rows: rows, workspaceID: F.otherWorkspace, packID: F.ctoPack, asOf: Self.asOf, engagements: [:])
        #expect(b.map(\.entityID) == [2])
    }

    @Test("§11.16 other pack or other date → no cards")
    func packAndDateScoping() {
        let rows = [Self.row(1, 80)]
        #expect(LeadCards.leads(rows: rows, workspaceID: F.workspace, packID: F.otherPack, asOf: Self.asOf, engagements: [:]).isEmpty)
        #expect(LeadCards.leads(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf.adding(days: -1), engagements: [:]).isEmpty)
    }

    @Test("§11.16 entity ids: [id]; min_composite filters; ordered by composite then id")
    func entityIDs() {
        #expect(LeadCards.entityIDs(rows: [Self.row(7, 75)], workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf) == [7])
        let rows = [Self.row(3, 50), Self.row(1, 50), Self.row(2, 90), Self.row(4, 10)]
        #expect(LeadCards.entityIDs(
            rows: rows, workspaceID: F.workspace, packID: F.ctoPack, asOf: Self.asOf, minComposite: 20) == [2, 1, 3])
    }
}
