import Foundation
import LMDB
@testable import Projections
import Testing

@Suite("Fingerprints")
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
}
