import Foundation
import LMDB
@testable import Projections
import SeededRandom
import Testing

/// The held instance rows' table grows by moving the latest entry of each key into a larger table
/// (`HeldInstanceRows.grow`), without placing every older entry again. Whatever the keys' hashes —
/// colliding, sharing a first place, replaced many times before a growth — and through roll-backs
/// that rebuild the table from the entries, every key must find its latest row, and the flush must
/// append one row per key, the latest, in key order.
@Suite("Held instance rows growth")
struct HeldInstanceRowsGrowthTests {
    static func add(_ key: [UInt8], _ value: [UInt8], hash: Int, to rows: HeldInstanceRows) {
        key.withUnsafeBytes { k in value.withUnsafeBytes { rows.add(key: k, value: $0, hash: hash) } }
    }

    static func row(_ key: [UInt8], hash: Int, in rows: HeldInstanceRows) -> [UInt8]? {
        key.withUnsafeBytes { k in rows.withRow(key: k, hash: hash) { Array($0) } }
    }

    /// Hashes that collide on purpose — 0: eight values only (long probes across the table's
    /// growths); 1: negative, all sharing their low bits (every key at one first place) — and
    /// 2: the rows' own.
    static func hash(_ hashing: Int, _ key: [UInt8]) -> Int {
        switch hashing {
        case 0: key.reduce(0) { $0 &+ Int($1) } & 7
        case 1: -1 - ((key.first.map(Int.init) ?? 0) << 20)
        default: key.withUnsafeBytes(HeldInstanceRows.hash)
        }
    }

    @Test("Every key finds its latest row through growths and roll-backs, and the flush appends those rows",
          arguments: 0..<3)
    func growthKeepsLatestRows(hashing: Int) throws {
        let hash = { (key: [UInt8]) in HeldInstanceRowsGrowthTests.hash(hashing, key) }
        var generator = SeededGenerator(seed: 20_261_203 &+ UInt64(hashing))
        let rows = HeldInstanceRows()
        var model: [[UInt8]: [UInt8]] = [:]
        // 300 keys, each replaced many times: the table grows while most entries are older rows.
        let keys = (0..<300).map { index in [UInt8(index & 0xFF), UInt8(index >> 8)] + Array(repeating: UInt8(index % 7), count: index % 5) }
        for round in 0..<8 {
            let saved = model
            let mark = rows.mark
            for _ in 0..<(round == 0 ? 3_000 : 700) {
                let key = keys[Int.random(in: 0..<keys.count, using: &generator)]
                let value = (0..<Int.random(in: 0...24, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(HeldInstanceRowsGrowthTests.row(key, hash: hash(key), in: rows) == model[key])
                HeldInstanceRowsGrowthTests.add(key, value, hash: hash(key), to: rows)
                model[key] = value
            }
            // Every third round is forgotten, as by a fold transaction that runs again.
            if round % 3 == 2 {
                rows.rollBack(to: mark)
                model = saved
            }
            for key in keys { #expect(HeldInstanceRowsGrowthTests.row(key, hash: hash(key), in: rows) == model[key]) }
        }
        let environment = try Environment(path: temporaryPath("held-rows-growth"))
        let db = try environment.database("instances", create: true)
        try rows.flushCommitting(into: db, environment: environment, chunkBytes: 2_048)
        let stored = try HeldInstanceRowsTests.entries(of: db, in: environment)
        let expected = model.sorted { HeldInstanceRowsTests.precedes($0.key, $1.key) }
        #expect(stored.map(\.0) == expected.map(\.key), "one entry per key, in key order")
        #expect(stored.map(\.1) == expected.map(\.value), "the latest row of each key")
    }
}
