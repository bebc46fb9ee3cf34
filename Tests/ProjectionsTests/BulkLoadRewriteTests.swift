import LMDB
@testable import Projections
import Testing

/// A rebuild's flush whose entries fall among the keys an earlier flush wrote rewrites the view
/// (its entries read back, merged with the held ones and appended from empty) when the view holds
/// no more entries than are held; otherwise it puts the held entries among the stored ones. Either
/// way the view holds exactly the union, in key order.
@Suite("Bulk load rewrite")
struct BulkLoadRewriteTests {
    /// Adds `(company, sequence)` entries to the timeline's slot, each with a value of
    /// `valueBytes` bytes derived from the sequence.
    private func add(_ pairs: [(UInt64, UInt64)], to bulk: BulkLoad, valueBytes: Int = 1) {
        for (company, sequence) in pairs {
            withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
                key.storeBytes(of: company.bigEndian, as: UInt64.self)
                key.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
                let value = (0..<valueBytes).map { UInt8(truncatingIfNeeded: sequence &+ UInt64($0)) }
                value.withUnsafeBytes { bulk.add(.timeline, key: UnsafeRawBufferPointer(key), value: $0) }
            }
        }
    }

    /// The timeline database's entries as `(company, sequence, value)`.
    private func stored(_ views: ViewSet, _ environment: Environment) throws -> [Row] {
        try environment.read { txn in
            var rows: [Row] = []
            try txn.forEach(views[.timeline]) { key, value in
                rows.append(Row(company: UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)),
                                sequence: UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                                value: Array(value)))
                return true
            }
            return rows
        }
    }

    private struct Row: Equatable {
        var company: UInt64
        var sequence: UInt64
        var value: [UInt8]
    }

    /// The rows `pairs` give, in key order.
    private func expected(_ pairs: [(UInt64, UInt64)], valueBytes: Int = 1) -> [Row] {
        pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { pair in
            Row(company: pair.0, sequence: pair.1, value: (0..<valueBytes).map { UInt8(truncatingIfNeeded: pair.1 &+ UInt64($0)) })
        }
    }

    /// A first flush of `first`, then a flush of `second` (later sequences) into the same view,
    /// each with `flushCommitting` in transactions of about `chunkBytes`.
    private func flushTwice(_ first: [(UInt64, UInt64)], _ second: [(UInt64, UInt64)], chunkBytes: Int,
                            mapSize: Int? = nil, valueBytes: Int = 1, name: String) throws -> (Environment, ViewSet) {
        var options = Environment.Options()
        if let mapSize { options.initialMapSize = mapSize }
        let environment = try Environment(path: temporaryPath(name), options: options)
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all, budget: 1 << 20)
        add(first, to: bulk, valueBytes: valueBytes)
        try bulk.flushCommitting(into: views, environment: environment, chunkBytes: chunkBytes)
        #expect(bulk.count == 0)
        add(second, to: bulk, valueBytes: valueBytes)
        try bulk.flushCommitting(into: views, environment: environment, chunkBytes: chunkBytes)
        #expect(bulk.count == 0)
        return (environment, views)
    }

    /// `count` entries over `companies` companies with sequences from `firstSequence` on, in log order.
    private func pairs(_ count: Int, companies: UInt64, firstSequence: UInt64) -> [(UInt64, UInt64)] {
        (0..<UInt64(count)).map { (($0 &* 7_919) % companies, firstSequence + $0) }
    }

    @Test("Values of many sizes, scattered in memory, flushed in tiny and odd transactions: every entry, in key order",
          arguments: [1, 7, 333, 8 << 20])
    func valuesOfManySizes(chunkBytes: Int) throws {
        // The flush reads the values ahead of the entry it inserts (`BulkLoad.prefetchDistance`):
        // chunks shorter than that distance, empty values and values over many cache lines.
        func valueBytes(_ sequence: UInt64) -> Int { Int((sequence &* 2_654_435_761) % 700) }
        func value(_ sequence: UInt64) -> [UInt8] { (0..<valueBytes(sequence)).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ UInt64($0)) } }
        let first = pairs(50, companies: 7, firstSequence: 1)
        let second = pairs(900, companies: 97, firstSequence: 1_000)
        let environment = try Environment(path: temporaryPath("rewrite-value-sizes"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all, budget: 1 << 20)
        for batch in [first, second] {
            for (company, sequence) in batch {
                withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
                    key.storeBytes(of: company.bigEndian, as: UInt64.self)
                    key.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
                    value(sequence).withUnsafeBytes { bulk.add(.timeline, key: UnsafeRawBufferPointer(key), value: $0) }
                }
            }
            try bulk.flushCommitting(into: views, environment: environment, chunkBytes: chunkBytes)
            #expect(bulk.count == 0)
        }
        let expected = (first + second).sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { Row(company: $0.0, sequence: $0.1, value: value($0.1)) }
        #expect(try stored(views, environment) == expected)
    }

    @Test("Held entries among a few stored ones: the view is rewritten, holds the union and packs its pages",
          arguments: [64, 4_096, 8 << 20])
    func rewrite(chunkBytes: Int) throws {
        let first = pairs(300, companies: 100, firstSequence: 1)
        let second = pairs(3_000, companies: 100, firstSequence: 1_000)
        let (environment, views) = try flushTwice(first, second, chunkBytes: chunkBytes, name: "rewrite")
        #expect(try stored(views, environment) == expected(first + second))
        // The same entries put among the stored ones (more stored than held: no rewrite) split
        // pages; the rewritten view appended every entry and needs fewer.
        let (putEnvironment, putViews) = try flushTwice(second, first.map { ($0.0, $0.1 + 10_000) }, chunkBytes: chunkBytes,
                                                        name: "rewrite-put")
        #expect(try stored(putViews, putEnvironment) == expected(second + first.map { ($0.0, $0.1 + 10_000) }))
        let rewritten = try environment.read { try $0.statistics(of: views[.timeline]) }
        let put = try putEnvironment.read { try $0.statistics(of: putViews[.timeline]) }
        #expect(rewritten.entries == put.entries)
        #expect(rewritten.leafPages < put.leafPages, "rewritten \(rewritten.leafPages) pages, put \(put.leafPages)")
    }

    @Test("More stored entries than held ones: the held entries are put among them")
    func putAmongMany() throws {
        let first = pairs(5_000, companies: 200, firstSequence: 1)
        let second = pairs(40, companies: 200, firstSequence: 10_000)
        let (environment, views) = try flushTwice(first, second, chunkBytes: 1_024, name: "rewrite-many")
        #expect(try stored(views, environment) == expected(first + second))
    }

    @Test("Held entries all above the stored keys are appended as they are")
    func appendAbove() throws {
        let first = pairs(500, companies: 50, firstSequence: 1)
        let second = pairs(2_000, companies: 50, firstSequence: 1_000).map { ($0.0 + 1_000, $0.1) }
        let (environment, views) = try flushTwice(first, second, chunkBytes: 2_048, name: "rewrite-above")
        #expect(try stored(views, environment) == expected(first + second))
    }

    @Test("A rewrite whose transactions run again because the map grew (1 MiB map) keeps every entry once")
    func rewriteAfterMapGrowth() throws {
        let first = pairs(5_000, companies: 2_000, firstSequence: 1)
        let second = pairs(20_000, companies: 2_000, firstSequence: 100_000)
        let (environment, views) = try flushTwice(first, second, chunkBytes: 8 << 20, mapSize: 1 << 20, valueBytes: 100,
                                                  name: "rewrite-map")
        #expect(environment.mapSize > 1 << 20)
        #expect(try stored(views, environment) == expected(first + second, valueBytes: 100))
    }

    @Test("Two key-ordered lists merge into one key order")
    func merged() {
        func entry(_ company: UInt64, _ sequence: UInt64) -> BulkLoad.Entry {
            BulkLoad.Entry(company: company, sequence: sequence, valueStart: 0, valueCount: 0)
        }
        let a = [entry(1, 1), entry(1, 5), entry(3, 2), entry(7, 1)]
        let b = [entry(0, 9), entry(1, 3), entry(1, 6), entry(3, 1), entry(9, 9)]
        let sorted = (a + b).sorted { $0.company != $1.company ? $0.company < $1.company : $0.sequence < $1.sequence }
        #expect(BulkLoad.merged(a, b) == sorted)
        #expect(BulkLoad.merged(b, a) == sorted)
        #expect(BulkLoad.merged([], b) == b)
        #expect(BulkLoad.merged(a, []) == a)
    }

    @Test("A key order computed on another thread is used only for exactly the entries it was computed from")
    func orderInBackground() throws {
        let first = pairs(3_000, companies: 300, firstSequence: 1)
        let later = pairs(500, companies: 300, firstSequence: 10_000)
        let again = pairs(700, companies: 300, firstSequence: 20_000)
        func flushed(_ steps: (BulkLoad) -> Void, name: String) throws -> [Row] {
            let environment = try Environment(path: temporaryPath(name))
            let views = try ViewSet(environment: environment, generation: 1, create: true)
            let bulk = BulkLoad(rebuilding: .all, budget: 1 << 20)
            steps(bulk)
            try bulk.flushCommitting(into: views, environment: environment, chunkBytes: 4_096)
            #expect(bulk.count == 0)
            return try stored(views, environment)
        }
        // Nothing changes after the sort starts: its order is the one inserted.
        #expect(try flushed({ bulk in
            add(first, to: bulk)
            bulk.orderInBackground()
        }, name: "order-same") == expected(first))
        // Entries added after the sort started: they are inserted too.
        #expect(try flushed({ bulk in
            add(first, to: bulk)
            bulk.orderInBackground()
            add(later, to: bulk)
        }, name: "order-added") == expected(first + later))
        // A transaction that runs again after the sort started rolls back and adds other entries.
        #expect(try flushed({ bulk in
            add(first, to: bulk)
            let mark = bulk.mark
            add(later, to: bulk)
            bulk.orderInBackground()
            bulk.rollBack(to: mark)
            add(again, to: bulk)
        }, name: "order-rolled-back") == expected(first + again))
    }

    /// The budget store's log: ≈ 4,600 ingest records (events and new companies) first, then the
    /// derived instances and the snapshots. Budgets and transaction sizes where a flush after the
    /// first fold transaction writes the companies' timeline entries and the last flush holds more
    /// timeline entries (the instances') than that, among them: the timeline is rewritten.
    @Test("A rebuild whose last flush rewrites a view gives the views and fingerprints of one that holds everything",
          arguments: [(96 << 10, 5_000), (160 << 10, 5_000), (256 << 10, 4_700), (64 << 10, 2_500)])
    func rebuildRewrites(budget: Int, transactionSize: Int) throws {
        let budgetTests = BulkLoadBudgetTests()
        let store = try budgetTests.store(initialMapSize: 64 << 20)
        let incremental = try storedFingerprints(store)
        try Replayer(store: store).rebuild(options: budgetTests.options(budget: nil, transactionSize: transactionSize))
        let unbounded = try viewContents(store)
        let result = try Replayer(store: store).rebuild(options: budgetTests.options(budget: budget, transactionSize: transactionSize))
        #expect(result.fingerprints == incremental)
        #expect(try contentFingerprints(store) == incremental)
        let bounded = try viewContents(store)
        for view in View.allCases { #expect(bounded[view] == unbounded[view], "\(view) differs") }
        #expect(try Replayer(store: store).verify(options: budgetTests.options(budget: budget, transactionSize: transactionSize)).isOK)
    }
}
