import Foundation
import LMDB

/// The key-only ranking indexes' entries an append transaction holds back
/// (`StoreWriter.holdRankingIndexInserts`): `lead_feed.rank` and `engagement.outreach` are keyed by
/// score before company, so a body that writes companies in id order puts their keys in random
/// order — a descent from the root each, and pages split half-empty. Held, they are inserted in key
/// order before the commit. A put of a key-only entry changes the view only when the key is absent,
/// so holding the keys and inserting each absent one at the flush gives the same view and
/// fingerprint. A delete from a held view first inserts what that view holds (`ViewWriter.delete`),
/// so it removes what it would have removed. Memory: the keys' bytes, dropped with the transaction.
struct HeldKeyIndexes {
    /// The views whose entries are held.
    static let views: [View] = [.leadFeedRank, .engagementByOutreach]

    /// `view`'s place in `views`, nil for any other view.
    @inline(__always)
    static func slot(_ view: View) -> Int? {
        switch view {
        case .leadFeedRank: 0
        case .engagementByOutreach: 1
        default: nil
        }
    }

    /// Where each held key of a view sits in `bytes`.
    private var keys: [[Range<Int>]] = Array(repeating: [], count: HeldKeyIndexes.views.count)
    private var bytes: [UInt8] = []

    var isEmpty: Bool { keys.allSatisfy(\.isEmpty) }

    /// Holds `key` of the index `slot` (a repeated key is inserted once).
    mutating func hold(slot: Int, key: UnsafeRawBufferPointer) {
        let start = bytes.count
        bytes.append(contentsOf: key)
        keys[slot].append(start..<bytes.count)
    }

    /// Inserts the held keys of every view (`flush(slot:…)`) and drops them.
    mutating func flush(into views: ViewSet, transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        for slot in keys.indices { try flush(slot: slot, into: views, transaction: transaction, row: row) }
        bytes = []
    }

    /// Inserts the held keys of the index `slot` in key order (LMDB's: bytes, then the shorter
    /// first), each only where it is absent, counts those inserted in the fingerprint in `row` (a
    /// wrapping sum: the order entries are counted in does not matter), and drops them.
    mutating func flush(slot: Int, into views: ViewSet, transaction: WriteTransaction,
                        row: UnsafeMutableRawBufferPointer) throws {
        guard !keys[slot].isEmpty else { return }
        var ranges = keys[slot]
        keys[slot] = []
        let view = HeldKeyIndexes.views[slot]
        let db = views[view]
        let offset = ViewSet.fingerprintOffset(view)
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset)
        try bytes.withUnsafeBytes { held in
            func key(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: held[range]) }
            // Sorted on the sixteen bytes after the prefix every held key shares (the workspace,
            // pack and day), so most comparisons touch no key bytes (`BulkLoad.orderWords`).
            let first = ranges[0].lowerBound
            var shared = ranges[0].count
            for range in ranges.dropFirst() where shared > 0 {
                shared = BulkLoad.commonPrefixCount(key(first..<first + shared), key(range))
            }
            var items = ranges.map { range -> (high: UInt64, low: UInt64, range: Range<Int>) in
                let words = BulkLoad.orderWords(key(range), from: shared)
                return (words.high, words.low, range)
            }
            ranges = []
            items.sort { x, y in
                if x.high != y.high { return x.high < y.high }
                if x.low != y.low { return x.low < y.low }
                return BulkLoad.precedes(key(x.range), key(y.range))
            }
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            // The keys above the view's last key (all of them while the view is empty: a workspace's
            // first score) are absent and go in with `MDB_APPEND`: no descent that compares keys,
            // and full pages instead of the split a put makes.
            let appendFrom = try transaction.withLastKey(db) { last in
                items.firstIndex { BulkLoad.precedes(last, key($0.range)) } ?? items.endIndex
            } ?? items.startIndex
            var previous: UnsafeRawBufferPointer?
            for (index, item) in items.enumerated() {
                let k = key(item.range)
                // A key held twice is inserted once.
                if let previous, previous.elementsEqual(k) { continue }
                previous = k
                if index >= appendFrom {
                    // Through the transaction's kept cursor of `db`: each goes in where the last one went.
                    try transaction.put(db, key: k, value: empty, options: .append)
                } else {
                    guard try transaction.insert(db, key: k, value: empty) else { continue }
                }
                fingerprint.add(key: k, value: empty)
            }
        }
        fingerprint.store(into: row, at: offset)
    }
}
