import CLMDB

/// A named database inside an environment. Handles are opened once per environment and kept for
/// its lifetime (LMDB's rule); they are plain values that can be shared across threads.
public struct Database: Sendable, Hashable {
    /// The LMDB handle (`MDB_dbi`).
    let handle: MDB_dbi
    /// The name the database was opened with (`nil` for the unnamed main database).
    public let name: String?
}

/// Flags for opening a named database.
public struct DatabaseOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Keys are compared in reverse byte order.
    public static let reverseKey = DatabaseOptions(rawValue: UInt32(MDB_REVERSEKEY))
    /// Several sorted values per key.
    public static let duplicateSort = DatabaseOptions(rawValue: UInt32(MDB_DUPSORT))
}

/// Flags for a single write.
public struct WriteOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Fail with `LMDBError.keyExists` instead of overwriting. The corresponding C flag is `MDB_NOOVERWRITE`.
    public static let noOverwrite = WriteOptions(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every existing key: a fast append. The corresponding C flag is `MDB_APPEND`.
    public static let append = WriteOptions(rawValue: UInt32(MDB_APPEND))
}

/// Size figures of a database. The corresponding C type is `MDB_stat`.
public struct DatabaseStatistics: Sendable, Hashable {
    public var entries: Int
    public var depth: Int
    public var branchPages: Int
    public var leafPages: Int
    public var overflowPages: Int
    public var pageSize: Int
    /// Pages in use times the page size.
    public var bytesUsed: Int { (branchPages + leafPages + overflowPages) * pageSize }
}
