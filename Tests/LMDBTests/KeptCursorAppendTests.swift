import Foundation
import Testing
@testable import LMDB

/// Appends through a write transaction's kept cursor: a rebuild and an ingest batch append their
/// sorted entries one after another on the cursor that stays on the last page. The database must
/// come out exactly as appends through a fresh cursor each (what `mdb_put` does) leave it: the same
/// entries, and the same pages.
@Suite("LMDB kept cursor appends")
struct KeptCursorAppendTests {
    /// `count` distinct keys of 1–40 bytes in LMDB's order, each with a value of 0–300 bytes (every
    /// 997th one over a page, so overflow pages are appended too).
    private func sortedEntries(_ count: Int, seed: UInt64) -> [([UInt8], [UInt8])] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var keys = Set<[UInt8]>()
        while keys.count < count {
            keys.insert((0..<(1 + Int(next() % 40))).map { _ in UInt8(truncatingIfNeeded: next()) })
        }
        let ordered = keys.sorted { a, b in
            let common = min(a.count, b.count)
            for i in 0..<common where a[i] != b[i] { return a[i] < b[i] }
            return a.count < b.count
        }
        return ordered.enumerated().map { index, key in
            let size = index % 997 == 0 ? 5_000 : Int(next() % 301)
            return (key, (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) })
        }
    }

    /// A scratch environment (commits do not sync).
    private func environment() throws -> Environment {
        var options = Environment.Options()
        options.durable = false
        return try Environment(path: temporaryStorePath(), options: options)
    }

    /// Every entry of `db`, in order.
    private func contents(_ env: Environment, _ db: Database) throws -> [([UInt8], [UInt8])] {
        try env.read { txn in
            var result: [([UInt8], [UInt8])] = []
            try txn.forEach(db) { key, value in
                result.append((Array(key), Array(value)))
                return true
            }
            return result
        }
    }

    @Test("Appends through the kept cursor leave the entries and pages that appends through a fresh cursor each leave",
          arguments: [1, 7, 300])
    func sameAsFreshCursorAppends(transactions: Int) throws {
        let entries = sortedEntries(20_000, seed: UInt64(transactions))
        let absent = [UInt8](repeating: 0xFF, count: 41)  // longer than every generated key
        let env = try environment()
        let viaPut = try env.database("put")
        let viaCursor = try env.database("cursor")
        let chunk = (entries.count + transactions - 1) / transactions
        for start in stride(from: 0, to: entries.count, by: chunk) {
            let part = entries[start..<min(entries.count, start + chunk)]
            try env.write { txn in
                // A delete (of a key that is not there) closes the database's kept cursor, so each
                // of these appends starts from a fresh cursor, as `mdb_put` does.
                for (key, value) in part {
                    #expect(try txn.delete(viaPut, key: absent) == false)
                    try txn.put(viaPut, key: key, value: value, options: .append)
                }
                for (key, value) in part { try txn.put(viaCursor, key: key, value: value, options: .append) }
            }
        }
        let expected = try contents(env, viaPut)
        let appended = try contents(env, viaCursor)
        #expect(appended.count == entries.count)
        #expect(appended.map(\.0) == expected.map(\.0))
        #expect(appended.map(\.1) == expected.map(\.1))
        let (put, cursor) = try env.read { txn in (try txn.statistics(of: viaPut), try txn.statistics(of: viaCursor)) }
        #expect(cursor == put)
        #expect(cursor.overflowPages > 0 && cursor.depth >= 3)
    }

    @Test("Puts below the last key, then appends above it, in one transaction (a rebuild's later flush)")
    func putsThenAppends() throws {
        let entries = sortedEntries(6_000, seed: 42)
        let env = try environment()
        let db = try env.database("items")
        // Every third entry first, appended; then the others: those below the stored last key are
        // put, the rest appended.
        let first = entries.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        let rest = entries.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        try env.write { txn in for (key, value) in first { try txn.put(db, key: key, value: value, options: .append) } }
        let last = first.last!.0
        let appendFrom = rest.firstIndex { $0.0.lexicographicallyPrecedes(last) == false && $0.0 != last } ?? rest.count
        #expect(appendFrom > 0 && appendFrom < rest.count)
        try env.write { txn in
            for (index, (key, value)) in rest.enumerated() {
                try txn.put(db, key: key, value: value, options: index >= appendFrom ? .append : [])
            }
        }
        let stored = try contents(env, db)
        #expect(stored.map(\.0) == entries.map(\.0))
        #expect(stored.map(\.1) == entries.map(\.1))
    }

    @Test("An append of a key that does not sort after the last one fails, and its transaction changes nothing")
    func appendOutOfOrder() throws {
        let env = try environment()
        let db = try env.database("items")
        try env.write { txn in
            try txn.put(db, key: Array("b".utf8), value: [1])
            try txn.put(db, key: Array("d".utf8), value: [2])
        }
        for key in ["a", "c", "d"] {
            #expect(throws: LMDBError.keyExists) {
                try env.write { txn in
                    try txn.put(db, key: Array("e".utf8), value: [7], options: .append)
                    try txn.put(db, key: Array(key.utf8), value: [9], options: .append)
                }
            }
        }
        #expect(try contents(env, db).map(\.0) == [Array("b".utf8), Array("d".utf8)])
        #expect(try contents(env, db).map(\.1) == [[1], [2]])
    }
}
