import Foundation
import LMDB

/// The dedup entries a write transaction holds back (`LogWriter.holdDedupClaims`): each index key
/// (`DedupIndex`'s: the natural key, or `0xFF` + SHA-256 of a long one) with its value (the
/// sequence, then the natural key of a hashed one), findable by the transaction's claims and
/// lookups and inserted in key order before the commit (`flush`). Entries live one after another in
/// one byte buffer and are found through an open-addressing table of positions: holding a key
/// allocates nothing of its own. Memory: bounded by the claims of one transaction, dropped with it.
struct HeldDedupClaims {
    /// Each entry: its key's length (2 bytes), its value's length (4 bytes), the key, the value.
    private var bytes: [UInt8] = []
    private static let headerSize = 6
    /// Open addressing: 0 for an empty place, else the entry's 32-bit hash above its offset in
    /// `bytes` + 1. A probe passes another key's place by its hash alone; at most half full.
    private var table: [UInt64] = []
    private(set) var count = 0

    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    /// Where `key` is held: its table place and entry offset, or the empty place it would take.
    struct Place {
        fileprivate let index: Int
        fileprivate let hash: UInt32
        let found: Int?
    }

    /// The place of `key` (the table grown first when one more entry would make it over half full).
    mutating func place(_ key: UnsafeRawBufferPointer) -> Place {
        if (count + 1) * 2 > table.count { grow() }
        let hash = HeldDedupClaims.hash(key)
        let mask = table.count - 1
        var index = Int(hash) & mask
        return bytes.withUnsafeBytes { held in
            table.withUnsafeBufferPointer { table in
                while true {
                    let stored = table[index]
                    if stored == 0 { return Place(index: index, hash: hash, found: nil) }
                    if UInt32(truncatingIfNeeded: stored >> 32) == hash {
                        let offset = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                        if Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) == key.count,
                            key.count == 0
                                || memcmp(held.baseAddress! + offset + HeldDedupClaims.headerSize, key.baseAddress!, key.count) == 0
                        {
                            return Place(index: index, hash: hash, found: offset)
                        }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// Holds `key` → `value` at `place` (from `place(_:)` of the same key, nothing held since).
    mutating func hold(_ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, at place: Place) {
        precondition(place.found == nil, "a dedup key is held once")
        precondition(key.count <= Int(UInt16.max) && value.count <= Int(UInt32.max), "a dedup entry fits its header")
        let offset = bytes.count
        precondition(offset < Int(UInt32.max), "held dedup entries within 4 GiB")
        withUnsafeBytes(of: UInt16(key.count)) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(value.count)) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: key)
        bytes.append(contentsOf: value)
        table[place.index] = UInt64(place.hash) << 32 | UInt64(offset + 1)
        count += 1
    }

    /// The value of the entry at `offset` (a `Place.found`), lent to `body`.
    func withValue<R>(at offset: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { held in
            let keyCount = Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let valueCount = Int(held.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self))
            let start = offset + HeldDedupClaims.headerSize + keyCount
            return try body(UnsafeRawBufferPointer(rebasing: held[start..<start + valueCount]))
        }
    }

    private mutating func grow() {
        let old = table
        table = Array(repeating: 0, count: max(8192, table.count * 2))
        let mask = table.count - 1
        for stored in old where stored != 0 {
            var index = Int(truncatingIfNeeded: stored >> 32) & mask
            while table[index] != 0 { index = (index + 1) & mask }
            table[index] = stored
        }
    }

    /// One item to sort: the first twenty-four bytes of a key as big-endian words (zero-padded),
    /// and the entry's offset.
    private struct SortItem {
        var high: UInt64
        var low: UInt64
        var third: UInt64
        var offset: Int
    }

    private static func word(_ key: UnsafeRawBufferPointer, from start: Int) -> UInt64 {
        var word: UInt64 = 0
        let count = min(8, max(0, key.count - start))
        if count > 0 {
            withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: key[start..<start + count])) }
        }
        return UInt64(bigEndian: word)
    }

    /// LMDB's default key order: bytes, then the shorter first.
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let common = min(a.count, b.count)
        let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
        return order != 0 ? order < 0 : a.count < b.count
    }

    /// Inserts the held entries into `database` in key order: those above its last key (every one
    /// while it is empty) appended through the kept write cursor, the rest put in order. Every held
    /// key was absent from `database` when held, and nothing else writes it in between.
    func flush(into database: Database, transaction: WriteTransaction) throws {
        guard count > 0 else { return }
        try bytes.withUnsafeBytes { held in
            func key(_ offset: Int) -> UnsafeRawBufferPointer {
                let count = Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                return UnsafeRawBufferPointer(rebasing: held[offset + HeldDedupClaims.headerSize..<offset + HeldDedupClaims.headerSize + count])
            }
            func value(_ offset: Int) -> UnsafeRawBufferPointer {
                let keyCount = Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                let valueCount = Int(held.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self))
                let start = offset + HeldDedupClaims.headerSize + keyCount
                return UnsafeRawBufferPointer(rebasing: held[start..<start + valueCount])
            }
            var items: [SortItem] = []
            items.reserveCapacity(count)
            var offset = 0
            while offset < held.count {
                let k = key(offset)
                items.append(SortItem(high: Self.word(k, from: 0), low: Self.word(k, from: 8), third: Self.word(k, from: 16),
                                      offset: offset))
                offset += HeldDedupClaims.headerSize + k.count
                    + Int(held.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self))
            }
            items.sort { x, y in
                if x.high != y.high { return x.high < y.high }
                if x.low != y.low { return x.low < y.low }
                if x.third != y.third { return x.third < y.third }
                return HeldDedupClaims.precedes(key(x.offset), key(y.offset))
            }
            let appendFrom = try transaction.withLastKey(database) { last in
                items.firstIndex { HeldDedupClaims.precedes(last, key($0.offset)) } ?? items.endIndex
            } ?? items.startIndex
            for item in items[..<appendFrom] {
                let inserted = try transaction.insert(database, key: key(item.offset), value: value(item.offset))
                precondition(inserted, "a held dedup key was absent when it was held")
            }
            for item in items[appendFrom...] {
                try transaction.put(database, key: key(item.offset), value: value(item.offset), options: .append)
            }
        }
    }
}

