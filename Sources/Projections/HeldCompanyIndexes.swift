import Foundation
import LMDB

/// The company matching indexes' entries an append transaction holds back
/// (`StoreWriter.holdCompanyIndexInserts`): each key with the first value put under it, findable by
/// the transaction's readers (`ViewReader` asks after a miss in the view) and inserted in key order
/// before the commit. Keys live in one byte buffer and are found through an open-addressing table
/// of positions, so holding a key allocates nothing of its own (a dictionary of byte arrays cost
/// more than the random inserts it saved). Memory: bounded by the companies one transaction creates
/// (at most eight keys each), dropped with the transaction.
struct HeldCompanyIndexes {
    /// The company indexes (`ViewProjector.applyCompanyCreated` writes them with `putIfAbsent`,
    /// the first company id per key wins).
    static let views: [View] = [
        .companiesByDomain, .companiesByAlias, .companiesByWebsiteDomain, .companiesByLinkedIn, .companiesByName,
    ]

    /// The place of `companies.domain`: its keys are held only when the view lacks them.
    static let domainSlot = 0

    /// `view`'s place in `views`, nil for any other view.
    @inline(__always)
    static func slot(_ view: View) -> Int? {
        switch view {
        case .companiesByDomain: 0
        case .companiesByAlias: 1
        case .companiesByWebsiteDomain: 2
        case .companiesByLinkedIn: 3
        case .companiesByName: 4
        default: nil
        }
    }

    /// One held entry: its view, where its key sits in `bytes`, its hash and its value (an index
    /// value is the company id's 8 bytes).
    private struct Entry {
        var slot: Int
        var start: Int
        var count: Int
        var hash: Int
        var value: UInt64
    }

    private var entries: [Entry] = []
    private var bytes: [UInt8] = []
    /// Open addressing: entry index + 1, 0 for an empty place; at most half full.
    private var table: [Int32] = []

    var isEmpty: Bool { entries.isEmpty }

    private static func hash(slot: Int, _ key: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(slot)
        hasher.combine(bytes: key)
        return hasher.finalize()
    }

    /// The place of `key` of `slot` in `table`: where it is, or the empty place where it would go.
    private func place(slot: Int, _ key: UnsafeRawBufferPointer, hash: Int) -> (index: Int, found: Int?) {
        let mask = table.count - 1
        var index = hash & mask
        return bytes.withUnsafeBytes { held in
            while true {
                let stored = Int(table[index])
                if stored == 0 { return (index, nil) }
                let entry = entries[stored - 1]
                if entry.hash == hash, entry.slot == slot, entry.count == key.count,
                    key.count == 0 || memcmp(held.baseAddress! + entry.start, key.baseAddress!, key.count) == 0
                {
                    return (index, stored - 1)
                }
                index = (index + 1) & mask
            }
        }
    }

    /// Holds `key` → `value` (8 bytes) in the index `slot` unless a value is held under `key`
    /// already (first writer wins, as `putIfAbsent` into the view).
    mutating func hold(slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        precondition(value.count == 8, "a company index value is a company id")
        if (entries.count + 1) * 2 > table.count { grow() }
        let hash = HeldCompanyIndexes.hash(slot: slot, key)
        let (index, found) = place(slot: slot, key, hash: hash)
        guard found == nil else { return }
        entries.append(Entry(slot: slot, start: bytes.count, count: key.count, hash: hash,
                             value: value.loadUnaligned(as: UInt64.self)))
        bytes.append(contentsOf: key)
        table[index] = Int32(entries.count)
    }

    /// The value held under `key` in the index `slot`, lent to `body`; nil when none is held.
    func withValue<R>(slot: Int, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard !entries.isEmpty else { return nil }
        guard let found = place(slot: slot, key, hash: HeldCompanyIndexes.hash(slot: slot, key)).found else { return nil }
        return withUnsafeBytes(of: entries[found].value) { body($0) }
    }

