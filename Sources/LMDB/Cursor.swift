import CLMDB

/// A position in a database, for ordered scans. Entries it returns are views into the map,
/// valid until the transaction ends or writes.
public final class Cursor {
    /// One key/value pair seen by a cursor.
    public struct Entry {
        public let key: UnsafeRawBufferPointer
        public let value: UnsafeRawBufferPointer
    }

    private let handle: OpaquePointer
    private let transaction: Transaction

    init(handle: OpaquePointer, transaction: Transaction) {
        self.handle = handle
        self.transaction = transaction
    }

    deinit { mdb_cursor_close(handle) }

    private func get(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        transaction.checkValid()
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let result = mdb_cursor_get(handle, &k, &v, op)
        if result == MDB_NOTFOUND { return nil }
        try check(result, "mdb_cursor_get")
        return Entry(
            key: UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
            value: UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry (`MDB_FIRST`).
    public func first() throws -> Entry? { try get(MDB_FIRST) }
    /// The last entry (`MDB_LAST`).
    public func last() throws -> Entry? { try get(MDB_LAST) }
    /// The entry after the current one (`MDB_NEXT`); nil at the end.
    public func next() throws -> Entry? { try get(MDB_NEXT) }
    /// The entry before the current one (`MDB_PREV`); nil at the start.
    public func previous() throws -> Entry? { try get(MDB_PREV) }
    /// The first entry whose key is ≥ `key` (`MDB_SET_RANGE`).
    public func seek(atOrAfter key: UnsafeRawBufferPointer) throws -> Entry? { try get(MDB_SET_RANGE, key: key) }
    /// The first entry whose key is ≥ `key`.
    public func seek(atOrAfter key: [UInt8]) throws -> Entry? {
        try key.withUnsafeBytes { try seek(atOrAfter: $0) }
    }
}
