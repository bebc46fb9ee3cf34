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
    private var isValid = true

    init(handle: OpaquePointer, environment: Environment) {
        self.handle = handle
        self.environment = environment
    }

    func invalidate() { isValid = false }

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
public final class WriteTransaction: Transaction {
    /// The cursor `appendAtEnd` keeps on one database for the whole transaction, closed when the
    /// transaction ends (before its commit or abort).
    private var endCursor: (database: MDB_dbi, handle: OpaquePointer)?

    override func invalidate() {
        if let endCursor { mdb_cursor_close(endCursor.handle) }
        endCursor = nil
        super.invalidate()
    }

    /// Stores `value` under `key`, which must sort after every key of `database` (an append-only
    /// database such as the log). Through a cursor the transaction keeps on `database`, each append
    /// goes in where the last one went instead of walking down from the root (another database
    /// given here is appended to with `mdb_put`). The corresponding C call is `mdb_cursor_put` with
    /// `MDB_APPEND`; a key at or below the last one is `LMDBError.keyExists`.
    /// Every append to `database` in the transaction must go through here: the kept cursor stands
    /// at the database's end, and an append made past it would not move it there.
    public func appendAtEnd(_ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try appendAtEnd(database, key: key, value: &v, flags: 0)
    }

    /// `appendAtEnd` of `count` bytes that `fill` writes in place (`MDB_RESERVE`), saving a copy.
    public func appendAtEnd(_ database: Database, key: UnsafeRawBufferPointer, reserving count: Int,
                            fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws {
        var v = MDB_val(mv_size: count, mv_data: nil)
        try appendAtEnd(database, key: key, value: &v, flags: UInt32(MDB_RESERVE))
        try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    private func appendAtEnd(_ database: Database, key: UnsafeRawBufferPointer, value: inout MDB_val, flags: UInt32) throws {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        if endCursor == nil {
            var handle: OpaquePointer?
            try check(mdb_cursor_open(self.handle, database.handle, &handle), "mdb_cursor_open")
            endCursor = (database.handle, handle!)
        }
        guard let endCursor, endCursor.database == database.handle else {
            return try check(mdb_put(handle, database.handle, &k, &value, UInt32(MDB_APPEND) | flags), "mdb_put")
        }
        try check(mdb_cursor_put(endCursor.handle, &k, &value, UInt32(MDB_APPEND) | flags), "mdb_cursor_put")
    }

    /// Stores `value` under `key`. The corresponding C function is `mdb_put`.
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
        options: WriteOptions = []
    ) throws {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(handle, database.handle, &k, &v, options.rawValue), "mdb_put")
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
        try check(mdb_put(handle, database.handle, &k, &v, options.rawValue | UInt32(MDB_RESERVE)), "mdb_put")
        try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    /// Removes `key`; returns whether it was present. The corresponding C function is `mdb_del`.
    @discardableResult
    public func delete(_ database: Database, key: UnsafeRawBufferPointer) throws -> Bool {
        checkValid()
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
        let result = mdb_put(handle, database.handle, &k, &v, UInt32(MDB_NOOVERWRITE))
        if result == MDB_KEYEXIST {
            try existing(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
            return false
        }
        try check(result, "mdb_put")
        return true
    }

    /// Stores `value` under `key` when `key` sorts after every key of `database`, and returns whether
    /// it did; otherwise changes nothing and returns false. An append fills the last page instead
    /// of splitting it in the middle, and finds its place without comparing keys on the way down.
    /// The corresponding C call is `mdb_put` with `MDB_APPEND` (which answers `MDB_KEYEXIST` for a
    /// key at or below the last one).
    public func appendIfLast(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) throws -> Bool {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let result = mdb_put(handle, database.handle, &k, &v, UInt32(MDB_APPEND))
        if result == MDB_KEYEXIST { return false }
        try check(result, "mdb_put")
        return true
    }

    /// Deletes `database` from the environment (its entries and its name); its handle is closed
    /// at once and must not be used again. The corresponding C function is `mdb_drop` with `del = 1`.
    public func drop(_ database: Database) throws {
        checkValid()
        try check(mdb_drop(handle, database.handle, 1), "mdb_drop")
        if let name = database.name { environment.forgetDatabase(name) }
    }

    /// Removes every entry of `database` but keeps it open. The corresponding C function is `mdb_drop`.
    public func empty(_ database: Database) throws {
        checkValid()
        try check(mdb_drop(handle, database.handle, 0), "mdb_drop")
    }
}
