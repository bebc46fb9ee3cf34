import Foundation
import LMDB

/// The dedup entries a write transaction holds back (`LogWriter.holdDedupClaims`): each index key
/// (`DedupIndex`'s: the natural key, or `0xFF` + SHA-256 of a long one) with its value (the
/// sequence, then the natural key of a hashed one), findable by the transaction's claims and
/// lookups and inserted in key order before the commit (`flush`). Entries live one after another in
/// one byte buffer. Ingest's keys come as ascending runs per source, so the keys of one prefix
/// (`source` + 0) are kept as a run in key order: a key above its run's last key — nearly every
/// claim — is new after one comparison with memory just written, and goes on the end. Other keys
/// (a repeat, a key below its run's end, a hashed key) are found by a binary search of their run
/// and an open-addressing table of their own. Memory: bounded by one transaction's claims.
struct HeldDedupClaims {
    /// Each entry: its key's length (2 bytes), its value's length (4 bytes), the key, the value.
    private var bytes: [UInt8] = []
    private static let headerSize = 6

    /// The held keys of one prefix that came in ascending order: their entries' offsets, in key order.
    private struct Run {
        var prefix: [UInt8]
        var offsets: [Int]
    }
    private var runs: [Run] = []
    private static let runLimit = 64

    /// The entries not in a run, found by open addressing: 0 for an empty place, else the entry's
    /// 32-bit hash above its offset + 1; at most half full.
    private var table: [UInt64] = []
    private var others: [Int] = []
    private(set) var count = 0

    /// Where a key is held, or where it would go.
    enum Place {
        case found(Int)
        /// On the end of run `index` (nil: a new run).
        case run(Int?)
        /// In the table, at `index` with `hash`.
        case other(index: Int, hash: UInt32)

        var found: Int? { if case .found(let offset) = self { offset } else { nil } }
    }

    @inline(__always)
    private static func key(_ held: UnsafeRawBufferPointer, _ offset: Int) -> UnsafeRawBufferPointer {
        let count = Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        return UnsafeRawBufferPointer(rebasing: held[offset + headerSize..<offset + headerSize + count])
    }

