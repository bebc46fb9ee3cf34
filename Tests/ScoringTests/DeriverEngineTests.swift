import Scoring
import SiglogCore
import Testing

/// Spec §11.14 (`test_deriver_engine.py`), pure parts, with D3: derive for a pack uses the pack's
/// derivers (the core passthrough set when it has none) and instances are keyed by that pack.
@Suite("Deriver engine (§3.1, §3.2, §11.14)")
struct DeriverEngineTests {
    typealias F = ESLFixture

    static func event(
        _ id: Int, _ type: String, entity: Int? = 1, at time: Timestamp = F.time(2026, 2, 18), title: String? = nil,
        summary: String? = nil, url: String? = nil, source: String? = nil, confidence: Double? = 0.7
    ) -> DeriverEvent {
        DeriverEvent(
            id: id, entityID: entity, eventType: type, eventTime: time, title: title, summary: summary, url: url,
            source: source, confidence: confidence)
    }

    static func patternSet(_ entry: JSONObject) -> DeriverSet {
        DeriverSet(document: .object(["derivers": .object(["pattern": [.object(entry)]])]))
    }

    @Test("§11.14 core passthrough map: funding_raised and cto_role_posted map to themselves; 19 ids, no incorporation")
    func corePassthrough() {
        let core = DeriverSet.core
        #expect(core.passthrough["funding_raised"] == "funding_raised")
        #expect(core.passthrough["cto_role_posted"] == "cto_role_posted")
        #expect(core.passthrough.count == 19)
        #expect(core.passthrough["incorporation"] == nil)
        #expect(core.patterns.isEmpty)
    }

    @Test("D3 no pack, empty document or no entries → core passthrough set")
    func fallbackToCore() {
        for document: JSONValue? in [nil, .object([:]), .object(["derivers": .object(["passthrough": []])])] {
            let set = DeriverSet(document: document)
            #expect(set.passthrough == DeriverSet.core.passthrough)
        }
    }

