import Scoring
import SiglogCore
import Testing

/// Spec §4.1 effective configuration: §11.2 constants and cfg parsing, §11.7 pack/built-in parity.
@Suite("Readiness configuration (§4.1, §11.2, §11.7)")
struct ReadinessConfigTests {
    typealias F = ReadinessFixture

    static func cfg(_ members: JSONObject) -> ReadinessConfig { ReadinessConfig(document: .object(members)) }

    @Test("§11.2 constants: bases, caps 30/20/30/100, weights, quiet lookback and table")
    func constants() {
        let c = ReadinessConfig.builtIn
        #expect(c.momentumBases["funding_raised"] == 35)
        #expect(c.momentumBases["job_posted_engineering"] == 10)
        #expect(c.complexityBases["api_launched"] == 25)
        #expect(c.pressureBases["regulatory_deadline"] == 30)
        #expect(c.leadershipGapBases["cto_role_posted"] == 70)
        #expect([c.capJobsMomentum, c.capJobsComplexity, c.capFounderUrgency, c.capDimension] == [30, 20, 30, 100])
        #expect(ReadinessDimension.allCases.map(c.weight(for:)) == [0.30, 0.30, 0.25, 0.15])
        #expect(c.quietLookbackDays == 365)
        #expect(c.quietAmplification == [
            QuietAmplification(eventType: "job_posted_infra", bases: ["M": 20, "C": 20]),
            QuietAmplification(eventType: "compliance_mentioned", bases: ["C": 25]),
            QuietAmplification(eventType: "api_launched", bases: ["C": 35]),
        ])
        #expect(c.complexityBases["repo_activity"] == nil)  // the one difference from fractional_cto_v1
        #expect(c.weights == ["M": .double(0.30), "C": .double(0.30), "P": .double(0.25), "G": .double(0.15)])
    }

    @Test("§11.2 cfg({}): suppressors 70/50, minimum_threshold 0, no disqualifiers, no bands")
    func emptyDocument() {
        let c = Self.cfg([:])
        #expect(c.suppressCTOHired60Days == 70)
        #expect(c.suppressCTOHired180Days == 50)
        #expect(c.minimumThreshold == 0)
        #expect(c.disqualifierSignals.isEmpty)
        #expect(c.recommendationBands == nil)
        #expect(c.momentumBases == ReadinessConfig.builtInMomentumBases)
        #expect(c.weights == ReadinessConfig.builtIn.weights)
    }

    @Test("§11.2 suppressors {80, 55} → 80/55")
    func suppressorsBoth() {
        let c = Self.cfg(["suppressors": .object(["cto_hired_60_days": 80, "cto_hired_180_days": 55])])
        #expect([c.suppressCTOHired60Days, c.suppressCTOHired180Days] == [80, 55])
    }

    @Test("§11.2 suppressors {cto_hired_60_days: 99} → 99/50 (per-key fallback)")
    func suppressorsPartial() {
        let c = Self.cfg(["suppressors": .object(["cto_hired_60_days": 99])])
        #expect([c.suppressCTOHired60Days, c.suppressCTOHired180Days] == [99, 50])
    }

    @Test("§11.2 suppressor \"not_a_number\" → 70; numeric strings and doubles are int-coerced")
    func suppressorsCoercion() {
        let bad = Self.cfg(["suppressors": .object(["cto_hired_60_days": "not_a_number"])])
        #expect(bad.suppressCTOHired60Days == 70)
        let coerced = Self.cfg(["suppressors": .object(["cto_hired_60_days": " 65 ", "cto_hired_180_days": 40.9])])
        #expect([coerced.suppressCTOHired60Days, coerced.suppressCTOHired180Days] == [65, 40])
    }

    @Test("§4.4 pack suppressors drive G: 80 at ≤60 d, 55 at 61–180 d")
    func suppressorsApplied() {
        let c = Self.cfg(["suppressors": .object(["cto_hired_60_days": 80, "cto_hired_180_days": 55])])
        let recent = [F.event("cto_role_posted", 50), F.event("cto_role_posted", 50), F.event("cto_hired", 30)]
        #expect(ReadinessEngine.leadershipGap(events: recent, asOf: F.asOf, config: c) == 20)  // 140 clamps to 100 before 80 is subtracted
        let older = [F.event("cto_role_posted", 50), F.event("cto_hired", 100)]
        #expect(ReadinessEngine.leadershipGap(events: older, asOf: F.asOf, config: c) == 15)  // 70 − 55
    }

    @Test("§11.2 minimum_threshold: 60 → 60; unparseable → 0")
    func minimumThreshold() {
        #expect(Self.cfg(["minimum_threshold": 60]).minimumThreshold == 60)
        #expect(Self.cfg(["minimum_threshold": "lots"]).minimumThreshold == 0)
    }

    @Test("§11.2 disqualifier_signals {cto_hired: 180, acquired: 365} kept as given")
    func disqualifiers() {
        let c = Self.cfg(["disqualifier_signals": .object(["cto_hired": 180, "acquired": 365])])
        #expect(c.disqualifierSignals == [
            DisqualifierSignal(eventType: "cto_hired", windowDays: 180),
            DisqualifierSignal(eventType: "acquired", windowDays: 365),
        ])
    }

    @Test("§4.1 disqualifiers drop blank keys and windows that are not ints > 0")
    func disqualifierFiltering() {
        let c = Self.cfg(["disqualifier_signals": .object([
            " ": 30, "zero": 0, "negative": -5, "word": "soon", "ok": "90", "none": .null,
        ])])
        #expect(c.disqualifierSignals == [DisqualifierSignal(eventType: "ok", windowDays: 90)])
    }

    @Test("§4.1 empty base tables and quiet table fall back; partial tables replace the built-in whole")
    func baseTableFallbacks() {
        let c = Self.cfg([
            "base_scores": .object(["momentum": .object(["funding_raised": 20]), "pressure": .object([:])]),
            "quiet_signal": .object(["amplified_base": .object([:]), "lookback_days": 90]),
        ])
        #expect(c.momentumBases == ["funding_raised": 20])
        #expect(c.pressureBases == ReadinessConfig.builtInPressureBases)
        #expect(c.leadershipGapBases == ReadinessConfig.builtInLeadershipGapBases)
        #expect(c.quietAmplification == ReadinessConfig.builtInQuietAmplification)
        #expect(c.quietLookbackDays == 90)
    }

    @Test("§4.1 quiet table keeps file order and coerces values to int")
    func quietTableOrder() {
        let c = Self.cfg(["quiet_signal": .object(["amplified_base": .object([
            "api_launched": .object(["C": 30.0]), "job_posted_infra": .object(["M": 15, "C": "15"]),
        ])])])
        #expect(c.quietAmplification == [
            QuietAmplification(eventType: "api_launched", bases: ["C": 30]),
            QuietAmplification(eventType: "job_posted_infra", bases: ["M": 15, "C": 15]),
        ])
    }

    @Test("§4.1 caps come from the pack, missing keys fall back per key")
    func caps() {
        let c = Self.cfg(["caps": .object(["jobs_momentum": 12, "dimension_max": 80])])
        #expect([c.capJobsMomentum, c.capJobsComplexity, c.capFounderUrgency, c.capDimension] == [12, 20, 30, 80])
        let events = (0..<5).map { F.event("job_posted_engineering", $0, 1.0) }
        #expect(ReadinessEngine.momentum(events: events, asOf: F.asOf, config: c) == 12)
        #expect(ReadinessEngine.composite(momentum: 100, complexity: 100, pressure: 100, leadershipGap: 100, config: c) == 80)
    }

    @Test("§4.1 composite weights kept as given (ints stay ints); empty map → built-in doubles")
    func weightsAsGiven() {
        let ints = Self.cfg(["composite_weights": .object(["G": 1, "M": 0.5])])
        #expect(ints.weights == ["G": .int(1), "M": .double(0.5)])
        #expect(ints.weight(for: .leadershipGap) == 1.0)
        #expect(ints.weight(for: .pressure) == 0.25)
        #expect(Self.cfg(["composite_weights": .object([:])]).weights == ReadinessConfig.builtIn.weights)
    }

    @Test("§11.7 CTO pack cfg equals the built-ins (the pack only adds repo_activity)")
    func ctoPackParity() {
        let pack = ReadinessConfig(document: F.ctoPack)
        let none = ReadinessConfig.builtIn
        #expect(pack.momentumBases == none.momentumBases)
        var complexity = pack.complexityBases
        #expect(complexity.removeValue(forKey: "repo_activity") == 15)
        #expect(complexity == none.complexityBases)
        #expect(pack.pressureBases == none.pressureBases)
        #expect(pack.leadershipGapBases == none.leadershipGapBases)
        #expect([pack.capJobsMomentum, pack.capJobsComplexity, pack.capFounderUrgency, pack.capDimension]
            == [none.capJobsMomentum, none.capJobsComplexity, none.capFounderUrgency, none.capDimension])
        #expect(ReadinessDimension.allCases.map(pack.weight(for:)) == ReadinessDimension.allCases.map(none.weight(for:)))
        #expect(pack.weights == none.weights)
        #expect(pack.quietAmplification == none.quietAmplification)
        #expect(pack.quietLookbackDays == none.quietLookbackDays)
        #expect(pack.momentumDecay.bands == none.momentumDecay.bands)
        #expect(pack.pressureDecay.bands == none.pressureDecay.bands)
        #expect(pack.complexityDecay.bands == none.complexityDecay.bands)
        #expect([pack.suppressCTOHired60Days, pack.suppressCTOHired180Days] == [70, 50])
        #expect(pack.minimumThreshold == 0)
        #expect(pack.disqualifierSignals.isEmpty)
        #expect(pack.recommendationBands == RecommendationBands(ignoreMax: 34, watchMax: 69, highPriorityMin: 70))
    }
}
