import EventLog
import Foundation
import LMDB
import Pipeline
@testable import Projections
import Scoring
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// A rebuild's decoder threads build the record-only writes of readiness snapshots, engagement
/// snapshots and lead-feed rows (`PreparedStamped`); the writer thread only puts them. Held to the
/// bytes the writer computed itself before, record by record, and to the append path's views.
@Suite("Replay prepared stamped rows")
struct ReplayPreparedStampedTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// The entry hash of `key` → `value`.
    func hash(_ key: [UInt8], _ value: [UInt8]) -> UInt128 {
        key.withUnsafeBytes { k in value.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } }
    }

    /// Checks `prepared` against the parts the writer computed from the record before.
    func expectParts(_ prepared: PreparedStamped?, key: ViewKey, row: [UInt8], company: Int64, sequence: UInt64,
                     at: Timestamp, kind: String, detail: TimelineDetail, jobRunID: UInt64?, _ what: String) {
        guard let prepared else {
            Issue.record("\(what): not prepared")
            return
        }
        #expect(prepared.key == key.bytes, "\(what): key")
        #expect(prepared.row == row, "\(what): row")
        #expect(prepared.timelineKey == ViewKey().appending(company).appending(sequence).bytes, "\(what): timeline key")
        // The entry as the string-detail path writes it (another route to the same bytes).
        let entry = TimelineEntry(companyID: company, sequence: sequence, at: at, kind: kind,
                                  detail: String(decoding: detail.bytes, as: UTF8.self), jobRunID: jobRunID)
        #expect(prepared.timelineValue == entry.encoded(), "\(what): timeline entry")
        #expect(prepared.rowHash == hash(key.bytes, row), "\(what): row hash")
        #expect(prepared.timelineHash == hash(prepared.timelineKey, prepared.timelineValue), "\(what): timeline hash")
    }

    @Test("The prepared parts of many decoded records are the parts the writer computed from them")
    func preparedEqualsWriterParts() throws {
        for index in 0..<600 {
            // Sequences and times across their range, the records as replay has them (decoded from their payload).
            let sequence = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 >> UInt64(index % 40)
            let at = Timestamp(microseconds: Int64(index % 3 == 0 ? -index : index) * 1_000_003_001 + 7)
            let readiness = try TypedProjectionTests.readiness(index).payload().withUnsafeBytes { try ReadinessSnapshotRecorded.decode($0) }
            expectParts(PreparedStamped(.readinessSnapshot(readiness), sequence: sequence, at: at),
                        key: ViewKey().appending(readiness.companyID).appending(readiness.asOf).appending(readiness.pack),
                        row: Stamped(record: readiness, sequence: sequence, recordedAt: at).encoded(), company: readiness.companyID,
                        sequence: sequence, at: at, kind: "readiness_snapshot", detail: ViewProjector.readinessDetail(readiness),
                        jobRunID: readiness.jobRunID, "readiness \(index)")
            let engagement = try TypedProjectionTests.engagement(index).payload().withUnsafeBytes { try EngagementSnapshotRecorded.decode($0) }
            expectParts(PreparedStamped(.engagementSnapshot(engagement), sequence: sequence, at: at),
                        key: ViewKey().appending(engagement.companyID).appending(engagement.asOf).appending(engagement.pack),
                        row: Stamped(record: engagement, sequence: sequence, recordedAt: at).encoded(), company: engagement.companyID,
                        sequence: sequence, at: at, kind: "engagement_snapshot", detail: ViewProjector.engagementDetail(engagement),
                        jobRunID: engagement.jobRunID, "engagement \(index)")
            let row = try TypedProjectionTests.leadFeedRow(index).payload().withUnsafeBytes { try LeadFeedRowRecorded.decode($0) }
            expectParts(PreparedStamped(.leadFeedRow(row), sequence: sequence, at: at),
                        key: ViewKey().appending(row.workspaceID).appending(row.pack).appending(row.entityID),
                        row: Stamped(record: row, sequence: sequence, recordedAt: at).encoded(), company: row.entityID,
                        sequence: sequence, at: at, kind: "lead_feed_band", detail: ViewProjector.bandDetail(row),
                        jobRunID: row.jobRunID, "lead-feed row \(index)")
            // Other records are the writer's own.
            #expect(PreparedStamped(.signalInstanceDerived(TypedProjectionTests.instance(index)), sequence: sequence, at: at) == nil)
            #expect(PreparedStamped(.companyCreated(TypedProjectionTests.company(index)), sequence: sequence, at: at) == nil)
        }
    }

    @Test("A replay item of a snapshot or lead-feed row carries its prepared parts")
    func replayItemsPrepared() throws {
        let store = try store()
        var stamped = 0
        try store.log.forEach { view in
            let item = try ReplayItem(view)
            switch try AnyRecord(view) {
            case .readinessSnapshot, .engagementSnapshot, .leadFeedRow:
                guard case .stamped(let sequence, let appendedAt, _, _) = item else {
                    Issue.record("record \(view.sequence) not prepared")
                    return
                }
                #expect(sequence == view.sequence && appendedAt == view.appendedAt)
                stamped += 1
            default:
                if case .stamped = item { Issue.record("record \(view.sequence) prepared") }
            }
        }
        #expect(stamped > 1_000)
    }

    /// A store derived, scored and its lead feed updated on two days, then scored and updated again
    /// on the second day after more events: snapshots and lead-feed rows that replace stored ones
    /// (bands changed and unchanged) as well as new ones.
    func store() throws -> Store {
        let store = try Store(path: temporaryPath("stamped"), mode: .create, durable: false)
        let pipeline = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
        var generator = SeededGenerator(seed: 20_261_202)
        let day = Self.now.day
        let previous = day.adding(days: -3)
        try ingest(randomEvents(2_000, companies: 250, before: previous, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: previous)
        _ = try pipeline.runUpdateLeadFeed(asOf: previous)
        try ingest(randomEvents(2_000, companies: 250, before: day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: day)
        _ = try pipeline.runUpdateLeadFeed(asOf: day)
        try ingest(randomEvents(500, companies: 250, before: day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: day)
        _ = try pipeline.runUpdateLeadFeed(asOf: day)
        return store
    }

    @Test("A rebuild gives the append path's views byte for byte, with snapshots and lead-feed rows replaced",
          arguments: [1_000_000, 1_500, 97])
    func rebuild(transactionSize: Int) throws {
        let store = try store()
        #expect(try storedFingerprints(store)[.leadFeed]!.count > 100)
        var options = ReplayOptions()
        options.transactionSize = transactionSize
        try expectRebuildKeepsViews(store, options: options)
    }

    @Test("A partial rebuild of the snapshot and lead-feed views gives the same views")
    func partialRebuild() throws {
        try expectPartialRebuildsKeepViews(try store(), viewSets: [[.readiness, .engagement], [.leadFeed, .leadFeedRank], [.timeline]],
                                           transactionSize: 700)
    }
}