    @Test("D3 pack passthroughs replace the core set (bookkeeping_v1: financial_distress derives, cto_role_posted does not)")
    func packPassthrough() {
        let bookkeeping = DeriverSet(document: .object(["derivers": .object(["passthrough": [
            .object(["event_type": "financial_distress", "signal_id": "financial_distress"]),
            .object(["event_type": "revenue_milestone", "signal_id": "revenue_milestone"]),
            .object(["event_type": "funding_raised", "signal_id": "funding_raised"]),
            .object(["event_type": "layoffs_announced", "signal_id": "layoffs_announced"]),
        ]])]))
        #expect(bookkeeping.evaluate(Self.event(1, "financial_distress"))
            == [DerivedSignal(signalID: "financial_distress", kind: .passthrough)])
        #expect(bookkeeping.evaluate(Self.event(2, "cto_role_posted")).isEmpty)
    }

    @Test("§11.14 evaluate passthrough → [(funding_raised, passthrough)]")
    func evaluatePassthrough() {
        #expect(DeriverSet.core.evaluate(Self.event(1, "funding_raised"))
            == [DerivedSignal(signalID: "funding_raised", kind: .passthrough)])
    }

    @Test("§11.14 regex (?i)(soc2|compliance) on \"Company achieves SOC2 compliance\" → [(compliance_mentioned, pattern)]")
    func evaluatePattern() {
        let set = Self.patternSet(["signal_id": "compliance_mentioned", "regex": "(?i)(soc2|compliance)"])
        let e = Self.event(1, "blog_post", title: "Company achieves SOC2 compliance")
        #expect(set.evaluate(e) == [DerivedSignal(signalID: "compliance_mentioned", kind: .pattern)])
    }

    @Test("§11.14 no match → []")
    func evaluateNoMatch() {
        let set = Self.patternSet(["signal_id": "compliance_mentioned", "regex": "(?i)(soc2|compliance)"])
        #expect(set.evaluate(Self.event(1, "blog_post", title: "Quarterly update", summary: "New office")).isEmpty)
    }

    @Test("§11.14 min_confidence 0.6 rejects 0.5 and accepts 0.7; null confidence reads 0.7")
    func minConfidence() {
        let set = Self.patternSet(["signal_id": "compliance_mentioned", "pattern": "SOC2", "min_confidence": 0.6])
        #expect(set.evaluate(Self.event(1, "x", title: "SOC2", confidence: 0.5)).isEmpty)
        #expect(set.evaluate(Self.event(2, "x", title: "SOC2", confidence: 0.7)).count == 1)
        #expect(set.evaluate(Self.event(3, "x", title: "SOC2", confidence: nil)).count == 1)
    }

    @Test("§11.14 url field matches only when listed; default fields are title and summary")
    func urlField() {
        let listed = Self.patternSet(["signal_id": "api_launched", "regex": "/api/", "source_fields": ["url"]])
        let unlisted = Self.patternSet(["signal_id": "api_launched", "regex": "/api/"])
        let e = Self.event(1, "page_change", title: "Docs", url: "https://example.com/api/v2")
        #expect(listed.evaluate(e) == [DerivedSignal(signalID: "api_launched", kind: .pattern)])
        #expect(unlisted.evaluate(e).isEmpty)
        #expect(unlisted.evaluate(Self.event(2, "page_change", summary: "see /api/ docs")).count == 1)
    }

    @Test("§3.1 fields are space-joined, null fields skipped: \"Series A\" spans title and summary")
    func joinedFields() {
        let set = Self.patternSet(["signal_id": "funding_raised", "regex": "Series A", "source_fields": ["title", "summary"]])
        #expect(set.evaluate(Self.event(1, "x", title: "Series", summary: "A round")).count == 1)
        #expect(set.evaluate(Self.event(2, "x", title: nil, summary: "Series A")).count == 1)
    }

    @Test("§3.1 passthrough first, then patterns in order, each signal id once")
    func evaluationOrder() {
        let set = DeriverSet(document: .object(["derivers": .object([
            "passthrough": [.object(["event_type": "funding_raised", "signal_id": "funding_raised"])],
            "pattern": [
                .object(["signal_id": "enterprise_customer", "regex": "enterprise"]),
                .object(["signal_id": "funding_raised", "regex": "raised"]),
                .object(["signal_id": "regulatory_deadline", "regex": "deadline"]),
                .object(["signal_id": "enterprise_customer", "regex": "raised"]),
            ],
        ])]))
        let e = Self.event(1, "funding_raised", title: "raised from enterprise", summary: "deadline soon")
        #expect(set.evaluate(e) == [
            DerivedSignal(signalID: "funding_raised", kind: .passthrough),
            DerivedSignal(signalID: "enterprise_customer", kind: .pattern),
            DerivedSignal(signalID: "regulatory_deadline", kind: .pattern),
        ])
    }

    @Test("§11.14 3 events (funding, job_eng, cto_role) → 3 aggregates, 3 processed, 0 skipped")
    func threeEvents() {
        let agg = SignalAggregation(
            events: [Self.event(1, "funding_raised"), Self.event(2, "job_posted_engineering"), Self.event(3, "cto_role_posted")],
            derivers: .core)
        #expect(agg.aggregates.map(\.signalID) == ["funding_raised", "job_posted_engineering", "cto_role_posted"])
        #expect(agg.eventsProcessed == 3)
        #expect(agg.eventsSkipped == 0)
    }

    @Test("§11.14 two funding events 2026-02-10 10:00 and 2026-02-18 12:00 → one aggregate spanning both")
    func firstLastSeen() {
        let early = F.time(2026, 2, 10, 10)
        let late = F.time(2026, 2, 18, 12)
        let agg = SignalAggregation(
            events: [Self.event(2, "funding_raised", at: late), Self.event(1, "funding_raised", at: early)], derivers: .core)
        #expect(agg.aggregates.count == 1)
        #expect(agg.aggregates[0].firstSeen == early)
        #expect(agg.aggregates[0].lastSeen == late)
        #expect(agg.aggregates[0].evidenceEventIDs == [2, 1])
    }

    @Test("§11.14 unknown event type → 1 aggregate, 1 skipped; no company → skipped")
    func skipped() {
        let agg = SignalAggregation(
            events: [Self.event(1, "funding_raised"), Self.event(2, "mystery_type"), Self.event(3, "funding_raised", entity: nil)],
            derivers: .core)
        #expect(agg.aggregates.count == 1)
        #expect(agg.eventsSkipped == 2)
        #expect(agg.eventsProcessed == 1)
    }

    @Test("§3.2 step 4 aggregates by (company, signal); confidence is the max of non-null ones")
    func aggregateConfidence() {
        let agg = SignalAggregation(
            events: [
                Self.event(1, "funding_raised", confidence: nil), Self.event(2, "funding_raised", confidence: 0.6),
                Self.event(3, "funding_raised", confidence: 0.9), Self.event(4, "funding_raised", confidence: 0.8),
                Self.event(5, "funding_raised", confidence: nil), Self.event(6, "funding_raised", entity: 2, confidence: nil),
            ],
            derivers: .core)
        #expect(agg.aggregates.count == 2)
        #expect(agg.aggregates[0].confidence == 0.9)
        #expect(agg.aggregates[0].evidenceEventIDs == [1, 2, 3, 4, 5])
        #expect(agg.aggregates[1].entityID == 2)
        #expect(agg.aggregates[1].confidence == nil)
    }

    @Test("§11.14 evidence: two events → {id1, id2}; single → [id]")
    func evidence() {
        let two = SignalAggregation(events: [Self.event(11, "funding_raised"), Self.event(12, "funding_raised")], derivers: .core)
        let row = SignalInstance.upserting(two.aggregates[0], into: nil)
        #expect(Set(row.evidenceEventIDs ?? []) == [11, 12])
        #expect(row.strength == 1.0)
        let one = SignalAggregation(events: [Self.event(13, "cto_role_posted")], derivers: .core)
        #expect(SignalInstance.upserting(one.aggregates[0], into: nil).evidenceEventIDs == [13])
    }

    @Test("§11.14 re-run after a third event → union of 3; re-running the same events leaves the row unchanged")
    func evidenceUnion() {
        let first = SignalAggregation(events: [Self.event(1, "funding_raised"), Self.event(2, "funding_raised")], derivers: .core)
        let row = SignalInstance.upserting(first.aggregates[0], into: nil)
        #expect(SignalInstance.upserting(first.aggregates[0], into: row) == row)
        let again = SignalAggregation(
            events: [Self.event(1, "funding_raised"), Self.event(2, "funding_raised"), Self.event(3, "funding_raised")],
            derivers: .core)
        #expect(SignalInstance.upserting(again.aggregates[0], into: row).evidenceEventIDs == [1, 2, 3])
    }

    @Test("§11.14 evidence reset to [] or NULL, then re-run → contains the id")
    func evidenceReset() {
        let agg = SignalAggregation(events: [Self.event(5, "funding_raised")], derivers: .core).aggregates[0]
        var row = SignalInstance.upserting(agg, into: nil)
        row.evidenceEventIDs = []
        #expect(SignalInstance.upserting(agg, into: row).evidenceEventIDs == [5])
        row.evidenceEventIDs = nil
        #expect(SignalInstance.upserting(agg, into: row).evidenceEventIDs == [5])
    }

    @Test("§3.2 step 6 merge: least/greatest seen, new confidence when non-null, strength 1.0, nulls ignored")
    func upsertMerge() {
        let existing = SignalInstance(
            entityID: 1, signalID: "funding_raised", strength: 0.3, confidence: 0.9,
            firstSeen: F.time(2026, 1, 5), lastSeen: F.time(2026, 1, 20), evidenceEventIDs: [7])
        let newer = SignalAggregate(
            entityID: 1, signalID: "funding_raised", firstSeen: F.time(2026, 1, 10), lastSeen: F.time(2026, 2, 1),
            confidence: 0.5, evidenceEventIDs: [8, 7])
        let merged = SignalInstance.upserting(newer, into: existing)
        #expect(merged.firstSeen == F.time(2026, 1, 5))
        #expect(merged.lastSeen == F.time(2026, 2, 1))
        #expect(merged.confidence == 0.5)
        #expect(merged.strength == 1.0)
        #expect(merged.evidenceEventIDs == [7, 8])

        var nullConfidence = newer
        nullConfidence.confidence = nil
        #expect(SignalInstance.upserting(nullConfidence, into: existing).confidence == 0.9)

        var noTimes = existing
        noTimes.firstSeen = nil
        noTimes.lastSeen = nil
        let filled = SignalInstance.upserting(newer, into: noTimes)
        #expect(filled.firstSeen == F.time(2026, 1, 10))
        #expect(filled.lastSeen == F.time(2026, 2, 1))
    }

    @Test("D15 gate signal ids and last_seen come from signal-producing events only")
    func signalIDsAndLastSeen() {
        let events = [
            Self.event(1, "funding_raised", at: F.time(2026, 2, 1)),
            Self.event(2, "cto_role_posted", at: F.time(2026, 2, 10)),
            Self.event(3, "incorporation", at: F.time(2026, 2, 15)),
        ]
        #expect(DeriverSet.core.signalIDs(of: events) == ["funding_raised", "cto_role_posted"])
        #expect(DeriverSet.core.lastSignalTime(of: events) == F.time(2026, 2, 10))
        #expect(DeriverSet.core.lastSignalTime(of: [Self.event(4, "incorporation")]) == nil)
    }
}
