import Scoring
import SiglogCore
import Testing

/// Spec §11.6 and §11.7: scoring with the fractional_cto_v1 document equals scoring with no pack
/// (the built-ins) for every dimension, except events of `repo_activity`.
@Suite("Readiness pack parity (§11.6, §11.7)")
struct ReadinessPackParityTests {
    typealias F = ReadinessFixture

    static func scores(_ r: ReadinessResult) -> [Int] {
        [r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite]
    }

    static let cases: [(String, [ReadinessEvent], [Int])] = [
        ("funding@5", [F.event("funding_raised", 5)], [24, 0, 14, 0, 11]),
        ("cto_role@50", [F.event("cto_role_posted", 50)], [0, 0, 0, 70, 10]),
        ("funding@5 + job_eng@10 + cto_role@50",
         [F.event("funding_raised", 5), F.event("job_posted_engineering", 10), F.event("cto_role_posted", 50)],
         [32, 0, 14, 70, 24]),  // 9.6 + 3.5 + 10.5 = 23.6
    ]

    @Test("§11.6 CTO pack equals defaults for every dimension", arguments: cases)
    func parity(name: String, events: [ReadinessEvent], expected: [Int]) throws {
        let pack = try #require(F.compute(F.callerOrdered(events), config: ReadinessConfig(document: F.ctoPack)))
        let none = try #require(F.compute(F.callerOrdered(events)))
        #expect(Self.scores(pack) == Self.scores(none))
        #expect(Self.scores(pack) == expected)
    }

    @Test("§11.7 as_of 2099-06-15, funding@5 job_eng@10 cto_role@30 conf 0.8: M36 C0 P16 G70 R25 with and without pack")
    func farFuture() throws {
        let asOf = try #require(Day(year: 2099, month: 6, day: 15))
        let events = [
            F.event("funding_raised", 5, 0.8, asOf: asOf), F.event("job_posted_engineering", 10, 0.8, asOf: asOf),
            F.event("cto_role_posted", 30, 0.8, asOf: asOf),
        ]
        let pack = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack), asOf: asOf))
        let none = try #require(F.compute(events, asOf: asOf))
        #expect(Self.scores(pack) == [36, 0, 16, 70, 25])
        #expect(Self.scores(none) == Self.scores(pack))
        #expect(pack.recommendationBand == .ignore)
        #expect(none.recommendationBand == nil)
    }

    @Test("§11.7 two companies with identical events (funding@5 conf 0.9, cto_role@50 conf 0.7) → R 25 both")
    func identicalCompanies() throws {
        let events = [F.event("funding_raised", 5, 0.9), F.event("cto_role_posted", 50, 0.7)]
        let first = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        let second = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        #expect(first == second)
        #expect(first.composite == 25)
    }

    @Test("§11.6 the only difference: repo_activity scores C with the pack (10.5 → 10), not without")
    func repoActivity() throws {
        let events = [F.event("repo_activity", 10)]
        let pack = try #require(F.compute(events, config: ReadinessConfig(document: F.ctoPack)))
        let none = try #require(F.compute(events))
        #expect(pack.complexity == 10)
        #expect(none.complexity == 0)
        #expect(pack.composite == 3)  // 0.3 · 10
        #expect(none.composite == 0)
    }
}
