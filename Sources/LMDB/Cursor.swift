import CLMDB

/// A position in a database, for ordered scans; lent by `Transaction.withCursor`, which closes it
/// while its transaction is still live. Not copyable, so it cannot be kept past that closure.
///
/// Every positioning method lends the entry it lands on to `body` (key and value valid only inside
/// it) and returns what `body` returns, or nil when there is no such entry.
public struct Cursor: ~Copyable {
    private let handle: OpaquePointer
    private let transaction: Transaction

    init(handle: OpaquePointer, transaction: Transaction) {
        self.handle = handle
        self.transaction = transaction
    }

    private func get<R>(
        _ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        transaction.checkValid()
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let result = mdb_cursor_get(handle, &k, &v, op)
        if result == MDB_NOTFOUND { return nil }
        try check(result, "mdb_cursor_get")
        return try body(UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
                        UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Moves to the first entry (`MDB_FIRST`).
    public func first<R>(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try get(MDB_FIRST, body)
    }

    /// Moves to the last entry (`MDB_LAST`).
    public func last<R>(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try get(MDB_LAST, body)
    }

    /// Moves to the next entry (`MDB_NEXT`); nil at the end.
    public func next<R>(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try get(MDB_NEXT, body)
    }

    /// Moves to the previous entry (`MDB_PREV`); nil at the start.
    public func previous<R>(_ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try get(MDB_PREV, body)
    }

    /// Moves to the first entry whose key is ≥ `key` (`MDB_SET_RANGE`).
    public func seek<R>(
        atOrAfter key: UnsafeRawBufferPointer, _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        try get(MDB_SET_RANGE, key: key, body)
    }

    /// Moves to the first entry whose key is ≥ `key` (a byte array).
    public func seek<R>(
        atOrAfter key: [UInt8], _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        try key.withUnsafeBytes { try seek(atOrAfter: $0, body) }
    }
}
