import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import Testing

/// A rebuild's bulk load flushes whenever its held entries pass `ReplayOptions.bulkLoadBudget`,
/// inside the fold transaction, into views that already hold entries. These hold it to the views,
/// bytes and fingerprints of a rebuild that holds everything to the end, also when fold
/// transactions are small and when they run again because the map grew.
@Suite("BulkLoadBudget")
struct BulkLoadBudgetTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// A store with random events over many companies, derived and scored, opened with `mapSize`.
    func store(initialMapSize: Int) throws -> Store {
        let store = try Store(path: temporaryPath("budget"), mode: .create, durable: false, initialMapSize: initialMapSize)
        let pipeline = StageRunner(store: store, clock: FixedClock(BulkLoadBudgetTests.now), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
        var generator = SeededGenerator(seed: 20_261_130)
        try ingest(randomEvents(4_000, companies: 600, before: BulkLoadBudgetTests.now.day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: BulkLoadBudgetTests.now.day)
        return store
    }

    func options(budget: Int?, transactionSize: Int) -> ReplayOptions {
        var options = ReplayOptions()
        options.bulkLoadBudget = budget
        options.transactionSize = transactionSize
        return options
    }

    /// The store's log has about 8,000 records. A rebuild applies a remainder under a tenth of
    /// `transactionSize` in its switch transaction, so 1,000,000 takes only that path, 20,000 folds
    /// the whole log in one fold transaction, 700 and 97 in many.
    @Test("A rebuild with a tiny budget (a flush every few records) gives the views and fingerprints of one without",
          arguments: [1_000_000, 20_000, 700, 97])
    func tinyBudget(transactionSize: Int) throws {
        let store = try store(initialMapSize: 64 << 20)
        let incremental = try storedFingerprints(store)
        #expect(incremental[.timeline]!.count > 1_000 && incremental[.eventsByCompany]!.count > 1_000)
        // Between a tenth of 20,000 and 20,000 records: the cases above take the paths they name.
        #expect((2_001..<20_000).contains(try store.log.head()))
        try Replayer(store: store).rebuild(options: options(budget: nil, transactionSize: transactionSize))
        let unbounded = try viewContents(store)
        let result = try Replayer(store: store).rebuild(options: options(budget: 512, transactionSize: transactionSize))
        #expect(result.fingerprints == incremental)
        #expect(try storedFingerprints(store) == incremental)
        #expect(try contentFingerprints(store) == incremental)
        let bounded = try viewContents(store)
        for view in View.allCases { #expect(bounded[view] == unbounded[view], "\(view) differs") }
        #expect(try Replayer(store: store).verify(options: options(budget: 512, transactionSize: transactionSize)).isOK)
    }

    @Test("Fold transactions that run again because the map grew (1 MiB map) still flush each entry once")
    func mapGrowth() throws {
        let store = try store(initialMapSize: 1 << 20)
        let incremental = try storedFingerprints(store)
        let before = store.log.environment.mapSize
        #expect((2_001..<20_000).contains(try store.log.head()))
        // The first rebuild writes a second generation beside the first in one fold transaction
        // (20,000 records, more than the log has, and over a tenth of it, so the log is folded and
        // not left to the switch transaction), with many flushes in it: more than the map has
        // left, so that transaction runs again.
        try Replayer(store: store).rebuild(options: options(budget: 2_048, transactionSize: 20_000))
        #expect(store.log.environment.mapSize > before)
        let bounded = try viewContents(store)
        #expect(try contentFingerprints(store) == incremental)
        try Replayer(store: store).rebuild(options: options(budget: nil, transactionSize: 1_000_000))
        let unbounded = try viewContents(store)
        for view in View.allCases { #expect(bounded[view] == unbounded[view], "\(view) differs") }
        #expect(try storedFingerprints(store) == incremental)
    }

    @Test("--verify with a tiny budget finds a changed entry of the timeline and of the events index",
          arguments: [View.timeline, .eventsByCompany])
    func verifyFindsTampering(view: View) throws {
        let store = try store(initialMapSize: 64 << 20)
        let small = options(budget: 512, transactionSize: 300)
        #expect(try Replayer(store: store).verify(options: small).isOK)
        let rows = try viewContents(store)[view]!
        try #require(rows.count > 20)
        let middle = rows.count / 4 * 2
        let key = rows[middle], original = rows[middle + 1]
        let bad = original + [0x5A]
        try store.views.corruptRowForTesting(view: view, key: key, value: bad, in: store.log.environment)
        let result = try Replayer(store: store).verify(options: small)
        let failed = result.checks.filter { !$0.isOK }
        try #require(failed.count == 1)
        #expect(failed[0].view == view)
        guard case .differs(let reportedKey, let live, let rebuilt) = failed[0].status else {
            Issue.record("expected a difference, got \(failed[0].status)")
            return
        }
        #expect(reportedKey == key)
        #expect(live == bad)
        #expect(rebuilt == original)
    }
}
