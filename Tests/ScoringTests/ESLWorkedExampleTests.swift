import Scoring
import SiglogCore
import Testing

/// One row of the worked ESL table (§5.6), expectations copied from the table.
struct ESLTableRow: Sendable, CustomTestStringConvertible {
    var name: String
    var input: ESLInput
    var be: Double
    var svi: Double
    var spi: Double
    var csi: Double
    var sm: Double
    var cm: Double
    var am: Double
    var esl: Double
    var label: String
    var outreach: Int
    var capTriggered: Bool
    var cadenceBlocked = false

    var testDescription: String { name }
}

/// Spec §5.6 with the fractional_cto_v1 ESL rubric, as_of 2026-02-18.
@Suite("ESL worked examples (§5.6)")
struct ESLWorkedExampleTests {
    typealias F = ESLFixture

    static let rows: [ESLTableRow] = [
        ESLTableRow(
            name: "A (E1): TRS 11, funding_raised same day 0.7, pressure 14",
            input: ESLInput(
                composite: 11,
                events: [ESLEvent(eventType: "funding_raised", eventTime: F.time(2026, 2, 18, 10), confidence: 0.7)],
                pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 14)]),
            be: 0.11, svi: 0.35, spi: 0, csi: 1.0, sm: 0.86, cm: 1, am: 1, esl: 0.095, label: "Observe Only",
            outreach: 1, capTriggered: false),
        ESLTableRow(
            name: "B (E2): TRS 2, job_posted_engineering",
            input: ESLInput(
                composite: 2,
                events: [ESLEvent(eventType: "job_posted_engineering", eventTime: F.time(2026, 2, 18, 11), confidence: 0.7)],
                pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 0)]),
            be: 0.02, svi: 0, spi: 0, csi: 1.0, sm: 1.0, cm: 1, am: 1, esl: 0.02, label: "Observe Only", outreach: 0,
            capTriggered: false),
        ESLTableRow(
            name: "C (E3): TRS 10, cto_role_posted",
            input: ESLInput(
                composite: 10,
                events: [ESLEvent(eventType: "cto_role_posted", eventTime: F.time(2026, 2, 18, 12), confidence: 0.7)],
                pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 0)]),
            be: 0.1, svi: 0, spi: 0, csi: 1.0, sm: 1.0, cm: 1, am: 1, esl: 0.1, label: "Observe Only", outreach: 1,
            capTriggered: false),
        ESLTableRow(
            name: "cap: TRS 82, pressure 70 today, 3 SVI events 0.9 one day apart (SM 0.355 → 0.35)",
            input: ESLInput(
                composite: 82,
                events: [
                    F.event("regulatory_deadline", 8, 0.9), F.event("regulatory_deadline", 7, 0.9),
                    F.event("regulatory_deadline", 6, 0.9),
                ],
                pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 70)]),
            be: 0.82, svi: 1.0, spi: 0.7, csi: 1.0, sm: 0.35, cm: 1, am: 1, esl: 0.287, label: "Soft Value Share",
            outreach: 24, capTriggered: true),
        ESLTableRow(
            name: "no signals: TRS 75, no events, pressure 50",
            input: ESLInput(composite: 75, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 50)]),
            be: 0.75, svi: 0, spi: 0, csi: 1.0, sm: 1.0, cm: 1, am: 1, esl: 0.75, label: "Standard Outreach",
            outreach: 56, capTriggered: false),
        ESLTableRow(
            name: "cadence: TRS 82, pressure 80, outreach 10 days ago (blocked, no cap)",
            input: ESLInput(
                composite: 82, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 80)],
                lastOutreachAt: F.time(2026, 2, 8)),
            be: 0.82, svi: 0, spi: 0.7, csi: 1.0, sm: 0.76, cm: 0, am: 1, esl: 0.0, label: "Observe Only", outreach: 0,
            capTriggered: false, cadenceBlocked: true),
        ESLTableRow(
            name: "not aligned: TRS 60, no events, alignment false",
            input: ESLInput(composite: 60, alignmentOK: false),
            be: 0.6, svi: 0, spi: 0, csi: 1.0, sm: 1.0, cm: 1, am: 0.5, esl: 0.3, label: "Soft Value Share",
            outreach: 18, capTriggered: false),
        ESLTableRow(
            name: "gaps: TRS 90, 3 silences > 30 d, regulatory_deadline 0.6 (cap over Low-Pressure Intro)",
            input: ESLInput(
                composite: 90,
                events: [
                    ESLEvent(eventType: "job_posted_engineering", eventTime: F.time(2025, 6, 1), confidence: 0.7),
                    ESLEvent(eventType: "job_posted_engineering", eventTime: F.time(2025, 8, 1), confidence: 0.7),
                    ESLEvent(eventType: "job_posted_engineering", eventTime: F.time(2025, 12, 1), confidence: 0.7),
                    ESLEvent(eventType: "regulatory_deadline", eventTime: F.time(2026, 2, 10), confidence: 0.6),
                ],
                alignmentOK: true),
            be: 0.9, svi: 0.3, spi: 0, csi: 0.1, sm: 0.66, cm: 1, am: 1, esl: 0.594, label: "Soft Value Share",
            outreach: 53, capTriggered: true),
        ESLTableRow(
            name: "E5 + history: snapshot 45 days earlier with pressure 62 (cap raises Observe Only)",
            input: ESLInput(
                composite: 43, events: F.e5Events,
                pressureSnapshots: [
                    PressureSnapshot(asOf: F.asOf.adding(days: -45), pressure: 62),
                    PressureSnapshot(asOf: F.asOf, pressure: 57),
                ]),
            be: 0.43, svi: 0.8, spi: 0.7, csi: 0.7, sm: 0.36, cm: 1, am: 1, esl: 0.155, label: "Soft Value Share",
            outreach: 7, capTriggered: true),
        ESLTableRow(
            name: "E5 no history: only today's snapshot, pressure 57 (SM 0.6049999999999999 → 0.6)",
            input: ESLInput(
                composite: 43, events: F.e5Events, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 57)]),
            be: 0.43, svi: 0.8, spi: 0, csi: 0.7, sm: 0.6, cm: 1, am: 1, esl: 0.258, label: "Soft Value Share",
            outreach: 11, capTriggered: true),
    ]

    @Test("§5.6 table row", arguments: rows)
    func tableRow(_ row: ESLTableRow) {
        let r = EngagementEngine.compute(row.input, asOf: F.asOf, policy: F.cto)
        #expect(r.baseEngageability == row.be)
        #expect(r.svi == row.svi)
        #expect(r.spi == row.spi)
        #expect(r.csi == row.csi)
        #expect(r.stabilityModifier == row.sm)
        #expect(r.cadenceModifier == row.cm)
        #expect(r.alignmentModifier == row.am)
        #expect(r.eslScore == row.esl)
        #expect(r.engagementType == row.label)
        #expect(r.outreachScore == row.outreach)
        #expect(r.stabilityCapTriggered == row.capTriggered)
        #expect(r.cadenceBlocked == row.cadenceBlocked)
    }

    @Test("§5.6 rows give the same numbers without a pack except the SVI type set", arguments: [0, 1, 2, 4, 5, 6])
    func tableRowNoPack(_ index: Int) {
        // These rows use no repo_activity, so default SVI types and default boundaries agree.
        let row = Self.rows[index]
        let r = EngagementEngine.compute(row.input, asOf: F.asOf, policy: .noPack)
        #expect(r.eslScore == row.esl)
        #expect(r.engagementType == row.label)
        #expect(r.decision == "allow")
        #expect(r.reasonCode == "legacy")
    }

    static let boundaryChecks: [(Double, String)] = [
        (0.0, "Observe Only"), (0.1, "Observe Only"), (0.199, "Observe Only"),
        (0.2, "Soft Value Share"), (0.3, "Soft Value Share"),
        (0.4, "Low-Pressure Intro"), (0.55, "Low-Pressure Intro"), (0.69, "Low-Pressure Intro"),
        (0.7, "Standard Outreach"), (0.8, "Standard Outreach"), (0.89, "Standard Outreach"),
        (0.9, "Direct Strategic Outreach"), (1.0, "Direct Strategic Outreach"),
    ]

    @Test("§5.6 boundary checks, default list", arguments: boundaryChecks)
    func boundaryCheck(_ esl: Double, _ label: String) {
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: .noPack) == label)
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: F.cto) == label)
    }

    @Test("§5.6 pack with no boundaries → Observe Only for every value", arguments: [0.0, 0.3, 0.5, 0.75, 0.95, 1.0])
    func packWithoutBoundaries(_ esl: Double) {
        let empty = ESLPolicy(document: .object(["recommendation_boundaries": []]))
        let missing = ESLPolicy(document: .object([:]))
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: empty) == "Observe Only")
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: missing) == "Observe Only")
    }

    @Test("§5.3 the list is scanned last to first in file order (two-entry example_v2 list)")
    func twoEntryList() {
        let v2 = ESLPolicy(document: .object([
            "recommendation_boundaries": [[0.0, "Observe Only"], [0.7, "Standard Outreach"]],
        ]))
        #expect(EngagementEngine.boundaryLabel(esl: 0.69, policy: v2) == "Observe Only")
        #expect(EngagementEngine.boundaryLabel(esl: 0.7, policy: v2) == "Standard Outreach")
        #expect(EngagementEngine.boundaryLabel(esl: 0.95, policy: v2) == "Standard Outreach")
        #expect(EngagementEngine.boundaryLabel(esl: 1.5, policy: .noPack) == "Direct Strategic Outreach")
    }

    @Test("§5.6 window edge: SVI counts 2026-02-04T00:00Z")
    func sviWindowIncludesMidnight() {
        let e = ESLEvent(eventType: "funding_raised", eventTime: F.time(2026, 2, 4, 0, 0), confidence: 0.7)
        #expect(EngagementEngine.stressVolatilityIndex(events: [e], asOf: F.asOf, policy: F.cto) == 0.35)
    }

    @Test("§5.6 window edge: SVI ignores 2026-02-03T23:59Z")
    func sviWindowExcludesPreviousMinute() {
        let e = ESLEvent(eventType: "funding_raised", eventTime: F.time(2026, 2, 3, 23, 59), confidence: 0.7)
        #expect(EngagementEngine.stressVolatilityIndex(events: [e], asOf: F.asOf, policy: F.cto) == 0.0)
    }

    @Test("§5.6 window edge: CM 0 for outreach at 2025-12-20T00:00Z, 1 for 2025-12-19T23:59Z")
    func cadenceWindowEdges() {
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2025, 12, 20, 0, 0), asOf: F.asOf) == 0.0)
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2025, 12, 19, 23, 59), asOf: F.asOf) == 1.0)
    }

    @Test("§5.6 window edge: SPI counts a snapshot dated 2025-12-20 but not 2025-12-19")
    func spiWindowEdges() {
        let inside = [PressureSnapshot(asOf: F.day(2025, 12, 20), pressure: 70)]
        let outside = [PressureSnapshot(asOf: F.day(2025, 12, 19), pressure: 70)]
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: inside, asOf: F.asOf, policy: F.cto) == 0.7)
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: outside, asOf: F.asOf, policy: F.cto) == 0.0)
    }

    @Test("§5.2 SPI needs pressure >= 60: 59 does not count, 60 does")
    func spiThreshold() {
        let p59 = [PressureSnapshot(asOf: F.asOf, pressure: 59)]
        let p60 = [PressureSnapshot(asOf: F.asOf, pressure: 60)]
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: p59, asOf: F.asOf, policy: F.cto) == 0.0)
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: p60, asOf: F.asOf, policy: F.cto) == 0.7)
    }

    @Test("§5.2 CSI gap is the floor of whole days: 30 d 23 h is no gap, 31 d is")
    func csiWholeDayFloor() {
        let start = F.time(2026, 1, 1, 0, 0)
        let nearly = [
            ESLEvent(eventType: "launch_major", eventTime: start),
            ESLEvent(eventType: "launch_major", eventTime: Timestamp(day: F.day(2026, 1, 31), hour: 23, minute: 59)),
        ]
        let full = [
            ESLEvent(eventType: "launch_major", eventTime: start),
            ESLEvent(eventType: "launch_major", eventTime: F.time(2026, 2, 1, 0, 0)),
        ]
        #expect(EngagementEngine.communicationStabilityIndex(events: nearly, policy: F.cto) == 1.0)
        #expect(EngagementEngine.communicationStabilityIndex(events: full, policy: F.cto) == 0.7)
    }

    @Test("§11.22 SM 0.745 → 0.74 (SVI 0.45 from one 0.9 event, CSI 0.7 from one 95-day silence)")
    func smPointSevenFourFive() {
        #expect(EngagementEngine.stabilityModifier(svi: 0.45, spi: 0.0, csi: 0.7) == 0.74)
        let input = ESLInput(
            composite: 50, events: [F.event("launch_major", 100), F.event("regulatory_deadline", 5, 0.9)])
        let r = EngagementEngine.compute(input, asOf: F.asOf, policy: F.cto)
        #expect(r.svi == 0.45)
        #expect(r.csi == 0.7)
        #expect(r.stabilityModifier == 0.74)
        #expect(r.eslScore == 0.37)
    }

    @Test("§11.22 SM 0.355 → 0.35 and 0.6049999999999999 → 0.6; ESL 0.0946 → 0.095")
    func extraRoundingVectors() {
        #expect(EngagementEngine.stabilityModifier(svi: 1.0, spi: 0.7, csi: 1.0) == 0.35)
        #expect(EngagementEngine.stabilityModifier(svi: 0.8, spi: 0.0, csi: 0.7) == 0.6)
        #expect(EngagementEngine.eslScore(be: 0.11, sm: 0.86, cm: 1.0, am: 1.0) == 0.095)
    }

    @Test("§11.22 outreach 58.5 → 58 and 16.5 → 16 (ties to even)")
    func outreachTies() {
        #expect(EngagementEngine.outreachScore(composite: 65, esl: 0.9) == 58)
        #expect(EngagementEngine.outreachScore(composite: 33, esl: 0.5) == 16)
    }
}
