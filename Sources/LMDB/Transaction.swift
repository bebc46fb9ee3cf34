import CLMDB

/// A read transaction: one consistent snapshot of the environment, valid only inside the closure
/// that received it (`Environment.read`, `Environment.write`); any use after that closure returned
/// traps.
///
/// Bytes stored in LMDB are never returned: they are lent to a closure (`withValue`, the cursor
/// methods), because they live in the memory map and are only valid until the transaction ends —
/// in a write transaction, until its next write. What must outlive the closure is copied
/// (`value(_:key:)` returns a copy).
public class Transaction {
    let handle: OpaquePointer
    unowned let environment: Environment
    // Unchecked (here and in the kept cursors): a transaction belongs to one thread and these are
    // read by every put, where the run-time exclusivity check cost more than the put's own Swift code.
    @exclusivity(unchecked) private var isValid = true

    init(handle: OpaquePointer, environment: Environment) {
        self.handle = handle
        self.environment = environment
    }

    func invalidate() { isValid = false }

    /// The transaction's id (`mdb_txn_id`): a read transaction's snapshot, or the id a write
    /// transaction commits as — one above the environment's last committed transaction when it began.
    public var id: Int {
        checkValid()
        return Int(mdb_txn_id(handle))
    }

    @inline(__always)
    func checkValid() {
        precondition(isValid, "LMDB transaction used outside of its closure")
    }

    /// Lends the value stored under `key` to `body` and returns what `body` returns, or nil when
    /// the key is absent. The bytes are valid only inside `body`. The corresponding C function is
    /// `mdb_get`.
    public func withValue<R>(
        _ database: Database, key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let result = mdb_get(handle, database.handle, &k, &v)
        if result == MDB_NOTFOUND { return nil }
        try check(result, "mdb_get")
        return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Lends the value stored under `key` (any byte array) to `body`; nil when absent.
    public func withValue<R>(_ database: Database, key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try key.withUnsafeBytes { try withValue(database, key: $0, body) }
    }

    /// A copy of the value stored under `key`, or nil.
    public func value(_ database: Database, key: [UInt8]) throws -> [UInt8]? {
        try withValue(database, key: key) { Array($0) }
    }

    /// Whether `key` is present.
    public func contains(_ database: Database, key: [UInt8]) throws -> Bool {
        try withValue(database, key: key) { _ in true } ?? false
    }

    /// Opens a cursor over `database`, lends it to `body`, and closes it when `body` returns (also
    /// in a write transaction, whose cursors must be closed while it is live). The corresponding C
    /// functions are `mdb_cursor_open` and `mdb_cursor_close`.
    public func withCursor<R>(_ database: Database, _ body: (borrowing Cursor) throws -> R) throws -> R {
        checkValid()
        var handle: OpaquePointer?
        try check(mdb_cursor_open(self.handle, database.handle, &handle), "mdb_cursor_open")
        let cursor = Cursor(handle: handle!, transaction: self)
        defer { mdb_cursor_close(handle) }
        return try body(cursor)
    }

    /// Calls `body` with the entries of `database` in key order, from the first key at or after
    /// `start` (the first entry when nil), until `body` returns false. Keys and values are valid
    /// only inside `body`.
    public func forEach(
        _ database: Database, from start: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(database) { cursor in
            // LMDB rejects an empty key: an empty start means "from the first entry".
            var more = if let start, !start.isEmpty { try cursor.seek(atOrAfter: start, body) } else { try cursor.first(body) }
            while more == true { more = try cursor.next(body) }
        }
    }

    /// Calls `body` with the entries of `database` in reverse key order, from the last key before
    /// `end` (the last entry when nil), until `body` returns false.
    public func forEachBackward(
        _ database: Database, before end: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(database) { cursor in
            var more: Bool?
            if let end, !end.isEmpty, try cursor.seek(atOrAfter: end, { _, _ in true }) != nil {
                more = try cursor.previous(body)
            } else {
                more = try cursor.last(body)
            }
            while more == true { more = try cursor.previous(body) }
        }
    }

    /// Entry count and page figures of `database`. The corresponding C function is `mdb_stat`.
    public func statistics(of database: Database) throws -> DatabaseStatistics {
        checkValid()
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.handle, &stat), "mdb_stat")
        return DatabaseStatistics(
            entries: stat.ms_entries, depth: Int(stat.ms_depth), branchPages: stat.ms_branch_pages,
            leafPages: stat.ms_leaf_pages, overflowPages: stat.ms_overflow_pages, pageSize: Int(stat.ms_psize))
    }
}

/// A write transaction: everything done through it commits together or not at all.
///
/// Its writes go through one cursor per database, opened at the database's first write and kept
/// to the end of the transaction (LMDB frees a write transaction's cursors when it commits or
/// aborts). A kept cursor stays on the leaf page of its last write, and LMDB looks for the next
/// key on that page before it descends from the root: writes in key order, or near the last one,
/// skip the descent and its dirty-page lookups. Where the key goes, and so every page, is what
/// `mdb_put` (a fresh cursor per call) gives.
public final class WriteTransaction: Transaction {
    /// The kept write cursors, by database handle (nil: none opened yet).
    @exclusivity(unchecked) private var writeCursors: [OpaquePointer?] = []

    /// The kept write cursor of `database`, opened at its first use.
    @inline(__always)
    private func writeCursor(_ database: Database) throws -> OpaquePointer {
        let index = Int(database.handle)
        if index < writeCursors.count, let cursor = writeCursors[index] { return cursor }
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open")
        if index >= writeCursors.count { writeCursors.append(contentsOf: repeatElement(nil, count: index + 1 - writeCursors.count)) }
        writeCursors[index] = cursor
        return cursor!
    }

