import CPrefetch
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

    /// The held entries, one after another: each a header (its value, the company id's 8 bytes;
    /// its index `slot`, 1 byte; its key's length, 2 bytes) and then its key. A lookup that finds
    /// its key reads the header and the key from one place (one cache miss, not one for an entry
    /// record and another for its key).
    private var bytes: [UInt8] = []
    private static let headerSize = 11
    /// Open addressing: 0 for an empty place, else the entry's 32-bit hash above its offset in
    /// `bytes` + 1. A probe passes another key's place by its hash alone, without reading the entry;
    /// at most half full.
    private var table: [UInt64] = []
    private var count = 0
    /// The entries before this offset of `bytes` are in the views already (kept from a committed
    /// transaction of the same run, `KeptCompanyIndexes`): found like the others, never flushed again.
    private var flushedBytes = 0

    var isEmpty: Bool { count == 0 }

    /// Whether any entry is held that the views do not have yet (to flush).
    var hasUnflushed: Bool { bytes.count > flushedBytes }

    /// The bytes of the held entries and their table (what keeping them costs).
    var heldBytes: Int { bytes.count + table.count * MemoryLayout<UInt64>.stride }

    /// Marks every held entry as flushed: the transaction that inserted them committed.
    mutating func markFlushed() { flushedBytes = bytes.count }

    /// Room for `byteCount` bytes of held entries in all, so that holding up to there never copies
    /// the entries held so far into a larger buffer (nor touches the pages of both). A buffer this
    /// large is only address space until entries are written into it.
    mutating func reserve(bytes byteCount: Int) {
        bytes.reserveCapacity(byteCount)
    }

    /// How many bytes of entries fit before the buffer must grow (a copy into a larger one).
    var byteCapacity: Int { bytes.capacity }

    /// The hash `key` of the index `slot` is held and found under (Swift's per-process seed: the
    /// same on every thread of the process, so another thread can compute it ahead).
    static func hash(slot: Int, _ key: UnsafeRawBufferPointer) -> UInt32 {
        var hasher = Hasher()
        hasher.combine(slot)
        hasher.combine(bytes: key)
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    /// The place of `key` of `slot` in `table`: where it is (with its entry's offset in `bytes`),
    /// or the empty place where it would go.
    /// A table place's key hash (its high half) and its entry's offset in `bytes` (the low half
    /// holds offset + 1, so that 0 marks an empty place): one reading of a place for every probe.
    @inline(__always)
    private static func storedHash(_ stored: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: stored >> 32) }
    @inline(__always)
    private static func storedOffset(_ stored: UInt64) -> Int { Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1 }

    private func place(slot: Int, _ key: UnsafeRawBufferPointer, hash: UInt32) -> (index: Int, found: Int?) {
        let mask = table.count - 1
        var index = Int(hash) & mask
        return bytes.withUnsafeBytes { held in
            table.withUnsafeBufferPointer { table in
                while true {
                    let stored = table[index]
                    if stored == 0 { return (index, nil) }
                    if HeldCompanyIndexes.storedHash(stored) == hash {
                        let offset = HeldCompanyIndexes.storedOffset(stored)
                        if held[offset + 8] == UInt8(truncatingIfNeeded: slot),
                            Int(held.loadUnaligned(fromByteOffset: offset + 9, as: UInt16.self)) == key.count,
                            key.count == 0
                                || memcmp(held.baseAddress! + offset + HeldCompanyIndexes.headerSize, key.baseAddress!, key.count) == 0
                        {
                            return (index, offset)
                        }
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// Holds `key` → `value` (8 bytes) in the index `slot` unless a value is held under `key`
    /// already (first writer wins, as `putIfAbsent` into the view).
    mutating func hold(slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if (count + 1) * 2 > table.count { grow() }
        hold(slot: slot, key: key, value: value, hash: HeldCompanyIndexes.hash(slot: slot, key))
    }

    /// One key of `hold(_:in:value:)`: its index and where it is in the keys' bytes.
    struct Key {
        var slot: Int
        var start: Int
        var count: Int
    }

    /// `hold` of each of `keys` (in `bytes`) → `value`, in order: a new company's index entries.
    /// Every key's table place is asked of memory before the first is held, so their cache misses
    /// (one per key in a table of megabytes) overlap instead of following one another.
    mutating func hold(_ keys: UnsafeBufferPointer<Key>, in bytes: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        // Room for all of them first: a growth between the prefetches and the holds would move the places.
        if (count + keys.count) * 2 > table.count { grow() }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: keys.count) { hashes in
            table.withUnsafeBufferPointer { table in
                let mask = table.count - 1
                for (index, key) in keys.enumerated() {
                    let hash = HeldCompanyIndexes.hash(slot: key.slot, UnsafeRawBufferPointer(rebasing: bytes[key.start..<key.start + key.count]))
                    hashes[index] = hash
                    siglog_prefetch(table.baseAddress! + (Int(hash) & mask))
                }
            }
            for (index, key) in keys.enumerated() {
                hold(slot: key.slot, key: UnsafeRawBufferPointer(rebasing: bytes[key.start..<key.start + key.count]), value: value,
                     hash: hashes[index])
            }
        }
    }

    /// `hold` of a key whose hash is known, with room in the table.
    private mutating func hold(slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, hash: UInt32) {
        precondition(value.count == 8, "a company index value is a company id")
        precondition(key.count <= Int(UInt16.max), "a company index key fits LMDB's key size")
        let (index, found) = place(slot: slot, key, hash: hash)
        guard found == nil else { return }
        let offset = bytes.count
        precondition(offset < Int(UInt32.max), "held company index entries within 4 GiB")
        bytes.append(contentsOf: value)
        bytes.append(UInt8(truncatingIfNeeded: slot))
        withUnsafeBytes(of: UInt16(key.count)) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: key)
        table[index] = UInt64(hash) << 32 | UInt64(offset + 1)
        count += 1
    }

    /// The value held under `key` in the index `slot`, lent to `body`; nil when none is held.
    /// `hash`: `hash(slot:key)`, when computed ahead.
    func withValue<R>(slot: Int, key: UnsafeRawBufferPointer, hash: UInt32? = nil, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard count > 0 else { return nil }
        guard let offset = place(slot: slot, key, hash: hash ?? HeldCompanyIndexes.hash(slot: slot, key)).found else { return nil }
        return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 8])) }
    }

    /// Asks memory for the table place of a key whose hash is `hash`, ahead of its lookup (a hint:
    /// nothing is read).
    func prefetchPlace(hash: UInt32) {
        guard count > 0 else { return }
        table.withUnsafeBufferPointer { siglog_prefetch($0.baseAddress! + (Int(hash) & ($0.count - 1))) }
    }

    /// Asks memory for the held entry (its value and key) of the first place under `hash` whose
    /// hash matches, ahead of its lookup: after `prefetchPlace`, the places are read from the cache.
    /// Whether such a place was found (false: no key with this hash is held).
    @discardableResult
    func prefetchEntry(hash: UInt32) -> Bool {
        guard count > 0 else { return false }
        return table.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var index = Int(hash) & mask
            while true {
                let stored = table[index]
                if stored == 0 { return false }
                if HeldCompanyIndexes.storedHash(stored) == hash {
                    let offset = HeldCompanyIndexes.storedOffset(stored)
                    bytes.withUnsafeBytes { siglog_prefetch($0.baseAddress! + offset) }
                    return true
                }
                index = (index + 1) & mask
            }
        }
    }

    /// How much is held at one moment, to go back to (`rollBack(to:)`).
    struct Mark: Equatable {
        fileprivate var bytes = 0
        fileprivate var count = 0
    }

    /// What is held now.
    var mark: Mark { Mark(bytes: bytes.count, count: count) }

    /// Drops what was held after `mark` (a rebuild's fold transaction that runs again holds its
    /// records' entries again). The entries held before `mark` stay, each in its place: the table
    /// is built again from their places (each place carries its key's hash and entry's offset).
    mutating func rollBack(to mark: Mark) {
        precondition(mark.bytes <= bytes.count && mark.count <= count, "a mark of what is held now or before")
        guard mark.count < count else { return }
        bytes.removeSubrange(mark.bytes...)
        count = mark.count
        flushedBytes = min(flushedBytes, mark.bytes)
        rebuildTable(size: table.count) { HeldCompanyIndexes.storedOffset($0) < mark.bytes }
    }

    private mutating func grow() {
        rebuildTable(size: max(8192, table.count * 2)) { _ in true }
    }

    /// The table again at `size` places, with the occupied places that `keeps` accepts.
    private mutating func rebuildTable(size: Int, keeping keeps: (UInt64) -> Bool) {
        let old = table
        table = Array(repeating: 0, count: size)
        let mask = size - 1
        for stored in old where stored != 0 && keeps(stored) {
            var index = Int(HeldCompanyIndexes.storedHash(stored)) & mask
            while table[index] != 0 { index = (index + 1) & mask }
            table[index] = stored
        }
    }

    /// Every held entry in the order it was held: its slot, its key's place in `bytes` and its value.
    private static func forEachEntry(in held: UnsafeRawBufferPointer, from first: Int = 0,
                                     _ body: (_ slot: Int, _ start: Int, _ count: Int, _ value: UInt64) -> Void) {
        var offset = first
        while offset < held.count {
            let value = held.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let slot = Int(held[offset + 8])
            let count = Int(held.loadUnaligned(fromByteOffset: offset + 9, as: UInt16.self))
            let start = offset + HeldCompanyIndexes.headerSize
            body(slot, start, count, value)
            offset = start + count
        }
    }

    /// Inserts the held entries in each view's key order (LMDB's: bytes, then the shorter first),
    /// each only where its key is absent, and counts those inserted in the fingerprints of `row` (a
    /// wrapping sum: the order entries are counted in does not matter). What is held stays held.
    /// Entries marked flushed (`markFlushed`) are not inserted again.
    func flush(into views: ViewSet, transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        guard hasUnflushed else { return }
        // One list of sort items for every index, sized once: grown by appends, each index's list
        // was copied into ever larger ones, their pages touched anew. `count` bounds any index's
        // entries to flush (the kept ones included: only the pages written are touched).
        var items: [SortItem] = []
        items.reserveCapacity(count)
        try bytes.withUnsafeBytes { held in
            for slot in HeldCompanyIndexes.views.indices {
                items.removeAll(keepingCapacity: true)
                try flush(slot: slot, held: held, items: &items, into: views, transaction: transaction, row: row)
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
    /// `items`: an empty list to fill (its capacity reused from one index to the next).
    private func flush(slot: Int, held: UnsafeRawBufferPointer, items: inout [SortItem], into views: ViewSet,
                       transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        func key(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: held[start..<start + count])
        }
        var first: Int?  // the start of the slot's first key
        var shared = Int.max
        HeldCompanyIndexes.forEachEntry(in: held, from: flushedBytes) { entrySlot, start, count, value in
            guard entrySlot == slot else { return }
            items.append(SortItem(high: 0, low: 0, third: 0, start: start, count: count, value: value))
            guard let first else {
                first = start
                shared = count
                return
            }
            shared = BulkLoad.commonPrefixCount(key(first, shared), key(start, count))
        }
        guard first != nil else { return }
        for index in items.indices {
            let k = key(items[index].start, items[index].count)
            let words = BulkLoad.orderWords(k, from: shared)
            items[index].high = words.high
            items[index].low = words.low
            items[index].third = BulkLoad.orderWords(k, from: shared + 16).high
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
        // In key order the keys' bytes are visited out of the order they were held in: each one's
        // first touch (LMDB's compare and copy) would miss the cache. The key a few places ahead is
        // asked of memory meanwhile.
        let ahead = 8
        func prefetchKey(_ index: Int) {
            let item = items[index]
            siglog_prefetch(held.baseAddress! + item.start)
            siglog_prefetch(held.baseAddress! + item.start + max(item.count, 1) - 1)  // a key across two lines
        }
        func prefetchKey(after index: Int) {
            if index + ahead < items.endIndex { prefetchKey(index + ahead) }
        }
        for index in items.startIndex..<min(items.startIndex + ahead, items.endIndex) { prefetchKey(index) }
        for index in items[..<appendFrom].indices {
            prefetchKey(after: index)
            let item = items[index]
            let k = key(item.start, item.count)
            try withUnsafeBytes(of: item.value) { v in
                guard try transaction.insert(db, key: k, value: v) else { return }
                fingerprint.add(key: k, value: v)
            }
        }
        // The appends go through the transaction's kept cursor of `db`: each goes in where the last
        // one went.
        for index in items[appendFrom...].indices {
            prefetchKey(after: index)
            let item = items[index]
            let k = key(item.start, item.count)
            try withUnsafeBytes(of: item.value) { v in
                try transaction.put(db, key: k, value: v, options: .append)
                fingerprint.add(key: k, value: v)
            }
        }
        fingerprint.store(into: row, at: offset)
    }
}

/// The company index entries one run of append transactions (a file's ingest) flushed, kept from
/// each committed transaction to the run's next (`StoreWriter.holdCompanyIndexInserts(keeping:)`):
/// the next transaction finds them in memory instead of descending into the views — on a store the
/// run began empty, it asks the views nothing at all, since every entry they hold is one of these.
/// Valid only while no other writer committed between the two transactions: the next one must
/// commit as the id right after the one that kept them (`Transaction.id`); otherwise, or after a
/// transaction that did not commit, nothing is kept. Memory: dropped when the entries and their
/// table pass `limit` bytes.
public final class KeptCompanyIndexes {
    /// The entries, all flushed, while kept.
    private var entries = HeldCompanyIndexes()
    /// The id the transaction that flushed them committed as; nil when nothing is kept.
    private var committedTransaction: Int?
    /// The company indexes whose every stored entry is among the kept ones.
    private var complete = ViewMask(bits: 0)
    /// The most memory kept.
    let limit: Int

    public init(limit: Int = 64 << 20) { self.limit = limit }

    /// Whether entries are kept for a transaction that commits as the id after the last kept one.
    var isKeeping: Bool { committedTransaction != nil }

    /// `HeldCompanyIndexes.byteCapacity` of the kept entries.
    var keptByteCapacity: Int { entries.byteCapacity }

    /// The kept entries and the views they are complete for, for the transaction that will commit
    /// as `transactionID`, moved out (the transaction flushes them back in through `keep`); nil,
    /// and nothing kept any more, when another transaction committed since they were kept.
    func take(for transactionID: Int) -> (entries: HeldCompanyIndexes, complete: ViewMask)? {
        defer {
            entries = HeldCompanyIndexes()
            committedTransaction = nil
            complete = ViewMask(bits: 0)
        }
        guard let committed = committedTransaction, transactionID == committed + 1 else { return nil }
        return (entries, complete)
    }

    /// Keeps `held`, which the transaction that committed as `transactionID` flushed, with the
    /// views it is complete for (nothing when it is over `limit`).
    func keep(_ held: consuming HeldCompanyIndexes, complete: ViewMask, committedAs transactionID: Int) {
        var held = held
        guard held.heldBytes <= limit else { return }
        held.markFlushed()
        entries = held
        self.complete = complete
        committedTransaction = transactionID
    }
}
