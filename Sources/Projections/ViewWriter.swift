import Foundation
import LMDB

/// A view's slot: its index in `ViewSet.fingerprinted` (and in the checkpoint row).
enum ViewSlot: Int, CaseIterable {
    case packs, packsByKey, workspaces, companies, companiesByDomain, companiesByAlias, companiesByWebsiteDomain,
        companiesByLinkedIn, companiesByName, eventsByCompany, instances, readiness, readinessByDay, engagement,
        leadFeed, leadFeedRank, timeline, jobs, jobsByWorkspace, outreach
}

/// A set of views, by slot: the views a (partial) rebuild writes.
public struct ViewMask: Sendable, Hashable {
    var bits: UInt64

    /// Every view.
    public static let all = ViewMask(bits: (1 << UInt64(ViewSlot.allCases.count)) - 1)

    /// The views with these names (names of `ViewSet.fingerprinted`; others are ignored).
    public init(names: some Sequence<String>) {
        bits = 0
        for name in names {
            if let index = ViewSet.fingerprinted.firstIndex(of: name) { bits |= 1 << UInt64(index) }
        }
    }

    init(bits: UInt64) { self.bits = bits }

    @inline(__always)
    func contains(_ slot: ViewSlot) -> Bool { bits & (1 << UInt64(slot.rawValue)) != 0 }

    /// The names in this set, in `ViewSet.fingerprinted` order.
    public var names: [String] {
        ViewSet.fingerprinted.enumerated().filter { bits & (1 << UInt64($0.offset)) != 0 }.map(\.element)
    }
}

/// The one door through which the projector writes a view: every put, overwrite and delete also
/// updates that view's fingerprint in the checkpoint row being built for the record, and writes to
/// views outside `active` are skipped (partial rebuilds).
///
/// New keys cost one B-tree descent: the put is tried with `MDB_NOOVERWRITE`, which hands back the
/// existing value when there is one; only then is the old entry subtracted and the value replaced.
struct ViewWriter {
    let transaction: WriteTransaction
    unowned(unsafe) let views: ViewSet
    /// The checkpoint row of this record (applied sequence + fingerprints), written after the record.
    let row: UnsafeMutableRawBufferPointer
    let active: ViewMask
    /// During a rebuild into empty views: entries of the views whose keys are new by construction,
    /// held back and inserted sorted at the end (see `BulkLoad`).
    var bulk: BulkLoad? = nil

    @inline(__always)
    private func offset(_ slot: ViewSlot) -> Int { 8 + slot.rawValue * Fingerprint.encodedSize }

    /// Stores `value` under `key`, replacing any previous value.
    func put(_ slot: ViewSlot, _ key: ViewKey, _ value: [UInt8]) throws {
        guard active.contains(slot) else { return }
        if let bulk, bulk.holds(slot) { return deferInsert(slot, key, value, into: bulk) }
        let db = views.fingerprintedDatabases[slot.rawValue]
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(slot))
        try key.bytes.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                if let old = try transaction.insert(db, key: k, value: v) {
                    if old.count == v.count && (v.count == 0 || memcmp(old.baseAddress!, v.baseAddress!, v.count) == 0) {
                        return
                    }
                    fingerprint.remove(key: k, value: old)
                    try transaction.put(db, key: k, value: v)
                }
                fingerprint.add(key: k, value: v)
            }
        }
        fingerprint.store(into: row, at: offset(slot))
    }

    /// Stores `value` under `key` only when the key is absent (first writer wins; key-only indexes).
    func putIfAbsent(_ slot: ViewSlot, _ key: ViewKey, _ value: [UInt8]) throws {
        guard active.contains(slot) else { return }
        if let bulk, bulk.holds(slot) { return deferInsert(slot, key, value, into: bulk) }
        let db = views.fingerprintedDatabases[slot.rawValue]
        try key.bytes.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                guard try transaction.insert(db, key: k, value: v) == nil else { return }
                var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(slot))
                fingerprint.add(key: k, value: v)
                fingerprint.store(into: row, at: offset(slot))
            }
        }
    }

    /// Counts the entry in the fingerprint now and leaves the insert to `BulkLoad.flush`.
    private func deferInsert(_ slot: ViewSlot, _ key: ViewKey, _ value: [UInt8], into bulk: BulkLoad) {
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(slot))
        key.bytes.withUnsafeBytes { k in value.withUnsafeBytes { v in fingerprint.add(key: k, value: v) } }
        fingerprint.store(into: row, at: offset(slot))
        bulk.add(slot, key: key.bytes, value: value)
    }

    /// Removes `key` if present.
    func delete(_ slot: ViewSlot, _ key: ViewKey) throws {
        guard active.contains(slot) else { return }
        let db = views.fingerprintedDatabases[slot.rawValue]
        try key.bytes.withUnsafeBytes { k in
            guard let old = try transaction.get(db, key: k) else { return }
            var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(slot))
            fingerprint.remove(key: k, value: old)
            try transaction.delete(db, key: k)
            fingerprint.store(into: row, at: offset(slot))
        }
    }
}

/// Bulk loading for a rebuild into empty views. `events.by_company` and `timeline` are keyed
/// `(company_id, sequence)`: every record writes keys no earlier record wrote, and nothing in the
/// projector reads these two views back. Inserting them one by one costs a random B-tree descent
/// each (most of a rebuild's time); held back and inserted once, sorted, with `MDB_APPEND`, they
/// fill pages sequentially. Fingerprints are counted when the record is applied, as always.
///
/// Only for empty target views whose half-built state is discarded if the rebuild is interrupted
/// (a rebuild restarts from an emptied generation), so the deferral is never visible.
final class BulkLoad: @unchecked Sendable {
    // @unchecked: used by the one thread that runs a rebuild's fold, never shared.
    static let slots: [ViewSlot] = [.eventsByCompany, .timeline]

    private var entries: [ViewSlot: [(company: UInt64, sequence: UInt64, value: [UInt8])]] = [:]
    private(set) var count = 0
    /// The bulk-loadable views that this rebuild emptied (a partial rebuild copies the others, and
    /// appending into a copied view would break key order).
    private let emptied: ViewMask

    init(rebuilding mask: ViewMask) {
        var bits: UInt64 = 0
        for slot in BulkLoad.slots where mask.contains(slot) { bits |= 1 << UInt64(slot.rawValue) }
        emptied = ViewMask(bits: bits)
    }

    @inline(__always)
    func holds(_ slot: ViewSlot) -> Bool { emptied.contains(slot) }

    func add(_ slot: ViewSlot, key: [UInt8], value: [UInt8]) {
        precondition(key.count == 16, "bulk-loaded views are keyed (company_id, sequence)")
        let (company, sequence) = key.withUnsafeBytes {
            (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
        entries[slot, default: []].append((company, sequence, value))
        count += 1
    }

    /// Inserts everything held, in key order, into the (empty) databases of `views`.
    func flush(into views: ViewSet, transaction: WriteTransaction) throws {
        for slot in BulkLoad.slots {
            guard var list = entries[slot], !list.isEmpty else { continue }
            list.sort { $0.company != $1.company ? $0.company < $1.company : $0.sequence < $1.sequence }
            let db = views.fingerprintedDatabases[slot.rawValue]
            var key = [UInt8](repeating: 0, count: 16)
            for entry in list {
                key.withUnsafeMutableBytes {
                    $0.storeBytes(of: entry.company.bigEndian, as: UInt64.self)
                    $0.storeBytes(of: entry.sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
                }
                try transaction.put(db, key: key, value: entry.value, options: .append)
            }
        }
        entries = [:]
        count = 0
    }
}
