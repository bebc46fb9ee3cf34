import Scoring
import SiglogCore
import Testing

/// The worked examples E1–E9 of spec §4.10 (fractional_cto_v1 unless stated), including the
/// rounding ties listed in §11.22.
@Suite("Readiness worked examples (§4.10)")
struct ReadinessWorkedExampleTests {
    typealias F = ReadinessFixture
    let cto = ReadinessConfig(document: F.ctoPack)

    func dims(_ r: ReadinessResult) -> [Int] { [r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite] }

    func topEvents(_ r: ReadinessResult) -> [(String, Double)] {
        (r.explain.json["top_events"]?.arrayValue ?? []).map {
            ($0["event_type"]?.stringValue ?? "?", $0["contribution_points"]?.numberValue ?? .nan)
        }
    }

    @Test("§4.10 E1 TestAdapter A: M24 P14 R11 IGNORE, top funding_raised 38.5")
    func e1() throws {
        let r = try #require(F.compute([F.event("funding_raised", 0)], config: cto))
        #expect(dims(r) == [24, 0, 14, 0, 11])  // 24.5 → 24 (tie to even); 0.3·24 + 0.25·14 = 10.7
        #expect(r.recommendationBand == .ignore)
        #expect(r.explain.json["recommendation_band"] == "IGNORE")
        let top = try #require(r.explain.json["top_events"]?.arrayValue?.first)
        #expect(top == .object([
            "event_type": "funding_raised", "event_time": "2026-02-18T12:00:00.000000Z", "source": "", "url": "",
            "contribution_points": 38.5, "confidence": 0.7,
        ]))
    }

    @Test("§4.10 E2 TestAdapter B: job_posted_engineering M7 R2")
    func e2() throws {
        let r = try #require(F.compute([F.event("job_posted_engineering", 0)], config: cto))
        #expect(dims(r) == [7, 0, 0, 0, 2])
    }

    @Test("§4.10 E3 / §11.22 TestAdapter C: G70, R 10.5 → 10 (tie to even)")
    func e3() throws {
        let r = try #require(F.compute([F.event("cto_role_posted", 0)], config: cto))
        #expect(dims(r) == [0, 0, 0, 70, 10])
        #expect(r.recommendationBand == .ignore)
    }

    @Test("§4.10 E4 / §11.22 golden: M 31.5 → 32, P18, G70, R 24.6 → 25")
    func e4() throws {
        let events = [F.event("funding_raised", 5, 0.9), F.event("cto_role_posted", 50, 0.7)]
        for config in [cto, ReadinessConfig.builtIn] {
            let r = try #require(F.compute(events, config: config))
            #expect(dims(r) == [32, 0, 18, 70, 25])
            #expect(topEvents(r).map(\.0) == ["cto_role_posted", "funding_raised"])
            #expect(topEvents(r).map(\.1) == [70.0, 49.5])  // 31.5 + 18
        }
    }

    static let e5Events: [ReadinessEvent] = F.callerOrdered([
        F.event("funding_raised", 40, 0.8),
        F.event("job_posted_engineering", 3, 0.9), F.event("job_posted_engineering", 10, 0.9),
        F.event("job_posted_infra", 20, 0.7), F.event("api_launched", 100, 0.7),
        F.event("compliance_mentioned", 200, 0.6), F.event("enterprise_customer", 70, 0.9),
        F.event("founder_urgency_language", 2, 0.8), F.event("founder_urgency_language", 9, 0.8),
        F.event("founder_urgency_language", 15, 0.8), F.event("cto_role_posted", 30, 0.7),
        F.event("no_cto_detected", 200, 0.5), F.event("cto_hired", 90, 0.9),
    ])

    @Test("§4.10 E5 composite mix: M45 C26 P57 G50 R43 WATCH, eight top events")
    func e5() throws {
        let r = try #require(F.compute(Self.e5Events, config: cto))
        #expect(dims(r) == [45, 26, 57, 50, 43])
        #expect(r.recommendationBand == .watch)
        #expect(r.explain.json["quiet_signal_amplification_applied"] == nil)  // funding present
        let top = topEvents(r)
        #expect(top.map(\.0) == [
            "cto_role_posted", "no_cto_detected", "funding_raised", "job_posted_infra", "api_launched",
            "enterprise_customer", "founder_urgency_language", "founder_urgency_language",
        ])
        #expect(top.map(\.1) == [70.0, 40.0, 33.2, 14.0, 14.0, 13.5, 12.0, 12.0])
    }

    @Test("§4.10 E6 / §11.22 quiet amplification: M14 C51 P0, R 19.5 → 20, list in table order")
    func e6() throws {
        let events = F.callerOrdered([
            F.event("job_posted_infra", 10), F.event("api_launched", 100),
            F.event("compliance_mentioned", 20), F.event("funding_raised", 400),
        ])
        let r = try #require(F.compute(events, config: cto))
        #expect(dims(r) == [14, 51, 0, 0, 20])
        #expect(r.explain.json["quiet_signal_amplification_applied"]
            == ["job_posted_infra", "compliance_mentioned", "api_launched"])
        #expect(topEvents(r).map(\.0) == ["job_posted_infra", "api_launched", "compliance_mentioned", "funding_raised"])
        #expect(topEvents(r).map(\.1) == [28.0, 19.6, 17.5, 2.8])  // funding: P window ignored, 20·0.2·0.7
    }

    @Test("§4.10 E7 status \"Acquired \": everything 0, suppressor recorded, top events kept")
    func e7() throws {
        let events = [F.event("funding_raised", 5, 0.9), F.event("cto_role_posted", 50, 0.7)]
        let r = try #require(F.compute(events, config: cto, status: "Acquired "))
        #expect(dims(r) == [0, 0, 0, 0, 0])
        #expect(r.explain.json["suppressors_applied"] == ["company_status_suppressed"])
        #expect(topEvents(r).map(\.1) == [70.0, 49.5])
        #expect(r.explain.json["dimensions"] == .object(["M": 0, "C": 0, "P": 0, "G": 0, "R": 0]))
    }

    static let e8Events: [ReadinessEvent] = F.callerOrdered([
        F.event("funding_raised", 10, 0.7), F.event("revenue_milestone", 45, 0.8),
        F.event("layoffs_announced", 100, 0.7), F.event("cto_role_posted", 20, 0.7),
        F.event("financial_distress", 5, 0.7),
    ])

    @Test("§4.10 E8 / §11.22 bookkeeping_v1: M17 C12 P39 G70 (empty G table → built-in), R 34.5 → 34")
    func e8() throws {
        let r = try #require(F.compute(Self.e8Events, config: ReadinessConfig(document: F.bookkeepingPack)))
        #expect(dims(r) == [17, 12, 39, 70, 34])
        #expect(r.recommendationBand == nil)
        #expect(r.explain.json["recommendation_band"] == nil)
        #expect(r.explain.json["weights"] == .object(["M": 0.25, "C": 0.25, "P": 0.25, "G": 0.25]))
    }

    @Test("§4.10 E8 same events without a pack: M24 C0 P24 G70 R24")
    func e8NoPack() throws {
        let r = try #require(F.compute(Self.e8Events, config: .builtIn))
        #expect(dims(r) == [24, 0, 24, 70, 24])
    }

    @Test("§4.10 E9 / §11.22 example_v2 partial weights: R 50.5 → 50, explain weights {M: 0.5, G: 0.5}")
    func e9() throws {
        let config = ReadinessConfig(document: F.exampleV2Pack)
        let r = try #require(F.compute([F.event("funding_raised", 5), F.event("cto_role_posted", 50)], config: config))
        #expect(dims(r) == [24, 0, 14, 70, 50])
        #expect(r.explain.json["weights"] == .object(["M": 0.5, "G": 0.5]))
        let sum = ReadinessDimension.allCases.map(config.weight(for:)).reduce(0, +)
        #expect(abs(sum - 1.55) < 1e-12)
    }
}
