import Glibc
import LMDB

/// A failure of the storage engine underneath the log: an I/O error, a full disk, a damaged file.
/// The engine's own error type stays inside the store; this carries what a user or a caller needs.
public struct StorageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine's or the system's error code (`errno` values such as `ENOSPC`, or an LMDB code).
    public var code: Int32
    /// The operation that failed (the C function), when known.
    public var operation: String
    /// What the engine said, with the code's symbolic name.
    public var message: String

    /// Wraps an engine error.
    init(_ error: LMDBError) {
        code = error.code
        operation = error.function
        message = error.description
    }

    /// Whether the disk (or the file system holding the store) is full, or the store's map
    /// cannot grow to take more.
    public var isNoSpace: Bool { kind == .noSpace }

    /// The classes of storage failure callers act on differently.
    public enum Kind: Sendable, Hashable {
        /// The file system is full (`ENOSPC`, `EDQUOT`) or the map cannot grow.
        case noSpace
        /// Reading or writing the file failed (`EIO`, a read-only file system).
        case inputOutput
        /// The data file is damaged (a page that is not what it should be, a truncated file).
        case damaged
        /// Anything else (a bug, a limit of the engine).
        case other
    }

    /// This failure's class.
    public var kind: Kind {
        switch code {
        case ENOSPC, EDQUOT: .noSpace
        case LMDBError.mapFull.code: .noSpace
        case ENOMEM where operation == "mdb_env_set_mapsize": .noSpace
        case EIO, EROFS: .inputOutput
        case LMDBError.corrupted.code, LMDBError.invalid.code, LMDBError.pageNotFound.code: .damaged
        default: .other
        }
    }

    /// What ran out, in words, for a `noSpace` failure: "no space left on device", "disk quota
    /// exceeded" or why the map cannot grow.
    public var spaceReason: String {
        switch code {
        case ENOSPC: "no space left on device"
        case EDQUOT: "disk quota exceeded"
        default: "the store's map cannot grow (\(message))"
        }
    }

    public var description: String { "storage error: \(message)" }
}

/// Runs `body`, turning every error of the storage engine into `LogError.storage`, so nothing
/// above the store sees the engine's error type.
package func mappingStorageErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LMDBError {
        throw LogError.storage(StorageFailure(error))
    }
}

/// What can go wrong with the log itself. Every problem found in a stored record names its
/// sequence number, so an operator can find it (`siglog-query export --from N`).
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No store at the path; the message tells how to create one.
    case storeNotFound(path: String)
    /// The store was opened read-only and something tried to write.
    case readOnly(path: String)
    /// The stored bytes do not match their CRC-32C.
    case checksumMismatch(sequence: UInt64)
    /// The record is shorter than its envelope says.
    case truncatedRecord(sequence: UInt64)
    /// The record type is not one this binary knows.
    case unknownRecordType(sequence: UInt64, type: UInt16)
    /// The envelope format is newer than this binary (or invalid).
    case unsupportedFormat(sequence: UInt64, version: UInt8)
    /// Sequence numbers are not consecutive.
    case gap(after: UInt64, found: UInt64)
    /// A log key that is not an 8-byte sequence number.
    case malformedKey(after: UInt64)
    /// A payload that its record type cannot decode.
    case undecodablePayload(sequence: UInt64, reason: String)
    /// A dedup-index entry whose stored natural key differs from the looked-up one (hash collision
    /// or corruption).
    case dedupKeyMismatch
    /// The storage engine failed (I/O, disk full, damaged file).
    case storage(StorageFailure)
    /// The store lacks views a newer siglog added; a writer builds them when it opens the store.
    case viewsOutdated(path: String, missing: [String])
    /// A page of the data file is damaged. `database` names the database it belongs to (`log` for
    /// the records, nil for the catalog of databases); for the log, `after` is the last record read
    /// intact before it.
    case damagedPage(page: Int, reason: String, database: String?, after: UInt64?)
    /// The store at `path` is damaged (`problem` is the first damage found): writing is refused.
    indirect case damagedStore(path: String, problem: LogError)

    public var description: String {
        switch self {
        case .storeNotFound(let path):
            return "no store at \(path) (create one with `siglog-append init --store \(path)`)"
        case .readOnly(let path):
            return "the store at \(path) is open read-only"
        case .checksumMismatch(let seq):
            return "record \(seq): checksum mismatch (the stored bytes are damaged)"
        case .truncatedRecord(let seq):
            return "record \(seq): truncated or malformed envelope"
        case .unknownRecordType(let seq, let type):
            return "record \(seq): unknown record type \(type) (written by a newer siglog?)"
        case .unsupportedFormat(let seq, let version):
            return "record \(seq): envelope format \(version) is newer than this binary supports (\(Envelope.currentFormatVersion))"
        case .gap(let after, let found):
            return "log gap: record \(found) follows record \(after)"
        case .malformedKey(let after):
            return "log key after record \(after) is not a sequence number"
        case .undecodablePayload(let seq, let reason):
            return "record \(seq): \(reason)"
        case .dedupKeyMismatch:
            return "dedup index entry does not match its natural key"
        case .storage(let failure):
            return failure.description
        case .damagedPage(let page, let reason, let database, let after):
            switch database {
            case "log": return "record \((after ?? 0) + 1): page \(page) of data.mdb is damaged (\(reason))"
            case nil: return "page \(page) of data.mdb, the catalog of databases, is damaged (\(reason))"
            case let name?: return "page \(page) of data.mdb is damaged (\(reason)) in database \(name)"
            }
        case .damagedStore(let path, let problem):
            return "the store at \(path) is damaged: \(problem); nothing is written to it"
        case .viewsOutdated(let path, let missing):
            return "the store at \(path) lacks the views \(missing.joined(separator: ", ")), added by a newer siglog; "
                + "open it once for writing (any siglog-append command, e.g. `siglog-append init --store \(path)`) to build them"
        }
    }

    /// The sequence number the error names, when it names one.
    public var sequence: UInt64? {
        switch self {
        case .checksumMismatch(let s), .truncatedRecord(let s), .unknownRecordType(let s, _),
            .unsupportedFormat(let s, _), .undecodablePayload(let s, _):
            return s
        case .gap(_, let found): return found
        case .damagedPage(_, _, let database, let after): return database == "log" ? (after ?? 0) + 1 : nil
        case .damagedStore(_, let problem): return problem.sequence
        default: return nil
        }
    }
}
