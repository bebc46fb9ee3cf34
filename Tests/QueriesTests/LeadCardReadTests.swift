import Foundation
import Pipeline
import Projections
import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords
import SeededRandom
import Testing

/// An engagement snapshot record with the values a card reads (the rest of the explain neutral).
private func engagement(_ company: Int64, _ day: Day, _ pack: UUID, esl: Double, outreach: Int, blocked: Bool)
    -> EngagementSnapshotRecorded
{
    let explain = EngagementExplain(
        baseEngageability: 0.5, stabilityModifier: 1, cadenceModifier: blocked ? 0 : 1, alignmentModifier: 1, svi: 0, spi: 0,
        csi: 1, eslComposite: esl, cadenceBlocked: blocked, recommendationType: "Observe Only", stabilityCapTriggered: false,
        eslDecision: "allow", eslReasonCode: "none", sensitivityLevel: nil, toneConstraint: nil)
    return EngagementSnapshotRecorded(companyID: company, asOf: day, pack: pack, outreachScore: outreach, explain: explain,
                                      jobRunID: nil)
}

private func feedRow(_ workspace: UUID, _ pack: UUID, _ company: Int64, _ composite: Int, _ day: Day, lastSeen: Timestamp?)
    -> LeadFeedRowRecorded
{
    LeadFeedRowRecorded(workspaceID: workspace, pack: pack, entityID: company, compositeScore: composite,
                        topSignalIDs: ["cto_role_posted"], eslDecision: "allow", sensitivityLevel: nil, recommendationBand: nil,
                        lastSeen: lastSeen, outreachStatusSummary: nil, asOf: day, jobRunID: nil)
}

/// A store whose feed has few rows at the default threshold, cadence-blocked rows far below it,
/// rows without engagement, engagement rewritten (blocked → not, high → low outreach) and snapshots
/// whose outreach exceeds the row's composite (a snapshot rewritten by another workspace's run),
/// in two workspaces and over two days.
private func makeFeedStore() throws -> (Store, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-leadcards-\(UUID().uuidString)")
    let store = try Store(path: dir.path, mode: .create, durable: false)
    let clock = FixedClock(Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 6))
    _ = try StageRunner(store: store, clock: clock, rateLimitPerHour: 0).initialize(bundledPack: try PackLoader.bundledDefault())
    let pack = WellKnownIDs.fractionalCTOPack
    let other = LeadCardReadTests.otherWorkspace
    let days = LeadCardReadTests.days
    var random = SeededGenerator(seed: 17)
    let at = Timestamp(day: days[1], hour: 1)
    try store.write { w in
        try w.append(WorkspaceCreated(workspaceID: other, name: "Other", activePack: pack), at: at, workspace: other)
        for company in Int64(1)...600 {
            let day = days[random.below(2)]
            for workspace in [WellKnownIDs.defaultWorkspace, other] where workspace == other || !random.chance(5) {
                // Mostly low composites: few rows reach 30.
                let composite = random.chance(8) ? 30 + random.below(71) : random.below(30)
                let lastSeen = random.chance(20) ? nil : Timestamp(day: day, hour: random.below(24))
                try w.append(feedRow(workspace, pack, company, composite, day, lastSeen: lastSeen), at: at, workspace: workspace)
            }
            guard !random.chance(15) else { continue }  // no engagement: outreach = composite
            let composite = random.below(101)
            let esl = Double(random.below(1001)) / 1000
            var blocked = random.chance(6)
            var outreach = blocked ? 0 : Int((Double(composite) * esl).rounded())
            if random.chance(10) {
                // Rewritten later the same day: the index must follow the last snapshot.
                try w.append(engagement(company, day, pack, esl: esl, outreach: random.below(101), blocked: !blocked), at: at)
            }
            if random.chance(4) { outreach = 30 + random.below(60) }  // above its row's composite
            if random.chance(3) { blocked.toggle() }
            try w.append(engagement(company, day, pack, esl: esl, outreach: outreach, blocked: blocked), at: at)
        }
    }
    return (store, dir)
}

@Suite("Lead cards read through the ranking and engagement indexes (§7.4, D19)")
struct LeadCardReadTests {
    static let otherWorkspace = UUID(uuidString: "0c0c0c0c-0000-4000-8000-000000000003")!
    static let days = [Day(year: 2026, month: 2, day: 27)!, Day(year: 2026, month: 2, day: 28)!]

