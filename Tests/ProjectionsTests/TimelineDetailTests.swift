import Foundation
@testable import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

/// The score stage's three timeline entries per company have their details written as bytes
/// (`TimelineDetail`); these tests hold them to the text the string interpolation the views were
/// first written with gives, and the entries to the bytes `TimelineEntry.encoded()` gives.
@Suite("Timeline details")
struct TimelineDetailTests {
    static let integers = [0, 7, -1, 10, -10, 99, 100, 1_000_003, -987_654_321, Int.max, Int.min]
    static let doubles: [Double] = [0, -0.0, 0.1 + 0.2, 1.0 / 7.0, 1e21, -1e-7, 61.5, .leastNonzeroMagnitude, .infinity, .nan]

    static func readinessRecords() -> [ReadinessSnapshotRecorded] {
        (0..<TypedProjectionTests.count).map { index in
            var r = TypedProjectionTests.readiness(index)
            r.explain.momentum = integers[index % integers.count]
            r.explain.complexity = integers[(index + 3) % integers.count]
            r.explain.pressure = integers[(index + 5) % integers.count]
            r.explain.leadershipGap = integers[(index + 7) % integers.count]
            r.explain.composite = integers[(index + 9) % integers.count]
            r.asOf = Day(daysSinceEpoch: Int32(index * 4_001 - 30_000))
            return r
        }
    }

    static func engagementRecords() -> [EngagementSnapshotRecorded] {
        (0..<TypedProjectionTests.count).map { index in
            var r = TypedProjectionTests.engagement(index)
            r.explain.eslComposite = doubles[index % doubles.count]
            r.outreachScore = integers[index % integers.count]
            r.explain.recommendationType = index % 3 == 0 ? "Observe Only ✓" : r.explain.recommendationType
            return r
        }
    }

    static func leadFeedRecords() -> [LeadFeedRowRecorded] {
        (0..<TypedProjectionTests.count).map { index in
            var r = TypedProjectionTests.leadFeedRow(index)
            r.compositeScore = integers[index % integers.count]
            return r
        }
    }

    static func text(_ detail: TimelineDetail) -> String { String(decoding: detail.bytes, as: UTF8.self) }

    @Test("Readiness details are the interpolated text")
    func readiness() {
        for r in Self.readinessRecords() {
            let expected = "as_of \(r.asOf): composite \(r.composite) (M\(r.momentum) C\(r.complexity) P\(r.pressure) G\(r.leadershipGap))"
            #expect(ViewProjector.readinessDetail(r).bytes == Array(expected.utf8), "\(expected)")
        }
    }

    @Test("Engagement details are the interpolated text")
    func engagement() {
        for r in Self.engagementRecords() {
            let expected = "as_of \(r.asOf): ESL \(r.eslScore) \(r.engagementType), \(r.eslDecision), outreach \(r.outreachScore)"
            #expect(ViewProjector.engagementDetail(r).bytes == Array(expected.utf8), "\(expected)")
        }
    }

    @Test("Lead-feed band details are the interpolated text")
    func band() {
        for r in Self.leadFeedRecords() {
            let expected = "band \(r.recommendationBand?.rawValue ?? "none") (composite \(r.compositeScore), as_of \(r.asOf))"
            #expect(ViewProjector.bandDetail(r).bytes == Array(expected.utf8), "\(expected)")
        }
    }

    @Test("An entry with its detail given as bytes encodes as the entry with the same detail text")
    func entryBytes() {
        let details = Self.readinessRecords().map(ViewProjector.readinessDetail)
            + Self.engagementRecords().map(ViewProjector.engagementDetail) + Self.leadFeedRecords().map(ViewProjector.bandDetail)
        for (index, detail) in details.enumerated() {
            let at = Timestamp(microseconds: Int64(index) * 1_000_003 - 5_000_000)
            let jobRunID: UInt64? = index % 3 == 0 ? nil : UInt64(index) << 40
            let entry = TimelineEntry(companyID: Int64(index), sequence: UInt64(index), at: at, kind: "engagement_snapshot",
                                      detail: Self.text(detail), jobRunID: jobRunID)
            #expect(TimelineEntry.encoded(at: at, kind: "engagement_snapshot", detail: detail, jobRunID: jobRunID) == entry.encoded())
        }
    }
}

/// `hasReadinessSnapshots` / `hasEngagementSnapshots` (the score stage skips its per-company
/// lookups of a day that has none): true exactly when some company has a snapshot of that pack and day.
@Suite("Day snapshot probes")
struct DaySnapshotProbeTests {
    @Test("A day has snapshots once one company's is appended, and only for its own pack and day")
    func probes() throws {
        let store = try Store(path: temporaryPath("probes"), mode: .create, durable: false)
        let day = TypedProjectionTests.now.day
        let pack = TypedProjectionTests.pack
        let otherPack = UUID(uuidString: "7e57ca5e-0000-4000-8000-0000000000ff")!
        func probe(_ pack: UUID, _ day: Day) throws -> (readiness: Bool, engagement: Bool) {
            try store.read { try ($0.hasReadinessSnapshots(pack: pack, asOf: day), $0.hasEngagementSnapshots(pack: pack, asOf: day)) }
        }
        #expect(try probe(pack, day) == (false, false))
        try store.write { writer in
            var readiness = TypedProjectionTests.readiness(5)
            readiness.companyID = 40
            try writer.append(readiness, at: TypedProjectionTests.now)
            // Inside the transaction, the probe sees what was appended before it.
            #expect(try writer.reader.hasReadinessSnapshots(pack: pack, asOf: day))
            #expect(try !writer.reader.hasEngagementSnapshots(pack: pack, asOf: day))
        }
        #expect(try probe(pack, day) == (true, false))
        try store.write { writer in
            var engagement = TypedProjectionTests.engagement(2)
            engagement.companyID = 7
            try writer.append(engagement, at: TypedProjectionTests.now)
        }
        #expect(try probe(pack, day) == (true, true))
        #expect(try probe(pack, day.adding(days: 1)) == (false, false))
        #expect(try probe(pack, day.adding(days: -1)) == (false, false))
        #expect(try probe(otherPack, day) == (false, false))
    }
}
