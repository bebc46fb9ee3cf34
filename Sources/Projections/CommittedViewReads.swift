import EventLog
import LMDB

/// Reads of the views as of the last commit, for other threads while a `Store.write` body appends:
/// each `read` is its own short read-only transaction on the snapshot the write transaction started
/// from, so it sees none of the records the body appended. Obtained from
/// `StoreWriter.withCommittedReads`; valid only inside that call (see `CommittedReads` for why
/// these transactions neither take nor wait for the store's transaction gate).
public struct CommittedViewReads: Sendable {
    let reads: CommittedReads
    let views: ViewSet
    let log: EventLog

    /// Runs `body` with a reader of the views as they were when the write transaction started, from
    /// any thread. Storage errors (also a snapshot other than the write's starting one, or a read
    /// after the write's `withCommittedReads` returned) are thrown as `LogError.storage`.
    public func read<T>(_ body: (ViewReader) throws -> T) throws -> T {
        try mappingStorageErrors {
            try reads.read { txn in
                // The write transaction checked the generation in this same snapshot; a different one
                // here would mean another snapshot, so the write runs again with the new views.
                let generation = try Store.generation(in: txn, of: log)
                if generation != views.generation { throw Store.GenerationChanged(generation: generation) }
                return try body(ViewReader(transaction: txn, views: views, log: log))
            }
        }
    }
}

extension StoreWriter {
    /// Lends `body` reads of the views as of the last commit (the snapshot this write transaction
    /// started from), which other threads may use while this thread appends. They return (or
    /// rethrow) only after every read in progress has ended. Use them only for what nothing appended
    /// in this transaction changes: they do not see the appends.
    public func withCommittedReads<R>(_ body: (CommittedViewReads) throws -> R) rethrows -> R {
        try writer.transaction.withCommittedReads { reads in
            try body(CommittedViewReads(reads: reads, views: views, log: log))
        }
    }
}
