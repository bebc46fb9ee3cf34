import Foundation
@testable import Pipeline
import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day.ymd(2026, 2, 18)

private func scoredFixture() throws -> (StageFixture, a: Int64, b: Int64, c: Int64) {
    let fixture = try StageFixture(now: .at(feb18, 23))
    let a = try fixture.company("Test Company A")
    let b = try fixture.company("Test Company B")
    let c = try fixture.company("Test Company C")
    try fixture.event(a, "funding_raised", at: .at(feb18, 10))
    try fixture.event(b, "job_posted_engineering", at: .at(feb18, 11))
    try fixture.event(c, "cto_role_posted", at: .at(feb18, 12))
    _ = try fixture.pipeline.runScore(asOf: feb18)
    return (fixture, a, b, c)
}

@Suite("Update-lead-feed stage and emerging companies")
struct LeadFeedStageTests {
    @Test("§7.3 no pack resolved → failed, job_run_id null, rows 0, no job run")
    func updateLeadFeedWithoutPack() throws {
        let fixture = try StageFixture(packs: [], now: .at(feb18, 12))
        let result = try fixture.pipeline.runUpdateLeadFeed(asOf: feb18)
        #expect(result.json == ["status": "failed", "job_run_id": .null, "rows_upserted": 0,
                                "error": "No pack resolved for workspace"])
        #expect(try fixture.jobs().isEmpty)
    }

    @Test("§7.3 with D6: batch rebuild keeps the band; re-run reports the same count and changes no view")
    func batchRebuild() throws {
        let (fixture, a, b, c) = try scoredFixture()
        let before = try fixture.viewDump(companies: [a, b, c], days: [feb18])
        let result = try fixture.pipeline(at: .at(feb18, 23, 30)).runUpdateLeadFeed(asOf: feb18)
        #expect(result.json.keys == ["status", "job_run_id", "rows_upserted", "error"])
        #expect(result.json.int("rows_upserted") == 3)
        #expect(try fixture.viewDump(companies: [a, b, c], days: [feb18]) == before)
        #expect(try fixture.feedRow(a)?.record.recommendationBand == .ignore)
        #expect(try fixture.jobs().last?.companiesProcessed == 3)
        #expect(try fixture.jobs().last?.started.jobType == .updateLeadFeed)
    }

    @Test("§7.3 batch build writes the rows of a scored day whose feed rows are missing or stale")
    func batchRebuildWritesRows() throws {
        let (fixture, a, _, _) = try scoredFixture()
        // A later score overwrites the entity's row with that day; the batch build for feb18 restores it.
        let next = feb18.adding(days: 1)
        _ = try fixture.pipeline(at: .at(next, 9)).runScore(asOf: next)
        #expect(try fixture.feedRow(a)?.record.asOf == next)
        let result = try fixture.pipeline(at: .at(next, 10)).runUpdateLeadFeed(asOf: feb18)
        #expect(result.json.int("rows_upserted") == 3)
        let row = try #require(try fixture.feedRow(a))
        #expect(row.record.asOf == feb18)
        #expect(row.record.compositeScore == 11)
        #expect(row.record.recommendationBand == .ignore)
        #expect(row.recordedAt == .at(next, 10))
    }

    @Test("A batch build failing half-way keeps no row and records a failed run")
    func batchFailureKeepsNothing() throws {
        let (fixture, a, b, c) = try scoredFixture()
        let next = feb18.adding(days: 1)
        _ = try fixture.pipeline(at: .at(next, 9)).runScore(asOf: next)
        let before = try fixture.viewDump(companies: [a, b, c], days: [feb18, next])
        struct Crash: Error {}
        let result = try fixture.pipeline.runUpdateLeadFeed(
            workspace: nil, pack: nil, asOf: feb18, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(afterCompany: { if $0 == b { throw Crash() } }))
        #expect(result.json["status"] == "failed")
        #expect(try fixture.viewDump(companies: [a, b, c], days: [feb18, next]) == before)
        #expect(try fixture.jobs().last?.status == .failed)
    }

    @Test("§11.1 ranked list (feed path, threshold 0): A 11 allow, C 10 allow, B 2 allow")
    func rankedListFeedPath() throws {
        let (fixture, a, b, c) = try scoredFixture()
        let ranked = try fixture.emergingCompanies(asOf: feb18, limit: 20, threshold: 0)
        #expect(ranked.map(\.companyID) == [a, c, b])
        #expect(ranked.map(\.composite) == [11, 10, 2])
        #expect(ranked.map(\.band) == ["allow", "allow", "allow"])
        #expect(ranked.map(\.companyName) == ["Test Company A", "Test Company C", "Test Company B"])
        #expect(ranked.allSatisfy { $0.path == .feed })
        #expect(ranked.first?.outreachScore == 1)
    }

    @Test("§8 threshold 30 filters every fixture company; limit applies")
    func rankedThresholdAndLimit() throws {
        let (fixture, a, _, c) = try scoredFixture()
        #expect(try fixture.emergingCompanies(asOf: feb18).isEmpty)
        #expect(try fixture.emergingCompanies(asOf: feb18, limit: 2, threshold: 0).map(\.companyID) == [a, c])
        #expect(try fixture.emergingCompanies(asOf: feb18.adding(days: 1), threshold: 0).isEmpty)
    }

    @Test("§8 join path when the feed has no row for the day: score = roundInt(composite * esl), ties by id")
    func rankedJoinPath() throws {
        let fixture = try StageFixture(packs: [(StageFixture.blockedPack, "example_esl_blocked")], now: .at(feb18, 23))
        let blocked = try fixture.company("Blocked")
        let x = try fixture.company("X")
        let y = try fixture.company("Y")
        try fixture.event(blocked, "funding_raised", at: .at(feb18, 10), pack: StageFixture.blockedPack)
        try fixture.event(x, "cto_role_posted", at: .at(feb18, 10), pack: StageFixture.blockedPack)
        try fixture.event(y, "cto_role_posted", at: .at(feb18, 11), pack: StageFixture.blockedPack)
        _ = try fixture.pipeline.runScore(asOf: feb18)
        // Remove the feed's day by rebuilding another day's rows over them: score the next day.
        _ = try fixture.pipeline(at: .at(feb18.adding(days: 1), 1)).runScore(asOf: feb18.adding(days: 1))
        let ranked = try fixture.emergingCompanies(asOf: feb18, limit: 5, threshold: 0)
        #expect(ranked.map(\.companyID) == [x, y])  // suppressed company dropped, equal scores by id
        #expect(ranked.allSatisfy { $0.path == .join })
    }
}
