import Foundation
import ReadModel
import LMDB
import Pipeline
@testable import Projections
import SiglogCore
import SeededRandom
import Testing

@Suite("Replay")
struct ReplayTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// The fixture stream ingested into an initialized store, then derive, score and lead feed.
    func fixtureStore() throws -> (Store, StageRunner) {
        let (store, pipeline) = try initializedStore(now: ReplayTests.now)
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/events/sample.ndjson"), encoding: .utf8)
        try ingest(text, into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: ReplayTests.now.day)
        _ = try pipeline.runUpdateLeadFeed(asOf: ReplayTests.now.day)
        return (store, pipeline)
    }

    @Test("Full replay of the fixture stream reproduces the incremental fingerprints")
    func fixtureReplay() throws {
        let (store, _) = try fixtureStore()
        let incremental = try storedFingerprints(store)
        #expect(try contentFingerprints(store) == incremental, "stored fingerprints must describe the content")
        #expect(incremental[.eventsByCompany]!.count > 200)
        #expect(incremental[.readiness]!.count > 0 && incremental[.leadFeed]!.count > 0)
        let result = try Replayer(store: store).rebuild()
        #expect(result.generation == 2)
        #expect(store.views.generation == 2)
        #expect(result.fingerprints == incremental)
        #expect(try storedFingerprints(store) == incremental)
        #expect(try contentFingerprints(store) == incremental)
        // The old generation is gone.
        #expect(try store.log.environment.hasDatabase("g1.companies") == false)
    }

    @Test("Replaying twice changes nothing, and --verify reports every view ok")
    func twiceAndVerify() throws {
        let (store, _) = try fixtureStore()
        let before = try storedFingerprints(store)
        let companiesBefore = try store.read { try $0.allCompanies() }
        try Replayer(store: store).rebuild()
        try Replayer(store: store).rebuild()
        #expect(store.views.generation == 3)
        #expect(try storedFingerprints(store) == before)
        #expect(try store.read { try $0.allCompanies() } == companiesBefore)
        let verify = try Replayer(store: store).verify()
        #expect(verify.isOK)
        #expect(verify.checks.map(\.view) == View.allCases)
        #expect(store.views.generation == 3, "verify changes nothing")
    }

    @Test("A corrupted view row is reported by --verify with its key and both values")
    func corruptedRow() throws {
        let (store, _) = try fixtureStore()
        let key = ViewKey().appending(Int64(1)).bytes
        let original = try #require(try store.read { try $0.transaction.value($0.views[.companies], key: key) })
        try store.views.corruptRowForTesting(view: .companies, key: key, value: [0xBA, 0xD0], in: store.log.environment)
        let result = try Replayer(store: store).verify()
        #expect(!result.isOK)
        let bad = result.checks.filter { !$0.isOK }
        #expect(bad.map(\.view) == [.companies])
        guard case .differs(let reportedKey, let live, let rebuilt) = bad.first?.status else {
            Issue.record("expected a difference"); return
        }
        #expect(reportedKey == key)
        #expect(live == [0xBA, 0xD0])
        #expect(rebuilt == original)
        // A rebuild repairs it.
        try Replayer(store: store).rebuild()
        #expect(try Replayer(store: store).verify().isOK)
    }

    @Test("A partial rebuild (--projection) gives the same views as a full one",
          arguments: [[.timeline], [.leadFeedRank, .jobs], [.eventsByCompany]] as [[View]])
    func partialRebuild(views: [View]) throws {
        let (store, pipeline) = try fixtureStore()
        let before = try storedFingerprints(store)
        var options = ReplayOptions()
        options.views = views
        let result = try Replayer(store: store).rebuild(options: options)
        #expect(Set(result.rebuilt).isSuperset(of: views))
        #expect(Set(result.rebuilt + result.copied) == Set(View.allCases))
        #expect(try storedFingerprints(store) == before)
        #expect(try contentFingerprints(store) == before)
        // Appends keep working against the new generation.
        _ = try pipeline.runScore(asOf: ReplayTests.now.day.adding(days: 1))
        #expect(try contentFingerprints(store) == storedFingerprints(store))
        #expect(try Replayer(store: store).verify().isOK)
    }

    @Test("A view's rebuild includes the views its projection reads; names map back to views")
    func projectionClosure() throws {
        #expect(Replayer.closure(of: [.timeline]) == [.companies, .instances, .leadFeed, .timeline, .watchlist])
        #expect(Replayer.closure(of: [.leadFeedRank]) == [.leadFeed, .leadFeedRank])
        #expect(View(name: "nope") == nil)
        #expect(View.allCases.allSatisfy { View(name: $0.name) == $0 })
    }

    @Test("One list of views: every view is opened, fingerprinted, replayed, verified and counted")
    func everyViewEverywhere() throws {
        let (store, _) = try fixtureStore()
        #expect(Set(View.names).count == View.allCases.count, "view names are unique")
        #expect(View.allCases.map(\.rawValue) == Array(0..<View.allCases.count), "slots follow the list without holes")
        // Opened: every view (and the checkpoint) has its database in the current generation.
        for name in View.names + [ViewSet.checkpointName] {
            #expect(try store.log.environment.hasDatabase(ViewSet.databaseName(name, generation: store.views.generation)), "\(name)")
        }
        // Fingerprinted: the checkpoint row has a slot per view and each matches the content.
        let stored = try storedFingerprints(store)
        #expect(Set(stored.keys) == Set(View.allCases))
        #expect(try contentFingerprints(store) == stored)
        #expect(ViewSet.checkpointRowSize == 8 + View.allCases.count * Fingerprint.encodedSize)
        // Replayed: a rebuild reports every view and reproduces each fingerprint.
        let replay = try Replayer(store: store).rebuild()
        #expect(replay.rebuilt == View.allCases)
        #expect(Set(replay.fingerprints.keys) == Set(View.allCases))
        #expect(replay.fingerprints == stored)
        // Verified: verify checks every view, in slot order.
        #expect(try Replayer(store: store).verify().checks.map(\.view) == View.allCases)
    }

    @Test("Property: random events, packs, stages on random dates, outreach and company updates", arguments: [1, 2, 3] as [UInt64])
    func randomized(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let start = Day(year: 2025, month: 3, day: 1)!
        let (store, pipeline) = try initializedStore(now: start.midnight)
        let packs = try ["example_v2", "bookkeeping_v1"].map { try pipeline.installPack(try loadPack($0)) }
        _ = packs
        var snapshots: [(UInt64, [View: Fingerprint])] = []
        var day = start
        for _ in 0..<12 {
            day = day.adding(days: Int.random(in: 1...9, using: &generator))
            let stagePipeline = StageRunner(store: store, clock: FixedClock(Timestamp(day: day, hour: 9)), rateLimitPerHour: 0)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0, 1:
                try ingest(randomEvents(Int.random(in: 5...60, using: &generator), companies: 15, before: day, using: &generator),
                           into: stagePipeline)
            case 2:
                _ = try stagePipeline.runDerive(asOf: day)
                _ = try stagePipeline.runScore(asOf: day)
            case 3:
                _ = try stagePipeline.runDerive()
                _ = try stagePipeline.runScore(asOf: day)
                _ = try stagePipeline.runUpdateLeadFeed(asOf: day)
            case 4:
                let companies = try store.read { try $0.allCompanies() }
                if let company = companies.randomElement(using: &generator) {
                    _ = try? stagePipeline.recordOutreach(.id(company.id), type: "email",
                                                          sentAt: Timestamp(day: day, hour: 10), outcome: nil, force: true)
                }
            default:
                let companies = try store.read { try $0.allCompanies() }
                if let company = companies.randomElement(using: &generator) {
                    _ = try stagePipeline.updateCompany(.id(company.id), alignment: .set(Bool.random(using: &generator)),
                                                        status: .set(CompanyStatus.allCases.randomElement(using: &generator)),
                                                        expectedVersion: company.version)
                }
            }
            snapshots.append((try store.log.head(), try storedFingerprints(store)))
        }
        _ = pipeline
        let incremental = try storedFingerprints(store)
        #expect(try contentFingerprints(store) == incremental)
        #expect(incremental[.eventsByCompany]!.count > 0)
        let result = try Replayer(store: store).rebuild()
        #expect(result.fingerprints == incremental)
        #expect(try Replayer(store: store).verify().isOK)

        // Point in time: the views rebuilt up to a snapshot's head equal those the store had then.
        for (head, prints) in snapshots.enumerated().filter({ $0.offset % 3 == 1 }).map(\.element) {
            let out = temporaryPath("pit")
            let pit = try Replayer(store: store).pointInTime(through: head, outputPath: out)
            #expect(pit.appliedSequence == head)
            #expect(pit.fingerprints == prints, "views at sequence \(head)")
        }
    }

    @Test("Point in time by time, and the output is a complete store")
    func pointInTimeStore() throws {
        let (store, pipeline) = try fixtureStore()
        let head = try store.log.head()
        let prints = try storedFingerprints(store)
        _ = try StageRunner(store: store, clock: FixedClock(ReplayTests.now.adding(days: 3)), rateLimitPerHour: 0)
            .runScore(asOf: ReplayTests.now.day.adding(days: 3))
        _ = pipeline
        #expect(try store.log.head() > head)
        let replayer = Replayer(store: store)
        let lastAtNow = try replayer.sequence(atOrBefore: ReplayTests.now)
        #expect(lastAtNow == head)
        let out = temporaryPath("pit")
        try replayer.pointInTime(through: lastAtNow, outputPath: out)
        let copy = try Store(path: out, mode: .readOnly)
        #expect(try copy.log.head() == head)
        #expect(try copy.log.verify().isSound)
        #expect(try storedFingerprints(copy) == prints)
        #expect(try contentFingerprints(copy) == prints)
        #expect(try copy.read { try $0.allCompanies() }.count == store.read { try $0.allCompanies() }.count)
        #expect(throws: ReplayError.self) { try replayer.pointInTime(through: head, outputPath: out) }
        #expect(throws: ReplayError.self) { try replayer.pointInTime(through: head + 1_000, outputPath: temporaryPath("pit")) }
    }
}
