import EventLog
import Foundation
import LMDB
@testable import Projections
import Synchronization
import Testing

/// A rebuild's fold transaction that would end inside a run of `event_stored` records runs on to
/// the run's end (at most `ReplayOptions.eventRunReach` records further), so the events index
/// entries of later folds do not fall among those already flushed. The views are those of any
/// other split.
@Suite("Replay fold end")
struct ReplayFoldEndTests {
    /// Whether each record of the log (index = sequence − 1) is an `event_stored` record.
    private func eventFlags(_ store: Store) throws -> [Bool] {
        var flags: [Bool] = []
        try store.log.forEach { record in flags.append(record.type == .eventStored) }
        return flags
    }

    /// Where a fold ending at `last` ends by the rule: the end of the run of events that `last`
    /// and `last + 1` share, at most `limit`.
    private func expectedEnd(_ flags: [Bool], last: UInt64, limit: UInt64) -> UInt64 {
        var end = last
        while end < limit, flags[Int(last) - 1], end < UInt64(flags.count), flags[Int(end)] { end += 1 }
        return end
    }

    @Test("The fold's end moves to the end of the run of events it falls in, never past the limit or a non-event")
    func endOfEventRun() throws {
        let store = try BulkLoadBudgetTests().store(initialMapSize: 64 << 20)
        let flags = try eventFlags(store)
        let head = UInt64(flags.count)
        // Inside a run, at its last event, before a non-event, and just below the limit.
        var runEnds = 0
        var insides = 0
        for last in 1..<head {
            for reach in [0, 1, 3, 40, 5_000] as [UInt64] {
                let limit = min(head, last + reach)
                let end = try Replayer.endOfEventRun(store.log, at: last, through: limit)
                #expect(end == expectedEnd(flags, last: last, limit: limit), "last \(last), limit \(limit)")
                if end > last { insides += 1 }
                if end > last, end < limit { runEnds += 1 }
            }
        }
        // The log has both cases: folds moved to a run's end, and folds cut by the limit.
        #expect(runEnds > 100 && insides > runEnds)
    }

    @Test("A rebuild whose folds end after runs of events gives the views and fingerprints of one that does not",
          arguments: [700, 2_500, 97])
    func rebuildMatches(transactionSize: Int) throws {
        let store = try BulkLoadBudgetTests().store(initialMapSize: 64 << 20)
        let flags = try eventFlags(store)
        let incremental = try storedFingerprints(store)
        func rebuild(reach: Int) throws -> ([UInt64], [View: [[UInt8]]]) {
            var options = BulkLoadBudgetTests().options(budget: 16 << 10, transactionSize: transactionSize)
            options.eventRunReach = reach
            let done = Mutex<[UInt64]>([])
            options.progress = { progress in done.withLock { $0.append(progress.done) } }
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == incremental)
            #expect(try contentFingerprints(store) == incremental)
            return (done.withLock { $0 }, try viewContents(store))
        }
        let (plainEnds, plain) = try rebuild(reach: 0)
        let (movedEnds, moved) = try rebuild(reach: 1_000)
        for view in View.allCases { #expect(moved[view] == plain[view], "\(view) differs") }
        // Without reach every fold ends at a multiple of the transaction size; with it, each fold
        // ends where the rule puts it, counted from where the one before ended.
        #expect(plainEnds.dropLast().allSatisfy { $0 % UInt64(transactionSize) == 0 })
        var start: UInt64 = 0
        for end in movedEnds.dropLast() {
            let last = start + UInt64(transactionSize)
            #expect(end == expectedEnd(flags, last: last, limit: min(UInt64(flags.count), last + 1_000)))
            start = end
        }
        #expect(movedEnds != plainEnds)
    }
}
