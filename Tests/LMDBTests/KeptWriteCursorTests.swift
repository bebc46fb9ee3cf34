import Foundation
import Testing
@testable import LMDB

/// A write transaction writes through one kept cursor per database (`WriteTransaction.put`,
/// `insert`, `upsert`): the entries, and the pages they fill, must be what a fresh cursor per write
/// gives. A delete closes the database's kept cursor, so a delete of an absent key before every
/// write makes each write start from a fresh cursor: the reference the kept cursors are held to.
@Suite("Kept write cursors")
struct KeptWriteCursorTests {
    /// One write of a generated sequence.
    enum Operation {
        case put(key: [UInt8], value: [UInt8])
        case insert(key: [UInt8], value: [UInt8])
        case upsert(key: [UInt8], value: [UInt8], overwrite: Bool)
        case delete(key: [UInt8])
    }

    /// A key of `width` bytes for `number` (big-endian, so byte order is number order).
    static func key(_ number: Int, width: Int = 12) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: number >> (8 * (width - 1 - $0))) }
    }

    /// Writes in the orders the stages write: ascending runs, runs near the last write, random keys,
    /// replacements of stored keys (same and other value sizes), deletes; values of many sizes,
    /// some over a page (overflow pages).
    static func operations(seed: UInt64, count: Int) -> [Operation] {
        var rng = SplitMix(seed: seed)
        var ops: [Operation] = []
        var next = 0
        for _ in 0..<count {
            let size = rng.next() % 23 == 0 ? 4_500 + Int(rng.next() % 3_000) : Int(rng.next() % 600)
            let value = (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let number: Int
            switch rng.next() % 4 {
            case 0: number = Int(rng.next() % 200_000)  // random
            case 1: number = max(0, next - Int(rng.next() % 40))  // near the last write
            default:
                next += 1 + Int(rng.next() % 3)  // ascending
                number = next
            }
            let key = key(number * 16)
            switch rng.next() % 10 {
            case 0: ops.append(.insert(key: key, value: value))
            case 1, 2: ops.append(.upsert(key: key, value: value, overwrite: rng.next() % 3 != 0))
            case 3: ops.append(.delete(key: key))
            default: ops.append(.put(key: key, value: value))
            }
        }
        return ops
    }

    /// Applies `ops` to `db` and to `model`; `freshCursors` deletes an absent key first each time.
    static func apply(_ ops: [Operation], to db: Database, in txn: WriteTransaction, freshCursors: Bool,
                      model: inout [[UInt8]: [UInt8]]) throws {
        let absent: [UInt8] = [0xFF, 0xFF, 0xFF]
        for op in ops {
            if freshCursors { #expect(try txn.delete(db, key: absent) == false) }
            switch op {
            case .put(let key, let value):
                try txn.put(db, key: key, value: value)
                model[key] = value
            case .insert(let key, let value):
                var lent: [UInt8]?
                let inserted = try key.withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in try txn.insert(db, key: k, value: v) { lent = Array($0) } }
                }
                #expect(inserted == (model[key] == nil))
                #expect(lent == (inserted ? nil : model[key]))
                if inserted { model[key] = value }
            case .upsert(let key, let value, let overwrite):
                var lent: [UInt8]?
                let inserted = try key.withUnsafeBytes { k in
                    try value.withUnsafeBytes { v in
                        try txn.upsert(db, key: k, value: v) { old in
                            lent = Array(old)
                            return overwrite
                        }
                    }
                }
                #expect(inserted == (model[key] == nil))
                #expect(lent == (inserted ? nil : model[key]))
                if inserted || overwrite { model[key] = value }
            case .delete(let key):
                #expect(try txn.delete(db, key: key) == (model.removeValue(forKey: key) != nil))
            }
        }
    }

    static func contents(_ db: Database, in txn: Transaction) throws -> [[UInt8]: [UInt8]] {
        var entries: [[UInt8]: [UInt8]] = [:]
        try txn.forEach(db) { key, value in
            entries[Array(key)] = Array(value)
            return true
        }
        return entries
    }

    @Test("the same writes through kept cursors and through a fresh cursor each give the same entries and pages",
          arguments: [1, 2, 3] as [UInt64])
    func samePagesAsFreshCursors(seed: UInt64) throws {
        var options = Environment.Options()
        options.durable = false
        let env = try Environment(path: temporaryStorePath(), options: options)
        let kept = try env.database("kept")
        let fresh = try env.database("fresh")
        let ops = Self.operations(seed: seed, count: 6_000)
        var keptModel: [[UInt8]: [UInt8]] = [:]
        var freshModel: [[UInt8]: [UInt8]] = [:]
        // Three transactions, the two databases' writes interleaved within each.
        for part in 0..<3 {
            let slice = Array(ops[(part * ops.count / 3)..<((part + 1) * ops.count / 3)])
            try env.write { txn in
                for start in stride(from: 0, to: slice.count, by: 250) {
                    let piece = Array(slice[start..<min(start + 250, slice.count)])
                    try Self.apply(piece, to: kept, in: txn, freshCursors: false, model: &keptModel)
                    try Self.apply(piece, to: fresh, in: txn, freshCursors: true, model: &freshModel)
                }
            }
        }
        try env.read { txn in
            #expect(try Self.contents(kept, in: txn) == keptModel)
            #expect(try Self.contents(fresh, in: txn) == freshModel)
            #expect(keptModel == freshModel)
            let a = try txn.statistics(of: kept)
            let b = try txn.statistics(of: fresh)
            #expect(a == b)
            #expect(a.entries == keptModel.count && a.depth >= 3 && a.overflowPages > 0)
        }
    }

    @Test("upsert inserts a new key, and overwrites a stored one only when told, with values of another size too")
    func upsert() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        func upsert(_ txn: WriteTransaction, _ key: String, _ value: String, overwrite: Bool, lent: inout String?) throws -> Bool {
            var seen: String?
            let inserted = try Array(key.utf8).withUnsafeBytes { k in
                try Array(value.utf8).withUnsafeBytes { v in
                    try txn.upsert(db, key: k, value: v) { old in
                        seen = String(decoding: old, as: UTF8.self)
                        return overwrite
                    }
                }
            }
            lent = seen
            return inserted
        }
        try env.write { txn in
            var lent: String?
            var inserted = try upsert(txn, "a", "one", overwrite: true, lent: &lent)
            #expect(inserted && lent == nil)
            inserted = try upsert(txn, "a", "two", overwrite: false, lent: &lent)
            #expect(!inserted && lent == "one")
            #expect(try txn.value(db, key: Array("a".utf8)) == Array("one".utf8))
            inserted = try upsert(txn, "a", "three", overwrite: true, lent: &lent)
            #expect(!inserted && lent == "one")
            inserted = try upsert(txn, "b", "x", overwrite: true, lent: &lent)
            #expect(inserted && lent == nil)
            inserted = try upsert(txn, "a", "4", overwrite: true, lent: &lent)
            #expect(!inserted && lent == "three")
        }
        let (a, b) = try env.read { txn in
            (try txn.value(db, key: Array("a".utf8)), try txn.value(db, key: Array("b".utf8)))
        }
        #expect(a == Array("4".utf8))
        #expect(b == Array("x".utf8))
    }

    @Test("writes after emptying a database, and after a map-growth retry, start over from the database as it is")
    func afterEmptyAndRetry() throws {
        var options = Environment.Options()
        options.initialMapSize = 1 << 20
        options.durable = false
        let env = try Environment(path: temporaryStorePath(), options: options)
        let db = try env.database("items")
        var attempts = 0
        try env.write { txn in
            attempts += 1
            for n in 0..<500 { try txn.put(db, key: Self.key(n), value: Array(repeating: 1, count: 100)) }
            try txn.empty(db)
            // Enough to outgrow the 1 MiB map: the body runs again in a new transaction.
            for n in 0..<3_000 { try txn.put(db, key: Self.key(n * 2), value: Array(repeating: 2, count: 900)) }
        }
        #expect(attempts > 1)
        try env.read { txn in
            let stats = try txn.statistics(of: db)
            #expect(stats.entries == 3_000)
            #expect(try txn.value(db, key: Self.key(0)) == Array(repeating: 2, count: 900))
            #expect(try txn.value(db, key: Self.key(1)) == nil)
        }
    }
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
