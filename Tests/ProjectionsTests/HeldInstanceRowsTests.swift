import Foundation
import LMDB
@testable import Projections
import SeededRandom
import Testing

/// A rebuild holds its instance rows (`HeldInstanceRows`) while the instances view is empty and
/// appends them in key order at the end: the held table must behave as the view would (the latest
/// row of a key wins, a transaction that runs again forgets its rows), and a rebuild whose held
/// rows pass the budget flushes them and writes the later ones in place, with the same views.
@Suite("Held instance rows")
struct HeldInstanceRowsTests {
    /// LMDB's default key order: bytes, then the shorter first.
    static func precedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        for (x, y) in zip(a, b) where x != y { return x < y }
        return a.count < b.count
    }

    static func add(_ key: [UInt8], _ value: [UInt8], to rows: HeldInstanceRows) {
        key.withUnsafeBytes { k in value.withUnsafeBytes { rows.add(key: k, value: $0, hash: HeldInstanceRows.hash(k)) } }
    }

    static func row(_ key: [UInt8], in rows: HeldInstanceRows) -> [UInt8]? {
        key.withUnsafeBytes { k in rows.withRow(key: k, hash: HeldInstanceRows.hash(k)) { Array($0) } }
    }

    /// Every key and value of `db`, in the order LMDB stores them.
    static func entries(of db: Database, in environment: Environment) throws -> [([UInt8], [UInt8])] {
        try environment.read { txn in
            var result: [([UInt8], [UInt8])] = []
            try txn.forEach(db) { key, value in
                result.append((Array(key), Array(value)))
                return true
            }
            return result
        }
    }

    @Test("Rows found, replaced and rolled back as a dictionary would, then appended in LMDB's key order")
    func againstDictionary() throws {
        var generator = SeededGenerator(seed: 20_261_201)
        let rows = HeldInstanceRows()
        var model: [[UInt8]: [UInt8]] = [:]
        // Short keys over few byte values: many repeats, many keys that are prefixes of others.
        func randomKey() -> [UInt8] {
            (0..<Int.random(in: 1...4, using: &generator)).map { _ in UInt8.random(in: 0...5, using: &generator) }
        }
        func randomValue() -> [UInt8] {
            (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        for round in 0..<6 {
            let saved = model
            let mark = rows.mark
            for _ in 0..<700 {
                let key = randomKey()
                let value = randomValue()
                #expect(HeldInstanceRowsTests.row(key, in: rows) == model[key])
                HeldInstanceRowsTests.add(key, value, to: rows)
                model[key] = value
            }
            // Every other round is a transaction that runs again: what it added is forgotten.
            if round % 2 == 1 {
                rows.rollBack(to: mark)
                model = saved
            }
            for key in model.keys { #expect(HeldInstanceRowsTests.row(key, in: rows) == model[key]) }
        }
        // Longer keys, enough of them to grow the table several times.
        for index in 0..<5_000 {
            let key = withUnsafeBytes(of: UInt64(index &* 2_654_435_761).bigEndian) { Array($0) } + [9]
            let value = randomValue()
            HeldInstanceRowsTests.add(key, value, to: rows)
            model[key] = value
        }
        #expect(model.count > 5_000)
        for key in model.keys { #expect(HeldInstanceRowsTests.row(key, in: rows) == model[key]) }

        var options = Environment.Options()
        options.initialMapSize = 1 << 20  // the flush's transactions make the map grow
        let environment = try Environment(path: temporaryPath("held-instance-rows"), options: options)
        let db = try environment.database("instances", create: true)
        try rows.flushCommitting(into: db, environment: environment, chunkBytes: 2_048)
        #expect(rows.isEmpty)
        let stored = try HeldInstanceRowsTests.entries(of: db, in: environment)
        let expected = model.sorted { HeldInstanceRowsTests.precedes($0.key, $1.key) }
        #expect(stored.count == expected.count)
        #expect(stored.map(\.0) == expected.map(\.key), "one entry per key, in key order")
        #expect(stored.map(\.1) == expected.map(\.value), "the latest row of each key")
    }

    @Test("Rows of many sizes flushed in tiny and odd transactions: every latest row, in key order",
          arguments: [1, 7, 333, 8 << 20])
    func rowsOfManySizes(chunkBytes: Int) throws {
        // The flush reads the rows ahead of the one it appends (`HeldInstanceRows.prefetchDistance`):
        // chunks shorter than that distance, empty values, and rows over many cache lines.
        var generator = SeededGenerator(seed: 20_261_203)
        let rows = HeldInstanceRows()
        var model: [[UInt8]: [UInt8]] = [:]
        for _ in 0..<1_500 {
            let key = (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...2, using: &generator) }
            let value = (0..<Int.random(in: 0...900, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            HeldInstanceRowsTests.add(key, value, to: rows)
            model[key] = value
        }
        // Half of the flushes take a key order sorted in the background, half sort in the flush.
        if chunkBytes % 2 == 1 { rows.orderInBackground() }
        let environment = try Environment(path: temporaryPath("held-instance-rows-sizes"))
        let db = try environment.database("instances", create: true)
        try rows.flushCommitting(into: db, environment: environment, chunkBytes: chunkBytes)
        #expect(rows.isEmpty)
        let stored = try HeldInstanceRowsTests.entries(of: db, in: environment)
        let expected = model.sorted { HeldInstanceRowsTests.precedes($0.key, $1.key) }
        #expect(stored.map(\.0) == expected.map(\.key), "one entry per key, in key order")
        #expect(stored.map(\.1) == expected.map(\.value), "the latest row of each key")
    }

    @Test("A key order sorted in the background is used only for the rows it was sorted from")
    func orderInBackground() throws {
        var generator = SeededGenerator(seed: 20_261_202)
        let rows = HeldInstanceRows()
        var model: [[UInt8]: [UInt8]] = [:]
        func addRandom(_ count: Int) {
            for _ in 0..<count {
                let key = (0..<Int.random(in: 1...20, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) }
                let value = (0..<Int.random(in: 0...30, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                HeldInstanceRowsTests.add(key, value, to: rows)
                model[key] = value
            }
        }
        addRandom(3_000)
        // A row added after the sort started: the sort is dropped, the row is flushed.
        rows.orderInBackground()
        #expect(rows.ordersInBackground)
        addRandom(1)
        #expect(!rows.ordersInBackground)
        // Rows rolled back after the sort started: the sort is dropped, the rows are not flushed.
        let saved = model
        let mark = rows.mark
        addRandom(500)
        rows.orderInBackground()
        rows.rollBack(to: mark)
        model = saved
        #expect(!rows.ordersInBackground)
        // Unchanged since: the flush takes the background order.
        rows.orderInBackground()
        #expect(rows.ordersInBackground)

        let environment = try Environment(path: temporaryPath("held-instance-rows-order"))
        let db = try environment.database("instances", create: true)
        try rows.flushCommitting(into: db, environment: environment, chunkBytes: 4_096)
        #expect(!rows.ordersInBackground)
        let stored = try HeldInstanceRowsTests.entries(of: db, in: environment)
        let expected = model.sorted { HeldInstanceRowsTests.precedes($0.key, $1.key) }
        #expect(stored.map(\.0) == expected.map(\.key), "one entry per key, in key order")
        #expect(stored.map(\.1) == expected.map(\.value), "the latest row of each key")
    }

    @Test("A rebuild whose held rows pass the budget flushes them and merges the later records into the view",
          arguments: [97, 2_000])
    func flushedMidRebuild(transactionSize: Int) throws {
        let store = try ReplayPreparedInstanceTests().store()
        var options = ReplayOptions()
        options.transactionSize = transactionSize
        // A few rows pass this budget: after the first fold transaction that holds some, they are
        // appended and the later ones — among them the second derive's merges — go into the view.
        options.bulkLoadBudget = 4_096
        try expectRebuildKeepsViews(store, options: options)
    }

    @Test("A rebuild holds the instance rows while the view is empty and stops once they are flushed")
    func holdsUntilFlushed() throws {
        let environment = try Environment(path: temporaryPath("held-instance-flag"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all, budget: 64)
        #expect(bulk.instanceRows != nil)
        #expect(!bulk.instanceRowsOverBudget)
        HeldInstanceRowsTests.add(Array(repeating: 1, count: 40), Array(repeating: 2, count: 40), to: bulk.instanceRows!)
        #expect(bulk.instanceRowsOverBudget)
        try bulk.flushInstanceRows(into: views, environment: environment)
        #expect(bulk.instanceRows == nil)
        #expect(try environment.read { try $0.statistics(of: views[.instances]).entries } == 1)
        // Not rebuilt with the timeline (whose held entries the held-row path feeds): not held.
        #expect(BulkLoad(rebuilding: ViewMask([.instances])).instanceRows == nil)
    }
}
