import LMDB
@testable import Projections
import Testing

@Suite("Bulk load order")
struct BulkLoadOrderTests {
    /// Entries as a fold adds them: sequences ascending, companies drawn from `companies`.
    private func entries(count: Int, companies: [UInt64], seed: UInt64) -> [BulkLoad.Entry] {
        var state = seed
        var sequence: UInt64 = 0
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            sequence += 1 + (state >> 60)
            let company = companies[Int((state >> 33) % UInt64(companies.count))]
            return BulkLoad.Entry(company: company, sequence: sequence, valueStart: index, valueCount: Int(state >> 58))
        }
    }

    private func comparisonSorted(_ list: [BulkLoad.Entry]) -> [BulkLoad.Entry] {
        list.sorted { $0.company != $1.company ? $0.company < $1.company : $0.sequence < $1.sequence }
    }

    @Test("Dense company numbers (the counting sort) give the comparison sort's order")
    func dense() {
        let base: UInt64 = 1 << 63
        for (count, spread) in [(1, 1), (2, 2), (500, 40), (20_000, 3_000), (5_000, 19_000)] {
            let list = entries(count: count, companies: (0..<UInt64(spread)).map { base + $0 }, seed: UInt64(count))
            #expect(BulkLoad.keyOrder(list) == comparisonSorted(list))
        }
    }

    @Test("Sparse company numbers, and sequences that do not ascend, fall back to the comparison sort")
    func sparseAndUnordered() {
        let sparse = entries(count: 3_000, companies: [3, 1 << 40, 1 << 63, UInt64.max - 1], seed: 9)
        #expect(BulkLoad.keyOrder(sparse) == comparisonSorted(sparse))
        let reversed = Array(entries(count: 3_000, companies: Array(100..<150), seed: 11).reversed())
        #expect(BulkLoad.keyOrder(reversed) == comparisonSorted(reversed))
        #expect(BulkLoad.keyOrder([]) == [])
    }

    /// Adds `(company, sequence)` entries with a one-byte value to the timeline's slot.
    private func add(_ pairs: [(UInt64, UInt64)], to bulk: BulkLoad) {
        for (company, sequence) in pairs {
            withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
                key.storeBytes(of: company.bigEndian, as: UInt64.self)
                key.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
                withUnsafeBytes(of: UInt8(truncatingIfNeeded: sequence)) {
                    bulk.add(.timeline, key: UnsafeRawBufferPointer(key), value: $0)
                }
            }
        }
    }

    /// The timeline database's entries as `(company, sequence, value byte)`.
    private func stored(_ views: ViewSet, _ environment: Environment) throws -> [[UInt64]] {
        try environment.read { txn in
            var rows: [[UInt64]] = []
            try txn.forEach(views[.timeline]) { key, value in
                rows.append([UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)),
                             UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)), UInt64(value[0])])
                return true
            }
            return rows
        }
    }

    @Test("A fold transaction that runs again goes back to what the load held before it: each entry once")
    func rollBack() throws {
        let environment = try Environment(path: temporaryPath("bulk-rollback"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all)
        add([(2, 1), (1, 2)], to: bulk)
        let held = bulk.mark
        add([(2, 3), (1, 4)], to: bulk)  // a first attempt, abandoned
        bulk.rollBack(to: held)
        #expect(bulk.mark == held)
        add([(2, 3), (1, 4)], to: bulk)  // the attempt again
        try environment.write { try bulk.flush(into: views, transaction: $0) }
        bulk.removeAll()
        #expect(bulk.count == 0)
        #expect(try stored(views, environment) == [[1, 2, 2], [1, 4, 4], [2, 1, 1], [2, 3, 3]])
    }

    @Test("A flush whose transaction runs again because the map grew still inserts every entry")
    func flushAfterMapGrowth() throws {
        var options = Environment.Options()
        options.initialMapSize = 1 << 20
        let environment = try Environment(path: temporaryPath("bulk-map"), options: options)
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all)
        // 80,000 entries: a few MiB of pages, more than the 1 MiB map holds, so the first
        // attempt fails with a full map and the transaction runs again in a larger one.
        let pairs = (0..<UInt64(80_000)).map { (($0 * 7_919) % 5_000, $0 + 1) }
        add(pairs, to: bulk)
        let before = environment.mapSize
        try environment.write { try bulk.flush(into: views, transaction: $0) }
        bulk.removeAll()
        #expect(environment.mapSize > before)
        let rows = try stored(views, environment)
        #expect(rows.count == pairs.count)
        let expected = pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { [$0.0, $0.1, $0.1 & 0xFF] }
        #expect(rows.elementsEqual(expected), "the stored entries are the held ones, in key order")
    }

    @Test("An append transaction's flush inserts its timeline entries and instance rows in key order and drops them")
    func flushReleasing() throws {
        let environment = try Environment(path: temporaryPath("bulk-releasing"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        let bulk = BulkLoad()
        bulk.hold(.timeline)
        bulk.holdInstances()
        let pairs: [(UInt64, UInt64)] = [(2, 5), (1, 6), (2, 7), (1, 8), (3, 9)]
        add(pairs, to: bulk)
        let instanceKeys: [[UInt8]] = [[9, 1], [3], [3, 0], [1, 2, 3]]
        for key in instanceKeys {
            key.withUnsafeBytes { key in [UInt8(key.count)].withUnsafeBytes { bulk.addInstance(key: key, value: $0) } }
        }
        #expect(bulk.heldBytes > 0)
        try environment.write { try bulk.flushReleasing(into: views, transaction: $0) }
        #expect(bulk.count == 0 && bulk.heldBytes == 0, "nothing stays held once it is in the databases")
        #expect(try stored(views, environment) == [[1, 6, 6], [1, 8, 8], [2, 5, 5], [2, 7, 7], [3, 9, 9]])
        let instances = try environment.read { txn in
            var rows: [[UInt8]] = []
            try txn.forEach(views[.instances]) { key, value in
                rows.append(Array(key) + [255] + Array(value))
                return true
            }
            return rows
        }
        #expect(instances == [[1, 2, 3, 255, 3], [3, 255, 1], [3, 0, 255, 2], [9, 1, 255, 2]])
    }
}
