import Scoring
import SiglogCore
import Testing

/// One row of §11.3: events, the dimension asserted and the reference value.
struct ReadinessDimensionVector: Sendable, CustomTestStringConvertible {
    var name: String
    var events: [ReadinessEvent]
    var dimension: ReadinessDimension
    var expected: Int
    var usesCTOPack = false

    var testDescription: String { "\(name) → \(dimension.rawValue) \(expected)" }
}

/// Spec §11.3 (`test_readiness_engine.py`): dimension calculators with the built-in defaults
/// unless "CTO pack" is stated; where the upstream test accepts a range the "ref" value is used.
@Suite("Readiness engine (§11.3)")
struct ReadinessEngineTests {
    typealias F = ReadinessFixture
    typealias V = ReadinessDimensionVector

    static func value(_ v: V) -> Int {
        let config = v.usesCTOPack ? ReadinessConfig(document: F.ctoPack) : .builtIn
        let events = F.callerOrdered(v.events)
        switch v.dimension {
        case .momentum: return ReadinessEngine.momentum(events: events, asOf: F.asOf, config: config)
        case .complexity: return ReadinessEngine.complexity(events: events, asOf: F.asOf, config: config)
        case .pressure: return ReadinessEngine.pressure(events: events, asOf: F.asOf, config: config)
        case .leadershipGap: return ReadinessEngine.leadershipGap(events: events, asOf: F.asOf, config: config)
        }
    }

