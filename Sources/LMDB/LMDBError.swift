import CLMDB
import Glibc

/// An error returned by an LMDB call: the C result code, the call that returned it, and LMDB's text.
///
/// Compare against the named codes with `~=` in a `catch`:
/// `catch let error as LMDBError where error.code == LMDBError.notFound.code`, or `catch LMDBError.mapFull`.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The LMDB or errno result code.
    public var code: Int32
    /// The C function that returned the code, when known.
    public var function: String
    /// What went wrong in words, when the code alone would mislead (replaces LMDB's text).
    public var detail: String?

    public init(code: Int32, function: String = "", detail: String? = nil) {
        self.code = code
        self.function = function
        self.detail = detail
    }

    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    public static let corrupted = LMDBError(code: MDB_CORRUPTED)
    public static let pageNotFound = LMDBError(code: MDB_PAGE_NOTFOUND)
    public static let panic = LMDBError(code: MDB_PANIC)
    public static let versionMismatch = LMDBError(code: MDB_VERSION_MISMATCH)
    public static let invalid = LMDBError(code: MDB_INVALID)
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
    public static let readersFull = LMDBError(code: MDB_READERS_FULL)
    public static let transactionFull = LMDBError(code: MDB_TXN_FULL)
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    public static let badValueSize = LMDBError(code: MDB_BAD_VALSIZE)
    /// errno `EACCES`: what LMDB returns for a write in a read-only environment.
    public static let permissionDenied = LMDBError(code: EACCES)
    /// errno `ENOENT`: the environment's directory or files do not exist.
    public static let noSuchFile = LMDBError(code: ENOENT)
    /// errno `ENOSPC`: the file system holding the environment is full.
    public static let noSpace = LMDBError(code: ENOSPC)

    /// A symbolic name for the code (`MDB_MAP_FULL`, `EACCES`, …).
    public var name: String {
        switch code {
        case MDB_KEYEXIST: return "MDB_KEYEXIST"
        case MDB_NOTFOUND: return "MDB_NOTFOUND"
        case MDB_PAGE_NOTFOUND: return "MDB_PAGE_NOTFOUND"
        case MDB_CORRUPTED: return "MDB_CORRUPTED"
        case MDB_PANIC: return "MDB_PANIC"
        case MDB_VERSION_MISMATCH: return "MDB_VERSION_MISMATCH"
        case MDB_INVALID: return "MDB_INVALID"
        case MDB_MAP_FULL: return "MDB_MAP_FULL"
        case MDB_DBS_FULL: return "MDB_DBS_FULL"
        case MDB_READERS_FULL: return "MDB_READERS_FULL"
        case MDB_TXN_FULL: return "MDB_TXN_FULL"
        case MDB_MAP_RESIZED: return "MDB_MAP_RESIZED"
        case MDB_BAD_TXN: return "MDB_BAD_TXN"
        case MDB_BAD_VALSIZE: return "MDB_BAD_VALSIZE"
        case MDB_BAD_DBI: return "MDB_BAD_DBI"
        case EACCES: return "EACCES"
        case ENOENT: return "ENOENT"
        case EINVAL: return "EINVAL"
        case ENOSPC: return "ENOSPC"
        case EDQUOT: return "EDQUOT"
        case EIO: return "EIO"
        case ENOMEM: return "ENOMEM"
        case EROFS: return "EROFS"
        default: return "code \(code)"
        }
    }

    public var description: String {
        let text = detail ?? String(cString: mdb_strerror(code))
        let call = function.isEmpty ? "" : "\(function): "
        return "\(call)\(text) (\(name))"
    }

    /// Matches errors by code only, so `catch LMDBError.mapFull` works whatever function failed.
    public static func ~= (pattern: LMDBError, value: any Error) -> Bool {
        (value as? LMDBError)?.code == pattern.code
    }

    public static func == (lhs: LMDBError, rhs: LMDBError) -> Bool { lhs.code == rhs.code }
}

/// Throws an `LMDBError` for a non-zero result.
@inline(__always)
func check(_ result: Int32, _ function: StaticString) throws(LMDBError) {
    if result != 0 { throw LMDBError(code: result, function: "\(function)") }
}
