import EventLog
import Foundation
public import Pipeline
public import Projections
public import SiglogCLI
import SiglogCore
import StageQueue

/// Opening a store to write it, for the tools that append or rebuild.
extension StoreOptions {
    /// Opens the store for appending (it must exist), closes the runs a dead process of this host
    /// left `running` (saying so on stderr), and makes SIGINT/SIGTERM stop the work cleanly. A
    /// replica is refused: its records come from its stream only. The store's stage chain
    /// (`chain`, else `SIGLOG_STAGE_CHAIN`, else `<store>/stages.yaml` when present) comes with it,
    /// so its band trigger applies. The log's last records are checked first; with
    /// `SIGLOG_VERIFY_BEFORE_WRITING=1`, the whole store.
    public func openForWriting(chain: String? = nil) throws -> StageRunner {
        let stageChain = try StageChainLoader.loadChain(explicit: chain, storePath: path)
        let store = try Store(path: path, mode: .readWrite, verifyBeforeWriting: Self.verifyBeforeWriting)
        return try prepare(StageRunner(store: try refusingReplica(store), stageChain: stageChain))
    }

    /// Opens or creates the store, as `openForWriting` does.
    public func openCreating() throws -> StageRunner {
        try prepare(StageRunner(store: try refusingReplica(Store(path: path, mode: .create,
                                                                  verifyBeforeWriting: Self.verifyBeforeWriting))))
    }

    /// Opens the store to rebuild its views: a writer as `openForWriting` does; a replica too, as it
    /// is (each copy's views are its own; nothing is appended to its log).
    public func openForRebuilding() throws -> Store {
        let store = try Store(path: path, mode: .readWrite, verifyBeforeWriting: Self.verifyBeforeWriting)
        if try store.log.replicaMarker() != nil { return store }
        return try prepare(StageRunner(store: store)).store
    }

    private func refusingReplica(_ store: Store) throws -> Store {
        try store.refuseAppendingIfReplica()
        return store
    }

    /// Whether writers verify the whole store before appending (`SIGLOG_VERIFY_BEFORE_WRITING=1`).
    public static var verifyBeforeWriting: Bool { ProcessInfo.processInfo.environment["SIGLOG_VERIFY_BEFORE_WRITING"] == "1" }

    private func prepare(_ runner: StageRunner) throws -> StageRunner {
        for job in try runner.closeInterruptedRuns() {
            printError("job run \(job.id) (\(job.started.jobType), started \(job.startedAt)) was left running by process "
                + "\(job.started.owner?.processID ?? 0), which is gone: recorded as failed (interrupted)")
        }
        stopOnSignals(runner.interruption)
        return runner
    }
}
