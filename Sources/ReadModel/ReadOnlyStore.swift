import EventLog
import Glibc
public import Projections

extension Store {
    /// Opens the store at `path` read-only (`MDB_RDONLY`), for every reader (query tool, HTTP reads).
    ///
    /// A store in a directory this process cannot write (a read-only mount, a backup owned by someone
    /// else) cannot have its lock file created or opened for writing, so the engine refuses to open it
    /// with `EACCES`/`EROFS`. Then the store is opened again without the lock file. The trade-off:
    /// without the lock file this reader is invisible to writers, so a writer appending at the same
    /// time may reuse pages this reader still sees and the reader can observe a torn snapshot. That
    /// cannot happen when nobody can write the directory — the usual reason the lock file is
    /// unwritable — and otherwise it is the only way to read at all.
    public static func openForReading(path: String) throws -> Store {
        do {
            return try Store(path: path, mode: .readOnly)
        } catch LogError.storage(let failure) where failure.code == EACCES || failure.code == EROFS {
            return try Store(path: path, mode: .readOnly, noLock: true)
        }
    }
}
