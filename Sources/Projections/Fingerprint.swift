/// An order-independent digest of one view: the wrapping sum (mod 2¹²⁸) of a 128-bit hash of every
/// entry, and the entry count. A put adds the entry's hash, an overwrite subtracts the old one and
/// adds the new, a delete subtracts — so it is kept current inside the same write transaction as
/// the view, costs no scan, and two views with the same keys and values have the same fingerprint
/// whatever order they were written in.
public struct Fingerprint: Sendable, Hashable, CustomStringConvertible {
    /// Sum of `entryHash(key, value)` over the entries, wrapping.
    public var sum: UInt128
    /// Number of entries.
    public var count: Int64

    /// A fingerprint with the given sum and count; the defaults are the fingerprint of an empty view.
    public init(sum: UInt128 = 0, count: Int64 = 0) {
        self.sum = sum
        self.count = count
    }

    /// Bytes one fingerprint takes in the checkpoint row.
    static let encodedSize = 24

    /// The entry's contribution: SipHash-2-4-128 of `key length (u32 LE) ‖ key ‖ value`, so a
    /// byte moving between key and value changes the hash.
    @inline(__always)
    public static func entryHash(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UInt128 {
        let count = 4 + key.count + value.count
        guard count <= shortEntryLimit else { return streamedEntryHash(key: key, value: value) }
        // A short entry (nearly every one) is laid out once, zero-padded to whole words, on the
        // stack and hashed a word at a time: streaming its three parts spent most of the hash's
        // time joining their partial words byte by byte. The same bytes, so the same hash.
        return withUnsafeTemporaryAllocation(byteCount: shortEntryLimit + 8, alignment: 8) { message in
            message.storeBytes(of: UInt32(key.count).littleEndian, as: UInt32.self)
            UnsafeMutableRawBufferPointer(rebasing: message[4..<4 + key.count]).copyMemory(from: key)
            UnsafeMutableRawBufferPointer(rebasing: message[(4 + key.count)..<count]).copyMemory(from: value)
            message.storeBytes(of: 0, toByteOffset: count, as: UInt64.self)  // the last word's padding
            return SipHash128.hash(padded: UnsafeRawPointer(message.baseAddress!), count: count)
        }
    }

    /// The longest message (`4 + key + value` bytes) `entryHash` lays out on the stack.
    static let shortEntryLimit = 504

    /// `entryHash` through the streaming hasher: for any length.
    static func streamedEntryHash(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UInt128 {
        var hasher = SipHash128()
        var length = UInt32(key.count).littleEndian
        withUnsafeBytes(of: &length) { hasher.absorb($0) }
        hasher.absorb(key)
        hasher.absorb(value)
        return hasher.finalize()
    }

    /// Adds one entry.
    public mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        add(entryHash: Fingerprint.entryHash(key: key, value: value))
    }

    /// Adds one entry whose `entryHash` was computed ahead (on a replay decoder thread).
    public mutating func add(entryHash: UInt128) {
        sum &+= entryHash
        count += 1
    }

    /// Removes one entry.
    public mutating func remove(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        sum &-= Fingerprint.entryHash(key: key, value: value)
        count -= 1
    }

    /// 32 hex digits of the sum, then the entry count.
    public var description: String {
        let high = String(UInt64(truncatingIfNeeded: sum >> 64), radix: 16)
        let low = String(UInt64(truncatingIfNeeded: sum), radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
            + "/\(count)"
    }

    func store(into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        out.storeBytes(of: UInt64(truncatingIfNeeded: sum).littleEndian, toByteOffset: offset, as: UInt64.self)
        out.storeBytes(of: UInt64(truncatingIfNeeded: sum >> 64).littleEndian, toByteOffset: offset + 8, as: UInt64.self)
        out.storeBytes(of: count.littleEndian, toByteOffset: offset + 16, as: Int64.self)
    }

    static func load(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Fingerprint {
        guard bytes.count >= offset + encodedSize else { return Fingerprint() }
        let low = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        let count = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: Int64.self))
        return Fingerprint(sum: UInt128(high) << 64 | UInt128(low), count: count)
    }
}

/// SipHash-2-4 with 128-bit output (Aumasson & Bernstein), streaming, with a fixed key: fast on
/// short inputs and far stronger than a checksum against accidental collisions. Written here
/// because nothing in the dependency set offers a 128-bit keyed hash that cheap per entry.
struct SipHash128 {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    private var tail: UInt64 = 0
    private var tailCount = 0
    private var length = 0

    /// The fixed key (bytes 0x00…0x0F, the reference test key): fingerprints must be the same in
    /// every process and on every machine.
    init(k0: UInt64 = 0x0706_0504_0302_0100, k1: UInt64 = 0x0F0E_0D0C_0B0A_0908) {
        v0 = k0 ^ 0x736f_6d65_7073_6575
        v1 = k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee
        v2 = k0 ^ 0x6c79_6765_6e65_7261
        v3 = k1 ^ 0x7465_6462_7974_6573
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1; v1 = v1.rotl(13); v1 ^= v0; v0 = v0.rotl(32)
        v2 &+= v3; v3 = v3.rotl(16); v3 ^= v2
        v0 &+= v3; v3 = v3.rotl(21); v3 ^= v0
        v2 &+= v1; v1 = v1.rotl(17); v1 ^= v2; v2 = v2.rotl(32)
    }

    @inline(__always)
    private mutating func compress(_ m: UInt64) {
        v3 ^= m
        round(); round()
        v0 ^= m
    }

    mutating func absorb(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return }
        length &+= count
        var index = 0
        // Fill a pending partial word first.
        if tailCount != 0 {
            let take = min(8 - tailCount, count)
            tail |= SipHash128.littleEndianWord(base, count: take) << (8 * UInt64(tailCount))
            tailCount += take
            index = take
            guard tailCount == 8 else { return }
            compress(tail)
            tail = 0
            tailCount = 0
        }
        while index + 8 <= count {
            compress(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        if index < count {
            tail = SipHash128.littleEndianWord(base + index, count: count - index)
            tailCount = count - index
        }
    }

    /// The hash of the `count` bytes at `base`, which are followed by zero bytes up to the end of
    /// their last word (readable): every word loaded whole, none assembled byte by byte.
    @inline(__always)
    static func hash(padded base: UnsafeRawPointer, count: Int) -> UInt128 {
        var hasher = SipHash128()
        let whole = count & ~7
        var index = 0
        while index < whole {
            hasher.compress(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        if whole < count { hasher.tail = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: whole, as: UInt64.self)) }
        hasher.length = count
        return hasher.finalize()
    }

    /// The first `count` (0…8) bytes at `start` as the low bytes of a little-endian word.
    @inline(__always)
    private static func littleEndianWord(_ start: UnsafeRawPointer, count: Int) -> UInt64 {
        var word: UInt64 = 0
        for i in 0..<count { word |= UInt64(start.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        return word
    }

    mutating func finalize() -> UInt128 {
        let last = tail | (UInt64(truncatingIfNeeded: length) << 56)
        compress(last)
        v2 ^= 0xee
        round(); round(); round(); round()
        let low = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xdd
        round(); round(); round(); round()
        let high = v0 ^ v1 ^ v2 ^ v3
        return UInt128(high) << 64 | UInt128(low)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotl(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
