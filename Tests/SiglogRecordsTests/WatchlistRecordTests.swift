import EventLog
import Foundation
import SiglogCore
import Testing
import SiglogRecords

/// Fields added to existing records (profile fields, `evidence_bundle_id`, `retry_count`) leave
/// older payloads readable and unset fields out of new payloads.
@Suite("Record codec: added fields")
struct AddedFieldsTests {
    @Test("A company update written before profile fields existed decodes with none; an unset profile writes no field")
    func companyUpdateProfile() throws {
        var old = PayloadWriter()
        old.write(1, Int64(7))
        old.write(2, Int64(2))
        old.write(3, true)
        old.write(4, "dead")
        let decoded = try old.bytes.withUnsafeBytes { try CompanyUpdated.decode($0) }
        #expect(decoded == CompanyUpdated(companyID: 7, version: 2, alignmentOK: true, status: "dead"))
        #expect(decoded.profile.isEmpty)
        #expect(decoded.payload() == old.bytes, "no profile, no extra bytes")
        let withProfile = CompanyUpdated(companyID: 7, version: 3, alignmentOK: nil, status: nil,
                                         profile: CompanyProfileFields(currentStage: "scaling_team"))
        let back = try withProfile.payload().withUnsafeBytes { try CompanyUpdated.decode($0) }
        #expect(back.profile.currentStage == "scaling_team" && back.profile.founderName == nil && !back.profile.targetProfileMatch)
        #expect(withProfile.profile.setFieldNames == ["current_stage"])
    }

    @Test("evidence_bundle_id is field 13 of an event; an event without one is byte for byte what it was")
    func evidenceBundleID() throws {
        let pack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
        let bundle = UUID(uuidString: "b0000000-0000-4000-8000-00000000000a")!
        var event = EventStored(companyID: 1, source: "research", sourceEventID: "r-1", eventType: "funding_raised",
                                eventTime: Timestamp(microseconds: 0), title: nil, summary: nil, url: nil, rawPayload: nil,
                                confidence: nil, pack: pack, jobRunID: 3)
        let plain = event.payload()
        event.evidenceBundleID = bundle
        let stamped = event.payload()
        #expect(stamped.count == plain.count + 18, "one length-delimited 16-byte field (tag and length)")
        #expect(Array(stamped.prefix(plain.count)) == plain)
        #expect(try stamped.withUnsafeBytes { try EventStored.decode($0) }.evidenceBundleID == bundle)
        #expect(try plain.withUnsafeBytes { try EventStored.decode($0) }.evidenceBundleID == nil)
        #expect(EventStored.Field.evidenceBundleID == 13)
    }

    @Test("retry_count: absent reads 0 and 0 is not written")
    func retryCount() throws {
        var started = JobRunStarted(jobType: .derive, workspaceID: nil, pack: nil, idempotencyKey: "k", parentJobRunID: nil, asOf: nil)
        let zero = started.payload()
        #expect(try zero.withUnsafeBytes { try JobRunStarted.decode($0) }.retryCount == 0)
        started.retryCount = 3
        #expect(try started.payload().withUnsafeBytes { try JobRunStarted.decode($0) }.retryCount == 3)
        #expect(started.payload().count > zero.count)
    }

    @Test("New record types have fixed numbers and names; an alert's payload is the spec's object")
    func newTypes() {
        #expect([RecordType.watchlistAdded, .watchlistRemoved, .evidenceBundleStored, .alertCreated].map(\.rawValue) == [100, 101, 102, 110])
        #expect([RecordType.watchlistAdded, .watchlistRemoved, .evidenceBundleStored, .alertCreated].map(\.name)
                == ["watchlist_added", "watchlist_removed", "evidence_bundle_stored", "alert_created"])
        let alert = AlertCreated(companyID: 1, alertType: "readiness_jump", pack: UUID(), oldComposite: 75, newComposite: 55, delta: -20,
                                 asOf: Day(year: 2026, month: 2, day: 18)!, jobRunID: nil)
        #expect(JSONWriter().string(.object(alert.payload)) == #"{"old_composite":75,"new_composite":55,"delta":-20,"as_of":"2026-02-18"}"#)
    }
}
