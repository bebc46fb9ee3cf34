import Foundation
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SiglogCore
import SiglogRecords
import Testing

/// The score stage over more than two chunks of companies, where scoring one chunk overlaps the
/// appends of the previous one and the reads of the next.
@Suite("Score stage over several chunks")
struct ScoreChunkTests {
    static let day = Day.ymd(2026, 2, 18)
    static let types = ["funding_raised", "job_posted_engineering", "cto_role_posted", "job_posted_infra",
                        "founder_urgency_language", "no_cto_detected"]

    /// `count` companies with one to three events each, varied so their scores differ.
    static func fixture(companies count: Int, initialMapSize: Int? = nil) throws -> (StageFixture, [Int64]) {
        let fixture = try initialMapSize.map { try StageFixture(now: .at(day, 23), initialMapSize: $0) }
            ?? StageFixture(now: .at(day, 23))
        var companies: [Int64] = []
        for index in 0..<count {
            let company = try fixture.company("Company \(index)")
            for event in 0...(index % 3) {
                try fixture.event(company, types[(index + event) % types.count],
                                  at: .at(day.adding(days: -((index * 7 + event * 31) % 200)), 10),
                                  confidence: Double(index % 10) / 10,
                                  url: (index + event) % 4 == 0 ? nil : "https://example.com/\(index)/\(event)")
            }
            companies.append(company)
        }
        return (fixture, companies)
    }

    @Test("Every company is scored once, in order, with the values it gets when scored alone")
    func chunksMatchScoringAlone() throws {
        let count = 2 * StageRunner.scoreChunkSize + 37
        let (fixture, companies) = try Self.fixture(companies: count)
        let failing = companies[2 * StageRunner.scoreChunkSize + 5]  // in the third chunk
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let order = OrderLog()
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeCompany: { if $0 == failing { throw Boom() } },
                              afterCompany: { order.companies.append($0) }))
        #expect(result.json["status"] == "completed")
        #expect(result.json["error"] == .string("Company \(failing): boom"))
        #expect(result.json.int("companies_scored") == count - 1)
        #expect(order.companies == companies.filter { $0 != failing })
        #expect(try fixture.readiness(failing, Self.day) == nil)

        let pack = try #require(try fixture.pipeline.stageScope(workspace: nil, pack: nil).pack)
        var composites: Set<Int> = []
        var urls: Set<String> = []
        for company in companies where company != failing {
            let alone = try fixture.read { reader -> CompanyScore? in
                var decoder = LeanEventDecoder(pack)
                let events = try CompanyEvents(company: company, asOf: Self.day, decoder: &decoder, reader: reader)
                let input = try fixture.pipeline.gatherScoreInput(
                    company, events: events, pack: pack, workspace: StageFixture.workspace, asOf: Self.day, reader: reader)
                return StageRunner.scoreCompany(input, pack: pack, asOf: Self.day)
            }
            let expected = try #require(alone)
            let stored = try #require(try fixture.readiness(company, Self.day)).record
            #expect(stored.composite == expected.readiness.composite)
            #expect(stored.explain == expected.readiness.explain)
            #expect(try fixture.engagement(company, Self.day)?.record.explain == expected.engagement.explain)
            composites.insert(stored.composite)
            urls.formUnion(stored.explain.topEvents.map(\.url))
        }
        #expect(composites.count > 3, "the companies' scores differ")
        #expect(urls.contains("") && urls.count > 100, "top events with and without urls")
    }

    @Test("Companies filling one and two whole chunks, and just past them, are each scored once, in order")
    func wholeChunks() throws {
        let twoChunks = 2 * StageRunner.scoreChunkSize
        for count in [StageRunner.scoreChunkSize, twoChunks, twoChunks + 1] {
            let (fixture, companies) = try Self.fixture(companies: count)
            let order = OrderLog()
            let result = try fixture.pipeline.runScore(
                workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
                hooks: StageHooks(afterCompany: { order.companies.append($0) }))
            #expect(result.json["status"] == "completed")
            #expect(result.json.int("companies_scored") == count)
            #expect(order.companies == companies)
            #expect(try fixture.readiness(companies[count - 1], Self.day) != nil)
        }
    }

    @Test("A failure after a company of a later chunk fails the stage and keeps nothing")
    func failureInLaterChunkKeepsNothing() throws {
        let (fixture, companies) = try Self.fixture(companies: StageRunner.scoreChunkSize + 20)
        let last = try #require(companies.last)
        struct Crash: Error {}
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(afterCompany: { if $0 == last { throw Crash() } }))
        #expect(result.json["status"] == "failed")
        #expect(try fixture.readiness(companies[0], Self.day) == nil)
        #expect(try fixture.jobs().map(\.status) == [.failed])
    }
}

/// Companies in the order the stage's hook saw them (the hook runs on the transaction's thread).
private final class OrderLog: @unchecked Sendable {
    var companies: [Int64] = []
}

@Suite("Lean events of several companies")
struct LeanEventsOfCompaniesTests {
    @Test("One forward pass over the log gives each company's events as the per-company read does")
    func sameAsPerCompany() throws {
        let day = Day.ymd(2026, 2, 18)
        let fixture = try StageFixture(
            packs: [(StageFixture.ctoPack, "fractional_cto_v1"), (StageFixture.blockedPack, "example_esl_blocked")],
            now: .at(day, 23))
        let companies = try (0..<7).map { try fixture.company("Company \($0)") }
        // Interleaved in the log, some of another pack, one company without events.
        for round in 0..<5 {
            for (index, company) in companies.enumerated().dropLast() where (round + index) % 3 != 0 {
                try fixture.event(company, ScoreChunkTests.types[(round + index) % ScoreChunkTests.types.count],
                                  at: .at(day.adding(days: -round * 11 - index), 9), confidence: 0.5,
                                  pack: (round + index) % 4 == 0 ? StageFixture.blockedPack : StageFixture.ctoPack)
            }
        }
        let pack = try #require(try fixture.pipeline.stageScope(workspace: nil, pack: nil).pack)
        let asked = [companies[3], companies[0], companies[6], companies[5], companies[1]]  // any order
        try fixture.read { reader in
            var decoder = LeanEventDecoder(pack)
            let together = try reader.leanEvents(ofCompanies: asked, decoder: &decoder)
            var alone: [[LeanEvent]] = []
            for company in asked { alone.append(try reader.leanEvents(ofCompany: company, decoder: &decoder)) }
            #expect(together == alone)
            #expect(together.map(\.count).reduce(0, +) > 8)
            #expect(together[2].isEmpty)
        }
    }
}
