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

    @inline(__always)
    private func offset(_ slot: ViewSlot) -> Int { 8 + slot.rawValue * Fingerprint.encodedSize }

    /// Stores `value` under `key`, replacing any previous value.
    func put(_ slot: ViewSlot, _ key: ViewKey, _ value: [UInt8]) throws {
        guard active.contains(slot) else { return }
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
