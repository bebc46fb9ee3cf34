import Foundation
import Testing
@testable import LMDB

/// A fresh directory per test: environments must never be opened twice in one process.
func temporaryStorePath(_ name: String = #function) -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-lmdb-tests")
    try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.appendingPathComponent(UUID().uuidString).path
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite("LMDB environment and transactions")
struct EnvironmentTests {
    @Test("a write transaction commits when its body returns")
    func commitOnReturn() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: bytes("a"), value: bytes("1")) }
        let value = try env.read { try $0.value(db, key: bytes("a")) }
        #expect(value == bytes("1"))
    }

    @Test("a write transaction aborts when its body throws, leaving nothing behind")
    func abortOnThrow() throws {
        struct Boom: Error {}
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: bytes("kept"), value: bytes("1")) }
        #expect(throws: Boom.self) {
            try env.write { txn in
                try txn.put(db, key: bytes("lost"), value: bytes("2"))
                try txn.delete(db, key: bytes("kept"))
                throw Boom()
            }
        }
        let (lost, kept) = try env.read { txn in
            (try txn.value(db, key: bytes("lost")), try txn.value(db, key: bytes("kept")))
        }
        #expect(lost == nil)
        #expect(kept == bytes("1"))
    }

    @Test("noOverwrite reports keyExists and keeps the first value")
    func noOverwrite() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: bytes("k"), value: bytes("first")) }
        #expect(throws: LMDBError.keyExists) {
            try env.write { try $0.put(db, key: bytes("k"), value: bytes("second"), options: .noOverwrite) }
        }
        #expect(try env.read { try $0.value(db, key: bytes("k")) } == bytes("first"))
    }

    @Test("appendIfLast stores a key above the last one and leaves a key at or below it alone")
    func appendIfLast() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        func append(_ key: String, _ value: String) throws -> Bool {
            try env.write { txn in
                try bytes(key).withUnsafeBytes { k in
                    try bytes(value).withUnsafeBytes { v in try txn.appendIfLast(db, key: k, value: v) }
                }
            }
        }
        #expect(try append("b", "1"))  // an empty database: any key is the last
        #expect(try append("c", "2"))
        #expect(try append("ca", "3"))  // longer, so after "c"
        #expect(try !append("ca", "overwritten?"))  // equal to the last key
        #expect(try !append("a", "below"))
        var entries: [String] = []
        try env.read { txn in
            try txn.forEach(db) { key, value in
                entries.append(String(decoding: key, as: UTF8.self) + "=" + String(decoding: value, as: UTF8.self))
                return true
            }
        }
        #expect(entries == ["b=1", "c=2", "ca=3"])
    }

    @Test("a read-only environment refuses writes with a clear error and changes nothing")
    func readOnlyRefusesWrites() throws {
        let path = temporaryStorePath()
        do {
            let env = try Environment(path: path)
            let db = try env.database("items")
            try env.write { try $0.put(db, key: bytes("a"), value: bytes("1")) }
        }
        var options = Environment.Options()
        options.readOnly = true
        let reader = try Environment(path: path, options: options)
        let db = try reader.database("items", create: false)
        #expect(try reader.read { try $0.value(db, key: bytes("a")) } == bytes("1"))
        do {
            try reader.write { try $0.put(db, key: bytes("b"), value: bytes("2")) }
            Issue.record("write succeeded on a read-only environment")
        } catch let error as LMDBError {
            #expect(error == LMDBError.permissionDenied)
            #expect(error.description.contains("read-only"))
        }
        #expect(try reader.read { try $0.value(db, key: bytes("b")) } == nil)
    }

    @Test("opening a store that does not exist read-only is an error, not a crash")
    func missingStore() throws {
        var options = Environment.Options()
        options.readOnly = true
        #expect(throws: LMDBError.noSuchFile) {
            _ = try Environment(path: temporaryStorePath() + "/absent", options: options)
        }
    }

    @Test("an unknown named database is reported as not found when not creating it")
    func unknownDatabase() throws {
        let env = try Environment(path: temporaryStorePath())
        #expect(try env.hasDatabase("nothing") == false)
        _ = try env.database("something")
        #expect(try env.hasDatabase("something"))
    }

    @Test("the map grows by itself: a 1 MiB map takes 40 MiB of writes")
    func mapGrowth() throws {
        var options = Environment.Options()
        options.initialMapSize = 1 << 20
        options.durable = false
        let env = try Environment(path: temporaryStorePath(), options: options)
        let db = try env.database("blobs")
        let value = [UInt8](repeating: 7, count: 4096)
        for batch in 0..<40 {
            try env.write { txn in
                for i in 0..<256 {
                    var key = UInt64(batch * 256 + i).bigEndian
                    try withUnsafeBytes(of: &key) { k in
                        try value.withUnsafeBytes { v in try txn.put(db, key: k, value: v, options: .append) }
                    }
                }
            }
        }
        #expect(env.mapSize > 40 << 20)
        #expect(try env.statistics(of: db).entries == 40 * 256)
    }

    @Test("a single transaction larger than the whole map is retried after growing")
    func oneHugeTransaction() throws {
        var options = Environment.Options()
        options.initialMapSize = 1 << 20
        options.durable = false
        let env = try Environment(path: temporaryStorePath(), options: options)
        let db = try env.database("blobs")
        let value = [UInt8](repeating: 1, count: 1000)
        var runs = 0
        try env.write { txn in
            runs += 1
            for i in 0..<20_000 {
                var key = UInt64(i).bigEndian
                try withUnsafeBytes(of: &key) { k in
                    try value.withUnsafeBytes { v in try txn.put(db, key: k, value: v) }
                }
            }
        }
        #expect(runs > 1, "the body should have been re-run after MDB_MAP_FULL")
        #expect(try env.statistics(of: db).entries == 20_000)
    }

    @Test("cursors walk keys in order, forwards and backwards, and seek to the first key at or after a prefix")
    func cursorOrder() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { txn in
            for key in ["b", "d", "a", "c"] { try txn.put(db, key: bytes(key), value: bytes(key.uppercased())) }
        }
        let (all, backward, fromBB, beforeC): ([String], [String], String?, [String]) = try env.read { txn in
            var keys: [String] = []
            try txn.forEach(db) { key, _ in
                keys.append(String(decoding: key, as: UTF8.self))
                return true
            }
            var reversed: [String] = []
            try txn.forEachBackward(db) { key, _ in
                reversed.append(String(decoding: key, as: UTF8.self))
                return true
            }
            let seek = try txn.withCursor(db) { cursor in
                try cursor.seek(atOrAfter: bytes("bb")) { _, value in String(decoding: value, as: UTF8.self) }
            }
            var before: [String] = []
            try txn.forEachBackward(db, before: bytes("c")) { key, _ in
                before.append(String(decoding: key, as: UTF8.self))
                return true
            }
            return (keys, reversed, seek, before)
        }
        #expect(all == ["a", "b", "c", "d"])
        #expect(backward == ["d", "c", "b", "a"])
        #expect(fromBB == "C")
        #expect(beforeC == ["b", "a"])
    }

    @Test("insert stores a new key and lends the existing value otherwise; drop deletes a database")
    func insertAndDrop() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("x")
        try env.write { txn in
            let key: [UInt8] = [1]
            let first: [UInt8] = [10], second: [UInt8] = [20]
            var seen: [UInt8]?
            let a = try key.withUnsafeBytes { k in try first.withUnsafeBytes { try txn.insert(db, key: k, value: $0) { seen = Array($0) } } }
            #expect(a && seen == nil)
            let b = try key.withUnsafeBytes { k in try second.withUnsafeBytes { try txn.insert(db, key: k, value: $0) { seen = Array($0) } } }
            #expect(!b && seen == [10])
            #expect(try txn.value(db, key: key) == [10])
        }
        try env.write { try $0.drop(db) }
        #expect(try env.hasDatabase("x") == false)
        let again = try env.database("x")
        #expect(try env.read { try $0.statistics(of: again).entries } == 0)
    }

    @Test("a cursor opened in a write transaction is closed with it; the transaction commits")
    func cursorInWriteTransaction() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { txn in
            try txn.put(db, key: bytes("a"), value: bytes("1"))
            let first = try txn.withCursor(db) { cursor in try cursor.first { key, _ in Array(key) } }
            #expect(first == bytes("a"))
            try txn.put(db, key: bytes("b"), value: bytes("2"))
        }
        #expect(try env.read { try $0.statistics(of: db).entries } == 2)
    }

    @Test("a missing key gives nil and does not call the body")
    func missingValue() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        var called = false
        let value: Int? = try env.read { txn in try txn.withValue(db, key: bytes("absent")) { _ in called = true; return 1 } }
        #expect(value == nil)
        #expect(!called)
    }

    @Test("a transaction opened inside another on the same thread cannot resize the map: an error, not a deadlock")
    func nestedResizeRefused() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        #expect(throws: LMDBError.self) {
            try env.read { _ in try env.growMap(minimum: env.mapSize * 2) }
        }
        try env.write { try $0.put(db, key: bytes("a"), value: bytes("1")) }
    }
}
