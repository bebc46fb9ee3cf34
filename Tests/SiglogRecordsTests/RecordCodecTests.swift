import EventLog
import Foundation
import Scoring
import SiglogCore
import StageQueue
public import Testing
@testable public import SiglogRecords

/// One fully populated sample of every record type (optional fields set, so each is exercised).
let sampleRecords: [AnyRecord] = {
    let workspace = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    let pack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
    let day = Day(year: 2026, month: 2, day: 18)!
    let time = Timestamp(day: day, hour: 10, minute: 30, second: 5, microsecond: 123)
    let stage = StageSubject(workspace: workspace, company: 7, stage: "intel")
    return [
        .packInstalled(PackInstalled(packUUID: pack, packID: "fractional_cto_v1", version: "1", checksum: String(repeating: "a", count: 64),
                                     document: .object(["manifest": .object(["id": "fractional_cto_v1"]),
                                                        "weights": .object(["M": 0.3, "G": 15])]))),
        .workspaceCreated(WorkspaceCreated(workspaceID: workspace, name: "Default — Café", activePack: pack)),
        .workspacePackSet(WorkspacePackSet(workspaceID: workspace, pack: pack)),
        .companyCreated(CompanyCreated(companyID: 7, name: "Acme, Inc.", domain: "acme.io", websiteURL: "https://www.acme.io/",
                                       linkedinURL: "https://linkedin.com/company/acme", source: "research", normalizedName: "acme",
                                       websiteDomain: "acme.io", aliases: [CompanyAliasEntry(type: "name", value: "acme"),
                                                                           CompanyAliasEntry(type: "domain", value: "acme.io")],
                                       jobRunID: 3)),
        .companyUpdated(CompanyUpdated(companyID: 7, version: 2, alignmentOK: false, status: "acquired")),
        .eventStored(EventStored(companyID: 7, source: "crunchbase", sourceEventID: "r-1", eventType: "funding_raised",
                                 eventTime: time, title: "Series A", summary: "Raised $5M", url: "https://example.com/a",
                                 rawPayload: #"{"amount":5000000}"#, confidence: -0.1, pack: pack, jobRunID: 3)),
        .signalInstanceDerived(SignalInstanceDerived(entityID: 7, signalID: "funding_raised", pack: pack, confidence: 0.9,
                                                     firstSeen: time, lastSeen: time.adding(days: 3), evidence: [5, 9, 12],
                                                     jobRunID: 4)),
        .readinessSnapshot(ReadinessSnapshotRecorded(companyID: 7, asOf: day, pack: pack, explain: sampleReadinessExplain(time),
                                                     jobRunID: 5, lastSignalAt: time, carriesLastSignal: true)),
        .engagementSnapshot(EngagementSnapshotRecorded(companyID: 7, asOf: day, pack: pack, outreachScore: 1,
                                                       explain: sampleEngagementExplain, jobRunID: 5)),
        .leadFeedRow(LeadFeedRowRecorded(workspaceID: workspace, pack: pack, entityID: 7, compositeScore: 11,
                                         topSignalIDs: ["funding_raised", "cto_role_posted"], eslDecision: "allow",
                                         sensitivityLevel: nil, recommendationBand: .ignore, lastSeen: time,
                                         outreachStatusSummary: OutreachSummary(lastSentAt: time, outcome: nil, outreachType: "email"),
                                         asOf: day, jobRunID: 5)),
        .jobRunStarted(JobRunStarted(jobType: .score, workspaceID: workspace, pack: pack, idempotencyKey: "nightly",
                                     parentJobRunID: 2, asOf: day)),
        .jobRunFinished(JobRunFinished(jobRunID: 3, status: .completed, companiesProcessed: 3, companiesESLSuppressed: 0,
                                       errorMessage: "Company 9: boom", result: .object(["status": "completed", "job_run_id": 3]))),
        .outreachRecorded(OutreachRecorded(companyID: 7, workspaceID: workspace, outreachType: "email", sentAt: time,
                                           outcome: "declined", message: "hi", notes: "n", forced: true)),
        .stageQueued(StageQueued(subject: stage, reason: .trigger)),
        .stageStarted(StageStarted(subject: stage, worker: "host:42:0")),
        .stageJobAccepted(StageJobAccepted(subject: stage, claim: 91, jobID: "job-7")),
        .stageCompleted(StageCompleted(subject: stage, token: .job("job-7"), result: .object(["brief": "Café", "pages": 3]))),
        .stageCompleted(StageCompleted(subject: stage, token: .claim(91), result: .null)),
        .stageFailed(StageFailed(subject: stage, token: .claim(91), kind: .retriable, error: "HTTP 503", maxRetries: 3)),
        .stageFailed(StageFailed(subject: stage, token: .job("job-7"), kind: .hard, error: "HTTP 404", maxRetries: 0)),
        .stageStuckReset(StageStuckReset(subject: stage, startedBefore: time, maxRetries: 3)),
        .stageRetried(StageRetried(subject: stage)),
        .stageReleased(StageReleased(subject: stage, claim: 91)),
    ]
}()

/// A readiness explain with every optional part set.
func sampleReadinessExplain(_ time: Timestamp) -> ReadinessExplain {
    ReadinessExplain(
        weights: ["M": 0.3, "C": 0.3, "P": 0.25, "G": 15], momentum: 24, complexity: 0, pressure: 14, leadershipGap: 0,
        composite: 11,
        topEvents: [ReadinessTopEvent(eventType: "funding_raised", eventTime: time, source: "crunchbase", url: "",
                                      contributionPoints: 14.5, confidence: 0.7),
                    ReadinessTopEvent(eventType: "cto_role_posted", eventTime: time.adding(days: -3), source: "", url: "https://x",
                                      contributionPoints: 9.0, confidence: 1.0)],
        suppressorsApplied: ["company_status_suppressed"], quietSignalAmplificationApplied: ["api_launched"],
        disqualifiersApplied: ["cto_hired"], minimumThreshold: 20, recommendationBand: .ignore, delta1d: -3)
}

/// An engagement explain with every field set.
let sampleEngagementExplain = EngagementExplain(
    baseEngageability: 0.11, stabilityModifier: 0.85, cadenceModifier: 1.0, alignmentModifier: 1.0, svi: 0.35, spi: 0.0,
    csi: 1.0, eslComposite: 0.095, cadenceBlocked: true, recommendationType: "Observe Only", stabilityCapTriggered: true,
    eslDecision: "allow_with_constraints", eslReasonCode: "downgrade_rule", sensitivityLevel: "medium",
    toneConstraint: "Soft Value Share")

@Suite("Record codec")
struct RecordCodecTests {
    @Test("every record type is covered by the samples")
    func everyTypeSampled() {
        let sampled = Set(sampleRecords.map { type(of: $0.record).recordType })
        #expect(sampled == RecordType.siglogTypes)
    }

    @Test("every record type round-trips through an envelope in the log format", arguments: sampleRecords)
    func roundTrip(_ record: AnyRecord) throws {
        let envelope = record.record.envelope(at: Timestamp(microseconds: 1_771_400_000_000_000), workspace: nil)
        let bytes = envelope.encoded(sequence: 42)
        let decoded = try bytes.withUnsafeBytes { raw in
            try AnyRecord(try RecordView(sequence: 42, bytes: raw, knownTypes: RecordType.siglogTypes))
        }
        #expect(decoded == record)
    }

    @Test("absent optional fields stay absent (a minimal event decodes with nils)")
    func minimalEvent() throws {
        let pack = UUID()
        let event = EventStored(companyID: 1, source: "s", sourceEventID: nil, eventType: "repo_activity",
                                eventTime: Timestamp(microseconds: 0), title: nil, summary: nil, url: nil, rawPayload: nil,
                                confidence: nil, pack: pack, jobRunID: nil)
        let decoded = try event.payload().withUnsafeBytes { try EventStored.decode($0) }
        #expect(decoded == event)
        #expect(decoded.confidence == nil)
    }

    @Test("schema evolution: a readiness snapshot written before last_seen existed still decodes")
    func olderReadinessSnapshot() throws {
        // Fields 1–10 only, as the first version of the record wrote them.
        var writer = PayloadWriter()
        writer.write(1, Int64(7))
        writer.write(2, Day(year: 2026, month: 2, day: 18)!)
        writer.write(3, UUID())
        for (field, value) in [(4, 24), (5, 0), (6, 14), (7, 0), (8, 11)] { writer.write(field, value) }
        writer.write(9, "{}")
        let decoded = try writer.bytes.withUnsafeBytes { try ReadinessSnapshotRecorded.decode($0) }
        #expect(decoded.composite == 11)
        #expect(decoded.carriesLastSignal == false)
        #expect(decoded.lastSignalAt == nil)
        #expect(decoded.jobRunID == nil)
    }

    @Test("schema evolution: a readiness explain stored as a JSON document reads back typed and renders the same text")
    func olderReadinessExplainDocument() throws {
        let time = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 10)
        let explain = sampleReadinessExplain(time)
        let document = JSONWriter().string(explain.json)
        var writer = PayloadWriter()
        writer.write(1, Int64(7))
        writer.write(2, Day(year: 2026, month: 2, day: 18)!)
        writer.write(3, UUID())
        for (field, value) in [(4, 24), (5, 0), (6, 14), (7, 0), (8, 11)] { writer.write(field, value) }
        writer.write(9, document)
        let decoded = try writer.bytes.withUnsafeBytes { try ReadinessSnapshotRecorded.decode($0) }
        #expect(decoded.explain == explain)
        #expect(JSONWriter().string(decoded.explain.json) == document)
        #expect(decoded.recommendationBand == .ignore)
    }

    @Test("schema evolution: an engagement explain and an outreach summary stored as JSON documents read back typed")
    func olderEngagementAndSummaryDocuments() throws {
        let pack = UUID()
        let day = Day(year: 2026, month: 2, day: 18)!
        var writer = PayloadWriter()
        writer.write(1, Int64(7))
        writer.write(2, day)
        writer.write(3, pack)
        writer.write(4, 0.095)
        writer.write(5, 1)
        writer.write(6, "Observe Only")
        writer.write(7, 0.35)
        writer.write(8, 1.0)
        writer.write(9, 0.0)
        writer.write(10, true)
        writer.write(11, "allow_with_constraints")
        writer.write(12, "downgrade_rule")
        writer.write(13, "medium")
        writer.write(14, JSONWriter().string(sampleEngagementExplain.json))
        let engagement = try writer.bytes.withUnsafeBytes { try EngagementSnapshotRecorded.decode($0) }
        #expect(engagement.explain == sampleEngagementExplain)

        var row = PayloadWriter()
        row.write(1, UUID())
        row.write(2, pack)
        row.write(3, Int64(7))
        row.write(10, #"{"last_sent_at":"2026-02-01T09:00:00+00:00","outcome":"declined","outreach_type":"email"}"#)
        row.write(11, day)
        let feed = try row.bytes.withUnsafeBytes { try LeadFeedRowRecorded.decode($0) }
        #expect(feed.outreachStatusSummary == OutreachSummary(lastSentAt: Timestamp(day: Day(year: 2026, month: 2, day: 1)!, hour: 9),
                                                              outcome: "declined", outreachType: "email"))
    }

    @Test("a job type this binary does not know is a decode error, not a silent default")
    func unknownJobType() {
        var writer = PayloadWriter()
        writer.write(1, "scan_everything")
        #expect(throws: PayloadError.self) {
            _ = try writer.bytes.withUnsafeBytes { try JobRunStarted.decode($0) }
        }
    }

    @Test("a record without its required pack is an error naming the record, not a crash")
    func missingRequiredField() {
        var writer = PayloadWriter()
        writer.write(1, Int64(7))
        #expect(throws: PayloadError.self) {
            _ = try writer.bytes.withUnsafeBytes { try EventStored.decode($0) }
        }
    }
}

extension AnyRecord: CustomTestStringConvertible {
    public var testDescription: String { type(of: record).recordType.name }
}