/// Ranges of keys a database is known not to store (each between two neighbouring stored keys,
/// found by one seek): a lookup that falls in one needs no descent. Ingest's dedup keys come in
/// ascending runs per source, so a batch after the first finds most of its keys in a few ranges
/// above each source's last stored key. Valid while the database does not change (the claims of a
/// transaction that holds them).
struct AbsentKeyRanges {
    /// Disjoint ranges in key order: keys strictly between `low` and `high` (nil: unbounded) are absent.
    private var ranges: [(low: [UInt8]?, high: [UInt8]?)] = []
    private static let limit = 256

    /// Whether `key` lies in a known absent range.
    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        // The last range whose low end is below `key`.
        var lower = 0
        var upper = ranges.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if Self.isBelow(ranges[middle].low, key) { lower = middle + 1 } else { upper = middle }
        }
        guard lower > 0 else { return false }
        guard let high = ranges[lower - 1].high else { return true }
        return high.withUnsafeBytes { HeldDedupClaims.precedes(key, $0) }
    }

    private static func isBelow(_ low: [UInt8]?, _ key: UnsafeRawBufferPointer) -> Bool {
        guard let low else { return true }
        return low.withUnsafeBytes { HeldDedupClaims.precedes($0, key) }
    }

    /// Whether `database` stores `key`; when it does not, the range around `key` is remembered.
    mutating func stores(_ key: UnsafeRawBufferPointer, in database: Database, transaction: Transaction) throws -> Bool {
        if contains(key) { return false }
        let found: (stored: Bool, low: [UInt8]?, high: [UInt8]?) = try transaction.withCursor(database) { cursor in
            let high = try cursor.seek(atOrAfter: key) { k, _ in Array(k) }
            if let high, high.elementsEqual(key) { return (true, nil, nil) }
            let low = try high == nil ? cursor.last { k, _ in Array(k) } : cursor.previous { k, _ in Array(k) }
            return (false, low, high)
        }
        if found.stored { return true }
        if ranges.count >= Self.limit { ranges.removeAll(keepingCapacity: true) }
        var lower = 0
        var upper = ranges.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if Self.isBelow(ranges[middle].low, key) { lower = middle + 1 } else { upper = middle }
        }
        ranges.insert((found.low, found.high), at: lower)
        return false
    }
}
