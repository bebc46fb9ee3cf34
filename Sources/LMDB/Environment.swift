import CLMDB
import Dispatch
import Glibc
import Synchronization

/// An LMDB environment: one directory holding `data.mdb` and `lock.mdb`, and the named databases
/// inside it. Open each environment once per process and keep it; transactions are scoped to
/// closures (`read { }`, `write { }`).
///
/// `@unchecked Sendable`: the `MDB_env` handle is safe to use from any thread by LMDB's contract
/// (opened with `MDB_NOTLS`, so read transactions are not tied to a thread); the mutable Swift
/// state — the database-handle cache — is behind a `Mutex`, and map resizing is serialized
/// against every open transaction of this process by `transactionGate`.
public final class Environment: @unchecked Sendable {
    /// How to open an environment.
    public struct Options: Sendable {
        /// Open with `MDB_RDONLY`: every write fails and nothing on disk changes.
        public var readOnly: Bool = false
        /// Create the directory when it does not exist (ignored for read-only environments).
        public var createIfMissing: Bool = true
        /// Initial map size in bytes; the map grows by itself when writes need more.
        public var initialMapSize: Int = 64 << 20
        /// Size of the reader table (LMDB's default is 126; stale slots are cleared at open).
        public var maxReaders: UInt32 = 1024
        /// How many named databases the environment may hold.
        public var maxDatabases: UInt32 = 128
        /// `false` skips the fsync on commit (`MDB_NOSYNC`): for tests and scratch stores only.
        public var durable: Bool = true
        /// Open without the lock file (`MDB_NOLOCK`); only safe when no writer can exist.
        public var noLock: Bool = false

        public init() {}
    }

    let handle: OpaquePointer
    /// The directory of the environment.
    public let path: String
    /// Whether the environment was opened with `MDB_RDONLY`.
    public let isReadOnly: Bool
    private let databases = Mutex<[String: Database]>([:])
    let transactionGate = ReadWriteLock()

