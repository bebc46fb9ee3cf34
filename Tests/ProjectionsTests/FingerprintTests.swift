import Foundation
import LMDB
@testable import Projections
import SeededRandom
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

    @Test("An entry's hash laid out in one pass equals the streamed hash of its length, key and value, at every size around the stack limit")
    func entryHashOnePassMatchesStreamed() {
        var generator = SeededGenerator(seed: 0xF1A7)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
        // Totals (4 + key + value) from 4 to past `shortEntryLimit`, every remainder mod 8, empty keys and values.
        for total in 4...(Fingerprint.shortEntryLimit + 20) {
            for keyCount in Set([0, (total - 4) / 3, total - 4]) {
                let key = bytes(keyCount)
                let value = bytes(total - 4 - keyCount)
                key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        #expect(Fingerprint.entryHash(key: k, value: v) == Fingerprint.streamedEntryHash(key: k, value: v),
                                "key \(keyCount) value \(value.count)")
                    }
                }
            }
        }
        // And against the reference vector's hasher fed the same message in one piece.
        let key: [UInt8] = [1, 2, 3]
        let value: [UInt8] = Array(0..<40)
        let message = [3, 0, 0, 0] + key + value
        var whole = SipHash128()
        message.withUnsafeBytes { whole.absorb($0) }
        #expect(key.withUnsafeBytes { k in value.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } } == whole.finalize())
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

    @Test("Any split of any message hashes as the whole message does in a plain one-pass SipHash-2-4-128")
    func sipHashMatchesOnePass() {
        var generator = SeededGenerator(seed: 0x5EED)
        for length in 0..<150 {
            let message = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            for _ in 0..<6 {
                var hasher = SipHash128()
                var start = 0
                message.withUnsafeBytes { raw in
                    while start < length {
                        let piece = min(length - start, Int(generator.next() % 19))
                        hasher.absorb(UnsafeRawBufferPointer(rebasing: raw[start..<start + piece]))
                        start += piece
                    }
                }
                #expect(hasher.finalize() == OnePassSipHash.hash(message), "length \(length)")
            }
        }
    }

    @Test("An entry's hash is SipHash-2-4-128 of key length (u32 LE), key, value")
    func entryHashDefinition() {
        var generator = SeededGenerator(seed: 17)
        for _ in 0..<300 {
            let key = (0..<Int(generator.next() % 40)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let value = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let length = UInt32(key.count)
            let message = [UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 24)]
                + key + value
            let hash = key.withUnsafeBytes { k in value.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } }
            #expect(hash == OnePassSipHash.hash(message))
        }
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

/// SipHash-2-4-128 with the fingerprints' key over a whole message, written plainly (byte by byte
/// into words) as the oracle for the streaming hasher.
private enum OnePassSipHash {
    static func hash(_ message: [UInt8]) -> UInt128 {
        let k0: UInt64 = 0x0706_0504_0302_0100
        let k1: UInt64 = 0x0F0E_0D0C_0B0A_0908
        var v0 = k0 ^ 0x736f_6d65_7073_6575
        var v1 = k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee
        var v2 = k0 ^ 0x6c79_6765_6e65_7261
        var v3 = k1 ^ 0x7465_6462_7974_6573
        func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }
        func round() {
            v0 &+= v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 &+= v3; v3 = rotl(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotl(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
        }
        var words: [UInt64] = []
        var word: UInt64 = 0
        for (index, byte) in message.enumerated() {
            word |= UInt64(byte) << (8 * UInt64(index % 8))
            if index % 8 == 7 {
                words.append(word)
                word = 0
            }
        }
        words.append(word | UInt64(truncatingIfNeeded: message.count) << 56)
        for m in words {
            v3 ^= m
            round(); round()
            v0 ^= m
        }
        v2 ^= 0xee
        round(); round(); round(); round()
        let low = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round(); round()
        let high = v0 ^ v1 ^ v2 ^ v3
        return UInt128(high) << 64 | UInt128(low)
    }
}
