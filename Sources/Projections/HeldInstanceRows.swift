import CPrefetch
import Foundation
import LMDB

/// The instance rows of a rebuild, held in memory instead of put one by one into the empty
/// instances view. `signal_instance_derived` records come in the order of their first contribution,
/// so each put was a random B-tree descent (a third of a rebuild's writing thread on the bench's 1M
/// store); held, they are appended once in key order (`flushCommitting`). The projector reads the
/// instances view only to merge a record into the row stored under its key, so while rows are held
/// it asks `find` instead: a key is either held here or absent from the view, never both.
///
/// A row that changes is added again (the latest entry of a key wins), so that `rollBack` only
/// cuts the lists: a fold transaction that runs again (the map grew) starts from what was held
/// before it.
final class HeldInstanceRows {
    /// One held row: where its key (and right after it, its value) sits, and its key's hash.
    private struct Entry {
        var block: Int32
        var offset: Int32
        var keyCount: Int32
        var valueCount: Int32
        var hash: Int
    }

    /// Bytes per block of held keys and values: blocks are never moved or grown, so holding more
    /// rows never copies (and never has two copies resident) what is held already.
    static let blockSize = 1 << 20

    private var entries: [Entry] = []
    /// The held keys and values, each value right after its key, in blocks of `blockSize` (or one
    /// row's size when a row is larger).
    private var blocks: [UnsafeMutableRawBufferPointer] = []
    /// Bytes used of the last block.
    private var used = 0
    /// Open addressing: the index of the latest entry of a key plus one, 0 when free.
    private var table: [Int32] = Array(repeating: 0, count: 1024)

    deinit {
        dropPendingOrder()
        for block in blocks { block.deallocate() }
    }

    /// Whether no row is held.
    var isEmpty: Bool { entries.isEmpty }

    /// The memory held.
    var heldBytes: Int { blocks.count &* HeldInstanceRows.blockSize &+ entries.count &* MemoryLayout<Entry>.stride &+ table.count &* 4 }

