import CPrefetch
import Foundation
import LMDB

/// A set of views: the views a (partial) rebuild writes.
public struct ViewMask: Sendable, Hashable {
    var bits: UInt64

    /// Every view.
    public static let all = ViewMask(bits: (1 << UInt64(View.allCases.count)) - 1)

    /// These views.
    public init(_ views: some Sequence<View>) {
        bits = 0
        for view in views { bits |= 1 << UInt64(view.rawValue) }
    }

    init(bits: UInt64) { self.bits = bits }

    @inline(__always)
    func contains(_ view: View) -> Bool { bits & (1 << UInt64(view.rawValue)) != 0 }

    /// The views in this set, in slot order.
    public var views: [View] { View.allCases.filter(contains) }
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
    private func offset(_ view: View) -> Int { ViewSet.fingerprintOffset(view) }

    /// Stores `value` under `key`, replacing any previous value (handed to `replacing` first).
    func put(_ view: View, _ key: ViewKey, _ value: [UInt8], replacing: (UnsafeRawBufferPointer) -> Void = { _ in }) throws {
        try put(view, key: key.bytes, value: value, hash: nil, replacing: replacing)
    }

    /// `put` of a key given as bytes; `hash`: `Fingerprint.entryHash(key, value)` when computed
    /// ahead (a replay decoder's `PreparedStamped`), nil to compute it here.
    func put(_ view: View, key: [UInt8], value: [UInt8], hash: UInt128?,
             replacing: (UnsafeRawBufferPointer) -> Void = { _ in }) throws {
        guard active.contains(view) else { return }
        if let bulk {
            if bulk.holds(view) {
                return key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        if let hash { deferInsert(view, k, v, hash: hash, into: bulk) } else { deferInsert(view, k, v, into: bulk) }
                    }
                }
            }
            // A key-only entry changes its view only when absent: held, it is counted when inserted.
            if bulk.holdsRankingIndexes, value.isEmpty, let slot = HeldKeyIndexes.slot(view) {
                return key.withUnsafeBytes { bulk.holdRankingIndexEntry(slot, key: $0) }
            }
        }
        let db = views[view]
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(view))
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                var unchanged = false
                // One descent: a stored value is replaced where the insert attempt found it.
                try transaction.upsert(db, key: k, value: v) { old in
                    replacing(old)
                    if old.count == v.count && (v.count == 0 || memcmp(old.baseAddress!, v.baseAddress!, v.count) == 0) {
                        unchanged = true
                        return false
                    }
                    fingerprint.remove(key: k, value: old)
                    return true
                }
                if unchanged { return }
                if let hash { fingerprint.add(entryHash: hash) } else { fingerprint.add(key: k, value: v) }
            }
        }
        fingerprint.store(into: row, at: offset(view))
    }

    /// `put` of a key that is usually above every key of `view` (a new company's id): appended when
    /// it is, which fills the view's last page instead of splitting it; otherwise put as `put` does.
    func putAtEnd(_ view: View, _ key: ViewKey, _ value: [UInt8]) throws {
        guard active.contains(view), !(bulk?.holds(view) ?? false) else { return try put(view, key, value) }
        let appended = try key.bytes.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                guard try transaction.appendIfLast(views[view], key: k, value: v) else { return false }
                count(view, key: k, value: v)
                return true
            }
        }
        if !appended { try put(view, key, value) }
    }

    /// Whether writes to `view` go into it now (it is written and not held back for a bulk load).
    func writesInPlace(_ view: View) -> Bool {
        active.contains(view) && !(bulk?.holds(view) ?? false)
    }

    /// Stores `value` under `key` when the key is absent, as `put` does, and returns nil; when it is
    /// present, changes nothing and returns the stored value decoded. For views `writesInPlace`.
    func insertOrRead<T>(_ view: View, _ key: ViewKey, _ value: [UInt8], _ decode: (UnsafeRawBufferPointer) throws -> T)
        throws -> T?
    {
        precondition(writesInPlace(view))
        let db = views[view]
        return try key.bytes.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                var stored: T? = nil
                let inserted = try transaction.insert(db, key: k, value: v) { stored = try decode($0) }
                guard inserted else { return stored }
                count(view, key: k, value: v)
                return nil
            }
        }
    }

    /// Stores `value` under `key` only when the key is absent (first writer wins; key-only indexes).
    func putIfAbsent(_ view: View, _ key: ViewKey, _ value: [UInt8]) throws {
        guard active.contains(view) else { return }
        if let bulk {
            if bulk.holds(view) { return deferInsert(view, key, value, into: bulk) }
            if bulk.holdsCompanyIndexes, let slot = HeldCompanyIndexes.slot(view) {
                return try key.bytes.withUnsafeBytes { k in
                    // A domain key is held only when the view lacks it, so a held domain is found
                    // before the view is asked (`ViewReader.id(_:inlineText:)`): most events match
                    // a company by its domain, many of them one created in the same transaction.
                    if slot == HeldCompanyIndexes.domainSlot, !bulk.storesNoCompanyIndexEntry(view),
                        try transaction.withValue(views[view], key: k, { _ in () }) != nil
                    {
                        return
                    }
                    value.withUnsafeBytes { v in bulk.holdCompanyIndexEntry(slot, key: k, value: v) }
                }
            }
        }
        let db = views[view]
        try key.bytes.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in
                guard try transaction.insert(db, key: k, value: v) else { return }
                count(view, key: k, value: v)
            }
        }
    }

    /// `putIfAbsent` of a new company's index entries — `keys` in `bytes`, each its index's whole
    /// key — with the company id `value`, in order, when they are all held back
    /// (`BulkLoad.holdCompanyIndexes`): held together, so their table places are fetched together.
    /// False (nothing written) when the held path does not apply; the caller then puts them one by one.
    func putIfAbsentHeld(_ keys: UnsafeBufferPointer<HeldCompanyIndexes.Key>, in bytes: UnsafeRawBufferPointer,
                         value: UnsafeRawBufferPointer) throws -> Bool {
        guard let bulk, bulk.holdsCompanyIndexes else { return false }
        for view in HeldCompanyIndexes.views where !active.contains(view) || bulk.holds(view) { return false }
        let domainView = HeldCompanyIndexes.views[HeldCompanyIndexes.domainSlot]
        guard !bulk.storesNoCompanyIndexEntry(domainView),
            keys.contains(where: { $0.slot == HeldCompanyIndexes.domainSlot })
        else {
            bulk.holdCompanyIndexEntries(keys, in: bytes, value: value)
            return true
        }
        // A domain key is held only when the view lacks it (as `putIfAbsent` does).
        var kept: [HeldCompanyIndexes.Key] = []
        kept.reserveCapacity(keys.count)
        for key in keys {
            if key.slot == HeldCompanyIndexes.domainSlot,
                try transaction.withValue(views[domainView], key: UnsafeRawBufferPointer(rebasing: bytes[key.start..<key.start + key.count]),
                                          { _ in () }) != nil
            {
                continue
            }
            kept.append(key)
        }
        kept.withUnsafeBufferPointer { bulk.holdCompanyIndexEntries($0, in: bytes, value: value) }
        return true
    }

    /// `putIfAbsent(view, (company, sequence), [])` — the events index's one write per event —
    /// with the 16-byte key (`ViewKey().appending(company).appending(sequence)`) built on the stack,
    /// whether the entry is inserted now or held back for the bulk load.
    func putIfAbsent(_ view: View, company: Int64, sequence: UInt64) throws {
        guard active.contains(view) else { return }
        try withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
            key.storeBytes(of: ViewKey.orderedBits(company).bigEndian, as: UInt64.self)
            key.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
            let k = UnsafeRawBufferPointer(key)
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            if let bulk, bulk.holds(view) { return deferInsert(view, k, empty, into: bulk) }
            guard try transaction.insert(views[view], key: k, value: empty) else { return }
            count(view, key: k, value: empty)
        }
    }

    /// Counts the entry in the fingerprint now and leaves the insert to `BulkLoad.flush`.
    private func deferInsert(_ view: View, _ key: ViewKey, _ value: [UInt8], into bulk: BulkLoad) {
        key.bytes.withUnsafeBytes { k in value.withUnsafeBytes { v in deferInsert(view, k, v, into: bulk) } }
    }

    /// `deferInsert` of a key and value given as bytes.
    private func deferInsert(_ view: View, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, into bulk: BulkLoad) {
        count(view, key: key, value: value)
        bulk.add(view, key: key, value: value)
    }

    /// Adds a new entry of `view`, whose `Fingerprint.entryHash` is `hash`, to its fingerprint.
    func count(_ view: View, hash: UInt128) {
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(view))
        fingerprint.add(entryHash: hash)
        fingerprint.store(into: row, at: offset(view))
    }

    /// `deferInsert` of an entry whose `Fingerprint.entryHash` is `hash` (computed beforehand).
    func deferInsert(_ view: View, _ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, hash: UInt128,
                     into bulk: BulkLoad) {
        count(view, hash: hash)
        bulk.add(view, key: key, value: value)
    }

    /// Adds a new entry of `view` to its fingerprint in the checkpoint row.
    private func count(_ view: View, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(view))
        fingerprint.add(key: key, value: value)
        fingerprint.store(into: row, at: offset(view))
    }

    /// Holds `value` under `key` of the instances view for `BulkLoad.flush` (see
    /// `BulkLoad.holdInstances`), counting the change in the fingerprint now as `put` would:
    /// `stored` is the value the view holds under `key` (nil: none). An unchanged value is not held.
    func holdInstance(_ key: ViewKey, _ value: [UInt8], replacing stored: [UInt8]?, into bulk: BulkLoad) {
        if let stored, stored == value { return }
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(.instances))
        key.bytes.withUnsafeBytes { k in
            if let stored { stored.withUnsafeBytes { fingerprint.remove(key: k, value: $0) } }
            value.withUnsafeBytes { v in
                fingerprint.add(key: k, value: v)
                bulk.addInstance(key: k, value: v)
            }
        }
        fingerprint.store(into: row, at: offset(.instances))
    }

    /// Counts in `view`'s fingerprint that the entry `key` → `old` became `key` → `new` (a row held
    /// back and replaced, as `put` counts a stored one it replaces).
    func replaceCounted(_ view: View, key: UnsafeRawBufferPointer, old: [UInt8], new: [UInt8]) {
        guard active.contains(view) else { return }
        var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(view))
        old.withUnsafeBytes { fingerprint.remove(key: key, value: $0) }
        new.withUnsafeBytes { fingerprint.add(key: key, value: $0) }
        fingerprint.store(into: row, at: offset(view))
    }

    /// Removes `key` if present.
    func delete(_ view: View, _ key: ViewKey) throws {
        guard active.contains(view) else { return }
        // What the view holds goes in first, so the delete removes what it would have removed.
        if let bulk, bulk.holdsRankingIndexes, let slot = HeldKeyIndexes.slot(view) {
            try bulk.flushRankingIndex(slot, into: views, transaction: transaction, row: row)
        }
        let db = views[view]
        try key.bytes.withUnsafeBytes { k in
            var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset(view))
            let present = try transaction.withValue(db, key: k) { old in fingerprint.remove(key: k, value: old) } != nil
            guard present else { return }
            try transaction.delete(db, key: k)
            fingerprint.store(into: row, at: offset(view))
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
    static let views: [View] = [.eventsByCompany, .timeline]

    /// One held-back entry: its key's two numbers and where its value sits in `values`. Plain
    /// numbers, so sorting moves 32 bytes and no references (no retain/release, no per-entry array).
    struct Entry: Equatable {
        var company: UInt64
        var sequence: UInt64
        var valueStart: Int
        var valueCount: Int

        init(company: UInt64, sequence: UInt64, valueStart: Int, valueCount: Int) {
            self.company = company
            self.sequence = sequence
            self.valueStart = valueStart
            self.valueCount = valueCount
        }

        /// The entry of a stored key `(company_id, sequence)` (16 bytes, big-endian), its value at
        /// `valueStart` in `values`.
        init(key: UnsafeRawBufferPointer, valueStart: Int, valueCount: Int) {
            precondition(key.count == 16, "bulk-loaded views are keyed (company_id, sequence)")
            self.init(company: UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)),
                      sequence: UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                      valueStart: valueStart, valueCount: valueCount)
        }

        /// Whether this entry's key sorts before `other`'s in the view (LMDB's byte order of the
        /// big-endian key: company, then sequence).
        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            company != other.company ? company < other.company : sequence < other.sequence
        }
    }

    /// One held-back instance row: where its key and value sit in `instanceBytes`.
    struct InstanceEntry {
        var keyStart: Int
        var keyCount: Int
        var valueCount: Int
    }

    // The properties ingest's writer touches per event are `@exclusivity(unchecked)`: one thread
    // uses a `BulkLoad`, and their run-time exclusivity checks were a measurable part of that thread.
    /// The entries of each view of `BulkLoad.views`, in the order they were added.
    @exclusivity(unchecked) private var entries: [[Entry]] = Array(repeating: [], count: BulkLoad.views.count)
    /// Every held value's bytes, one after the other.
    @exclusivity(unchecked) private var values: [UInt8] = []
    /// The held instance rows (see `holdInstances`), in the order they were added…
    private var instances: [InstanceEntry] = []
    /// …and their keys and values, each value right after its key.
    private var instanceBytes: [UInt8] = []
    /// Whether instance rows are held back (an append transaction's `holdInstances`).
    private(set) var holdsInstances = false
    @exclusivity(unchecked) private(set) var count = 0
    /// Counts every change to what is held, so a key order computed earlier is used only for
    /// exactly the entries it was computed from.
    @exclusivity(unchecked) private var changes = 0
    /// The key order of the held entries being computed on a thread of its own (`orderInBackground`),
    /// from copies of the lists (arrays are values: later changes do not reach them), with `changes`
    /// when they were taken.
    private var pendingOrder: (changes: Int, lists: BackgroundValue<[[Entry]]>)?
    /// The bulk-loadable views that this rebuild emptied (a partial rebuild copies the others, and
    /// appending into a copied view would break key order); in an append transaction, the views
    /// `hold(_:)` named.
    private var emptied: ViewMask
    /// Whether `flush` appends (a rebuild's empty views) or puts (an append transaction's views,
    /// which hold entries already).
    private let intoEmptyViews: Bool

    /// The bytes a rebuild holds at most before it flushes (see `ReplayOptions.bulkLoadBudget`);
    /// nil holds everything until the rebuild's end.
    let budget: Int?

    /// A rebuild's instance rows, held while the instances view it rebuilds is still empty (see
    /// `HeldInstanceRows`); nil when they are written in place (not rebuilt, an append transaction,
    /// or after `flushInstanceRows`).
    private(set) var instanceRows: HeldInstanceRows?

    init(rebuilding mask: ViewMask, budget: Int? = nil, holdingCompanyIndexes: Bool = true) {
        var bits: UInt64 = 0
        for view in BulkLoad.views where mask.contains(view) { bits |= 1 << UInt64(view.rawValue) }
        emptied = ViewMask(bits: bits)
        intoEmptyViews = true
        self.budget = budget
        // Held only with the timeline held too: the projector's held-row path is the one that
        // hands an instance's timeline entry to the bulk load.
        if mask.contains(.instances) && mask.contains(.timeline) { instanceRows = HeldInstanceRows() }
        // Nothing in a rebuild reads the company indexes but their own puts (the projector's reads
        // are of other views): their entries are held and inserted in key order at the end of each
        // fold transaction (`flushCompanyIndexesReleasing`), instead of a random descent per key.
        // The rebuilt ones start empty; a partial rebuild's copied ones are asked as stored.
        holdsCompanyIndexes = holdingCompanyIndexes
        emptyCompanyIndexes = ViewMask(HeldCompanyIndexes.views.filter(mask.contains))
        reserveBudget()
    }

    /// Whether the held instance rows have reached `budget` (checked after a fold transaction's
    /// commit: they are flushed then, and the rows after that are written in place).
    var instanceRowsOverBudget: Bool {
        guard let budget, let instanceRows, !instanceRows.isEmpty else { return false }
        return instanceRows.heldBytes >= budget
    }

    /// Appends the held instance rows to the (empty) instances view of `views` in transactions of
    /// their own and stops holding them: from now on the view is not empty, and rows are written
    /// in place.
    func flushInstanceRows(into views: ViewSet, environment: Environment) throws {
        guard let instanceRows else { return }
        try instanceRows.flushCommitting(into: views[.instances], environment: environment)
        self.instanceRows = nil
    }

    /// Starts the held instance rows' sort on a thread of its own (`HeldInstanceRows.orderInBackground`).
    func orderInstanceRowsInBackground() { instanceRows?.orderInBackground() }

    /// A rebuild's lists reserve what the budget lets them hold, so they never grow by copying
    /// (the copies of ever larger lists were ≈ 5 % of a rebuild's writing thread). The reserved
    /// memory is only address space until entries are written into it.
    private func reserveBudget() {
        guard intoEmptyViews, let budget else { return }
        for slot in entries.indices { entries[slot].reserveCapacity(budget / MemoryLayout<Entry>.stride + 2 * ReplayReader.batchSize) }
        values.reserveCapacity(budget + 1)
    }

    /// The memory the held entries take (their numbers and values).
    var heldBytes: Int {
        count &* MemoryLayout<Entry>.stride &+ values.count &+ instances.count &* MemoryLayout<InstanceEntry>.stride
            &+ instanceBytes.count
    }

    /// Whether what is held has reached `budget`: time to flush what the current transaction added.
    var isOverBudget: Bool {
        guard let budget else { return false }
        return heldBytes >= budget
    }

    /// Whether what is held after a transaction has reached half of `budget`: flushed then
    /// (`flushCommitting`), so a transaction starts holding less than half and its own flushes
    /// each take at least half.
    var isOverHalfBudget: Bool {
        guard let budget else { return false }
        return heldBytes >= budget / 2
    }

    /// The holder of one append transaction: holds nothing until `hold(_:)`, and `flush` puts
    /// instead of appending. Held keys are new by construction (`(company_id, sequence)` of the
    /// record being appended), so a put inserts, as the held-back `ViewWriter.put` would have.
    init() {
        emptied = ViewMask(bits: 0)
        intoEmptyViews = false
        budget = nil
    }

    /// From now on, holds back the entries of `view` (one of `BulkLoad.views`). Only for a write
    /// transaction that does not read `view` back before `flush`.
    /// `expecting`: about how many entries of `view` will be held; their list is given room for
    /// them (at most `maxReservedEntries`) so that it does not grow by copying.
    func hold(_ view: View, expecting: Int = 0) {
        precondition(BulkLoad.views.contains(view), "only (company_id, sequence) views are held back")
        emptied.bits |= 1 << UInt64(view.rawValue)
        entries[BulkLoad.slot(view)].reserveCapacity(min(expecting, BulkLoad.maxReservedEntries))
    }

    /// The most entries `hold(_:expecting:)` makes room for (32 MiB of them).
    static let maxReservedEntries = (32 << 20) / MemoryLayout<Entry>.stride

    /// From now on, holds back the instance rows the projector writes, to insert them in key order
    /// at `flush`. Only for a write transaction that writes each instance key at most once after
    /// this call and does not read the instances it wrote before `flush`: the projector merges
    /// with the row as the view stores it, which does not show what is held.
    func holdInstances() {
        precondition(!intoEmptyViews, "a rebuild does not hold instance rows")
        holdsInstances = true
    }

    /// Drops everything held and holds nothing (an append transaction's body starting over).
    func reset() {
        removeAll()
        if !intoEmptyViews {
            emptied = ViewMask(bits: 0)
            holdsInstances = false
            holdsCompanyIndexes = false
            emptyCompanyIndexes = ViewMask(bits: 0)
            holdsRankingIndexes = false
            rankingIndexes = HeldKeyIndexes()
        }
    }

    // MARK: - Ranking indexes held in an append transaction

    /// Whether the key-only ranking indexes' entries are held (`holdRankingIndexes`).
    private(set) var holdsRankingIndexes = false
    /// The held ranking index keys (see `HeldKeyIndexes`).
    private var rankingIndexes = HeldKeyIndexes()

    /// From now on, holds back the key-only entries of `lead_feed.rank` and `engagement.outreach`, to
    /// insert them in key order at `flushRankingIndexes`. Only for a write transaction that does not
    /// read those views before the flush (a delete from one inserts what it holds first).
    func holdRankingIndexes() {
        precondition(!intoEmptyViews, "a rebuild does not hold ranking index entries")
        holdsRankingIndexes = true
    }

    /// Holds `key` of the ranking index `slot` (`HeldKeyIndexes.slot`).
    func holdRankingIndexEntry(_ slot: Int, key: UnsafeRawBufferPointer) {
        rankingIndexes.hold(slot: slot, key: key)
    }

    /// Whether ranking index entries are held (to flush).
    var holdsRankingIndexEntries: Bool { !rankingIndexes.isEmpty }

    /// Inserts the held keys of the ranking index `slot` in key order, counting those inserted in the
    /// fingerprint in `row`, and drops them.
    func flushRankingIndex(_ slot: Int, into views: ViewSet, transaction: WriteTransaction,
                           row: UnsafeMutableRawBufferPointer) throws {
        try rankingIndexes.flush(slot: slot, into: views, transaction: transaction, row: row)
    }

    /// Inserts every held ranking index key (`flushRankingIndex`) and drops them. A transaction that
    /// runs again starts with `reset`.
    func flushRankingIndexes(into views: ViewSet, transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        try rankingIndexes.flush(into: views, transaction: transaction, row: row)
    }

    // MARK: - Company indexes held in an append transaction

    /// Whether the company indexes' entries are held (`holdCompanyIndexes`).
    @exclusivity(unchecked) private(set) var holdsCompanyIndexes = false
    /// The held company index entries (see `HeldCompanyIndexes`).
    @exclusivity(unchecked) private var companyIndexes = HeldCompanyIndexes()

    /// From now on, holds back the company indexes' entries, to insert them in key order at
    /// `flushCompanyIndexes` (an append transaction that creates many companies: a pass over each
    /// index instead of a random descent per key; a rebuild holds them from its start). Every read
    /// of those indexes in the transaction must go through a `ViewReader` given this holder, which
    /// finds a held entry after a miss in the view.
    func holdCompanyIndexes(emptyViews: ViewMask) {
        precondition(!intoEmptyViews, "a rebuild holds its company index entries from its start (`init(rebuilding:)`)")
        holdsCompanyIndexes = true
        emptyCompanyIndexes = emptyViews
    }

    /// `holdCompanyIndexes` starting from `entries` kept from the run's last transaction (already
    /// in the views) — `emptyViews` then the views that store none but those — and handing what is
    /// held at the flush back to `kept` once the transaction commits (`takeForKeeping`).
    func holdCompanyIndexes(emptyViews: ViewMask, entries: consuming HeldCompanyIndexes, keptIn kept: KeptCompanyIndexes) {
        holdCompanyIndexes(emptyViews: emptyViews)
        companyIndexes = entries
        keeping = (kept, emptyViews)
    }

    /// Where the held company index entries go when the transaction commits, and the views they
    /// are complete for (`holdCompanyIndexes(emptyViews:entries:keptIn:)`).
    private var keeping: (kept: KeptCompanyIndexes, complete: ViewMask)?

    /// The held company index entries moved out with where they are to be kept, after their flush
    /// (nil when the transaction does not keep them).
    func takeForKeeping() -> (kept: KeptCompanyIndexes, entries: HeldCompanyIndexes, complete: ViewMask)? {
        guard let keeping else { return nil }
        self.keeping = nil
        let entries = companyIndexes
        companyIndexes = HeldCompanyIndexes()
        return (keeping.kept, entries, keeping.complete)
    }

    /// The company indexes that stored no entry when holding began (a store's first batch: all of
    /// them). Nothing writes them until `flushCompanyIndexes`, so a lookup there cannot find a
    /// stored entry and asks only the held ones.
    @exclusivity(unchecked) private var emptyCompanyIndexes = ViewMask(bits: 0)

    /// Whether the company index `view` is known to store no entry (see `emptyCompanyIndexes`).
    @inline(__always)
    func storesNoCompanyIndexEntry(_ view: View) -> Bool { holdsCompanyIndexes && emptyCompanyIndexes.contains(view) }

    /// Holds `key` → `value` of the company index `slot` unless a value is held under `key` already
    /// (first writer wins, as `putIfAbsent` into the view). Whether the view itself holds the key is
    /// found at the flush, where the entry is counted in the fingerprint only if it is inserted.
    func holdCompanyIndexEntry(_ slot: Int, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        companyIndexes.hold(slot: slot, key: key, value: value)
    }

    /// `holdCompanyIndexEntry` of each of `keys` (in `bytes`) → `value`, in order (see
    /// `HeldCompanyIndexes.hold(_:in:value:)`).
    func holdCompanyIndexEntries(_ keys: UnsafeBufferPointer<HeldCompanyIndexes.Key>, in bytes: UnsafeRawBufferPointer,
                                 value: UnsafeRawBufferPointer) {
        companyIndexes.hold(keys, in: bytes, value: value)
    }

    /// The value held under `key` in the company index `view` in this transaction, lent to `body`.
    /// `hash`: the key's `HeldCompanyIndexes.hash`, when computed ahead.
    func withHeldCompanyIndexValue<R>(_ view: View, key: UnsafeRawBufferPointer, hash: UInt32? = nil,
                                      _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard holdsCompanyIndexes, let slot = HeldCompanyIndexes.slot(view) else { return nil }
        return companyIndexes.withValue(slot: slot, key: key, hash: hash, body)
    }

    /// `HeldCompanyIndexes.prefetchPlace` of the held company indexes (nothing when none are held).
    func prefetchHeldCompanyIndexPlace(hash: UInt32) {
        if holdsCompanyIndexes { companyIndexes.prefetchPlace(hash: hash) }
    }

    /// `HeldCompanyIndexes.prefetchEntry` of the held company indexes (nothing when none are held):
    /// whether a held entry's hash matched.
    @discardableResult
    func prefetchHeldCompanyIndexEntry(hash: UInt32) -> Bool {
        holdsCompanyIndexes && companyIndexes.prefetchEntry(hash: hash)
    }

    /// Whether company index entries are held (to flush).
    var holdsCompanyIndexEntries: Bool { companyIndexes.hasUnflushed }

    /// Inserts the held company index entries in key order, each only where its key is absent,
    /// counting those inserted in the fingerprints of `row`. A transaction that runs again starts
    /// with `reset`.
    func flushCompanyIndexes(into views: ViewSet, transaction: WriteTransaction, row: UnsafeMutableRawBufferPointer) throws {
        emptyCompanyIndexes = ViewMask(bits: 0)  // the views are empty no longer
        try companyIndexes.flush(into: views, transaction: transaction, row: row)
    }

    /// A rebuild's `flushCompanyIndexes`, which then drops what it inserted: called in each fold
    /// transaction before its checkpoint row is stored, so the commit holds the indexes with the
    /// fingerprints that count them. A transaction that runs again rolls back to its mark (taken
    /// when nothing was held) and holds its records' entries again.
    func flushCompanyIndexesReleasing(into views: ViewSet, transaction: WriteTransaction,
                                      row: UnsafeMutableRawBufferPointer) throws {
        precondition(intoEmptyViews, "an append transaction flushes its company index entries with `flushCompanyIndexes`")
        guard holdsCompanyIndexEntries else { return }
        try flushCompanyIndexes(into: views, transaction: transaction, row: row)
        companyIndexes = HeldCompanyIndexes()
    }

    /// Whether a rebuild's held company index entries have reached a quarter of `budget`: flushed
    /// then, in the same transaction (a fold of a log of companies only holds them all otherwise).
    var companyIndexesOverBudget: Bool {
        guard intoEmptyViews, let budget else { return false }
        return companyIndexes.heldBytes >= budget / 4
    }

    /// LMDB's default key order: bytes compared, then the shorter first.
    static func precedes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let common = min(a.count, b.count)
        let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
        return order != 0 ? order < 0 : a.count < b.count
    }

    /// How many leading bytes `a` and `b` have in common. The held keys of a view share a long
    /// prefix (workspace and pack, `domain` + 0, a URL's start): it is found by narrowing the first
    /// key's prefix with each other key, and the sorts compare the bytes after it (`orderWords`).
    static func commonPrefixCount(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let limit = min(a.count, b.count)
        var common = 0
        while common < limit, a[common] == b[common] { common += 1 }
        return common
    }

    /// The sixteen bytes of `key` from `offset` as two big-endian words, zero-padded. Sorting on
    /// them keeps LMDB's key order (a key that is a prefix of another sorts first either way), and
    /// equal words fall back to `precedes` on the whole keys: most comparisons then touch no key bytes.
    static func orderWords(_ key: UnsafeRawBufferPointer, from offset: Int = 0) -> (high: UInt64, low: UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        let start = min(offset, key.count)
        let count = min(16, key.count - start)
        if count > 0 {
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: key[start..<start + count])) }
        }
        return (UInt64(bigEndian: words.0), UInt64(bigEndian: words.1))
    }

    @inline(__always)
    func holds(_ view: View) -> Bool { emptied.contains(view) }

    /// Holds the entry `key` → `value` (`key` is `(company_id, sequence)`, 16 bytes).
    func add(_ view: View, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let entry = Entry(key: key, valueStart: values.count, valueCount: value.count)
        if !value.isEmpty { values.append(contentsOf: value) }
        entries[BulkLoad.slot(view)].append(entry)
        count += 1
        changes &+= 1
    }

    /// Holds the instance row `key` → `value` (`holdInstances`).
    func addInstance(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        instances.append(InstanceEntry(keyStart: instanceBytes.count, keyCount: key.count, valueCount: value.count))
        instanceBytes.append(contentsOf: key)
        instanceBytes.append(contentsOf: value)
        count += 1
        changes &+= 1
    }

    /// Holds a run of events index entries (see `EventRun`) in the order given.
    func addEvents(_ run: EventRun) {
        entries[BulkLoad.slot(.eventsByCompany)].append(contentsOf: run.entries)
        count += run.entries.count
        changes &+= 1
    }

    /// Where `view`'s entries are kept: its place in `BulkLoad.views`.
    @inline(__always)
    static func slot(_ view: View) -> Int { views.firstIndex(of: view)! }

    /// `list` in key order: `(company, sequence)` ascending. Entries are added in log order, so
    /// each company's sequences already ascend: when the companies' key numbers span a range not
    /// much larger than the list, a counting sort by company (stable) gives the key order in
    /// linear time. Otherwise, or if the sequences of a company do not ascend, a comparison sort.
    static func keyOrder(_ list: [Entry]) -> [Entry] {
        let sorted = { list.sorted { $0.precedes($1) } }
        guard let first = list.first else { return list }
        var lowest = first.company
        var highest = first.company
        for entry in list {
            lowest = min(lowest, entry.company)
            highest = max(highest, entry.company)
        }
        let span = highest - lowest
        guard span < UInt64(list.count) * 4 + 4096 else { return sorted() }
        // starts[c] = where company (lowest + c)'s entries begin in the result.
        var starts = [Int](repeating: 0, count: Int(span) + 2)
        for entry in list { starts[Int(entry.company - lowest) + 1] += 1 }
        for index in 1..<starts.count { starts[index] += starts[index - 1] }
        let result = [Entry](unsafeUninitializedCapacity: list.count) { buffer, initialized in
            for entry in list {
                let slot = Int(entry.company - lowest)
                (buffer.baseAddress! + starts[slot]).initialize(to: entry)
                starts[slot] += 1
            }
            initialized = list.count
        }
        for index in result.indices.dropFirst() {
            let previous = result[index - 1]
            let entry = result[index]
            if previous.company == entry.company && previous.sequence >= entry.sequence { return sorted() }
        }
        return result
    }

    /// Inserts everything held, in key order, into the databases of `views` (see `flushEntries`).
    /// What is held stays held: a transaction that runs again (the map grew) inserts it all again;
    /// `removeAll` after the commit.
    func flush(into views: ViewSet, transaction: WriteTransaction) throws {
        try flushEntries(from: Array(repeating: 0, count: BulkLoad.views.count), into: views, transaction: transaction)
        if !instances.isEmpty { try flushInstances(into: views[.instances], transaction: transaction) }
    }

    /// Inserts everything held, as `flush`, dropping each part once it is in the databases, so the
    /// held bytes are freed while the transaction's dirty pages still grow (a derive holds tens of
    /// MiB of timeline entries and instance rows until its commit). Only for an append
    /// transaction's holder, whose body starts over with `reset` and adds everything again when the
    /// transaction runs again (`Store.write`).
    func flushReleasing(into views: ViewSet, transaction: WriteTransaction) throws {
        precondition(!intoEmptyViews, "a rebuild keeps what it holds until its flush commits")
        for (slot, view) in BulkLoad.views.enumerated() where !entries[slot].isEmpty {
            let list = BulkLoad.keyOrder(entries[slot])
            entries[slot] = []
            try insert(list[...], into: views[view], transaction: transaction)
        }
        values = []
        if !instances.isEmpty { try flushInstances(into: views[.instances], transaction: transaction) }
        removeAll()
    }

    /// Inserts what was added since `mark` (the start of the current transaction) and drops it:
    /// a rebuild's flush when the held entries pass `budget`. If the transaction runs again, its
    /// inserts are undone with it, and its records, applied again, add these entries again, while
    /// what was held before `mark` is still held: each entry is inserted once.
    func flush(since mark: Mark, into views: ViewSet, transaction: WriteTransaction) throws {
        precondition(intoEmptyViews && instances.count == mark.instances, "only a rebuild flushes part of its load")
        try flushEntries(from: mark.entries, into: views, transaction: transaction)
        // The instance rows and company index entries stay held: only what this flush inserted is dropped.
        var flushed = mark
        flushed.instanceRows = instanceRows?.mark
        flushed.companyIndexes = companyIndexes.mark
        flushed.emptyCompanyIndexes = emptyCompanyIndexes
        rollBack(to: flushed)
    }

    /// Inserts each view's entries from `starts[slot]` on, in key order (see `insert`).
    private func flushEntries(from starts: [Int], into views: ViewSet, transaction: WriteTransaction) throws {
        for (slot, view) in BulkLoad.views.enumerated() {
            guard entries[slot].count > starts[slot] else { continue }
            let list = BulkLoad.keyOrder(starts[slot] == 0 ? entries[slot] : Array(entries[slot][starts[slot]...]))
            try insert(list[...], into: views[view], transaction: transaction)
        }
    }

    /// Inserts everything held and drops it, in write transactions of its own of about `chunkBytes`
    /// of sorted keys and values each, so that each commits a bounded number of dirty pages (a chunk
    /// covers one key range; a chunk of the events index's 16-byte keys holds many more entries
    /// than one of the timeline's, and each commit syncs the file). Only for a rebuild, whose half-built views are discarded if it is interrupted; a
    /// chunk's transaction that runs again inserts the same chunk again.
    ///
    /// When the held entries fall among the keys a flush before this one wrote, and that view holds
    /// no more entries than are held, the view is rewritten instead: its entries are read back,
    /// merged with the held ones, and the whole view appended again from empty (the first chunk's
    /// transaction empties it). Putting the held entries one by one among the stored ones would
    /// split a page at nearly every insert (half-full pages, a page copy each time).
    func flushCommitting(into views: ViewSet, environment: Environment, chunkBytes: Int = 8 << 20) throws {
        precondition(intoEmptyViews && instances.isEmpty, "only a rebuild flushes in transactions of its own")
        let ordered = pendingOrder.flatMap { $0.changes == changes ? $0.lists.take() : nil }
        pendingOrder = nil
        for (slot, view) in BulkLoad.views.enumerated() where !entries[slot].isEmpty {
            let db = views[view]
            var list = ordered?[slot] ?? BulkLoad.keyOrder(entries[slot])
            entries[slot] = []  // the sorted copy is what is inserted: free the other before merging
            let stored = try storedEntriesToRewrite(db, before: list[0], held: list.count, environment: environment)
            if let stored { list = BulkLoad.merged(stored, list) }
            var emptyFirst = stored != nil
            var start = 0
            while start < list.count {
                let end = BulkLoad.chunkEnd(list, from: start, bytes: chunkBytes)
                try environment.write { txn in
                    // A transaction that runs again (the map grew) starts from the view as it was.
                    if emptyFirst { try txn.empty(db) }
                    try insert(list[start..<end], into: db, transaction: txn)
                }
                emptyFirst = false
                start = end
            }
        }
        removeAll()
    }

    /// Starts putting the held entries in key order on a thread of its own, for the
    /// `flushCommitting` that follows: a rebuild calls it when its fold transaction's body is done,
    /// so the sort runs while that transaction commits (writes and syncs its pages) instead of after.
    /// `flushCommitting` uses the result only if nothing held changed since (a transaction that runs
    /// again rolls back and changes it); otherwise it sorts as before. The same `keyOrder`, so the
    /// same order whichever thread computes it.
    func orderInBackground() {
        guard intoEmptyViews, instances.isEmpty, count > 0 else { return }
        let lists = entries
        pendingOrder = (changes, BackgroundValue(threadName: "siglog-replay-sort") { lists.map(BulkLoad.keyOrder) })
    }

    /// Where the chunk of `list` that starts at `start` ends: after the entry that brings its keys
    /// and values (and LMDB's node header of each) to `bytes`, or at the end of `list`.
    static func chunkEnd(_ list: [Entry], from start: Int, bytes: Int) -> Int {
        var end = start
        var total = 0
        while end < list.count && total < bytes {
            total &+= 24 &+ list[end].valueCount
            end += 1
        }
        return end
    }

    /// The entries of `db` (their values copied into `values`), in key order, when `db` holds at
    /// least one key above `first` — the held entries would fall among them — and at most `held`
    /// entries; nil otherwise (the held entries are appended or put as they are).
    private func storedEntriesToRewrite(_ db: Database, before first: Entry, held: Int, environment: Environment) throws
        -> [Entry]?
    {
        try environment.read { txn in
            let stored = try txn.statistics(of: db).entries
            guard stored > 0, stored <= held else { return nil }
            let interleaves = try txn.withCursor(db) { cursor in
                try cursor.last { key, _ in first.precedes(Entry(key: key, valueStart: 0, valueCount: 0)) }
            } ?? false
            guard interleaves else { return nil }
            var result: [Entry] = []
            result.reserveCapacity(stored)
            try txn.forEach(db) { key, value in
                result.append(Entry(key: key, valueStart: values.count, valueCount: value.count))
                if !value.isEmpty { values.append(contentsOf: value) }
                return true
            }
            return result
        }
    }

    /// The entries of two key-ordered lists in one key order. Their keys are distinct: a held
    /// entry's key is new by construction.
    static func merged(_ a: [Entry], _ b: [Entry]) -> [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(a.count + b.count)
        var i = a.startIndex
        var j = b.startIndex
        while i < a.endIndex && j < b.endIndex {
            if a[i].precedes(b[j]) {
                result.append(a[i])
                i += 1
            } else {
                precondition(b[j].precedes(a[i]), "a held key that the view stores already")
                result.append(b[j])
                j += 1
            }
        }
        result.append(contentsOf: a[i...])
        result.append(contentsOf: b[j...])
        return result
    }

    /// Inserts `list` (in key order) into `db`: the entries above the view's last key are appended
    /// (all of them into an empty view: a rebuild's first flush, a store's first batch) and the
    /// others put. Held keys are new by construction, so either way each entry is inserted.
    private func insert(_ list: ArraySlice<Entry>, into db: Database, transaction: WriteTransaction) throws {
        // Entries before `appendFrom` sort below the view's last key (an earlier flush or transaction).
        var appendFrom = list.startIndex
        if let last = try transaction.withLastKey(db, { Entry(key: $0, valueStart: 0, valueCount: 0) }) {
            appendFrom = list.firstIndex { last.precedes($0) } ?? list.endIndex
        }
        try withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
            try values.withUnsafeBytes { held in
                // The transaction's kept cursor of `db` stays on the last page after an append, so
                // each further append goes in there without a descent from the root. The values lie
                // in the order their records came, not in key order: each would be a cache miss in
                // LMDB's copy, so the values a few entries ahead are asked for first.
                let ahead = BulkLoad.prefetchDistance
                for index in list.indices.prefix(ahead) { BulkLoad.prefetch(list[index], in: held) }
                for index in list.indices {
                    if index + ahead < list.endIndex { BulkLoad.prefetch(list[index + ahead], in: held) }
                    let entry = list[index]
                    key.storeBytes(of: entry.company.bigEndian, as: UInt64.self)
                    key.storeBytes(of: entry.sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
                    let value = UnsafeRawBufferPointer(rebasing: held[entry.valueStart..<entry.valueStart + entry.valueCount])
                    try transaction.put(db, key: UnsafeRawBufferPointer(key), value: value,
                                        options: index >= appendFrom ? .append : [])
                }
            }
        }
    }

    /// Entries `insert` asks memory for ahead of the one it inserts.
    static let prefetchDistance = 8

    /// Asks memory for every cache line of `entry`'s value in `held`.
    @inline(__always)
    private static func prefetch(_ entry: Entry, in held: UnsafeRawBufferPointer) {
        siglog_prefetch_range(held.baseAddress! + entry.valueStart, UInt(entry.valueCount))
    }

    /// Puts the held instance rows in key order (LMDB's order: bytes, then length). When every held
    /// key sorts after the view's last key (a first derive: the view is empty), they are appended,
    /// which fills each page instead of splitting it.
    private func flushInstances(into db: Database, transaction: WriteTransaction) throws {
        try instanceBytes.withUnsafeBytes { bytes in
            func key(_ entry: InstanceEntry) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: bytes[entry.keyStart..<entry.keyStart + entry.keyCount])
            }
            let precedes = BulkLoad.precedes
            // Sorted on each key's first sixteen bytes held beside it (`orderWords`: the entity and
            // the start of the signal id), so most comparisons call no `memcmp` (a first derive at 1M
            // events sorts ≈ 250k rows: `memcmp` was ≈ 10 % of its appending phase). Same order.
            var items = instances.map { entry -> (high: UInt64, low: UInt64, entry: InstanceEntry) in
                let words = BulkLoad.orderWords(key(entry))
                return (words.high, words.low, entry)
            }
            items.sort { x, y in
                if x.high != y.high { return x.high < y.high }
                if x.low != y.low { return x.low < y.low }
                return precedes(key(x.entry), key(y.entry))
            }
            let order = items.map(\.entry)
            items = []
            for (previous, next) in zip(order, order.dropFirst()) {
                precondition(precedes(key(previous), key(next)), "an instance row held twice in one transaction")
            }
            let appends = try transaction.withLastKey(db) { last in precedes(last, key(order[0])) } ?? true
            for entry in order {
                let valueStart = entry.keyStart + entry.keyCount
                try transaction.put(db, key: key(entry),
                                    value: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueStart + entry.valueCount]),
                                    options: appends ? .append : [])
            }
        }
    }

    /// Drops everything held (after the flush committed).
    func removeAll() {
        if !companyIndexes.isEmpty { companyIndexes = HeldCompanyIndexes() }
        keeping = nil
        entries = Array(repeating: [], count: BulkLoad.views.count)
        values = []
        instances = []
        instanceBytes = []
        count = 0
        changes &+= 1
        pendingOrder = nil
        reserveBudget()
    }

    /// How much is held at one moment, to go back to.
    struct Mark: Equatable {
        fileprivate var entries: [Int]
        fileprivate var values: Int
        fileprivate var instances: Int
        fileprivate var instanceBytes: Int
        fileprivate var count: Int
        fileprivate var instanceRows: HeldInstanceRows.Mark?
        fileprivate var companyIndexes: HeldCompanyIndexes.Mark
        fileprivate var emptyCompanyIndexes: ViewMask
    }

    /// What is held now.
    var mark: Mark {
        Mark(entries: entries.map(\.count), values: values.count, instances: instances.count,
             instanceBytes: instanceBytes.count, count: count, instanceRows: instanceRows?.mark,
             companyIndexes: companyIndexes.mark, emptyCompanyIndexes: emptyCompanyIndexes)
    }

    /// Drops what was added after `mark`: a write transaction that runs again from the start (the
    /// map grew, or another process grew it) adds its records again, and must not hold them twice.
    func rollBack(to mark: Mark) {
        for slot in entries.indices where entries[slot].count > mark.entries[slot] {
            entries[slot].removeSubrange(mark.entries[slot]...)
        }
        if values.count > mark.values { values.removeSubrange(mark.values...) }
        if instances.count > mark.instances { instances.removeSubrange(mark.instances...) }
        if instanceBytes.count > mark.instanceBytes { instanceBytes.removeSubrange(mark.instanceBytes...) }
        if let rows = mark.instanceRows { instanceRows?.rollBack(to: rows) }
        // A flush of the company indexes in the transaction being rolled back found the views
        // empty no longer; the views are back as they were.
        companyIndexes.rollBack(to: mark.companyIndexes)
        emptyCompanyIndexes = mark.emptyCompanyIndexes
        count = mark.count
        changes &+= 1
    }
}