    @inline(__always)
    private static func value(_ held: UnsafeRawBufferPointer, _ offset: Int) -> UnsafeRawBufferPointer {
        let keyCount = Int(held.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        let valueCount = Int(held.loadUnaligned(fromByteOffset: offset + 2, as: UInt32.self))
        let start = offset + headerSize + keyCount
        return UnsafeRawBufferPointer(rebasing: held[start..<start + valueCount])
    }

    /// The length of `key`'s run prefix (through its first zero byte); nil for a key kept in the
    /// table (a hashed key, or one without a zero byte).
    @inline(__always)
    private static func prefixCount(_ key: UnsafeRawBufferPointer) -> Int? {
        guard let first = key.first, first != 0xFF else { return nil }
        guard let zero = key.firstIndex(of: 0) else { return nil }
        return zero + 1
    }

    private func runIndex(_ key: UnsafeRawBufferPointer, prefix: Int) -> Int? {
        for index in runs.indices where runs[index].prefix.count == prefix {
            if runs[index].prefix.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, prefix) }) == 0 { return index }
        }
        return nil
    }

    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    /// The place of `key` (the table grown first when one more entry would make it over half full).
    mutating func place(_ key: UnsafeRawBufferPointer) -> Place {
        if let prefix = HeldDedupClaims.prefixCount(key) {
            if let index = runIndex(key, prefix: prefix) {
                let offsets = runs[index].offsets
                let found: Int?? = bytes.withUnsafeBytes { held -> Int?? in
                    // Above the run's last key: new (every table entry of this prefix is below it).
                    let last = HeldDedupClaims.key(held, offsets[offsets.count - 1])
                    if HeldDedupClaims.precedes(last, key) { return .some(nil) }
                    var lower = 0
                    var upper = offsets.count
                    while lower < upper {
                        let middle = (lower + upper) / 2
                        if HeldDedupClaims.precedes(HeldDedupClaims.key(held, offsets[middle]), key) { lower = middle + 1 } else { upper = middle }
                    }
                    if lower < offsets.count, HeldDedupClaims.key(held, offsets[lower]).elementsEqual(key) { return .some(offsets[lower]) }
                    return nil  // not in the run: ask the table
                }
                if let found { return found.map(Place.found) ?? .run(index) }
            } else if runs.count < HeldDedupClaims.runLimit {
                // No run of this prefix has ever been held, so no table entry has it either.
                return .run(nil)
            }
        }
        if (others.count + 1) * 2 > table.count { grow() }
        let hash = HeldDedupClaims.hash(key)
        let mask = table.count - 1
        var index = Int(hash) & mask
        return bytes.withUnsafeBytes { held in
            table.withUnsafeBufferPointer { table in
                while true {
                    let stored = table[index]
                    if stored == 0 { return .other(index: index, hash: hash) }
                    if UInt32(truncatingIfNeeded: stored >> 32) == hash {
                        let offset = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                        if HeldDedupClaims.key(held, offset).elementsEqual(key) { return .found(offset) }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// Holds `key` → `value` at `place` (from `place(_:)` of the same key, nothing held since).
    mutating func hold(_ key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, at place: Place) {
        precondition(key.count <= Int(UInt16.max) && value.count <= Int(UInt32.max), "a dedup entry fits its header")
        let offset = bytes.count
        precondition(offset < Int(UInt32.max), "held dedup entries within 4 GiB")
        withUnsafeBytes(of: UInt16(key.count)) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(value.count)) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: key)
        bytes.append(contentsOf: value)
        switch place {
        case .found:
            preconditionFailure("a dedup key is held once")
        case .run(let index?):
            runs[index].offsets.append(offset)
        case .run(nil):
            runs.append(Run(prefix: Array(key[..<HeldDedupClaims.prefixCount(key)!]), offsets: [offset]))
        case .other(let index, let hash):
            table[index] = UInt64(hash) << 32 | UInt64(offset + 1)
            others.append(offset)
        }
        count += 1
    }

    /// The value of the entry at `offset` (a `Place.found`), lent to `body`.
    func withValue<R>(at offset: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(HeldDedupClaims.value($0, offset)) }
    }

    private mutating func grow() {
        let old = table
        table = Array(repeating: 0, count: max(1024, table.count * 2))
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
    /// key was absent from `database` when held, and nothing else writes it in between. The runs
    /// are in key order already, and the runs of different prefixes are disjoint ranges of it.
    func flush(into database: Database, transaction: WriteTransaction) throws {
        guard count > 0 else { return }
        try bytes.withUnsafeBytes { held in
            func key(_ offset: Int) -> UnsafeRawBufferPointer { HeldDedupClaims.key(held, offset) }
            var inRuns: [Int] = []
            inRuns.reserveCapacity(count - others.count)
            for run in runs.sorted(by: { a, b in a.prefix.withUnsafeBytes { a in b.prefix.withUnsafeBytes { HeldDedupClaims.precedes(a, $0) } } }) {
                inRuns += run.offsets
            }
            var items = others.map { offset in
                let k = key(offset)
                return SortItem(high: Self.word(k, from: 0), low: Self.word(k, from: 8), third: Self.word(k, from: 16), offset: offset)
            }
            items.sort { x, y in
                if x.high != y.high { return x.high < y.high }
                if x.low != y.low { return x.low < y.low }
                if x.third != y.third { return x.third < y.third }
                return HeldDedupClaims.precedes(key(x.offset), key(y.offset))
            }
            var ordered: [Int]
            if items.isEmpty {
                ordered = inRuns
            } else {
                ordered = []
                ordered.reserveCapacity(count)
                var r = 0
                var o = 0
                while r < inRuns.count || o < items.count {
                    if o == items.count || (r < inRuns.count && HeldDedupClaims.precedes(key(inRuns[r]), key(items[o].offset))) {
                        ordered.append(inRuns[r])
                        r += 1
                    } else {
                        ordered.append(items[o].offset)
                        o += 1
                    }
                }
            }
            let appendFrom = try transaction.withLastKey(database) { last in
                ordered.firstIndex { HeldDedupClaims.precedes(last, key($0)) } ?? ordered.endIndex
            } ?? ordered.startIndex
            for offset in ordered[..<appendFrom] {
                let inserted = try transaction.insert(database, key: key(offset), value: HeldDedupClaims.value(held, offset))
                precondition(inserted, "a held dedup key was absent when it was held")
            }
            for offset in ordered[appendFrom...] {
                try transaction.put(database, key: key(offset), value: HeldDedupClaims.value(held, offset), options: .append)
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
