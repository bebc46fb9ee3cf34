import Foundation
import LMDB
@testable import Projections
import Testing

@Suite("Fingerprints and LMDB additions")
struct FingerprintTests {
    @Test("SipHash-2-4-128 matches the reference vector for the empty message and key 00…0f")
    func sipHashVector() {
        var hasher = SipHash128()
        hasher.absorb(UnsafeRawBufferPointer(start: nil, count: 0))
        let value = hasher.finalize()
        #expect(UInt64(truncatingIfNeeded: value) == 0xe6a8_25ba_047f_81a3)
        #expect(UInt64(truncatingIfNeeded: value >> 64) == 0x9302_55c7_1472_f66d)
    }

    @Test("Streaming in pieces gives the same hash as one buffer")
    func sipHashStreaming() {
        let bytes: [UInt8] = (0..<77).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var whole = SipHash128()
        bytes.withUnsafeBytes { whole.absorb($0) }
        var pieces = SipHash128()
        bytes.withUnsafeBytes { raw in
            pieces.absorb(UnsafeRawBufferPointer(rebasing: raw[0..<3]))
            pieces.absorb(UnsafeRawBufferPointer(rebasing: raw[3..<20]))
            pieces.absorb(UnsafeRawBufferPointer(rebasing: raw[20..<77]))
        }
        #expect(whole.finalize() == pieces.finalize())
    }

    @Test("A fingerprint does not depend on insertion order and undoes removals")
    func orderIndependent() {
        let entries: [([UInt8], [UInt8])] = (0..<50).map { ([UInt8($0), 1], [UInt8($0 * 3)]) }
        func print(_ list: [([UInt8], [UInt8])]) -> Fingerprint {
            var f = Fingerprint()
            for (k, v) in list { k.withUnsafeBytes { kb in v.withUnsafeBytes { f.add(key: kb, value: $0) } } }
            return f
        }
        #expect(print(entries) == print(entries.reversed()))
        var f = print(entries)
        entries[7].0.withUnsafeBytes { k in entries[7].1.withUnsafeBytes { f.remove(key: k, value: $0) } }
        #expect(f == print(entries.enumerated().filter { $0.offset != 7 }.map(\.element)))
        // Moving a byte from key to value changes the fingerprint.
        #expect(print([([1, 2], [3])]) != print([([1], [2, 3])]))
    }

    @Test("insert returns the existing value; drop deletes a database")
    func lmdbInsertAndDrop() throws {
        let env = try Environment(path: temporaryPath("lmdb"))
        let db = try env.database("x")
        try env.write { txn in
            let key: [UInt8] = [1]
            let first: [UInt8] = [10], second: [UInt8] = [20]
            let a = try key.withUnsafeBytes { k in try first.withUnsafeBytes { try txn.insert(db, key: k, value: $0) } }
            #expect(a == nil)
            let b = try key.withUnsafeBytes { k in try second.withUnsafeBytes { try txn.insert(db, key: k, value: $0).map { Array($0) } } }
            #expect(b == [10])
            #expect(try txn.get(db, key: key) == [10])
        }
        try env.write { try $0.drop(db) }
        #expect(try env.hasDatabase("x") == false)
        let again = try env.database("x")
        #expect(try env.read { try $0.statistics(of: again).entries } == 0)
    }
}
