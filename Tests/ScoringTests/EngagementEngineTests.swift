import Scoring
import SiglogCore
import Testing

/// Spec §11.10 (`test_esl_engine.py`), §11.13 (`test_engagement_snapshot_writer.py`, pure parts),
/// §5.5 explain keys, D8 pack knobs and D16 unclamped SVI confidences.
@Suite("Engagement engine (§11.10, §11.13)")
struct EngagementEngineTests {
    typealias F = ESLFixture

    @Test("§11.10 outreach = roundInt(TRS × ESL)", arguments: [
        (82, 0.5, 41), (100, 1.0, 100), (50, 0.7, 35), (33, 0.5, 16), (33, 0.6, 20), (82, 0.0, 0),
    ])
    func outreach(_ trs: Int, _ esl: Double, _ expected: Int) {
        #expect(EngagementEngine.outreachScore(composite: trs, esl: esl) == expected)
    }

    @Test("§11.10 BE = roundDec(clamp(TRS) / 100, 2)", arguments: [
        (82, 0.82), (0, 0.0), (100, 1.0), (-10, 0.0), (150, 1.0),
    ])
    func baseEngageability(_ trs: Int, _ expected: Double) {
        #expect(EngagementEngine.baseEngageability(composite: trs) == expected)
    }

    @Test("§11.10 SM(0, 0, 1) = 1.0 and SM(1, 0, 1) = 0.6")
    func stabilityModifier() {
        #expect(EngagementEngine.stabilityModifier(svi: 0, spi: 0, csi: 1) == 1.0)
        #expect(EngagementEngine.stabilityModifier(svi: 1, spi: 0, csi: 1) == 0.6)
    }