/// A run of consecutive `event_stored` records as a rebuild's bulk load takes them: their events
/// index entries `(company, sequence)` → nothing, and the sum of those entries' fingerprint hashes.
/// Built on replay's reader thread; applying it gives the checkpoint row and the held entries that
/// `ViewWriter.putIfAbsent(_:company:sequence:)` gives applying the records one by one (the
/// fingerprint is a wrapping sum, so adding the run's sum equals adding each hash in turn).
struct EventRun: Sendable {
    private(set) var entries: [BulkLoad.Entry] = []
    private(set) var hashSum: UInt128 = 0
    var first: UInt64 { entries.first.map(\.sequence) ?? 0 }
    var last: UInt64 { entries.last.map(\.sequence) ?? 0 }

    /// Adds the entry of the event `sequence` of `company`: the same key and hash as the one-by-one path.
    mutating func add(company: Int64, sequence: UInt64) {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { key in
            key.storeBytes(of: ViewKey.orderedBits(company).bigEndian, as: UInt64.self)
            key.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
            hashSum &+= Fingerprint.entryHash(key: UnsafeRawBufferPointer(key), value: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        entries.append(BulkLoad.Entry(company: ViewKey.orderedBits(company), sequence: sequence, valueStart: 0, valueCount: 0))
    }
}
