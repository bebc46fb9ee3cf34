import Scoring
import SiglogCore
import Testing

/// Spec §11.4 (`test_readiness_composite.py`): composite, global suppressor, explain payload,
/// contributions and the snapshot-level fields (`delta_1d`).
@Suite("Readiness composite and explain (§4.5–§4.7, §11.4)")
struct ReadinessCompositeTests {
    typealias F = ReadinessFixture

    static let composites: [([Int], Int)] = [
        ([100, 0, 0, 0], 30), ([50, 50, 50, 50], 50), ([70, 60, 55, 40], 59), ([100, 100, 100, 100], 100),
        ([0, 0, 0, 0], 0), ([33, 33, 33, 33], 33), ([0, 100, 0, 0], 30), ([0, 0, 100, 0], 25), ([0, 0, 0, 100], 15),
    ]

    @Test("§11.4 composite(M, C, P, G) with default weights", arguments: composites)
    func composite(dims: [Int], expected: Int) {
        #expect(ReadinessEngine.composite(
            momentum: dims[0], complexity: dims[1], pressure: dims[2], leadershipGap: dims[3]) == expected)
    }

    @Test("§11.4 default weights sum to 1.0")
    func defaultWeightsSum() {
        let sum = ReadinessDimension.allCases.map(ReadinessConfig.builtIn.weight(for:)).reduce(0, +)
        #expect(abs(sum - 1.0) <= 1e-9)
    }

    @Test("§4.5 global suppressor: acquired/dead after trim + lowercase; nil and active leave scores alone",
          arguments: [("acquired", true), ("dead", true), ("  DEAD\n", true), ("Acquired ", true), ("active", false),
                      ("", false), ("acquired-ish", false)])
    func suppressedStatus(status: String, suppressed: Bool) throws {
        #expect(ReadinessEngine.isSuppressed(status: status) == suppressed)
        let events = [F.event("funding_raised", 5), F.event("api_launched", 30), F.event("enterprise_customer", 10)]
        let r = try #require(F.compute(F.callerOrdered(events), status: status))
        #expect(r.explain.json["suppressors_applied"] == (suppressed ? ["company_status_suppressed"] : []))
        #expect(r.composite == (suppressed ? 0 : 21))
        #expect(r.momentum == (suppressed ? 0 : 24))
    }

    @Test("§11.4 no status → unchanged scores, suppressors_applied []")
    func nilStatus() throws {
        let r = try #require(F.compute([F.event("funding_raised", 5)], status: nil))
        #expect(r.composite == 11)
        #expect(r.explain.json["suppressors_applied"] == [])
    }

    @Test("§11.4 compute: funding@5 api@30 enterprise_customer@10 → M24 C18 P32 G0 R21, R = composite(M,C,P,G)")
    func computeReadiness() throws {
        let events = F.callerOrdered([F.event("funding_raised", 5), F.event("api_launched", 30), F.event("enterprise_customer", 10)])
        let r = try #require(F.compute(events))
        #expect([r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite] == [24, 18, 32, 0, 21])
        #expect(r.composite == ReadinessEngine.composite(
            momentum: r.momentum, complexity: r.complexity, pressure: r.pressure, leadershipGap: r.leadershipGap))
        #expect(r.explain.json["dimensions"]?["R"] == .int(Int64(r.composite)))
        #expect((r.explain.json["top_events"]?.arrayValue?.count ?? 99) <= 8)
    }

    @Test("§4.7 explain keys in order, required keys only (defaults)")
    func explainKeysMinimal() throws {
        let r = try #require(F.compute([F.event("funding_raised", 5)]))
        #expect(r.explain.json.objectValue?.keys == ["weights", "dimensions", "top_events", "suppressors_applied", "delta_1d"])
        #expect(r.explain.json["weights"] == .object(["M": 0.30, "C": 0.30, "P": 0.25, "G": 0.15]))
        #expect(r.explain.json["dimensions"]?.objectValue?.keys == ["M", "C", "P", "G", "R"])
        #expect(r.explain.json["delta_1d"] == 0)
    }

    @Test("§4.7 explain keys in order with every optional key present")
    func explainKeysFull() throws {
        let document: JSONValue = .object([
            "minimum_threshold": 60,
            "disqualifier_signals": .object(["cto_hired": 180]),
            "recommendation_bands": .object(["ignore_max": 34, "watch_max": 69, "high_priority_min": 70]),
        ])
        let events = F.callerOrdered([F.event("api_launched", 30), F.event("cto_hired", 10)])
        let r = try #require(F.compute(events, config: ReadinessConfig(document: document), previous: 5))
        #expect(r.explain.json.objectValue?.keys == [
            "weights", "dimensions", "top_events", "suppressors_applied", "quiet_signal_amplification_applied",
            "disqualifiers_applied", "minimum_threshold", "recommendation_band", "delta_1d",
        ])
        #expect(r.explain.json["minimum_threshold"] == 60)
        #expect(r.explain.json["recommendation_band"] == "IGNORE")  // R 0 after the disqualifier
        #expect(r.explain.json["delta_1d"] == -5)
    }

    @Test("§11.4 minimum_threshold present when 60, absent when 0 or unset")
    func minimumThresholdKey() throws {
        let events = [F.event("funding_raised", 5)]
        let sixty = try #require(F.compute(events, config: ReadinessConfig(document: .object(["minimum_threshold": 60]))))
        #expect(sixty.explain.json["minimum_threshold"] == 60)
        let zero = try #require(F.compute(events, config: ReadinessConfig(document: .object(["minimum_threshold": 0]))))
        #expect(zero.explain.json["minimum_threshold"] == nil)
        let unset = try #require(F.compute(events, config: ReadinessConfig(document: .object([:]))))
        #expect(unset.explain.json["minimum_threshold"] == nil)
    }

    @Test("§11.4 api@30 + compliance@60, no funding: amplification [compliance_mentioned, api_launched], C42 R13")
    func amplificationList() throws {
        let events = F.callerOrdered([F.event("api_launched", 30), F.event("compliance_mentioned", 60)])
        let r = try #require(F.compute(events))
        #expect(r.explain.json["quiet_signal_amplification_applied"] == ["compliance_mentioned", "api_launched"])
        #expect(r.complexity == 42)
        #expect(r.composite == 13)
    }

    @Test("§11.4 api@30 + funding@5: no amplification key")
    func amplificationAbsentWithFunding() throws {
        let r = try #require(F.compute(F.callerOrdered([F.event("api_launched", 30), F.event("funding_raised", 5)])))
        #expect(r.explain.json["quiet_signal_amplification_applied"] == nil)
    }

    @Test("§11.4 contributions: api@30 alone 24.5 > 17.5 with funding")
    func contributionAmplified() {
        let alone = ReadinessEngine.topEvents(events: [F.event("api_launched", 30)], asOf: F.asOf, config: .builtIn)
        let funded = ReadinessEngine.topEvents(
            events: [F.event("funding_raised", 5), F.event("api_launched", 30)], asOf: F.asOf, config: .builtIn)
        #expect(alone.map(\.contributionPoints) == [24.5])
        #expect(funded.first(where: { $0.eventType == "api_launched" })?.contributionPoints == 17.5)
    }

    @Test("§11.4 contributions: funding@5 (38.5) ranks before compliance@200 (6.3) whatever the input order")
    func contributionOrder() {
        let top = ReadinessEngine.topEvents(
            events: [F.event("compliance_mentioned", 200), F.event("funding_raised", 5)], asOf: F.asOf, config: .builtIn)
        #expect(top.map(\.eventType) == ["funding_raised", "compliance_mentioned"])
        #expect(top.map(\.contributionPoints) == [38.5, 6.3])
    }

    @Test("§11.4 contributions: the limit is respected; ten events give eight")
    func contributionLimit() throws {
        let events = (0..<10).map { F.event("job_posted_engineering", $0) }
        #expect(ReadinessEngine.topEvents(events: events, asOf: F.asOf, config: .builtIn, limit: 3).count == 3)
        let r = try #require(F.compute(events))
        #expect(r.explain.json["top_events"]?.arrayValue?.count == 8)
    }

    @Test("§11.4 contributions: only unknown types → []")
    func contributionUnknownOnly() throws {
        let events = [F.event("unknown_type", 1), F.event("also_unknown", 2)]
        #expect(ReadinessEngine.topEvents(events: events, asOf: F.asOf, config: .builtIn).isEmpty)
        let r = try #require(F.compute(events))
        #expect(r.explain.json["top_events"] == [])
        #expect(r.composite == 0)
    }

    @Test("§4.6 contributions ignore windows and caps; cto_hired never contributes; null time skipped")
    func contributionNoWindows() {
        let events = [
            F.event("cto_role_posted", 200, 0.1), F.event("cto_hired", 3),
            ReadinessEvent(eventType: "funding_raised", eventTime: nil),
        ]
        let top = ReadinessEngine.topEvents(events: events, asOf: F.asOf, config: .builtIn)
        #expect(top.map(\.eventType) == ["cto_role_posted"])
        #expect(top.map(\.contributionPoints) == [70.0])  // G: no window, no confidence
        #expect(top.map(\.confidence) == [0.1])
    }

    @Test("§4.6 top event fields: ISO time (siglog's one time form), source/url as given or \"\", clamped confidence")
    func topEventFields() {
        let time = Timestamp(day: F.asOf.adding(days: -3), hour: 9, minute: 5, second: 7, microsecond: 250)
        let events = [
            ReadinessEvent(eventType: "funding_raised", eventTime: time, confidence: 1.4, source: "crunchbase",
                           url: "https://example.com/a"),
            ReadinessEvent(eventType: "api_launched", eventTime: time, confidence: nil),
        ]
        let top = ReadinessEngine.topEvents(events: events, asOf: F.asOf, config: .builtIn).map(\.json)
        #expect(top.first == .object([
            "event_type": "funding_raised", "event_time": "2026-02-15T09:05:07.000250Z", "source": "crunchbase",
            "url": "https://example.com/a", "contribution_points": 55.0, "confidence": 1.0,
        ]))
        #expect(top.last?["source"] == "")
        #expect(top.last?["url"] == "")
        #expect(top.last?["confidence"] == 0.7)
    }

    @Test("§11.4 snapshot: funding/api/enterprise at 0/10/20 d conf 0.8 → explain keys, delta_1d 0")
    func snapshotFirstDay() throws {
        let events = F.callerOrdered([
            F.event("funding_raised", 0, 0.8), F.event("api_launched", 10, 0.8), F.event("enterprise_customer", 20, 0.8),
        ])
        let r = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        let keys = try #require(r.explain.json.objectValue?.keys)
        for key in ["weights", "dimensions", "top_events", "suppressors_applied", "delta_1d"] {
            #expect(keys.contains(key))
        }
        #expect(r.explain.json["delta_1d"] == 0)
        #expect([r.momentum, r.complexity, r.pressure, r.composite] == [28, 20, 36, 23])  // 8.4 + 6 + 9 = 23.4
    }

    @Test("§11.4 second day: delta_1d = composite today − composite yesterday")
    func snapshotSecondDay() throws {
        let yesterday = F.asOf.adding(days: -1)
        let dayOne = try #require(F.compute([F.event("funding_raised", 0, asOf: yesterday)], asOf: yesterday))
        let events = F.callerOrdered([
            F.event("funding_raised", 1), F.event("cto_role_posted", 0),
        ])
        let dayTwo = try #require(F.compute(events, previous: dayOne.composite))
        #expect(dayOne.composite == 11)
        #expect(dayTwo.composite == 21)
        #expect(dayTwo.explain.json["delta_1d"] == .int(Int64(dayTwo.composite - dayOne.composite)))
        #expect(dayTwo.explain.json["delta_1d"] == 10)
    }
}
