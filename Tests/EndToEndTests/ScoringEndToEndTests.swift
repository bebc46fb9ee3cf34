import Foundation
import SiglogCore
import Testing

/// Issue acceptance through the binaries: the TestAdapter fixture (spec §11.1) ingested with
/// `siglog-append events`, run through `stage derive/score/update-lead-feed --as-of 2026-02-18`, and
/// read back with `siglog-query snapshots` and `lead-feed`.
@Suite("Scoring through the binaries")
struct ScoringEndToEndTests {
    struct Expected {
        var company: Int64
        var m, c, p, g, r: Int64
        var esl: Double
        var label: String
        var outreach: Int64
    }

    /// §11.1: A (funding) M24 C0 P14 G0 R11, ESL 0.095 Observe Only, outreach 1; B (engineering job)
    /// M7 R2, ESL 0.02, outreach 0; C (CTO role) G70 R10, ESL 0.1, outreach 1.
    static let expected = [
        Expected(company: 1, m: 24, c: 0, p: 14, g: 0, r: 11, esl: 0.095, label: "Observe Only", outreach: 1),
        Expected(company: 2, m: 7, c: 0, p: 0, g: 0, r: 2, esl: 0.02, label: "Observe Only", outreach: 0),
        Expected(company: 3, m: 0, c: 0, p: 0, g: 70, r: 10, esl: 0.1, label: "Observe Only", outreach: 1),
    ]

    @Test("§11.1 TestAdapter at 2026-02-18: A M24 C0 P14 G0 R11 ESL 0.095, B R2 ESL 0.02, C G70 R10 ESL 0.1; feed A, C, B")
    func testAdapterNumbers() throws {
        let store = try QueryFixtureStore.scoredTestAdapter()
        let snapshots = try #require(try store.must(store.query(["snapshots", "--as-of", "2026-02-18", "--format", "json"])).json?
            .arrayValue)
        #expect(snapshots.count == 3)
        for want in Self.expected {
            let row = try #require(snapshots.first { $0["company_id"] == .int(want.company) }, "company \(want.company)")
            let readiness = try #require(row["readiness"])
            #expect(readiness["momentum"] == .int(want.m))
            #expect(readiness["complexity"] == .int(want.c))
            #expect(readiness["pressure"] == .int(want.p))
            #expect(readiness["leadership_gap"] == .int(want.g))
            #expect(readiness["composite"] == .int(want.r))
            #expect(readiness["explain"]?["recommendation_band"] == "IGNORE")
            let engagement = try #require(row["engagement"])
            #expect(engagement["esl_score"]?.numberValue == want.esl)
            #expect(engagement["engagement_type"]?.stringValue == want.label)
            #expect(engagement["outreach_score"] == .int(want.outreach))
            #expect(engagement["esl_decision"] == "allow")
        }
        let feed = try #require(try store.must(store.query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0",
                                                            "--format", "json"])).json?.arrayValue)
        #expect(feed.map { $0["entity_id"] } == [.int(1), .int(3), .int(2)])
    }

    @Test("re-running every stage with the same inputs leaves the views unchanged (stats fingerprints)")
    func rerunChangesNoView() throws {
        let store = try QueryFixtureStore.scoredTestAdapter()
        func viewFingerprints() throws -> JSONValue? {
            let stats = try store.must(store.query(["stats", "--format", "json"])).json
            var views = stats?["view_fingerprints"]?.objectValue
            views?["jobs"] = nil  // a rerun records its job runs; no other view may change
            views?["jobs.by_workspace"] = nil
            return views.map { .object($0) }
        }
        let before = try #require(try viewFingerprints())
        for stage in ["derive", "score", "update-lead-feed"] {
            try store.must(store.append(["stage", stage, "--as-of", "2026-02-18"]))
        }
        #expect(try viewFingerprints() == before)
    }
}