    @Test("§11.10 CM at 2026-02-18: outreach 2026-02-01 → 0.0, 2025-11-01 → 1.0, none → 1.0")
    func cadenceModifier() {
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2026, 2, 1), asOf: F.asOf) == 0.0)
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2025, 11, 1), asOf: F.asOf) == 1.0)
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: nil, asOf: F.asOf) == 1.0)
    }

    @Test("§11.10 AM: true 1.0, false 0.5, null 1.0")
    func alignmentModifier() {
        #expect(EngagementEngine.alignmentModifier(true) == 1.0)
        #expect(EngagementEngine.alignmentModifier(false) == 0.5)
        #expect(EngagementEngine.alignmentModifier(nil) == 1.0)
    }

    @Test("§11.10 ESL(0.82, 0.65, 1, 1) = 0.533; with CM 0 → 0.0")
    func eslProduct() {
        #expect(EngagementEngine.eslScore(be: 0.82, sm: 0.65, cm: 1, am: 1) == 0.533)
        #expect(EngagementEngine.eslScore(be: 0.82, sm: 0.65, cm: 0, am: 1) == 0.0)
    }

    @Test("§11.10 mapping", arguments: [
        (0.0, "Observe Only"), (0.1, "Observe Only"), (0.2, "Soft Value Share"), (0.3, "Soft Value Share"),
        (0.4, "Low-Pressure Intro"), (0.55, "Low-Pressure Intro"), (0.7, "Standard Outreach"),
        (0.8, "Standard Outreach"), (0.9, "Direct Strategic Outreach"), (1.0, "Direct Strategic Outreach"),
    ])
    func mapping(_ esl: Double, _ label: String) {
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: .noPack) == label)
    }

    @Test("§11.10 mapping with the CTO pack equals the defaults", arguments: [0.1, 0.4, 0.7, 0.9])
    func mappingCTOPack(_ esl: Double) {
        #expect(EngagementEngine.boundaryLabel(esl: esl, policy: F.cto)
            == EngagementEngine.boundaryLabel(esl: esl, policy: .noPack))
    }

    @Test("§11.10 SVI [] = 0; founder_urgency 2026-02-15 conf 0.8 → 0.4")
    func svi() {
        #expect(EngagementEngine.stressVolatilityIndex(events: [], asOf: F.asOf, policy: .noPack) == 0.0)
        let e = ESLEvent(eventType: "founder_urgency_language", eventTime: F.time(2026, 2, 15), confidence: 0.8)
        #expect(EngagementEngine.stressVolatilityIndex(events: [e], asOf: F.asOf, policy: .noPack) == 0.4)
    }

    @Test("§11.10 SPI [] = 0; snapshot 2026-01-01 pressure 70 → 0.7")
    func spi() {
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: [], asOf: F.asOf, policy: .noPack) == 0.0)
        let s = PressureSnapshot(asOf: F.day(2026, 1, 1), pressure: 70)
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: [s], asOf: F.asOf, policy: .noPack) == 0.7)
    }

    @Test("§11.10 CSI [] = 1.0; one event → 1.0")
    func csi() {
        #expect(EngagementEngine.communicationStabilityIndex(events: [], policy: .noPack) == 1.0)
        #expect(EngagementEngine.communicationStabilityIndex(events: [F.event("launch_major", 3)], policy: .noPack) == 1.0)
    }

    @Test("§11.10 policy gate (ORE): SM 0.5, no cooldown → Soft Value Share (ESL 0.5 would be Low-Pressure Intro)")
    func stabilityCapOverridesBoundary() {
        let r = EngagementEngine.recommendation(esl: 0.5, stabilityModifier: 0.5, cadenceBlocked: false, policy: .noPack)
        #expect(r.label == "Soft Value Share")
        #expect(r.stabilityCapTriggered)
        let blocked = EngagementEngine.recommendation(
            esl: 0.0, stabilityModifier: 0.5, cadenceBlocked: true, policy: .noPack)
        #expect(blocked.label == "Observe Only")
        #expect(blocked.stabilityCapTriggered)
    }

    @Test("§5.5 explain echoes the inputs, keys in spec order, weights all 1.0")
    func explainKeys() throws {
        let input = ESLInput(
            composite: 82, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 60)],
            signalIDs: ["founder_urgency_language"])
        let r = EngagementEngine.compute(input, asOf: F.asOf, policy: F.cto)
        let explain = try #require(r.explain.json.objectValue)
        #expect(explain.keys == [
            "base_engageability", "stability_modifier", "cadence_modifier", "alignment_modifier", "svi", "spi", "csi",
            "esl_composite", "cadence_blocked", "recommendation_type", "stability_cap_triggered", "weights",
            "esl_decision", "esl_reason_code", "sensitivity_level", "tone_constraint",
        ])
        #expect(explain["base_engageability"] == .double(0.82))
        #expect(explain["stability_modifier"] == .double(0.76))
        #expect(explain["cadence_modifier"] == .double(1.0))
        #expect(explain["alignment_modifier"] == .double(1.0))
        #expect(explain["svi"] == .double(0.0))
        #expect(explain["spi"] == .double(0.7))
        #expect(explain["csi"] == .double(1.0))
        #expect(explain["esl_composite"] == .double(0.623))
        #expect(explain["cadence_blocked"] == .bool(false))
        #expect(explain["recommendation_type"] == .string("Low-Pressure Intro"))
        #expect(explain["stability_cap_triggered"] == .bool(false))
        #expect(explain["weights"] == .object(["be": 1.0, "sm": 1.0, "cm": 1.0, "am": 1.0]))
        #expect(explain["esl_decision"] == .string("allow"))
        #expect(explain["esl_reason_code"] == .string("none"))
        #expect(explain["sensitivity_level"] == .string("medium"))
        #expect(explain["tone_constraint"] == .null)
    }

    @Test("§11.13 composite 82, pressure 60: SPI 0.7, SM 0.76, ESL 0.623, Low-Pressure Intro, outreach 51, allow")
    func writerComposite82() {
        let r = EngagementEngine.compute(
            ESLInput(composite: 82, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 60)]),
            asOf: F.asOf, policy: F.cto)
        #expect(r.spi == 0.7)
        #expect(r.stabilityModifier == 0.76)
        #expect(r.eslScore == 0.623)
        #expect(r.engagementType == "Low-Pressure Intro")
        #expect(r.outreachScore == 51)
        #expect(r.decision == "allow")
        #expect(r.reasonCode == "none")
        #expect(r.sensitivity == nil)
    }

    @Test("§11.13 composite 50, pressure 50 → ESL 0.5; recomputing gives the same result")
    func writerComposite50() {
        let input = ESLInput(composite: 50, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 50)])
        let first = EngagementEngine.compute(input, asOf: F.asOf, policy: F.cto)
        #expect(first.eslScore == 0.5)
        #expect(EngagementEngine.compute(input, asOf: F.asOf, policy: F.cto) == first)
    }

    @Test("§11.13 outreach 2026-02-08 (composite 82, pressure 80) → cadence blocked, ESL 0.0, Observe Only")
    func writerCadenceBlocked() {
        let r = EngagementEngine.compute(
            ESLInput(
                composite: 82, pressureSnapshots: [PressureSnapshot(asOf: F.asOf, pressure: 80)],
                lastOutreachAt: F.time(2026, 2, 8)),
            asOf: F.asOf, policy: F.cto)
        #expect(r.cadenceBlocked)
        #expect(r.eslScore == 0.0)
        #expect(r.engagementType == "Observe Only")
        #expect(r.explain.json["cadence_blocked"] == .bool(true))
    }

    @Test("§11.13 example_esl_blocked: funding_raised signal → suppress / blocked_signal; no signals → allow")
    func writerBlockedPack() {
        let policy = ESLPolicy(document: F.blockedDocument)
        let events = [DeriverEvent(id: 1, entityID: 7, eventType: "funding_raised", eventTime: F.time(2026, 2, 18, 10))]
        let ids = DeriverSet(document: nil).signalIDs(of: events)
        #expect(ids == ["funding_raised"])
        let r = EngagementEngine.compute(ESLInput(composite: 11, signalIDs: ids), asOf: F.asOf, policy: policy)
        #expect(r.decision == "suppress")
        #expect(r.reasonCode == "blocked_signal")
        #expect(r.sensitivity == nil)
        let clean = EngagementEngine.compute(ESLInput(composite: 11, signalIDs: []), asOf: F.asOf, policy: policy)
        #expect(clean.decision == "allow")
        #expect(clean.reasonCode == "none")
    }

    @Test("D16 SVI sums confidences unclamped: 0 and nil count 0.7, 1.5 counts 1.5, -2 makes SVI negative")
    func sviUnclamped() {
        let zero = [F.event("funding_raised", 1, 0.0), F.event("funding_raised", 2, nil)]
        #expect(EngagementEngine.stressVolatilityIndex(events: zero, asOf: F.asOf, policy: .noPack) == 0.7)
        let big = [F.event("funding_raised", 1, 1.5)]
        #expect(EngagementEngine.stressVolatilityIndex(events: big, asOf: F.asOf, policy: .noPack) == 0.75)
        let negative = [F.event("funding_raised", 1, -2.0)]
        #expect(EngagementEngine.stressVolatilityIndex(events: negative, asOf: F.asOf, policy: .noPack) == -1.0)
        // SM = clamp(1 − 0.4·(−1.0)) = clamp(1.4) = 1.0.
        let r = EngagementEngine.compute(ESLInput(composite: 50, events: negative), asOf: F.asOf, policy: .noPack)
        #expect(r.svi == -1.0)
        #expect(r.stabilityModifier == 1.0)
        #expect(r.eslScore == 0.5)
    }

    @Test("§5.2 SVI types: repo_activity counts with the CTO pack, not with the default set")
    func sviTypes() {
        let events = [F.event("repo_activity", 1, 0.8)]
        #expect(EngagementEngine.stressVolatilityIndex(events: events, asOf: F.asOf, policy: F.cto) == 0.4)
        #expect(EngagementEngine.stressVolatilityIndex(events: events, asOf: F.asOf, policy: .noPack) == 0.0)
        let emptyList = ESLPolicy(document: .object(["svi_event_types": []]))
        #expect(emptyList.sviEventTypes == ESLPolicy.defaultSVIEventTypes)
    }

    @Test("D15 events after the end of as_of and before as_of − 365 are ignored")
    func eventBounds() {
        let later = ESLEvent(eventType: "funding_raised", eventTime: F.time(2026, 2, 19, 0, 0), confidence: 0.7)
        let old = ESLEvent(eventType: "launch_major", eventTime: F.time(2025, 2, 17, 23, 59))
        let recent = ESLEvent(eventType: "launch_major", eventTime: F.time(2026, 2, 18, 23, 59))
        let r = EngagementEngine.compute(ESLInput(composite: 50, events: [old, recent, later]), asOf: F.asOf, policy: .noPack)
        #expect(r.svi == 0.0)
        // Only one event is inside the bounds, so no silence gap is counted.
        #expect(r.csi == 1.0)
        let year = ESLEvent(eventType: "launch_major", eventTime: F.time(2025, 2, 18, 0, 0))
        let both = EngagementEngine.compute(ESLInput(composite: 50, events: [year, recent]), asOf: F.asOf, policy: .noPack)
        #expect(both.csi == 0.7)
    }

    @Test("D8 pack knobs: windows, weights, alignment, cap threshold and cooldown days are honoured")
    func packKnobs() {
        let policy = ESLPolicy(document: .object([
            "cadence_cooldown_days": 30,
            "declined_cooldown_days": 90,
            "stability": .object([
                "svi_window_days": 7, "spi_pressure_threshold": 50, "spi_sustained_days": 10, "spi_high_value": 0.5,
                "csi_silence_gap_days": 10, "csi_gap_penalty": 0.5,
                "weights": .object(["svi": 0.5, "spi": 0.5, "csi": 0.0]),
            ]),
            "alignment": .object(["ok_modifier": 0.9, "not_ok_modifier": 0.2, "null_modifier": 0.8]),
            "stability_cap_threshold": 0.9,
        ]))
        #expect(policy.cadenceCooldownDays == 30)
        #expect(policy.declinedCooldownDays == 90)
        let eightDaysAgo = [F.event("funding_raised", 8, 0.8)]
        #expect(EngagementEngine.stressVolatilityIndex(events: eightDaysAgo, asOf: F.asOf, policy: policy) == 0.0)
        #expect(EngagementEngine.stressVolatilityIndex(events: eightDaysAgo, asOf: F.asOf, policy: .noPack) == 0.4)
        let snap = [PressureSnapshot(asOf: F.asOf.adding(days: -10), pressure: 55)]
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: snap, asOf: F.asOf, policy: policy) == 0.5)
        #expect(EngagementEngine.sustainedPressureIndex(snapshots: snap, asOf: F.asOf, policy: .noPack) == 0.0)
        let gap = [F.event("launch_major", 20), F.event("launch_major", 5)]
        #expect(EngagementEngine.communicationStabilityIndex(events: gap, policy: policy) == 0.5)
        #expect(EngagementEngine.communicationStabilityIndex(events: gap, policy: .noPack) == 1.0)
        #expect(EngagementEngine.stabilityModifier(svi: 0.4, spi: 0.5, csi: 0.0, policy: policy) == 0.55)
        #expect(EngagementEngine.alignmentModifier(true, policy: policy) == 0.9)
        #expect(EngagementEngine.alignmentModifier(false, policy: policy) == 0.2)
        #expect(EngagementEngine.alignmentModifier(nil, policy: policy) == 0.8)
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2026, 1, 18, 0, 0), asOf: F.asOf, policy: policy) == 1.0)
        #expect(EngagementEngine.cadenceModifier(lastOutreachAt: F.time(2026, 1, 19, 0, 0), asOf: F.asOf, policy: policy) == 0.0)
        let capped = EngagementEngine.recommendation(esl: 0.8, stabilityModifier: 0.85, cadenceBlocked: false, policy: policy)
        #expect(capped.label == "Soft Value Share")
        let uncapped = EngagementEngine.recommendation(esl: 0.8, stabilityModifier: 0.85, cadenceBlocked: false, policy: .noPack)
        #expect(uncapped.label == "Standard Outreach")
    }

    @Test("D8 bundled rubric values equal the constants")
    func bundledKnobsEqualConstants() {
        let cto = F.cto
        let none = ESLPolicy.noPack
        #expect(cto.sviWindowDays == none.sviWindowDays)
        #expect(cto.spiPressureThreshold == none.spiPressureThreshold)
        #expect(cto.spiSustainedDays == none.spiSustainedDays)
        #expect(cto.spiHighValue == none.spiHighValue)
        #expect(cto.csiSilenceGapDays == none.csiSilenceGapDays)
        #expect(cto.csiGapPenalty == none.csiGapPenalty)
        #expect([cto.sviWeight, cto.spiWeight, cto.csiWeight] == [0.4, 0.35, 0.25])
        #expect([none.sviWeight, none.spiWeight, none.csiWeight] == [0.4, 0.35, 0.25])
        #expect(cto.stabilityCapThreshold == 0.7 && none.stabilityCapThreshold == 0.7)
        #expect(cto.cadenceCooldownDays == 60 && none.cadenceCooldownDays == 60)
        #expect(cto.declinedCooldownDays == 180 && none.declinedCooldownDays == 180)
        #expect(cto.boundaries == ESLPolicy.defaultBoundaries)
    }
}
