import Foundation
@testable import Pipeline
import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day.ymd(2026, 2, 18)


/// The three events of the §11.1 TestAdapter fixture, one company each, all on 2026-02-18.
private func testAdapterFixture() throws -> (StageFixture, a: Int64, b: Int64, c: Int64) {
    let fixture = try StageFixture(now: .at(feb18, 23))
    let a = try fixture.company("Test Company A")
    let b = try fixture.company("Test Company B")
    let c = try fixture.company("Test Company C")
    try fixture.event(a, "funding_raised", at: .at(feb18, 10), title: "Series A")
    try fixture.event(b, "job_posted_engineering", at: .at(feb18, 11), title: "Senior Engineer")
    try fixture.event(c, "cto_role_posted", at: .at(feb18, 12), title: "CTO")
    return (fixture, a, b, c)
}

@Suite("Score stage")
struct ScoreStageTests {
    @Test("§11.1 TestAdapter fixture scored at 2026-02-18: A, B, C numbers and feed order A, C, B")
    func testAdapterFixtureScores() throws {
        let (fixture, a, b, c) = try testAdapterFixture()
        let result = try fixture.pipeline.runScore(asOf: feb18)
        #expect(result.json.keys == ["status", "job_run_id", "companies_scored", "companies_engagement",
                                "companies_esl_suppressed", "companies_skipped", "error"])
        #expect(result.json["status"] == "completed")
        #expect(result.json.int("companies_scored") == 3)
        #expect(result.json.int("companies_engagement") == 3)
        #expect(result.json.int("companies_esl_suppressed") == 0)
        #expect(result.json.int("companies_skipped") == 0)
        #expect(result.json["error"] == .null)

        let ra = try #require(try fixture.readiness(a, feb18)).record
        #expect([ra.momentum, ra.complexity, ra.pressure, ra.leadershipGap, ra.composite] == [24, 0, 14, 0, 11] as [Int])
        #expect(ra.explain.json["recommendation_band"] == "IGNORE")
        let ea = try #require(try fixture.engagement(a, feb18)).record
        #expect(ea.eslScore == 0.095)
        #expect(ea.engagementType == "Observe Only")
        #expect(ea.outreachScore == 1)
        #expect(ea.eslDecision == "allow")

        let rb = try #require(try fixture.readiness(b, feb18)).record
        #expect(rb.momentum == 7)
        #expect(rb.composite == 2)
        let eb = try #require(try fixture.engagement(b, feb18)).record
        #expect(eb.eslScore == 0.02)
        #expect(eb.outreachScore == 0)

        let rc = try #require(try fixture.readiness(c, feb18)).record
        #expect(rc.leadershipGap == 70)
        #expect(rc.composite == 10)
        let ec = try #require(try fixture.engagement(c, feb18)).record
        #expect(ec.eslScore == 0.1)
        #expect(ec.outreachScore == 1)

        let feed = try fixture.read {
            try $0.leadFeed(workspace: StageFixture.workspace, pack: StageFixture.ctoPack, asOf: feb18)
        }
        #expect(feed.map(\.record.entityID) == [a, c, b])
        #expect(feed.map(\.record.compositeScore) == [11, 10, 2])
        #expect(feed.map(\.record.recommendationBand) == [.ignore, .ignore, .ignore])
        #expect(feed.first?.record.topSignalIDs == ["funding_raised"])
        // last_seen is the latest signal-producing event (D15), not the scoring time.
        #expect(feed.first?.record.lastSeen == .at(feb18, 10))

        let job = try #require(try fixture.jobs().last)
        #expect(job.started.jobType == .score)
        #expect(job.status == .completed)
        #expect(job.companiesProcessed == 3)
        #expect(job.companiesESLSuppressed == 0)
        #expect(job.started.pack == StageFixture.ctoPack)
    }

    @Test("§11.8 golden: funding@5 (0.9) + cto_role@50 → M32 G70 R25, SVI 0.45, CSI 0.7, SM 0.74, ESL 0.185, outreach 5")
    func goldenNightly() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("Golden")
        try fixture.event(company, "funding_raised", at: .at(feb18.adding(days: -5), 12), confidence: 0.9)
        try fixture.event(company, "cto_role_posted", at: .at(feb18.adding(days: -50), 12), confidence: 0.7)
        _ = try fixture.pipeline.runScore()  // as_of defaults to the clock's UTC day
        let r = try #require(try fixture.readiness(company, feb18)).record
        #expect(r.momentum == 32)
        #expect(r.leadershipGap == 70)
        #expect(r.composite == 25)
        let e = try #require(try fixture.engagement(company, feb18)).record
        #expect(e.stressVolatilityIndex == 0.45)
        #expect(e.communicationStabilityIndex == 0.7)
        #expect(e.sustainedPressureIndex == 0)
        let x = e.explain.json
        #expect(x["stability_modifier"]?.numberValue == 0.74)
        #expect(x["stability_cap_triggered"] == false)
        #expect(e.eslScore == 0.185)
        #expect(e.engagementType == "Observe Only")
        #expect(e.outreachScore == 5)
        #expect(e.pack == StageFixture.ctoPack)
    }

    @Test("D15 backfill: an event after as_of does not change that day's snapshot")
    func backfillIgnoresLaterEvents() throws {
        let past = Day.ymd(2026, 1, 10)
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("Backfill")
        try fixture.event(company, "funding_raised", at: .at(past.adding(days: -5), 12), confidence: 0.9)
        try fixture.event(company, "cto_role_posted", at: .at(past.adding(days: 3), 12))
        let result = try fixture.pipeline.runScore(asOf: past)
        #expect(result.json.int("companies_scored") == 1)
        let r = try #require(try fixture.readiness(company, past)).record
        #expect(r.leadershipGap == 0)
        #expect(r.momentum == 32)
        #expect(r.explain.json["top_events"]?.arrayValue?.count == 1)
        // The feed's last_seen is bounded too.
        #expect(try fixture.feedRow(company)?.record.lastSeen == .at(past.adding(days: -5), 12))
        // Scoring the later day sees it.
        _ = try fixture.pipeline.runScore(asOf: past.adding(days: 3))
        #expect(try fixture.readiness(company, past.adding(days: 3))?.record.leadershipGap == 70)
        // A company whose only events are after as_of is no candidate at all.
        let later = try fixture.company("Later")
        try fixture.event(later, "funding_raised", at: .at(feb18, 1))
        let again = try fixture.pipeline.runScore(asOf: past)
        #expect(again.json.int("companies_scored") == 1)
        #expect(try fixture.readiness(later, past)?.record == nil)
    }

    @Test("The lead-feed probe: no row before the workspace's first score, its rows after it, none in another workspace")
    func leadFeedProbe() throws {
        let (fixture, _, _, _) = try testAdapterFixture()
        let workspace = StageFixture.workspace, pack = StageFixture.ctoPack
        #expect(try fixture.store.read { try $0.hasLeadFeedRows(workspace: workspace, pack: pack) } == false)
        _ = try fixture.pipeline.runScore(asOf: feb18)
        #expect(try fixture.store.read { try $0.hasLeadFeedRows(workspace: workspace, pack: pack) } == true)
        let other = UUID(uuidString: "00000000-0000-0000-0000-0000000000ab")!
        #expect(try fixture.store.read { try $0.hasLeadFeedRows(workspace: other, pack: pack) } == false)
    }

    @Test("Re-running score the same day leaves every view unchanged; delta_1d uses the previous day")
    func rerunLeavesViewsUnchanged() throws {
        let (fixture, a, b, c) = try testAdapterFixture()
        _ = try fixture.pipeline.runScore(asOf: feb18)
        let before = try fixture.viewDump(companies: [a, b, c], days: [feb18])
        let rerun = try fixture.pipeline(at: .at(feb18, 23, 30)).runScore(asOf: feb18)
        #expect(rerun.json.int("companies_scored") == 3)
        #expect(try fixture.viewDump(companies: [a, b, c], days: [feb18]) == before)
        #expect(try fixture.jobs().filter { $0.started.jobType == .score }.count == 2)

        let next = feb18.adding(days: 1)
        _ = try fixture.pipeline(at: .at(next, 8)).runScore(asOf: next)
        let r = try #require(try fixture.readiness(a, next)).record
        #expect(r.explain.json["delta_1d"]?.numberValue == Double(r.composite - 11))
    }

    @Test("§5.6 cadence: outreach 10 days before as_of blocks cadence (CM 0, ESL 0, Observe Only)")
    func cadenceBlocks() throws {
        let (fixture, a, _, _) = try testAdapterFixture()
        try fixture.pipeline.recordOutreach(.id(a), type: "email", sentAt: .at(feb18.adding(days: -10), 9))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        let e = try #require(try fixture.engagement(a, feb18)).record
        #expect(e.cadenceBlocked)
        #expect(e.eslScore == 0)
        #expect(e.outreachScore == 0)
        #expect(e.engagementType == "Observe Only")
        #expect(e.explain.json["cadence_modifier"]?.numberValue == 0)
        let summary = try #require(try fixture.feedRow(a)?.record.outreachStatusSummary)
        #expect(summary.outreachType == "email")
    }

    @Test("D9: outreach in another workspace does not block cadence; D15: outreach after as_of neither")
    func cadenceScopedToWorkspaceAndDay() throws {
        let (fixture, a, _, _) = try testAdapterFixture()
        let other = UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!
        _ = try fixture.store.write { writer in
            try writer.append(WorkspaceCreated(workspaceID: other, name: "Other", activePack: StageFixture.ctoPack),
                              at: .at(feb18))
        }
        try fixture.pipeline.recordOutreach(.id(a), workspace: other, type: "email", sentAt: .at(feb18.adding(days: -3)))
        try fixture.pipeline.recordOutreach(.id(a), type: "email", sentAt: .at(feb18.adding(days: 1), 9))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        let e = try #require(try fixture.engagement(a, feb18)).record
        #expect(!e.cadenceBlocked)
        #expect(e.eslScore == 0.095)
    }

    @Test("Company update alignment false → AM 0.5; status acquired → every dimension 0 (D10)")
    func companyStateFeedsScoring() throws {
        let (fixture, a, _, c) = try testAdapterFixture()
        try fixture.pipeline.updateCompany(.id(a), alignment: .set(false), expectedVersion: 1)
        try fixture.pipeline.updateCompany(.id(c), status: .set(.acquired), expectedVersion: 1)
        _ = try fixture.pipeline.runScore(asOf: feb18)
        let e = try #require(try fixture.engagement(a, feb18)).record
        #expect(e.explain.json["alignment_modifier"]?.numberValue == 0.5)
        #expect(e.eslScore == 0.047)  // roundDec(0.11 * 0.86 * 1 * 0.5, 3) = roundDec(0.0473, 3)
        let r = try #require(try fixture.readiness(c, feb18)).record
        #expect([r.momentum, r.complexity, r.pressure, r.leadershipGap, r.composite] == [0, 0, 0, 0, 0] as [Int])
        #expect(r.explain.json["suppressors_applied"]?.arrayValue?.isEmpty == false)
    }

    @Test("§7.1 exclusion: example_esl_blocked suppresses funding_raised → no lead-feed row, counted suppressed")
    func blockedSignalExcludedFromFeed() throws {
        let fixture = try StageFixture(packs: [(StageFixture.blockedPack, "example_esl_blocked")], now: .at(feb18, 23))
        let blocked = try fixture.company("Blocked")
        let fine = try fixture.company("Fine")
        try fixture.event(blocked, "funding_raised", at: .at(feb18, 10), pack: StageFixture.blockedPack)
        try fixture.event(fine, "cto_role_posted", at: .at(feb18, 10), pack: StageFixture.blockedPack)
        let result = try fixture.pipeline.runScore(asOf: feb18)
        #expect(result.json.int("companies_scored") == 2)
        #expect(result.json.int("companies_esl_suppressed") == 1)
        let e = try #require(try fixture.engagement(blocked, feb18, pack: StageFixture.blockedPack)).record
        #expect(e.eslDecision == "suppress")
        #expect(e.eslReasonCode == "blocked_signal")
        #expect(try fixture.feedRow(blocked, pack: StageFixture.blockedPack)?.record == nil)
        #expect(try fixture.feedRow(fine, pack: StageFixture.blockedPack)?.record != nil)
        #expect(try fixture.jobs().last?.companiesESLSuppressed == 1)
    }

    @Test("§11.8 injected failure for one company: completed, error names it, the other is scored")
    func perCompanyFailure() throws {
        let (fixture, a, b, c) = try testAdapterFixture()
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: feb18, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeCompany: { if $0 == b { throw Boom() } }))
        #expect(result.json["status"] == "completed")
        #expect(result.json["error"] == .string("Company \(b): boom"))
        #expect(result.json.int("companies_scored") == 2)
        #expect(result.json.int("companies_skipped") == 1)
        #expect(try fixture.readiness(a, feb18)?.record != nil)
        #expect(try fixture.readiness(b, feb18)?.record == nil)
        #expect(try fixture.readiness(c, feb18)?.record != nil)
        #expect(try fixture.jobs().last?.errorMessage == "Company \(b): boom")
    }

    @Test("A score stage failing half-way keeps no record and records a failed run")
    func halfWayFailureKeepsNothing() throws {
        let (fixture, a, b, c) = try testAdapterFixture()
        struct Crash: Error {}
        let before = try fixture.viewDump(companies: [a, b, c], days: [feb18])
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: feb18, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(afterCompany: { if $0 == b { throw Crash() } }))
        #expect(result.json["status"] == "failed")
        #expect(try fixture.readiness(a, feb18)?.record == nil)
        #expect(try fixture.viewDump(companies: [a, b, c], days: [feb18]) == before)
        let jobs = try fixture.jobs()
        #expect(jobs.count == 1)
        #expect(jobs.first?.status == .failed)
    }

    @Test("Score with an idempotency key returns the recorded result without running again (D5)")
    func idempotentScore() throws {
        let (fixture, a, _, _) = try testAdapterFixture()
        let first = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "k1")
        try fixture.event(a, "cto_role_posted", at: .at(feb18, 13))
        let second = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "k1")
        #expect(second == first)
        #expect(try fixture.readiness(a, feb18)?.record.leadershipGap == 0)
    }
}