    /// Closes the kept write cursor of `database`, if any (before the database is emptied or
    /// dropped, and before a delete, so no kept cursor depends on LMDB's repositioning of other
    /// cursors around a removed entry or a merged page).
    private func closeWriteCursor(_ database: Database) {
        let index = Int(database.handle)
        guard index < writeCursors.count, let cursor = writeCursors[index] else { return }
        mdb_cursor_close(cursor)
        writeCursors[index] = nil
    }

    /// Stores `value` under `key`. The corresponding C function is `mdb_put` (here `mdb_cursor_put`
    /// on the database's kept cursor, the same write).
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        options: WriteOptions = []
    ) throws {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(try writeCursor(database), &k, &v, options.rawValue), "mdb_put")
    }

    /// Stores `value` under `key` (byte arrays).
    public func put(
        _ database: Database, key: [UInt8], value: [UInt8], options: WriteOptions = []
    ) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try put(database, key: k, value: v, options: options) }
        }
    }

    /// Reserves `count` bytes under `key` and lets `fill` write them in place, saving a copy.
    /// The corresponding C flag is `MDB_RESERVE`.
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, reserving count: Int, options: WriteOptions = [],
        fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: count, mv_data: nil)
        try check(mdb_cursor_put(try writeCursor(database), &k, &v, options.rawValue | UInt32(MDB_RESERVE)), "mdb_put")
        try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    /// Removes `key`; returns whether it was present. The corresponding C function is `mdb_del`.
    @discardableResult
    public func delete(_ database: Database, key: UnsafeRawBufferPointer) throws -> Bool {
        checkValid()
        closeWriteCursor(database)
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let result = mdb_del(handle, database.handle, &k, nil)
        if result == MDB_NOTFOUND { return false }
        try check(result, "mdb_del")
        return true
    }

    /// Removes `key` (a byte array).
    @discardableResult
    public func delete(_ database: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try delete(database, key: $0) }
    }

    /// Stores `value` under `key` unless the key is present, and returns whether it stored it. When
    /// the key is present its value is left unchanged and lent to `existing` (valid only inside it):
    /// one B-tree descent tells a new key from an overwrite. The corresponding C call is `mdb_put`
    /// with `MDB_NOOVERWRITE`.
    @discardableResult
    public func insert(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        existing: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    ) throws -> Bool {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let result = mdb_cursor_put(try writeCursor(database), &k, &v, UInt32(MDB_NOOVERWRITE))
        if result == MDB_KEYEXIST {
            try existing(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
            return false
        }
        try check(result, "mdb_put")
        return true
    }

    /// The last key of `database` (LMDB's key order), lent to `body` (valid only inside it); nil
    /// when the database is empty. Read through the database's kept write cursor, which then
    /// stands on the last page: where the appends of keys above this one go next.
    public func withLastKey<R>(_ database: Database, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        checkValid()
        var k = MDB_val()
        var v = MDB_val()
        let result = mdb_cursor_get(try writeCursor(database), &k, &v, MDB_LAST)
        if result == MDB_NOTFOUND { return nil }
        try check(result, "mdb_cursor_get")
        return try body(UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size))
    }

    /// Stores `value` under `key` when `key` sorts after every key of `database`, and returns whether
    /// it did; otherwise changes nothing and returns false. An append fills the last page instead
    /// of splitting it in the middle, and finds its place without comparing keys on the way down.
    /// The corresponding C call is `mdb_put` with `MDB_APPEND` (which answers `MDB_KEYEXIST` for a
    /// key at or below the last one), here on the database's kept cursor.
    public func appendIfLast(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) throws -> Bool {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let result = mdb_cursor_put(try writeCursor(database), &k, &v, UInt32(MDB_APPEND))
        if result == MDB_KEYEXIST { return false }
        try check(result, "mdb_put")
        return true
    }

    /// Stores `value` under `key`; when the key is present, its value is lent to `replacing` first
    /// (valid only inside it), which tells whether to overwrite it. Returns whether the key was new.
    /// One B-tree descent for the read and the write: the overwrite is made where the insert
    /// attempt found the key (`MDB_CURRENT` on the kept cursor, which writes what `mdb_put` of the
    /// same key and value writes).
    @discardableResult
    public func upsert(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        replacing: (UnsafeRawBufferPointer) throws -> Bool
    ) throws -> Bool {
        checkValid()
        let cursor = try writeCursor(database)
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let result = mdb_cursor_put(cursor, &k, &v, UInt32(MDB_NOOVERWRITE))
        guard result == MDB_KEYEXIST else {
            try check(result, "mdb_put")
            return true
        }
        guard try replacing(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)) else { return false }
        v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_cursor_put(cursor, &k, &v, UInt32(MDB_CURRENT)), "mdb_put")
        return false
    }

    /// Deletes `database` from the environment (its entries and its name); its handle is closed
    /// at once and must not be used again. The corresponding C function is `mdb_drop` with `del = 1`.
    public func drop(_ database: Database) throws {
        checkValid()
        closeWriteCursor(database)
        try check(mdb_drop(handle, database.handle, 1), "mdb_drop")
        if let name = database.name { environment.forgetDatabase(name) }
    }

    /// Removes every entry of `database` but keeps it open. The corresponding C function is `mdb_drop`.
    public func empty(_ database: Database) throws {
        checkValid()
        closeWriteCursor(database)
        try check(mdb_drop(handle, database.handle, 0), "mdb_drop")
    }
}
