import CLMDB
import Glibc

extension Environment {
    // MARK: - A full file system

    /// Bytes free on the file system holding the environment, for this process's user (root may use
    /// the blocks reserved for it); nil when the file system cannot be asked.
    public var freeBytes: Int? { Environment.freeBytes(at: path) }

    /// Throws for a failed `mdb_txn_commit`. LMDB reports a short write — what a full file system
    /// gives once part of a page run fitted — as `EIO`; with (nearly) no space left afterwards that
    /// is reported as `ENOSPC`, which is what it is.
    func checkCommit(_ result: Int32) throws(LMDBError) {
        guard result != 0 else { return }
        if result == ENOSPC || result == EDQUOT {
            throw LMDBError(code: result, function: "mdb_txn_commit")
        }
        // One page run is written per call (at most 64 pages): after a short write, less than that is free.
        if result == EIO, let free = freeBytes, free < 1 << 20 {
            throw LMDBError(code: ENOSPC, function: "mdb_txn_commit",
                            detail: "No space left on device (a short write; \(free) bytes free)")
        }
        throw LMDBError(code: result, function: "mdb_txn_commit")
    }

    // MARK: - Damage

    // (The environment is closed by `deinit` when the initializer throws after this.)

    /// Checks, before anything is read through the map, that the data file holds every page its
    /// trees reach (a truncated file would crash the process with SIGBUS) and that the catalog of
    /// named databases is sound. Cheap unless the file is shorter than its last page: then every
    /// tree is walked, because LMDB may legitimately leave unwritten pages at the end.
    func checkDataFile() throws(LMDBError) {
        do {
            var info = MDB_envinfo()
            mdb_env_info(handle, &info)
            var stat = MDB_stat()
            mdb_env_stat(handle, &stat)
            let size = Environment.fileSize(path + "/data.mdb") ?? 0
            try withDataFile { data in
                _ = try data.databases()
                // A damaged meta page can claim any last page: a size that overflows is a file too short.
                let pages = info.me_last_pgno.addingReportingOverflow(1)
                let needed = pages.partialValue.multipliedReportingOverflow(by: Int(stat.ms_psize))
                if pages.overflow || needed.overflow || size < needed.partialValue { _ = try data.checkAllPages() }
            }
        } catch let damage as PageDamage {
            throw LMDBError(code: MDB_CORRUPTED, function: "data.mdb", detail: damage.description)
        } catch let error as LMDBError {
            throw error
        } catch {
            throw LMDBError(code: MDB_CORRUPTED, function: "data.mdb", detail: "\(error)")
        }
    }

    /// Checks, before `mdb_env_open` maps the file, the page size each meta page of an existing
    /// `data.mdb` declares. LMDB takes the page size from the newest meta page without checking it
    /// and then reads its second meta page at that offset through the map: a damaged size would
    /// crash the process (SIGBUS or a wild read) instead of reporting the damage.
    static func checkMetaPages(_ path: String) throws(LMDBError) {
        let fd = open(path + "/data.mdb", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }  // a new store, or one LMDB will refuse itself
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return }
        let fileSize = Int(info.st_size)
        // The page size of each meta page that carries the magic (LMDB reports a bad first meta
        // page itself); the file must hold both meta pages at that size.
        func pageSize(at offset: Int) -> Int? {
            DataFile.metaBytes(fd: fd, offset: offset).flatMap { bytes in
                bytes.withUnsafeBytes { DataFile.isMetaPage($0) ? DataFile.declaredPageSize($0) : nil }
            }
        }
        func plausible(_ size: Int) -> Bool { DataFile.isPossiblePageSize(size) && 2 * size <= fileSize }
        guard let first = pageSize(at: 0) else { return }
        guard plausible(first) else {
            throw LMDBError(code: MDB_CORRUPTED, function: "data.mdb", detail: "meta page 0 declares an impossible page size \(first)")
        }
        if let second = pageSize(at: first), !plausible(second) {
            throw LMDBError(code: MDB_CORRUPTED, function: "data.mdb", detail: "meta page 1 declares an impossible page size \(second)")
        }
    }

    // MARK: - Copy

    /// Writes a consistent copy of the environment into the directory `destination` (which must
    /// exist and hold no `data.mdb`) while other transactions go on: the copy is the snapshot of one
    /// read transaction. `compact` leaves out free pages and renumbers the rest (smaller, and a
    /// fresh layout). The corresponding C function is `mdb_env_copy2` (with `MDB_CP_COMPACT`).
    public func copy(to destination: String, compact: Bool = true) throws {
        try transactionGate.withReadLock {
            let result = mdb_env_copy2(handle, destination, compact ? UInt32(MDB_CP_COMPACT) : 0)
            if result == EIO, let free = Environment.freeBytes(at: destination), free < 1 << 20 {
                throw LMDBError(code: ENOSPC, function: "mdb_env_copy2", detail: "No space left on device (\(free) bytes free)")
            }
            try check(result, "mdb_env_copy2")
        }
    }

    /// The size of the file at `path`, nil when it cannot be asked.
    static func fileSize(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Free bytes on the file system holding `path` (see `freeBytes`).
    static func freeBytes(at path: String) -> Int? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int(geteuid() == 0 ? info.f_bfree : info.f_bavail) * Int(info.f_frsize)
    }
}
