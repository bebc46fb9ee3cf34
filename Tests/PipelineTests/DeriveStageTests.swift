import Foundation
import ReadModel
@testable import Pipeline
import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

private let day = Day.ymd(2026, 2, 18)

@Suite("Derive stage")
struct DeriveStageTests {
    @Test("D4: derive without a pack fails with the exact text and records no job run")
    func deriveWithoutPack() throws {
        let fixture = try StageFixture(packs: [], now: .at(day, 12))
        #expect(throws: SiglogError.deriveRequiresPack) { try fixture.pipeline.runDerive() }
        #expect(SiglogError.deriveRequiresPack.message == "Derive stage requires a pack; no pack available")
        #expect(try fixture.jobs().isEmpty)
    }

    @Test("§3.2 derive: aggregates per (entity, signal), max confidence, evidence in log order, skipped counted")
    func deriveAggregates() throws {
        let fixture = try StageFixture(now: .at(day, 12))
        let a = try fixture.company("A")
        let b = try fixture.company("B")
        let e1 = try fixture.event(a, "funding_raised", at: .at(day.adding(days: -3)), confidence: 0.6)
        let e2 = try fixture.event(a, "funding_raised", at: .at(day.adding(days: -9)), confidence: 0.8)
        try fixture.event(a, "incorporation", at: .at(day))  // not a core passthrough id
        try fixture.event(b, "cto_role_posted", at: .at(day), confidence: nil)
        try fixture.event(b, "cto_role_posted", at: .at(day), pack: WellKnownIDs.corePack)  // other pack: not read

        let result = try fixture.pipeline.runDerive(pack: StageFixture.ctoPack)
        #expect(result.json.keys == ["status", "job_run_id", "instances_upserted", "events_processed", "events_skipped", "error"])
        #expect(result.json["status"] == "completed")
        #expect(result.json.int("instances_upserted") == 2)
        #expect(result.json.int("events_processed") == 3)
        #expect(result.json.int("events_skipped") == 1)

        let instance = try #require(try fixture.read { try $0.instances(ofEntity: a) }.first)
        #expect(instance.signalID == "funding_raised")
        #expect(instance.pack == StageFixture.ctoPack)
        #expect(instance.confidence == 0.8)
        #expect(instance.firstSeen == .at(day.adding(days: -9)))
        #expect(instance.lastSeen == .at(day.adding(days: -3)))
        #expect(instance.evidenceEventIDs == [Int64(e1), Int64(e2)])
        let bInstances = try fixture.read { try $0.instances(ofEntity: b) }
        #expect(bInstances.map(\.signalID) == ["cto_role_posted"])
        #expect(bInstances.first?.confidence == nil)
        #expect(try fixture.jobs().last?.companiesProcessed == 2)
    }

    @Test("Derive re-run with the same inputs leaves the views unchanged and reports the same counts")
    func deriveRerunIdempotent() throws {
        let fixture = try StageFixture(now: .at(day, 12))
        let a = try fixture.company("A")
        try fixture.event(a, "funding_raised", at: .at(day.adding(days: -3)), confidence: 0.6)
        try fixture.event(a, "api_launched", at: .at(day.adding(days: -4)))
        let first = try fixture.pipeline.runDerive()
        let before = try fixture.viewDump(companies: [a], days: [])
        let second = try fixture.pipeline(at: .at(day, 13)).runDerive()
        #expect(try fixture.viewDump(companies: [a], days: []) == before)
        #expect(second.json.int("instances_upserted") == first.json.int("instances_upserted"))
        #expect(second.json.int("events_processed") == 2)
        #expect(second.json["job_run_id"] != first.json["job_run_id"])

        // A new event merges: first_seen least, evidence union, confidence the new max.
        let e3 = try fixture.event(a, "funding_raised", at: .at(day.adding(days: -30)), confidence: 0.9)
        _ = try fixture.pipeline(at: .at(day, 14)).runDerive()
        let instance = try #require(try fixture.read { try $0.instances(ofEntity: a) }.first { $0.signalID == "funding_raised" })
        #expect(instance.firstSeen == .at(day.adding(days: -30)))
        #expect(instance.lastSeen == .at(day.adding(days: -3)))
        #expect(instance.evidenceEventIDs.last == Int64(e3))
        #expect(instance.evidenceEventIDs.count == 2)
        #expect(instance.confidence == 0.9)
        #expect(instance.updatedAt == .at(day, 14))
    }

    @Test("Derive with an explicit as_of reads only events up to the end of that day")
    func derivePointInTime() throws {
        let fixture = try StageFixture(now: .at(day, 12))
        let a = try fixture.company("A")
        try fixture.event(a, "funding_raised", at: .at(day.adding(days: -3)))
        try fixture.event(a, "funding_raised", at: .at(day.adding(days: 2)))
        let result = try fixture.pipeline.runDerive(asOf: day)
        #expect(result.json.int("events_processed") == 1)
        #expect(try fixture.read { try $0.instances(ofEntity: a) }.first?.lastSeen == .at(day.adding(days: -3)))
    }
}