@Suite("Score stage workspaces")
struct ScoreStageWorkspaceTests {
    @Test("§11.8 workspace with active pack X → score run carries workspace and pack X; rows land in that workspace")
    func workspacePackUsed() throws {
        let fixture = try StageFixture(
            packs: [(StageFixture.ctoPack, "fractional_cto_v1"), (StageFixture.blockedPack, "example_esl_blocked")],
            now: .at(feb18, 23))
        let other = UUID(uuidString: "00000000-0000-0000-0000-0000000000cc")!
        _ = try fixture.store.write { writer in
            try writer.append(WorkspaceCreated(workspaceID: other, name: "X", activePack: StageFixture.blockedPack),
                              at: .at(feb18))
        }
        let company = try fixture.company("A")
        try fixture.event(company, "cto_role_posted", at: .at(feb18, 9), pack: StageFixture.blockedPack)
        try fixture.event(company, "funding_raised", at: .at(feb18, 9), pack: StageFixture.ctoPack)
        let result = try fixture.pipeline.runScore(workspace: other, asOf: feb18)
        #expect(result.json.int("companies_scored") == 1)
        let job = try #require(try fixture.jobs().last)
        #expect(job.started.workspaceID == other)
        #expect(job.started.pack == StageFixture.blockedPack)
        // Only the workspace pack's event is scored: G from cto_role_posted, no momentum.
        let r = try #require(try fixture.readiness(company, feb18, pack: StageFixture.blockedPack)).record
        #expect(r.leadershipGap == 70)
        #expect(r.momentum == 0)
        #expect(try fixture.readiness(company, feb18)?.record == nil)
        let row = try fixture.read { try $0.leadFeedRow(workspace: other, pack: StageFixture.blockedPack, entity: company) }
        #expect(row?.record.compositeScore == r.composite)
        #expect(try fixture.feedRow(company, pack: StageFixture.blockedPack)?.record == nil)
        let ranked = try fixture.emergingCompanies(asOf: feb18, threshold: 0, workspace: other)
        #expect(ranked.map(\.companyID) == [company])
    }
}