    /// Opens (and, unless read-only, creates) the environment at `path`.
    /// The corresponding C functions are `mdb_env_create`, `mdb_env_open` and `mdb_reader_check`.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        if !options.readOnly && options.createIfMissing {
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw LMDBError(code: errno, function: "mkdir") }
        }
        try Environment.checkMetaPages(path)
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: ENOMEM, function: "mdb_env_create") }
        var flags = UInt32(MDB_NOTLS)
        if options.readOnly { flags |= UInt32(MDB_RDONLY) }
        if !options.durable { flags |= UInt32(MDB_NOSYNC) }
        if options.noLock { flags |= UInt32(MDB_NOLOCK) }
        do {
            try check(mdb_env_set_maxreaders(env, options.maxReaders), "mdb_env_set_maxreaders")
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)), "mdb_env_set_maxdbs")
            if !options.readOnly {
                try check(mdb_env_set_mapsize(env, options.initialMapSize), "mdb_env_set_mapsize")
            }
            try check(mdb_env_open(env, path, flags, 0o644), "mdb_env_open")
        } catch {
            mdb_env_close(env)
            throw error
        }
        if !options.noLock {
            var dead: Int32 = 0
            _ = mdb_reader_check(env, &dead)  // clears slots left by killed processes
        }
        self.handle = env
        self.path = path
        self.isReadOnly = options.readOnly
        try checkDataFile()
    }

    deinit { mdb_env_close(handle) }

    // MARK: - Databases

    /// Opens the named database, creating it when `create` is true (needs a writable environment).
    /// Open databases up front, never from inside a transaction body.
    /// Handles are cached: asking twice returns the same handle. The corresponding C function is
    /// `mdb_dbi_open`.
    public func database(_ name: String, options: DatabaseOptions = [], create: Bool = true) throws -> Database {
        try databases([name], options: options, create: create)[0]
    }

    /// Opens the named databases as `database(_:options:create:)` does, all those not yet open in
    /// one transaction: creating a set of databases then costs one durable commit, not one each.
    public func databases(_ names: [String], options: DatabaseOptions = [], create: Bool = true) throws -> [Database] {
        let cached = databases.withLock { cache in names.map { cache[$0] } }
        let missing = names.indices.filter { cached[$0] == nil }
        guard !missing.isEmpty else { return cached.map { $0! } }
        let readOnly = isReadOnly || !create
        var opened: [Database] = []
        var attempts = 0
        while true {
            attempts += 1
            do {
                opened = try transactionGate.withReadLock {
                    let txn = try beginTransaction(readOnly: readOnly)
                    var result: [Database] = []
                    for index in missing {
                        var dbi: MDB_dbi = 0
                        let flags = options.rawValue | (readOnly ? 0 : UInt32(MDB_CREATE))
                        let code = mdb_dbi_open(txn, names[index], flags, &dbi)
                        guard code == 0 else {
                            mdb_txn_abort(txn)
                            throw LMDBError(code: code, function: "mdb_dbi_open")
                        }
                        result.append(Database(handle: dbi, name: names[index]))
                    }
                    // Committing (even a read-only transaction) keeps the handles open for the
                    // environment's lifetime; aborting would close them again.
                    try check(mdb_txn_commit(txn), "mdb_txn_commit")
                    return result
                }
                break
            } catch is MapResizedElsewhere {
                try adoptMapSize(attempts: attempts)
            }
        }
        var all = cached
        databases.withLock { cache in
            for (index, database) in zip(missing, opened) {
                cache[names[index]] = database
                all[index] = database
            }
        }
        return all.map { $0! }
    }

    /// Removes a dropped database's handle from the cache so a later `database(_:)` opens it anew.
    func forgetDatabase(_ name: String) {
        _ = databases.withLock { $0.removeValue(forKey: name) }
    }

    /// Whether a named database exists, without creating it.
    public func hasDatabase(_ name: String) throws -> Bool {
        if databases.withLock({ $0[name] }) != nil { return true }
        do {
            _ = try database(name, create: false)
            return true
        } catch LMDBError.notFound {
            return false
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a read-only transaction that sees one consistent snapshot, then ends it.
    /// Keep bodies short and synchronous: a long read transaction pins old pages and grows the file.
    /// The corresponding C functions are `mdb_txn_begin` (with `MDB_RDONLY`) and `mdb_txn_abort`.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try transactionGate.withReadLock {
                    let txn = try beginTransaction(readOnly: true)
                    defer { mdb_txn_abort(txn) }
                    let transaction = Transaction(handle: txn, environment: self)
                    defer { transaction.invalidate() }
                    return try body(transaction)
                }
            } catch is MapResizedElsewhere {
                try adoptMapSize(attempts: attempts)
            }
        }
    }

    /// Runs `body` in a write transaction: commits when it returns, aborts when it throws.
    ///
    /// When the map is full the transaction is aborted, the map is enlarged and `body` runs
    /// again from the start, so a body must only change state inside the transaction (publish
    /// in-memory effects after `write` returns). The corresponding C functions are
    /// `mdb_txn_begin`, `mdb_txn_commit`, `mdb_txn_abort` and `mdb_env_set_mapsize`.
    public func write<T>(_ body: (WriteTransaction) throws -> T) throws -> T {
        if isReadOnly { throw LMDBError(code: EACCES, function: "write (read-only environment)") }
        try growMapIfNearlyFull()
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try transactionGate.withReadLock {
                    let txn = try beginTransaction(readOnly: false)
                    let transaction = WriteTransaction(handle: txn, environment: self)
                    let result: T
                    do {
                        result = try body(transaction)
                    } catch {
                        transaction.invalidate()
                        mdb_txn_abort(txn)
                        throw error
                    }
                    transaction.invalidate()
                    // After a failed commit the transaction is already freed: never abort it.
                    try checkCommit(mdb_txn_commit(txn))
                    return result
                }
            } catch is MapResizedElsewhere {
                try adoptMapSize(attempts: attempts)
            } catch LMDBError.mapFull where attempts < 32 {
                try growMap(minimum: mapSize * 2)
            } catch LMDBError.mapFull {
                throw LMDBError(code: MDB_MAP_FULL, function: "write", detail: "the map could not grow enough (\(mapSize) bytes)")
            }
        }
    }

    /// Runs `body` while a thread of its own starts the write-out of the data file's dirty pages
    /// every `interval` (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which does not wait), and
    /// stops that thread before returning. A commit copies its pages into the file with `writev`
    /// and then waits in `fdatasync` for all of them to reach the disk; started while the copy is
    /// still going on, the disk writes overlap it and the sync waits only for the last ones. The
    /// commit still syncs as before: this moves no durability guarantee, only when the disk
    /// starts. Outside a commit nothing of the file is dirty and a pass does nothing. `pass` is
    /// called after each pass (tests). A read-only or non-durable environment just runs `body`.
    public func writingBack<R>(every interval: Duration = .milliseconds(2), pass: (@Sendable () -> Void)? = nil,
                               _ body: () throws -> R) rethrows -> R {
        var fd: mdb_filehandle_t = -1
        var flags: UInt32 = 0
        guard !isReadOnly, mdb_env_get_flags(handle, &flags) == 0, flags & UInt32(MDB_NOSYNC) == 0,
            mdb_env_get_fd(handle, &fd) == 0
        else { return try body() }
        let stop = DispatchSemaphore(value: 0)
        let (seconds, attoseconds) = interval.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        // A thread of its own, not a dispatch queue's: a pool whose workers are blocked (ingest's
        // parser waits on its writer on one) would hold the loop back, and this function waits
        // for the loop to end.
        let loop = ThreadBody { [fd] in
            while stop.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut {
                _ = siglog_start_writeback(fd)
                pass?()
            }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        guard pthread_create(&thread, nil, { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return try body()  // no thread: the commits sync as always, only without the head start
        }
        defer {
            stop.signal()
            pthread_join(thread, nil)
        }
        return try body()
    }

    /// Thrown by `beginTransaction` when another process grew the map past this process's size
    /// (`MDB_MAP_RESIZED`); the caller leaves the shared gate and adopts the new size.
    private struct MapResizedElsewhere: Error {}

    private func beginTransaction(readOnly: Bool) throws -> OpaquePointer {
        var txn: OpaquePointer?
        let result = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if result == MDB_MAP_RESIZED { throw MapResizedElsewhere() }
        try check(result, "mdb_txn_begin")
        return txn!
    }

    /// Adopts the map size another process set. `mdb_env_set_mapsize` may only run while no
    /// transaction of this process is open, so it runs under the gate's exclusive side: every
    /// read and write transaction of this process has ended and none can start meanwhile.
    /// Another process grows the map a few times at most while a transaction starts; a map size that
    /// is never adopted (a damaged meta page recording an impossible one) is damage, not a reason to
    /// loop forever.
    private func adoptMapSize(attempts: Int) throws {
        if attempts > 64 {
            throw LMDBError(code: MDB_CORRUPTED, function: "mdb_txn_begin",
                            detail: "the map size recorded in data.mdb cannot be adopted (a damaged meta page)")
        }
        try transactionGate.withWriteLock {
            try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize")
        }
    }

    // MARK: - Map size

    /// The current map size in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// The id of the last committed write transaction (each commit adds one).
    public var lastTransactionID: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_last_txnid
    }

    /// `mapSize` and `mapBytesUsed` read together on the transaction gate's shared side, where no
    /// other thread's `growMap` can remap the file: LMDB's figures read during a remap are garbage
    /// (an overflowing page count was seen). Outside a transaction of this thread, use this one.
    public var mapUsage: (size: Int, used: Int) {
        transactionGate.withReadLock { (mapSize, mapBytesUsed) }
    }

    /// Bytes of the map in use (last used page × page size).
    public var mapBytesUsed: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Grows the map ahead of a write when more than three quarters are in use, so most large
    /// batches never hit `MDB_MAP_FULL` at all.
    private func growMapIfNearlyFull() throws {
        let (size, used) = mapUsage
        if used > size / 4 * 3 { try growMap(minimum: size * 2) }
    }

    /// Enlarges the map to at least `minimum` bytes. Waits until no transaction of this process
    /// is open (the gate's exclusive side), as `mdb_env_set_mapsize` requires.
    public func growMap(minimum: Int) throws {
        try transactionGate.withWriteLock {
            let current = mapSize
            guard minimum > current else { return }
            let pageAligned = (minimum + 0xFFFF) & ~0xFFFF
            let result = mdb_env_set_mapsize(handle, pageAligned)
            // The map is address space, not disk: growing fails only when none is left.
            if result != 0 {
                throw LMDBError(code: result, function: "mdb_env_set_mapsize",
                                detail: "the map cannot grow from \(current) to \(pageAligned) bytes (\(String(cString: mdb_strerror(result))))")
            }
        }
    }

    // MARK: - Maintenance

    /// Flushes buffers to disk (needed only for environments opened non-durable).
    /// The corresponding C function is `mdb_env_sync`.
    public func sync() throws { try check(mdb_env_sync(handle, 1), "mdb_env_sync") }

    /// Statistics of a database. The corresponding C function is `mdb_stat`.
    public func statistics(of database: Database) throws -> DatabaseStatistics {
        try read { try $0.statistics(of: database) }
    }
}

