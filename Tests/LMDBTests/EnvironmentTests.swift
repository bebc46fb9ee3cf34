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
        let value = try env.read { try $0.get(db, key: bytes("a")) }
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
            (try txn.get(db, key: bytes("lost")), try txn.get(db, key: bytes("kept")))
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
        #expect(try env.read { try $0.get(db, key: bytes("k")) } == bytes("first"))
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
        #expect(try reader.read { try $0.get(db, key: bytes("a")) } == bytes("1"))
        do {
            try reader.write { try $0.put(db, key: bytes("b"), value: bytes("2")) }
            Issue.record("write succeeded on a read-only environment")
        } catch let error as LMDBError {
            #expect(error == LMDBError.permissionDenied)
            #expect(error.description.contains("read-only"))
        }
        #expect(try reader.read { try $0.get(db, key: bytes("b")) } == nil)
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

    @Test("cursors walk keys in order and seek to the first key at or after a prefix")
    func cursorOrder() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { txn in
            for key in ["b", "d", "a", "c"] { try txn.put(db, key: bytes(key), value: bytes(key.uppercased())) }
        }
        let (all, fromC): ([String], String?) = try env.read { txn in
            let cursor = try txn.cursor(db)
            var keys: [String] = []
            var entry = try cursor.first()
            while let e = entry {
                keys.append(String(decoding: e.key, as: UTF8.self))
                entry = try cursor.next()
            }
            let seek = try txn.cursor(db).seek(atOrAfter: bytes("bb"))
            return (keys, seek.map { String(decoding: $0.value, as: UTF8.self) })
        }
        #expect(all == ["a", "b", "c", "d"])
        #expect(fromC == "C")
    }
}
