import CLMDB

/// Read-only transactions that other threads open while a write transaction runs, each on the
/// snapshot that write transaction started from (the last commit), so a long write can have its
/// inputs read on another thread while its own thread writes. Obtained from
/// `WriteTransaction.withCommittedReads`; valid only inside that call.
///
/// They never see the write transaction's own changes, only the last commit. Each read checks that
/// its snapshot is the one the write transaction started from (`mdb_txn_id` one below the write's)
/// and throws otherwise, so a caller relying on "the same inputs as the write saw at its start"
/// fails loudly instead of reading something else. (While the write transaction is open no other
/// writer can commit, so the check should never fire.)
///
/// They do not take the environment's transaction gate. The write transaction holds the gate's
/// shared side from its start to its end, and `withCommittedReads` returns only after every read
/// it lent has ended, so no map resize (the gate's exclusive side) can run while one of these
/// transactions is open. Asking for the gate again from the reading thread could deadlock: the
/// writing thread waits for what the reading thread reads, and a shared request queued behind a
/// resize that waits for the writing thread (a lock that prefers writers, or a resize started by
/// the reading thread itself on `MDB_MAP_RESIZED`) would never be granted. Here a begin that
/// reports `MDB_MAP_RESIZED` is an error, not a wait.
public final class CommittedReads: @unchecked Sendable {
    // @unchecked: `isClosed` is written only under `active`'s exclusive side and read under its
    // shared side; the environment handle is safe to use from any thread (`MDB_NOTLS`).
    private let environment: Environment
    /// The transaction id of the snapshot every read must see (the write transaction's id − 1).
    let snapshot: Int
    /// Reads in progress hold its shared side; closing takes its exclusive side, so it waits for them.
    private let active = ReadWriteLock()
    private var isClosed = false

    init(environment: Environment, snapshot: Int) {
        self.environment = environment
        self.snapshot = snapshot
    }

    /// Runs `body` in a read-only transaction on the write transaction's starting snapshot, from
    /// any thread. Throws `MDB_BAD_TXN` once the write transaction's `withCommittedReads` returned,
    /// and when the snapshot is not the expected one.
    public func read<T>(_ body: (Transaction) throws -> T) throws -> T {
        try active.withReadLock {
            guard !isClosed else {
                throw LMDBError(code: MDB_BAD_TXN, function: "committed read",
                                detail: "the write transaction it reads beside has ended")
            }
            var txn: OpaquePointer?
            try check(mdb_txn_begin(environment.handle, nil, UInt32(MDB_RDONLY), &txn), "mdb_txn_begin")
            defer { mdb_txn_abort(txn) }
            let seen = Int(mdb_txn_id(txn))
            guard seen == snapshot else {
                throw LMDBError(code: MDB_BAD_TXN, function: "committed read",
                                detail: "the read sees transaction \(seen) but the write transaction started from \(snapshot)")
            }
            let transaction = Transaction(handle: txn!, environment: environment)
            defer { transaction.invalidate() }
            return try body(transaction)
        }
    }

    /// Waits for the reads in progress to end; later reads throw.
    func close() {
        do {
            try active.withWriteLock { isClosed = true }
        } catch {
            // Only a thread inside one of these reads could fail here, and closing happens on the
            // writing thread after its body returned, outside any of them.
            preconditionFailure("committed reads closed from inside one of them: \(error)")
        }
    }
}

extension WriteTransaction {
    /// Lends `body` a `CommittedReads` whose read transactions see the snapshot this transaction
    /// started from, for other threads to read while this one writes. Returns (or rethrows) only
    /// after every read in progress has ended, and reads started later throw, so none outlives this
    /// transaction. Join the threads given the reads before `body` returns all the same: a thread
    /// still running afterwards would only meet errors.
    public func withCommittedReads<R>(_ body: (CommittedReads) throws -> R) rethrows -> R {
        checkValid()
        let reads = CommittedReads(environment: environment, snapshot: Int(mdb_txn_id(handle)) - 1)
        defer { reads.close() }
        return try body(reads)
    }
}
