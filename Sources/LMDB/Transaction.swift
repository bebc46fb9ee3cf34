import CLMDB

/// A read transaction: one consistent snapshot of the environment. Only valid inside the closure
/// that received it; byte buffers it returns are valid until the transaction ends (or, in a write
/// transaction, until the next write).
public class Transaction {
    var handle: OpaquePointer
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

    /// The value stored under `key`, or nil. The corresponding C function is `mdb_get`.
    public func get(_ database: Database, key: UnsafeRawBufferPointer) throws -> UnsafeRawBufferPointer? {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let result = mdb_get(handle, database.handle, &k, &v)
        if result == MDB_NOTFOUND { return nil }
        try check(result, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// The value stored under `key`, copied out.
    public func get(_ database: Database, key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { keyBytes in
            try get(database, key: keyBytes).map { Array($0) }
        }
    }

    /// Whether `key` is present.
    public func contains(_ database: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try get(database, key: $0) != nil }
    }

    /// A cursor over `database`, closed when the transaction ends or the cursor is released.
    /// The corresponding C function is `mdb_cursor_open`.
    public func cursor(_ database: Database) throws -> Cursor {
        checkValid()
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open")
        return Cursor(handle: cursor!, transaction: self)
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

    /// Stores `value` under `key` (any contiguous byte containers).
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

    /// Removes `key` (any contiguous byte container).
    @discardableResult
    public func delete(_ database: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try delete(database, key: $0) }
    }

    /// Stores `value` under `key` unless the key is present. Returns nil when stored, else the
    /// existing value (valid until the next write), which is left unchanged: one B-tree descent
    /// tells a new key from an overwrite. The corresponding C call is `mdb_put` with `MDB_NOOVERWRITE`.
    public func insert(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) throws -> UnsafeRawBufferPointer? {
        checkValid()
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let result = mdb_put(handle, database.handle, &k, &v, UInt32(MDB_NOOVERWRITE))
        if result == MDB_KEYEXIST { return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size) }
        try check(result, "mdb_put")
        return nil
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