    static func e(_ type: String, _ days: Int, _ confidence: Double?) -> ReadinessEvent {
        F.event(type, days, confidence)
    }
    static let vectors: [V] = [
        V(name: "funding@5 + 5× job_eng@10 (24.5 + cap 30)", events: [e("funding_raised", 5, 0.7)]
            + Array(repeating: e("job_posted_engineering", 10, 0.7), count: 5), dimension: .momentum, expected: 54),
        V(name: "funding@5 + headcount_growth@10 (38.5)", events: [e("funding_raised", 5, 0.7), e("headcount_growth", 10, 0.7)],
          dimension: .momentum, expected: 38),
        V(name: "api@30 ai_feature@60 compliance@90, no funding (59.5)",
          events: [e("api_launched", 30, 0.7), e("ai_feature_launched", 60, 0.7), e("compliance_mentioned", 90, 0.7)],
          dimension: .complexity, expected: 60),
        V(name: "repo_activity@10 CTO pack (10.5)", events: [e("repo_activity", 10, 0.7)], dimension: .complexity,
          expected: 10, usesCTOPack: true),
        V(name: "repo_activity@10 no pack", events: [e("repo_activity", 10, 0.7)], dimension: .complexity, expected: 0),
        V(name: "job_posted_infra@10 only (amplified 20)", events: [e("job_posted_infra", 10, 0.7)], dimension: .momentum,
          expected: 14),
        V(name: "job_posted_infra@30 only", events: [e("job_posted_infra", 30, 0.7)], dimension: .complexity, expected: 14),
        V(name: "job_posted_infra@30 + funding@5", events: [e("job_posted_infra", 30, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .complexity, expected: 7),
        V(name: "job_posted_infra@10 + funding@5 (C)", events: [e("job_posted_infra", 10, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .complexity, expected: 7),
        V(name: "job_posted_infra@10 + funding@5 (M 31.5)", events: [e("job_posted_infra", 10, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .momentum, expected: 32),
        V(name: "compliance@30 only (17.5)", events: [e("compliance_mentioned", 30, 0.7)], dimension: .complexity,
          expected: 18),
        V(name: "compliance@30 + funding@5 (10.5)", events: [e("compliance_mentioned", 30, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .complexity, expected: 10),
        V(name: "api@30 only (24.5)", events: [e("api_launched", 30, 0.7)], dimension: .complexity, expected: 24),
        V(name: "api@30 + funding@5 (17.5)", events: [e("api_launched", 30, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .complexity, expected: 18),
        V(name: "api@30 + funding@400 (outside lookback)", events: [e("api_launched", 30, 0.7), e("funding_raised", 400, 0.7)],
          dimension: .complexity, expected: 24),
        V(name: "cto_role@100 + cto_hired@45", events: [e("cto_role_posted", 100, 0.7), e("cto_hired", 45, 0.7)],
          dimension: .leadershipGap, expected: 0),
        V(name: "cto_role@50 + cto_hired@100", events: [e("cto_role_posted", 50, 0.7), e("cto_hired", 100, 0.7)],
          dimension: .leadershipGap, expected: 20),
        V(name: "cto_role@50", events: [e("cto_role_posted", 50, 0.7)], dimension: .leadershipGap, expected: 70),
        V(name: "cto_role@50 + cto_hired@60", events: [e("cto_role_posted", 50, 0.7), e("cto_hired", 60, 0.7)],
          dimension: .leadershipGap, expected: 0),
        V(name: "cto_role@50 + cto_hired@180", events: [e("cto_role_posted", 50, 0.7), e("cto_hired", 180, 0.7)],
          dimension: .leadershipGap, expected: 20),
        V(name: "cto_role@50 + cto_hired@181", events: [e("cto_role_posted", 50, 0.7), e("cto_hired", 181, 0.7)],
          dimension: .leadershipGap, expected: 70),
        V(name: "cto_role@50 + cto_hired@150 + cto_hired@45 (most recent hire)",
          events: [e("cto_role_posted", 50, 0.7), e("cto_hired", 150, 0.7), e("cto_hired", 45, 0.7)],
          dimension: .leadershipGap, expected: 0),
        V(name: "fractional_request@121", events: [e("fractional_request", 121, 0.7)], dimension: .leadershipGap, expected: 0),
        V(name: "advisor_request@121", events: [e("advisor_request", 121, 0.7)], dimension: .leadershipGap, expected: 0),
        V(name: "fractional_request@120", events: [e("fractional_request", 120, 0.7)], dimension: .leadershipGap, expected: 60),
        V(name: "no_cto_detected@365", events: [e("no_cto_detected", 365, 0.7)], dimension: .leadershipGap, expected: 40),
        V(name: "no_cto_detected@366", events: [e("no_cto_detected", 366, 0.7)], dimension: .leadershipGap, expected: 0),
        V(name: "funding@30 (24.5)", events: [e("funding_raised", 30, 0.7)], dimension: .momentum, expected: 24),
        V(name: "funding@31 (17.15)", events: [e("funding_raised", 31, 0.7)], dimension: .momentum, expected: 17),
        V(name: "funding@95", events: [e("funding_raised", 95, 0.7)], dimension: .momentum, expected: 0),
        V(name: "enterprise_customer@30 (17.5)", events: [e("enterprise_customer", 30, 0.7)], dimension: .pressure,
          expected: 18),
        V(name: "enterprise_customer@31 (14.875)", events: [e("enterprise_customer", 31, 0.7)], dimension: .pressure,
          expected: 15),
        V(name: "enterprise_customer@121 (3.5)", events: [e("enterprise_customer", 121, 0.7)], dimension: .pressure,
          expected: 4),
        V(name: "api@90 no funding (24.5)", events: [e("api_launched", 90, 0.7)], dimension: .complexity, expected: 24),
        V(name: "api@91 no funding (19.6)", events: [e("api_launched", 91, 0.7)], dimension: .complexity, expected: 20),
        V(name: "api@366 no funding (9.8, 400-d window)", events: [e("api_launched", 366, 0.7)], dimension: .complexity,
          expected: 10),
        V(name: "api@401 outside the 400-d window", events: [e("api_launched", 401, 0.7)], dimension: .complexity,
          expected: 0),
        V(name: "5× job_eng@0..4 (cap 30)", events: (0..<5).map { e("job_posted_engineering", $0, 0.7) },
          dimension: .momentum, expected: 30),
        V(name: "3× founder_urgency@5,10,15 (cap 30)", events: [5, 10, 15].map { e("founder_urgency_language", $0, 0.7) },
          dimension: .pressure, expected: 30),
        V(name: "3× job_posted_infra@10,20,30 amplified (cap 20)", events: [10, 20, 30].map { e("job_posted_infra", $0, 0.7) },
          dimension: .complexity, expected: 20),
        V(name: "funding@5 conf 1.0", events: [e("funding_raised", 5, 1.0)], dimension: .momentum, expected: 35),
        V(name: "funding@5 conf 0.5 (17.5)", events: [e("funding_raised", 5, 0.5)], dimension: .momentum, expected: 18),
        V(name: "funding@5 conf null → 0.7", events: [e("funding_raised", 5, nil)], dimension: .momentum, expected: 24),
        V(name: "funding@5 conf 1.5 clamps to 1", events: [e("funding_raised", 5, 1.5)], dimension: .momentum, expected: 35),
        V(name: "funding@5 conf −0.1 clamps to 0", events: [e("funding_raised", 5, -0.1)], dimension: .momentum, expected: 0),
        V(name: "unknown_type + funding@5", events: [e("unknown_type", 1, 0.7), e("funding_raised", 5, 0.7)],
          dimension: .momentum, expected: 24),
        V(name: "cto_role@50 + no_cto@100 (110 → 100)", events: [e("cto_role_posted", 50, 0.7), e("no_cto_detected", 100, 0.7)],
          dimension: .leadershipGap, expected: 100),
        V(name: "null time + funding@5",
          events: [ReadinessEvent(eventType: "funding_raised", eventTime: nil, confidence: 1.0), e("funding_raised", 5, 0.7)],
          dimension: .momentum, expected: 24),
        V(name: "future event counts as 0 days old",
          events: [e("funding_raised", -3, 1.0)], dimension: .momentum, expected: 35),
    ]

    @Test("§11.3 dimension vectors", arguments: vectors)
    func dimensionVector(_ v: ReadinessDimensionVector) {
        #expect(Self.value(v) == v.expected)
    }

    @Test("§11.3 empty list: M=C=P=G=0 and no snapshot")
    func emptyList() {
        let config = ReadinessConfig.builtIn
        #expect(ReadinessEngine.momentum(events: [], asOf: F.asOf, config: config) == 0)
        #expect(ReadinessEngine.complexity(events: [], asOf: F.asOf, config: config) == 0)
        #expect(ReadinessEngine.pressure(events: [], asOf: F.asOf, config: config) == 0)
        #expect(ReadinessEngine.leadershipGap(events: [], asOf: F.asOf, config: config) == 0)
        #expect(F.compute([]) == nil)
    }

    @Test("§11.3 readiness without a pack: funding@5 + cto_role@50 → M24 P14 G70 R21")
    func readinessNoPack() throws {
        let r = try #require(F.compute([F.event("funding_raised", 5), F.event("cto_role_posted", 50)]))
        #expect([r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite] == [24, 0, 14, 70, 21])
        #expect(r.recommendationBand == nil)
        #expect(r.explain.json["recommendation_band"] == nil)
    }

    @Test("§11.3 funding@5 + job_eng@10: CTO pack and no pack identical (M32 P14 R13)")
    func packVersusNone() throws {
        let events = [F.event("funding_raised", 5), F.event("job_posted_engineering", 10)]
        let withPack = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        let without = try #require(F.compute(events))
        for r in [withPack, without] {
            #expect([r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite] == [32, 0, 14, 0, 13])
        }
        #expect(withPack.explain.json["dimensions"] == without.explain.json["dimensions"])
        #expect(withPack.explain.json["top_events"] == without.explain.json["top_events"])
    }

    @Test("§11.3 custom pack: empty bases + disqualifier {cto_hired: 180} → R 0, disqualifiers_applied [cto_hired]")
    func disqualifierPack() throws {
        let document: JSONValue = .object([
            "base_scores": .object([
                "momentum": .object([:]), "complexity": .object([:]), "pressure": .object([:]),
                "leadership_gap": .object([:]),
            ]),
            "disqualifier_signals": .object(["cto_hired": 180]),
        ])
        let events = [F.event("funding_raised", 5), F.event("cto_hired", 45), F.event("cto_role_posted", 50)]
        let r = try #require(F.compute(events, config: ReadinessConfig(document: document)))
        #expect(r.composite == 0)
        #expect(r.momentum == 24)  // empty tables fell back to the built-ins; only R is zeroed
        #expect(r.explain.json["disqualifiers_applied"] == ["cto_hired"])
        #expect(r.explain.json["dimensions"]?["R"] == 0)
    }

    @Test("§11.3 disqualifier window: an event older than the window does not disqualify")
    func disqualifierWindow() throws {
        let document: JSONValue = .object(["disqualifier_signals": .object(["cto_hired": 30])])
        let events = [F.event("funding_raised", 5), F.event("cto_hired", 45)]
        let r = try #require(F.compute(events, config: ReadinessConfig(document: document)))
        #expect(r.composite == 11)  // 0.3·24 + 0.25·14 = 10.7; the hire at 45 d is outside the 30-d window
        #expect(r.explain.json["disqualifiers_applied"] == nil)
    }

    @Test("§11.3 funding@5 + cto_role@50: CTO pack and no pack give the same R, no disqualifiers_applied")
    func noDisqualifierKey() throws {
        let events = [F.event("funding_raised", 5), F.event("cto_role_posted", 50)]
        let withPack = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        let without = try #require(F.compute(events))
        #expect(withPack.composite == without.composite)
        #expect(withPack.explain.json["disqualifiers_applied"] == nil)
        #expect(without.explain.json["disqualifiers_applied"] == nil)
    }

    @Test("§4.4 / §12.9 other pack-defined G types never score G but do contribute to top events")
    func otherLeadershipGapTypes() throws {
        let document: JSONValue = .object(["base_scores": .object([
            "leadership_gap": .object(["cto_role_posted": 70, "board_pressure": 30]),
        ])])
        let r = try #require(F.compute([F.event("board_pressure", 5)], config: ReadinessConfig(document: document)))
        #expect(r.leadershipGap == 0)
        #expect(r.composite == 0)
        let top = try #require(r.explain.json["top_events"]?.arrayValue)
        #expect(top.map { $0["event_type"] } == ["board_pressure"])
        #expect(top.map { $0["contribution_points"] } == [30.0])
    }

    @Test("§4.4 a G table without cto_role_posted does not score it; cto_hired still suppresses")
    func leadershipGapTableMembership() {
        let document: JSONValue = .object(["base_scores": .object(["leadership_gap": .object(["no_cto_detected": 40])])])
        let config = ReadinessConfig(document: document)
        let events = [F.event("cto_role_posted", 10), F.event("no_cto_detected", 20)]
        #expect(ReadinessEngine.leadershipGap(events: events, asOf: F.asOf, config: config) == 40)
        let hired = events + [F.event("cto_hired", 100)]
        #expect(ReadinessEngine.leadershipGap(events: hired, asOf: F.asOf, config: config) == 0)  // 40 − 50 → 0
    }

    @Test("§4.3 quiet lookback comes from the pack: funding@40 with lookback 30 leaves amplification on")
    func packLookback() throws {
        let document: JSONValue = .object(["quiet_signal": .object(["lookback_days": 30])])
        let events = F.callerOrdered([F.event("funding_raised", 40), F.event("api_launched", 30)])
        let r = try #require(F.compute(events, config: ReadinessConfig(document: document)))
        #expect(r.complexity == 24)  // 35 · 1.0 · 0.7 = 24.5 → 24 (amplified)
        #expect(r.explain.json["quiet_signal_amplification_applied"] == ["api_launched"])
        let defaults = try #require(F.compute(events))
        #expect(defaults.complexity == 18)  // funding within 365 d: 25 · 0.7 = 17.5 → 18
    }

    @Test("§4.3 a zero amplified base falls back to the dimension base")
    func zeroAmplifiedBase() {
        let document: JSONValue = .object(["quiet_signal": .object(["amplified_base": .object([
            "job_posted_infra": .object(["M": 0, "C": 30]),
        ])])])
        let config = ReadinessConfig(document: document)
        let events = [F.event("job_posted_infra", 10, 1.0)]
        #expect(ReadinessEngine.momentum(events: events, asOf: F.asOf, config: config) == 10)
        #expect(ReadinessEngine.complexity(events: events, asOf: F.asOf, config: config) == 20)  // 30 capped at 20
    }
}
