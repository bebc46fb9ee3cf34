import Foundation
import Pipeline
import Projections
@testable import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day(year: 2026, month: 2, day: 18)!
private let feb19 = Day(year: 2026, month: 2, day: 19)!
private let pack = WellKnownIDs.fractionalCTOPack
private let workspace = WellKnownIDs.defaultWorkspace

/// A fixed pseudo-random sequence (a linear congruential generator), so the fixture is the same on
/// every run.
private struct Sequence {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Int((state >> 33) % UInt64(bound))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
}

/// A store whose feed day (2026-02-18) and join day (2026-02-19, no feed rows) mix everything the
/// ranking reads: tied composites, stored outreach that differs from `composite × esl`, suppressed
/// and cadence-blocked engagements, decisions missing, feed rows without a pair (no company, no
/// readiness, no engagement), feed composites that differ from the readiness composite, and a feed
/// row of another day.
private final class MixedStore {
    let directory: URL
    let store: Store

    init(seed: UInt64) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-ranking-read-\(UUID().uuidString)")
        store = try Store(path: directory.path, mode: .create, durable: false)
        let pipeline = StageRunner(store: store, clock: FixedClock(Timestamp(day: feb19, hour: 20)), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try PackLoader.bundledDefault())
        var random = Sequence(state: seed)
        let time = Timestamp(day: feb18, hour: 6)
        _ = try store.write { writer in
            for id in Int64(1)...150 {
                if random.next(10) > 0 {
                    let name = "Company \(id)"
                    try writer.append(CompanyCreated(companyID: id, name: name, domain: "c\(id).example", websiteURL: "https://c\(id).example",
                                                     linkedinURL: nil, source: "research", normalizedName: name.lowercased(),
                                                     websiteDomain: "c\(id).example", aliases: [], jobRunID: nil), at: time)
                }
                for day in [feb18, feb19] {
                    let composite = random.pick([0, 10, 29, 30, 31, 45, 50, 60, 75, 90, 100])
                    let esl = random.pick([0.0, 0.25, 0.333, 0.5, 0.6, 0.8, 1.0])
                    if random.next(12) > 0 {
                        let explain = ReadinessExplain(
                            weights: ["m": 0.3], momentum: random.next(101), complexity: random.next(101), pressure: random.next(101),
                            leadershipGap: random.next(101), composite: composite,
                            topEvents: [ReadinessTopEvent(eventType: random.pick(["cto_role_posted", "funding_raised"]), eventTime: time,
                                                          source: "s", url: "", contributionPoints: 2, confidence: 0.5)],
                            suppressorsApplied: [], quietSignalAmplificationApplied: [], disqualifiersApplied: [], minimumThreshold: 0,
                            recommendationBand: random.pick([nil, .highPriority, .watch, .ignore]), delta1d: 0)
                        try writer.append(ReadinessSnapshotRecorded(companyID: id, asOf: day, pack: pack, explain: explain, jobRunID: nil),
                                          at: time)
                    }
                    if random.next(12) > 0 {
                        let engagement = EngagementExplain(
                            baseEngageability: 1, stabilityModifier: 1, cadenceModifier: 1, alignmentModifier: 1, svi: 0, spi: 0, csi: 1,
                            eslComposite: esl, cadenceBlocked: random.next(6) == 0,
                            recommendationType: random.pick(["Standard Outreach", "Soft Touch", ""]), stabilityCapTriggered: false,
                            eslDecision: random.pick([nil, "allow", "allow_with_constraints", "suppress"]), eslReasonCode: nil,
                            sensitivityLevel: nil, toneConstraint: nil)
                        let computed = EngagementEngine.outreachScore(composite: composite, esl: esl)
                        try writer.append(EngagementSnapshotRecorded(
                            companyID: id, asOf: day, pack: pack, outreachScore: random.next(4) == 0 ? random.next(101) : computed,
                            explain: engagement, jobRunID: nil), at: time)
                    }
                }
                // Feed rows for most companies on the feed day, a few on another day, and rows of
                // entities that have no company at all.
                let feedDay: Day? = random.next(8) == 0 ? nil : (random.next(15) == 0 ? feb19.adding(days: 5) : feb18)
                if let feedDay {
                    try writer.append(Self.feedRow(entity: id, composite: random.pick([10, 29, 30, 50, 75, 90, 100]), asOf: feedDay), at: time)
                }
            }
            for entity in Int64(900)...905 {
                try writer.append(Self.feedRow(entity: entity, composite: random.pick([30, 90, 100]), asOf: feb18), at: time)
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func feedRow(entity: Int64, composite: Int, asOf: Day) -> LeadFeedRowRecorded {
        LeadFeedRowRecorded(workspaceID: workspace, pack: pack, entityID: entity, compositeScore: composite, topSignalIDs: ["cto_role_posted"],
                            eslDecision: "allow", sensitivityLevel: nil, recommendationBand: nil, lastSeen: nil, outreachStatusSummary: nil,
                            asOf: asOf, jobRunID: nil)
    }
}

@Suite("Emerging companies (§8) from light reads = the full computation")
struct EmergingRankingReadTests {
    /// The ranking as computed from every feed row and every fully decoded pair of the day.
    static func straightforward(scope: Scope, asOf: Day, limit: Int, threshold: Int, in reader: ViewReader) throws -> [EmergingCompany] {
        let pack = try #require(scope.pack)
        let inputs = try LeadReads.rankingInputs(scope: scope, pack: pack, asOf: asOf, in: reader)
        let ranked = Ranking.emergingCompanies(feedRows: inputs.feed, candidates: inputs.candidates, workspaceID: scope.workspace,
                                               packID: pack, asOf: asOf, limit: limit, threshold: threshold)
        return inputs.companies(ranked)
    }

    @Test("every limit and threshold on the feed day and on a day without feed rows, over three fixtures",
          arguments: [UInt64(1), 7, 2026])
    func sameAsFullComputation(seed: UInt64) throws {
        let s = try MixedStore(seed: seed)
        try s.store.read { reader in
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            var paths: Set<Ranking.Path> = []
            for day in [feb18, feb19, feb19.adding(days: 5), feb19.adding(days: 30)] {
                for threshold in [-1, 0, 20, 30, 31, 50, 76, 101] {
                    for limit in [0, 1, 3, 5, 20, 500] {
                        let expected = try Self.straightforward(scope: scope, asOf: day, limit: limit, threshold: threshold, in: reader)
                        let read = try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: limit, threshold: threshold, in: reader)
                        #expect(read == expected, "day \(day), threshold \(threshold), limit \(limit)")
                        paths.formUnion(read.map(\.path))
                    }
                }
            }
            // The fixture exercises both paths.
            #expect(paths == [.feed, .join])
        }
    }

    @Test("the feed path falls back to the join path when no feed row qualifies")
    func fallsBackToJoin() throws {
        let s = try MixedStore(seed: 7)
        try s.store.read { reader in
            let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
            let pack = try #require(scope.pack)
            let feed = try LeadReads.rankedPairs(scope: scope, pack: pack, asOf: feb18, limit: 5, threshold: 30, in: reader)
            #expect(!feed.isEmpty && feed.allSatisfy { $0.path == .feed })
            // No feed row reaches 101 (outreach is at most 100) unless cadence-blocked, so the join path ranks.
            let high = try LeadReads.rankedPairs(scope: scope, pack: pack, asOf: feb18, limit: 500, threshold: 101, in: reader)
            let expected = try Self.straightforward(scope: scope, asOf: feb18, limit: 500, threshold: 101, in: reader)
            #expect(high.map(\.candidate.entityID) == expected.map { Int($0.companyID) })
            #expect(high.map(\.outreachScore) == expected.map(\.outreachScore))
        }
    }

    @Test("the light columns equal the decoded snapshot's")
    func columnsMatchDecode() throws {
        let s = try MixedStore(seed: 2026)
        try s.store.read { reader in
            var checked = 0
            for company in Int64(1)...150 {
                for day in [feb18, feb19] {
                    let engagement = try reader.engagement(company: company, asOf: day, pack: pack)?.record
                    #expect(try reader.engagementColumns(company: company, asOf: day, pack: pack) == engagement.map(EngagementColumns.init))
                    let readiness = try reader.readiness(company: company, asOf: day, pack: pack)?.record
                    #expect(try reader.readinessComposite(company: company, asOf: day, pack: pack) == readiness?.composite)
                    #expect(try reader.isScored(company: company, pack: pack, asOf: day)
                            == reader.companiesScored(pack: pack, asOf: day).contains(company))
                    checked += engagement == nil ? 0 : 1
                }
                #expect(try reader.hasCompany(company) == (reader.company(company) != nil))
            }
            #expect(checked > 200)
            for day in [feb18, feb19.adding(days: 5), feb19] {
                var full: [[Int64]] = []
                try reader.forEachLeadFeedRow(workspace: workspace, pack: pack, asOf: day) {
                    full.append([$0.record.entityID, Int64($0.record.compositeScore)])
                    return true
                }
                var light: [[Int64]] = []
                try reader.forEachLeadFeedComposite(workspace: workspace, pack: pack, asOf: day) { entity, composite in
                    light.append([entity, Int64(composite)])
                    return true
                }
                #expect(light == full, "feed of \(day)")
                #expect(day == feb19 ? full.isEmpty : full.count > 3)
            }
        }
    }
}