    /// The straightforward reading's input: every row of the workspace and pack with its full
    /// engagement snapshot of `day`.
    private func everyRow(_ reader: ViewReader, workspace: UUID, day: Day) throws
        -> (rows: [LeadFeedRow], engagements: [Int: LeadEngagement])
    {
        let pack = WellKnownIDs.fractionalCTOPack
        let rows = try reader.leadFeedRows(workspace: workspace, pack: pack).map(LeadFeedRow.init)
        var engagements: [Int: LeadEngagement] = [:]
        for row in rows {
            if let stored = try reader.engagement(company: Int64(row.entityID), asOf: day, pack: pack)?.record {
                engagements[row.entityID] = LeadEngagement(eslScore: stored.eslScore, outreachScore: stored.outreachScore,
                                                           cadenceBlocked: stored.cadenceBlocked)
            }
        }
        return (rows, engagements)
    }

    /// The straightforward scan: the pure `LeadCards.leads` over every row.
    private func straightforward(_ all: (rows: [LeadFeedRow], engagements: [Int: LeadEngagement]), workspace: UUID,
                                 day: Day, limit: Int, offset: Int, sort: LeadSort, threshold: Int) -> [LeadCard] {
        LeadCards.leads(rows: all.rows, workspaceID: workspace, packID: WellKnownIDs.fractionalCTOPack, asOf: day,
                        engagements: all.engagements, limit: limit, offset: offset, sort: sort, threshold: threshold)
    }

    @Test("cards and counts equal the straightforward scan for every threshold, limit, offset and order")
    func sameAsStraightforwardScan() throws {
        let (store, dir) = try makeFeedStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        var belowThresholdCards = 0
        try store.read { reader in
            for workspace in [WellKnownIDs.defaultWorkspace, Self.otherWorkspace] {
                let scope = try Scope.resolve(workspace: workspace, pack: nil, in: reader)
                for day in Self.days {
                    let input = try everyRow(reader, workspace: workspace, day: day)
                    for threshold in [-3, 0, 1, 15, 30, 45, 80, 101] {
                        let all = straightforward(input, workspace: workspace, day: day, limit: .max, offset: 0,
                                                  sort: .compositeScore, threshold: threshold)
                        let counts = try LeadReads.leadCounts(scope: scope, asOf: day, threshold: threshold, in: reader)
                        #expect(counts.cards == all.count)
                        #expect(counts.rows == (try reader.leadFeed(workspace: workspace, pack: scope.pack!, asOf: day).count))
                        belowThresholdCards += all.filter { $0.compositeScore < threshold }.count
                        for sort in [LeadSort.compositeScore, .lastSeen] {
                            for (limit, offset) in [(1, 0), (5, 0), (5, 3), (100, 0), (100, 7), (1000, 0), (.max, 2)] {
                                let expected = straightforward(input, workspace: workspace, day: day, limit: limit,
                                                               offset: offset, sort: sort, threshold: threshold)
                                let cards = try LeadReads.leads(scope: scope, asOf: day, limit: limit, offset: offset,
                                                                sort: sort, threshold: threshold, in: reader)
                                #expect(cards == expected, "\(workspace) \(day) threshold \(threshold) \(sort) \(limit)/\(offset)")
                            }
                        }
                    }
                }
            }
        }
        // The store exercises the rows below the threshold that still make a card.
        #expect(belowThresholdCards > 0)
    }

    @Test("few qualifying rows at the default threshold; cadence-blocked rows below it are listed after the rest")
    func fewQualifyingRows() throws {
        let (store, dir) = try makeFeedStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.read { reader in
            let scope = try Scope.resolve(workspace: Self.otherWorkspace, pack: nil, in: reader)
            let day = Self.days[1]
            let rows = try reader.leadFeed(workspace: Self.otherWorkspace, pack: scope.pack!, asOf: day).count
            let cards = try LeadReads.leads(scope: scope, asOf: day, limit: 1000, in: reader)
            #expect(cards.count * 3 < rows)
            let expected = straightforward(try everyRow(reader, workspace: Self.otherWorkspace, day: day),
                                           workspace: Self.otherWorkspace, day: day, limit: 1000, offset: 0,
                                           sort: .compositeScore, threshold: 30)
            #expect(cards == expected)
            let blockedBelow = try cards.filter { card in
                try card.compositeScore < 30
                    && reader.engagement(company: Int64(card.entityID), asOf: day, pack: scope.pack!)?.record.cadenceBlocked == true
            }
            #expect(!blockedBelow.isEmpty)
        }
    }

    @Test("the engagement.outreach index is rebuilt byte for byte by replay")
    func indexReplays() throws {
        let (store, dir) = try makeFeedStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Replayer(store: store).verify()
        #expect(result.isOK)
        #expect(result.checks.contains { $0.view == .engagementByOutreach })
    }
}
