import LMDB
@testable import Projections
import SeededRandom
import Testing

/// A rebuild's bulk load keeps the decoders' runs of events index entries as they are
/// (`BulkLoad.addEvents`) instead of copying them into one list, and sorts them from there: the
/// same key order, the same entries inserted once, whichever flush takes them and when a fold
/// transaction rolls back.
@Suite("Bulk load event runs")
struct BulkLoadEventRunsTests {
    /// `count` events over `companies` companies (ids from `firstCompany`), sequences ascending
    /// from `firstSequence`, cut into runs of 1–`longest` entries.
    static func runs(_ count: Int, companies: Int, firstCompany: Int64 = 1, firstSequence: UInt64 = 1, longest: Int,
                     seed: UInt64) -> [EventRun] {
        var random = SeededGenerator(seed: seed)
        var runs: [EventRun] = []
        var run = EventRun()
        var length = 1 + random.below(longest)
        for index in 0..<count {
            run.add(company: firstCompany + Int64(random.below(companies)), sequence: firstSequence + UInt64(index) * 3)
            if run.entries.count == length {
                runs.append(run)
                run = EventRun()
                length = 1 + random.below(longest)
            }
        }
        if !run.entries.isEmpty { runs.append(run) }
        return runs
    }

    static func comparisonSorted(_ list: [BulkLoad.Entry]) -> [BulkLoad.Entry] {
        list.sorted { $0.company != $1.company ? $0.company < $1.company : $0.sequence < $1.sequence }
    }

    @Test("The key order of parts equals the comparison sort of their entries one after the other")
    func partsOrder() {
        for (count, companies, longest) in [(1, 1, 1), (500, 40, 7), (30_000, 2_000, 4_096), (5_000, 60_000, 300)] {
            let parts = Self.runs(count, companies: companies, longest: longest, seed: UInt64(count)).map { $0.entries[...] }
            let joined = Array(parts.joined())
            #expect(BulkLoad.keyOrder(parts: parts) == Self.comparisonSorted(joined))
            // Empty parts among them change nothing.
            let withEmpty = [ArraySlice<BulkLoad.Entry>()] + parts + [ArraySlice<BulkLoad.Entry>()]
            #expect(BulkLoad.keyOrder(parts: withEmpty) == Self.comparisonSorted(joined))
            // Parts out of log order (a company's sequences descend across them): the comparison sort.
            let reversed = Array(parts.reversed())
            #expect(BulkLoad.keyOrder(parts: reversed) == Self.comparisonSorted(joined))
        }
        #expect(BulkLoad.keyOrder(parts: []) == [])
        #expect(BulkLoad.keyOrder(parts: [ArraySlice<BulkLoad.Entry>()]) == [])
    }

    /// The events index of `views` as `(company, sequence)` entries.
    static func stored(_ views: ViewSet, _ environment: LMDB.Environment) throws -> [BulkLoad.Entry] {
        try environment.read { txn in
            var rows: [BulkLoad.Entry] = []
            try txn.forEach(views[.eventsByCompany]) { key, value in
                #expect(value.isEmpty)
                rows.append(BulkLoad.Entry(key: key, valueStart: 0, valueCount: 0))
                return true
            }
            return rows
        }
    }

    @Test("Runs held as they are: flushed mid-transaction, rolled back, flushed after the fold, each entry once",
          arguments: [false, true])
    func runsFlushedOnce(inBackground: Bool) throws {
        let environment = try LMDB.Environment(path: temporaryPath("event-runs"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all, budget: 1 << 20)
        let first = Self.runs(20_000, companies: 700, longest: 4_096, seed: 1)
        let second = Self.runs(9_000, companies: 900, firstSequence: 100_000, longest: 300, seed: 2)
        let third = Self.runs(5_000, companies: 500, firstSequence: 200_000, longest: 50, seed: 3)
        // A fold transaction: its first half flushed inside it (over budget), then one that runs again.
        try environment.write { txn in
            let start = bulk.mark
            for run in first { bulk.addEvents(run) }
            try bulk.flush(since: start, into: views, transaction: txn)
            #expect(bulk.count == 0)
            for run in second { bulk.addEvents(run) }
        }
        let beforeThird = bulk.mark
        for run in third.prefix(40) { bulk.addEvents(run) }  // an attempt that runs again
        bulk.rollBack(to: beforeThird)
        #expect(bulk.mark == beforeThird)
        for run in third { bulk.addEvents(run) }
        if inBackground { bulk.orderInBackground() }
        try bulk.flushCommitting(into: views, environment: environment, chunkBytes: 64 << 10)
        #expect(bulk.count == 0)
        let all = (first + second + third).flatMap(\.entries)
        #expect(try Self.stored(views, environment) == Self.comparisonSorted(all))
    }
}
