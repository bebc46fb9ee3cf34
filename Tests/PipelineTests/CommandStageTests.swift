import Foundation
import ReadModel
@testable import Pipeline
import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day.ymd(2026, 2, 18)

@Suite("Outreach and company commands")
struct CommandStageTests {
    @Test("§5.7 / D17: outreach within 60 days refused with the age, forced accepted; exactly 60 days allowed")
    func outreachCooldown() throws {
        let fixture = try StageFixture(now: .at(feb18, 12))
        let company = try fixture.company("A")
        let first = Timestamp.at(feb18.adding(days: -70), 9)
        let recorded = try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: first)
        #expect(recorded["outreach_type"] == "email")
        #expect(recorded["forced"] == false)

        let error = #expect(throws: SiglogError.self) {
            try fixture.pipeline.recordOutreach(.id(company), type: "call", sentAt: first.adding(days: 10))
        }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains("10 days") == true)
        #expect(error?.message.contains("60 days") == true)
        #expect(try fixture.read { try $0.outreach(ofCompany: company) }.count == 1)

        try fixture.pipeline.recordOutreach(.id(company), type: "call", sentAt: first.adding(days: 10), force: true)
        let stored = try fixture.read { try $0.outreach(ofCompany: company) }
        #expect(stored.count == 2)
        #expect(stored.last?.record.forced == true)
        // Exactly 60 days after the latest one is allowed (strict comparison).
        try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: first.adding(days: 70))
        #expect(try fixture.read { try $0.outreach(ofCompany: company) }.count == 3)
    }

    @Test("§5.7: a declined outreach blocks for 180 days; other workspaces do not count (D9)")
    func declinedCooldownAndWorkspaceScope() throws {
        let fixture = try StageFixture(now: .at(feb18, 12))
        let company = try fixture.company("A")
        let start = Timestamp.at(feb18.adding(days: -200))
        try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: start, outcome: "declined")
        let error = #expect(throws: SiglogError.self) {
            try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: start.adding(days: 100))
        }
        #expect(error?.message.contains("declined") == true)
        #expect(error?.message.contains("180 days") == true)

        let other = UUID(uuidString: "00000000-0000-0000-0000-0000000000bb")!
        _ = try fixture.store.write { writer in
            try writer.append(WorkspaceCreated(workspaceID: other, name: "Other", activePack: nil), at: .at(feb18))
        }
        try fixture.pipeline.recordOutreach(.id(company), workspace: other, type: "email", sentAt: start.adding(days: 100))
        #expect(try fixture.read { try $0.outreach(ofCompany: company) }.count == 2)
    }

    @Test("Outreach for an unknown company is not found")
    func outreachUnknownCompany() throws {
        let fixture = try StageFixture(now: .at(feb18, 12))
        let error = #expect(throws: SiglogError.self) {
            try fixture.pipeline.recordOutreach(.id(42), type: "email", sentAt: .at(feb18))
        }
        #expect(error?.kind == .notFound)
    }

    @Test("§11.16 recording an outreach refreshes the lead feed's outreach_status_summary")
    func outreachRefreshesFeed() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("A")
        try fixture.event(company, "cto_role_posted", at: .at(feb18, 10))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        #expect(try fixture.feedRow(company)?.record.outreachStatusSummary == nil)
        try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: .at(feb18, 20))
        let summary = try #require(try fixture.feedRow(company)?.record.outreachStatusSummary)
        let json = summary.json
        #expect(json["outreach_type"] == "email")
        #expect(json["last_sent_at"] == "2026-02-18T20:00:00.000000Z")
        #expect(json["outcome"] == .null)
        #expect(try fixture.feedRow(company)?.record.compositeScore == 10)
    }

    @Test("Company update: stale expected version refused, nothing written; versions advance")
    func companyUpdateVersioning() throws {
        let fixture = try StageFixture(now: .at(feb18, 12))
        let company = try fixture.company("A")
        let updated = try fixture.pipeline.updateCompany(.id(company), alignment: .set(true), expectedVersion: 1)
        #expect(updated == ["company_id": .int(company), "version": 2, "alignment_ok_to_contact": true, "status": .null,
                            "founder_name": .null, "founder_linkedin_url": .null, "notes": .null, "alignment_notes": .null,
                            "current_stage": .null, "target_profile_match": false, "changed": true])
        let error = #expect(throws: SiglogError.self) {
            try fixture.pipeline.updateCompany(.id(company), status: .set(.dead), expectedVersion: 1)
        }
        #expect(error?.kind == .conflict)
        let row = try #require(try fixture.read { try $0.company(company) })
        #expect(row.version == 2)
        #expect(row.status == nil)
        #expect(row.alignmentOK == true)

        try fixture.pipeline.updateCompany(.id(company), status: .set(.acquired), expectedVersion: 2)
        let after = try #require(try fixture.read { try $0.company(company) })
        #expect(after.version == 3)
        #expect(after.status == "acquired")
        #expect(after.alignmentOK == true)  // kept
        try fixture.pipeline.updateCompany(.id(company), alignment: .set(nil), expectedVersion: 3)
        #expect(try fixture.read { try $0.company(company) }?.alignmentOK == nil)

        // An update that changes nothing writes nothing and keeps the version.
        let head = try fixture.store.log.head()
        let same = try fixture.pipeline.updateCompany(.id(company), alignment: .set(nil), status: .set(.acquired), expectedVersion: 4)
        #expect(same["changed"] == false && same["version"] == 4)
        #expect(try fixture.store.log.head() == head)
        #expect(try fixture.read { try $0.company(company) }?.version == 4)
        // Status parsing: trimmed, any case; anything else is not a status.
        #expect(CompanyStatus(named: " Dead ") == .dead)
        #expect(CompanyStatus(named: "bankrupt") == nil)

        #expect(throws: SiglogError.self) {
            try fixture.pipeline.updateCompany(.id(99), expectedVersion: 1)
        }
    }
}