    /// A hash of an instance key for `withRow` and `add` (any hash: it only places keys in the table).
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return hasher.finalize()
    }

    private func key(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: blocks[Int(entry.block)].baseAddress! + Int(entry.offset), count: Int(entry.keyCount))
    }

    private func value(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: blocks[Int(entry.block)].baseAddress! + Int(entry.offset) + Int(entry.keyCount),
                               count: Int(entry.valueCount))
    }

    /// The slot of `key` in `table`: where its entry is, or the free slot where it would go.
    private func slot(of key: UnsafeRawBufferPointer, hash: Int) -> Int {
        let mask = table.count - 1
        var slot = hash & mask
        while true {
            let stored = Int(table[slot])
            if stored == 0 { return slot }
            let entry = entries[stored - 1]
            if entry.hash == hash && Int(entry.keyCount) == key.count
                && (key.isEmpty || memcmp(self.key(entry).baseAddress!, key.baseAddress!, key.count) == 0)
            {
                return slot
            }
            slot = (slot + 1) & mask
        }
    }

    /// The row held under `key` (whose `hash` is given), lent to `body`; nil when none is held.
    func withRow<R>(key: UnsafeRawBufferPointer, hash: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        let stored = Int(table[slot(of: key, hash: hash)])
        guard stored > 0 else { return nil }
        return try body(value(entries[stored - 1]))
    }

    /// Holds `value` under `key`, replacing a row held under it.
    func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, hash: Int) {
        if pendingOrder != nil { dropPendingOrder() }
        let size = key.count + value.count
        precondition(entries.count < Int(Int32.max) - 1 && size < Int(Int32.max), "too many or too large instance rows")
        if (entries.count + 1) * 2 > table.count { grow(capacity: table.count * 2) }
        let slot = slot(of: key, hash: hash)
        if blocks.isEmpty || blocks[blocks.count - 1].count - used < size {
            blocks.append(.allocate(byteCount: max(HeldInstanceRows.blockSize, size), alignment: 8))
            used = 0
        }
        let block = blocks[blocks.count - 1]
        if !key.isEmpty { (block.baseAddress! + used).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if !value.isEmpty { (block.baseAddress! + used + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        entries.append(Entry(block: Int32(blocks.count - 1), offset: Int32(used), keyCount: Int32(key.count),
                             valueCount: Int32(value.count), hash: hash))
        used += size
        table[slot] = Int32(entries.count)
    }

    /// Moves the table's entries into a table of `capacity` slots (a power of two). The table holds
    /// each key once, with its latest entry, so each entry goes into the first free slot of its probe
    /// without a key compared. (Placing every entry again, as `rehash` does, compared each older
    /// entry of a key with the newer one at a random place of the held blocks: on the 1M store the
    /// growths were ≈ 2 % of the writing thread's samples, stalled while the readers waited.)
    private func grow(capacity: Int) {
        var grown = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        entries.withUnsafeBufferPointer { entries in
            grown.withUnsafeMutableBufferPointer { grown in
                for stored in table where stored > 0 {
                    var slot = entries[Int(stored) - 1].hash & mask
                    while grown[slot] != 0 { slot = (slot + 1) & mask }
                    grown[slot] = stored
                }
            }
        }
        table = grown
    }

    /// Places every entry again in a table of `capacity` slots (a power of two), oldest first, so
    /// each key's slot ends with its latest entry: after a roll-back, a key's latest entry may be
    /// one the table no longer points to.
    private func rehash(capacity: Int) {
        table = Array(repeating: 0, count: capacity)
        for index in entries.indices {
            let entry = entries[index]
            table[slot(of: key(entry), hash: entry.hash)] = Int32(index + 1)
        }
    }

    /// What is held now, to go back to.
    struct Mark: Equatable {
        fileprivate var entries: Int
        fileprivate var blocks: Int
        fileprivate var used: Int
    }

    var mark: Mark { Mark(entries: entries.count, blocks: blocks.count, used: used) }

    /// Drops what was added after `mark`.
    func rollBack(to mark: Mark) {
        dropPendingOrder()
        guard entries.count > mark.entries else { return }
        entries.removeSubrange(mark.entries...)
        for block in blocks[mark.blocks...] { block.deallocate() }
        blocks.removeSubrange(mark.blocks...)
        used = mark.used
        rehash(capacity: table.count)
    }

    /// The latest entry of every held key, in LMDB's key order (bytes, then the shorter first).
    /// Sorted on each key's first 16 bytes held beside its index (`BulkLoad.orderWords`), so most
    /// comparisons touch no key bytes: comparing the keys where they lie costs two cache misses each. Reads only what it is given, so it can run on another thread
    /// while nothing changes the rows (see `orderInBackground`).
    private static func keyOrder(entries: [Entry], table: [Int32], blocks: [UnsafeMutableRawBufferPointer]) -> [Row] {
        struct Sorting {
            var high: UInt64
            var low: UInt64
            var index: Int
        }
        func key(_ entry: Entry) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: blocks[Int(entry.block)].baseAddress! + Int(entry.offset), count: Int(entry.keyCount))
        }
        var list: [Sorting] = []
        list.reserveCapacity(entries.count)
        for stored in table where stored > 0 {
            let index = Int(stored) - 1
            let words = BulkLoad.orderWords(key(entries[index]))
            list.append(Sorting(high: words.high, low: words.low, index: index))
        }
        list.sort { a, b in
            if a.high != b.high { return a.high < b.high }
            if a.low != b.low { return a.low < b.low }
            return BulkLoad.precedes(key(entries[a.index]), key(entries[b.index]))
        }
        // Where each row lies, in key order: the flush then reads this list front to back instead
        // of looking each row's entry up at a random place in `entries`.
        return list.map { sorting in
            let entry = entries[sorting.index]
            return Row(start: UnsafeRawPointer(blocks[Int(entry.block)].baseAddress! + Int(entry.offset)),
                       keyCount: entry.keyCount, valueCount: entry.valueCount)
        }
    }

    /// One held row as the flush appends it: its key's address (its value follows the key) and sizes.
    /// @unchecked: it points into the blocks, which are neither changed nor freed before the flush
    /// that uses it (see `orderInBackground`).
    private struct Row: @unchecked Sendable {
        var start: UnsafeRawPointer
        var keyCount: Int32
        var valueCount: Int32

        var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: Int(keyCount)) }
        var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start + Int(keyCount), count: Int(valueCount)) }
    }

    /// The key order being computed on a thread of its own (`orderInBackground`); dropped by any
    /// change to the rows.
    private var pendingOrder: BackgroundValue<[Row]>?

    /// Starts putting the held rows in key order on a thread of its own, for the `flushCommitting`
    /// that follows: a rebuild calls it when its last fold transaction's body is done, so the sort
    /// runs while that transaction commits and the other views are flushed. Any change to the rows
    /// before the flush (`add`, `rollBack`) first waits for the sort and drops it, so the sort never
    /// reads what is changing and the flush uses it only for exactly the rows it was computed from.
    /// The same `keyOrder`, so the same order whichever thread computes it.
    func orderInBackground() {
        dropPendingOrder()
        guard !entries.isEmpty else { return }
        // The lists are copied (values); the blocks are not: the holder waits for the sort before
        // it changes or frees any of them.
        let inputs = SortInputs(entries: entries, table: table, blocks: blocks)
        pendingOrder = BackgroundValue(threadName: "siglog-replay-sort") {
            HeldInstanceRows.keyOrder(entries: inputs.entries, table: inputs.table, blocks: inputs.blocks)
        }
    }

    /// Waits for a sort started by `orderInBackground` and drops it (the rows are about to change).
    private func dropPendingOrder() {
        guard let pendingOrder else { return }
        _ = pendingOrder.take()
        self.pendingOrder = nil
    }

    /// What the sorting thread reads. @unchecked: only read there, while the holder changes nothing.
    private struct SortInputs: @unchecked Sendable {
        let entries: [Entry]
        let table: [Int32]
        let blocks: [UnsafeMutableRawBufferPointer]
    }

    /// Whether a key order computed on another thread waits for the flush (for tests).
    var ordersInBackground: Bool { pendingOrder != nil }

    /// Rows the flush asks memory for ahead of the one it appends.
    static let prefetchDistance = 8

    /// Asks memory for every cache line of `row`'s key and value.
    @inline(__always)
    private static func prefetch(_ row: Row) {
        siglog_prefetch_range(row.start, UInt(Int(row.keyCount) + Int(row.valueCount)))
    }

    /// Appends every held row in key order to `db`, which must be empty, in write transactions of
    /// about `chunkBytes` each (each commits a bounded number of dirty pages), then drops them. A
    /// chunk's transaction that runs again (the map grew) appends the same chunk again.
    func flushCommitting(into db: Database, environment: Environment, chunkBytes: Int = 8 << 20) throws {
        guard !entries.isEmpty else { return }
        let order = pendingOrder?.take() ?? HeldInstanceRows.keyOrder(entries: entries, table: table, blocks: blocks)
        pendingOrder = nil
        var start = 0
        while start < order.count {
            var end = start
            var total = 0
            while end < order.count && total < chunkBytes {
                let row = order[end]
                total &+= 16 &+ Int(row.keyCount) &+ Int(row.valueCount)
                end += 1
            }
            try environment.write { txn in
                // Appends through the transaction's kept cursor of `db`: each row goes in on the last
                // page, without a descent from the root. The rows lie in the blocks in the order they
                // were added, not in key order: each would be a cache miss (LMDB's compare of its key
                // with the last one, then the copy), so the rows a few places ahead are asked for first.
                let ahead = HeldInstanceRows.prefetchDistance
                for position in start..<min(end, start + ahead) { HeldInstanceRows.prefetch(order[position]) }
                for position in start..<end {
                    if position + ahead < end { HeldInstanceRows.prefetch(order[position + ahead]) }
                    let row = order[position]
                    try txn.put(db, key: row.key, value: row.value, options: .append)
                }
            }
            start = end
        }
        rollBack(to: Mark(entries: 0, blocks: 0, used: 0))
        table = Array(repeating: 0, count: 1024)
    }
}