    private mutating func grow() {
        table = Array(repeating: 0, count: max(8192, table.count * 2))
        let mask = table.count - 1
        for (position, entry) in entries.enumerated() {
            var index = entry.hash & mask
            while table[index] != 0 { index = (index + 1) & mask }
            table[index] = Int32(position + 1)
        }
    }

    /// Inserts the held entries in each view's key order (LMDB's: bytes, then the shorter first),
    /// each only where its key is absent, and counts those inserted in the fingerprints of `row` (a
    /// wrapping sum: the order entries are counted in does not matter). What is held stays held.
    func flush(into views: ViewSet, transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        guard !entries.isEmpty else { return }
        try bytes.withUnsafeBytes { held in
            for slot in HeldCompanyIndexes.views.indices {
                try flush(slot: slot, held: held, into: views, transaction: transaction, row: row)
            }
        }
    }

    /// One item to sort: the twenty-four bytes of a key after the prefix all the view's held keys
    /// share (`BulkLoad.orderWords`), and the entry's place and value.
    private struct SortItem {
        var high: UInt64
        var low: UInt64
        var third: UInt64
        var start: Int
        var count: Int
        var value: UInt64
    }

    /// `flush` of the index `slot`. The keys share long prefixes (`https://www.linkedin.com/company/`,
    /// `domain` + 0, generated names), so they are sorted on the twenty-four bytes after the shared
    /// part: sixteen left many keys tied (`domain` + 0 + the first nine letters of a name shared by
    /// hundreds of companies), and each tie compared the whole keys in their scattered places.
    private func flush(slot: Int, held: UnsafeRawBufferPointer, into views: ViewSet, transaction: WriteTransaction,
                       row: UnsafeMutableRawBufferPointer) throws {
        func key(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: held[start..<start + count])
        }
        var first: Entry?
        var shared = Int.max
        for entry in entries where entry.slot == slot {
            guard let first else {
                first = entry
                shared = entry.count
                continue
            }
            let limit = min(shared, entry.count)
            var common = 0
            while common < limit, held[first.start + common] == held[entry.start + common] { common += 1 }
            shared = common
        }
        guard first != nil else { return }
        var items: [SortItem] = []
        for entry in entries where entry.slot == slot {
            let k = key(entry.start, entry.count)
            let words = BulkLoad.orderWords(k, from: shared)
            let third = BulkLoad.orderWords(k, from: shared + 16).high
            items.append(SortItem(high: words.high, low: words.low, third: third, start: entry.start, count: entry.count,
                                  value: entry.value))
        }
        items.sort { x, y in
            if x.high != y.high { return x.high < y.high }
            if x.low != y.low { return x.low < y.low }
            if x.third != y.third { return x.third < y.third }
            return BulkLoad.precedes(key(x.start, x.count), key(y.start, y.count))
        }
        let view = HeldCompanyIndexes.views[slot]
        let db = views[view]
        let offset = ViewSet.fingerprintOffset(view)
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset)
        // The keys above the view's last key (all of them while the view is empty: a store's first
        // batch) are absent and go in with `MDB_APPEND`: no descent that compares keys, and full
        // pages instead of the split a put makes.
        let appendFrom = try transaction.withLastKey(db) { last in
            items.firstIndex { BulkLoad.precedes(last, key($0.start, $0.count)) } ?? items.endIndex
        } ?? items.startIndex
        for item in items[..<appendFrom] {
            let k = key(item.start, item.count)
            try withUnsafeBytes(of: item.value) { v in
                guard try transaction.insert(db, key: k, value: v) else { return }
                fingerprint.add(key: k, value: v)
            }
        }
        // The appends go through the transaction's kept cursor of `db`: each goes in where the last
        // one went.
        for item in items[appendFrom...] {
            let k = key(item.start, item.count)
            try withUnsafeBytes(of: item.value) { v in
                try transaction.put(db, key: k, value: v, options: .append)
                fingerprint.add(key: k, value: v)
            }
        }
        fingerprint.store(into: row, at: offset)
    }
}