/// A POSIX read-write lock. Transactions hold it shared; map resizing holds it exclusively.
///
/// It also counts, per thread, the shared holds: a thread that asks for the exclusive side while it
/// still holds the shared side (a transaction opened inside another one) would wait for itself
/// forever, so that request fails instead.
final class ReadWriteLock: @unchecked Sendable {
    // @unchecked: the pthread lock is itself the synchronization primitive, and the hold count is
    // thread-local.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var depthKey = pthread_key_t()

    init() {
        lock = .allocate(capacity: 1)
        pthread_rwlock_init(lock, nil)
        pthread_key_create(&depthKey, nil)
    }

    deinit {
        pthread_key_delete(depthKey)
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Shared holds of the calling thread (stored in the thread-specific pointer itself).
    private var depth: Int {
        get { Int(bitPattern: pthread_getspecific(depthKey)) }
        set { pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: newValue)) }
    }

    func withReadLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        depth += 1
        defer {
            depth -= 1
            pthread_rwlock_unlock(lock)
        }
        return try body()
    }

    /// Runs `body` with no transaction of this process open. Throws `MDB_BAD_TXN` when the calling
    /// thread is itself inside a transaction.
    func withWriteLock<T>(_ body: () throws -> T) throws -> T {
        guard depth == 0 else {
            throw LMDBError(code: MDB_BAD_TXN, function: "mdb_env_set_mapsize (a transaction of this thread is open)")
        }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}

/// A closure handed to a new POSIX thread through its context pointer.
private final class ThreadBody: @unchecked Sendable {
    // @unchecked: created on one thread and run once on the new one; never shared otherwise.
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
