import Foundation
import LMDB
@testable import Projections
import Scoring
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// `StoreWriter.holdRankingIndexInserts()` holds a transaction's `lead_feed.rank` and
/// `engagement.outreach` keys back and inserts them sorted before the commit. The views must be
/// what the one-by-one puts give — the same entries, the same stored fingerprints, the fingerprints
/// of the contents, a rebuild that agrees — also when a row written earlier in the same transaction
/// is replaced (its old key deleted while held) and when a key is put twice.
@Suite("Held ranking index inserts")
struct HeldRankingIndexTests {
    static let pack = UUID(uuidString: "7e57ca5e-0000-4000-8000-0000000000b1")!
    static let workspace = UUID(uuidString: "7e57ca5e-0000-4000-8000-0000000000b2")!
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 1)!, hour: 9)

    static func engagement(_ company: Int64, day: Day, outreach: Int, blocked: Bool) -> EngagementSnapshotRecorded {
        let explain = EngagementExplain(
            baseEngageability: 0.5, stabilityModifier: 0.7, cadenceModifier: 1, alignmentModifier: 0.5, svi: 0.4,
            spi: 0.3, csi: 0.6, eslComposite: 0.25, cadenceBlocked: blocked, recommendationType: "Observe Only",
            stabilityCapTriggered: false, eslDecision: "allow", eslReasonCode: "ok", sensitivityLevel: nil,
            toneConstraint: nil)
        return EngagementSnapshotRecorded(companyID: company, asOf: day, pack: pack, outreachScore: outreach,
                                          explain: explain, jobRunID: 4)
    }

    static func leadFeedRow(_ company: Int64, day: Day, composite: Int, band: RecommendationBand?) -> LeadFeedRowRecorded {
        LeadFeedRowRecorded(workspaceID: workspace, pack: pack, entityID: company, compositeScore: composite,
                            topSignalIDs: ["funding_raised"], eslDecision: "allow", sensitivityLevel: nil,
                            recommendationBand: band, lastSeen: nil, outreachStatusSummary: nil, asOf: day, jobRunID: 4)
    }

    /// Two days of snapshots and feed rows for companies in random order, some companies written
    /// twice in a transaction (with other or the same scores); with `hold`, each transaction holds
    /// the ranking keys back from its start or from its middle (`holdFrom`).
    func store(hold: Bool, holdFrom: Int) throws -> Store {
        let store = try Store(path: temporaryPath("held-ranking"), mode: .create, durable: false)
        var random = SeededGenerator(seed: 20_261_201)
        let days = [Day(year: 2026, month: 2, day: 27)!, Day(year: 2026, month: 2, day: 28)!]
        for day in days {
            try store.write { writer in
                for index in 0..<700 {
                    if hold && index == holdFrom { writer.holdRankingIndexInserts() }
                    let company = Int64(1 + random.below(400))
                    let outreach = random.below(5) * 10 - 1
                    let at = Timestamp(microseconds: Self.now.microseconds + Int64(index))
                    try writer.append(Self.engagement(company, day: day, outreach: outreach, blocked: random.chance(20)),
                                      at: at, workspace: Self.workspace)
                    let band: RecommendationBand? = random.chance(10) ? nil : RecommendationBand.allCases[random.below(3)]
                    try writer.append(Self.leadFeedRow(company, day: day, composite: random.below(6) * 20, band: band),
                                      at: at, workspace: Self.workspace)
                }
            }
        }
        return store
    }

    func entries(_ store: Store, _ view: View) throws -> [[UInt8]] {
        try store.log.read { txn in
            var keys: [[UInt8]] = []
            try txn.forEach(store.views[view]) { key, value in
                keys.append(Array(key) + [0xff] + Array(value))
                return true
            }
            return keys
        }
    }

    @Test("same ranking indexes and fingerprints as putting one by one; a rebuild agrees", arguments: [0, 251])
    func sameViews(holdFrom: Int) throws {
        let plain = try store(hold: false, holdFrom: 0)
        let held = try store(hold: true, holdFrom: holdFrom)
        for view in [View.leadFeedRank, .engagementByOutreach, .leadFeed, .engagement] {
            let heldEntries = try entries(held, view)
            #expect(heldEntries == (try entries(plain, view)), "\(view.name)")
            #expect(heldEntries.count > 300, "\(view.name)")
        }
        let stored = try storedFingerprints(held)
        #expect(stored == (try storedFingerprints(plain)))
        #expect(stored == (try contentFingerprints(held)))
        let verify = try Replayer(store: held).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }

    @Test("a transaction that holds ranking keys and then stops holding them leaves nothing held for the next")
    func nothingCarriedOver() throws {
        let store = try Store(path: temporaryPath("held-ranking-next"), mode: .create, durable: false)
        let day = Day(year: 2026, month: 2, day: 28)!
        try store.write { writer in
            writer.holdRankingIndexInserts()
            try writer.append(Self.engagement(1, day: day, outreach: 30, blocked: false), at: Self.now, workspace: Self.workspace)
        }
        try store.write { writer in
            _ = try writer.append(Self.engagement(2, day: day, outreach: 40, blocked: false), at: Self.now, workspace: Self.workspace)
        }
        #expect(try entries(store, .engagementByOutreach).count == 2)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }
}
