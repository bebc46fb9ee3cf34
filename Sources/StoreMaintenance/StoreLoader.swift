import EventLog
import Foundation
import Projections
import SiglogRecords

/// Fills an empty store with records taken from elsewhere (an export, a damaged store), keeping
/// their sequence numbers, append times and workspaces byte for byte: the views are folded from them
/// as they are appended, and the log's own indexes — the dedup index of events with a
/// `source_event_id`, the idempotency ledger of completed runs with a key — are written as ingest
/// and the stages wrote them.
final class StoreLoader {
    let store: Store
    private var pending: [Envelope] = []
    /// The sequence number the next record must have.
    private(set) var nextSequence: UInt64
    /// Runs started with an idempotency key, by run id: their workspace and ledger key.
    private var keyedRuns: [UInt64: (workspace: UUID, key: String)] = [:]
    private let batchSize: Int

    /// A loader appending to `store`, which must hold no record yet.
    init(store: Store, batchSize: Int = 10_000) throws {
        self.store = store
        self.batchSize = batchSize
        nextSequence = try store.log.head() + 1
        guard nextSequence == 1 else { throw LoadError("the target store already holds \(nextSequence - 1) records") }
    }

    /// Why records could not be loaded.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Queues the record with `sequence` (which must be the next one), writing a batch when full.
    func add(_ envelope: Envelope, sequence: UInt64) throws {
        guard sequence == nextSequence else {
            throw LoadError("record \(sequence) follows record \(nextSequence - 1); records must be consecutive from 1")
        }
        pending.append(envelope)
        nextSequence += 1
        if pending.count >= batchSize { try flush() }
    }

    /// Writes what is queued.
    func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        var runs = keyedRuns
        try store.write { writer in
            runs = keyedRuns  // the body may run again after the map grew
            for envelope in batch {
                let sequence = try writer.writer.append(envelope)
                try index(envelope, sequence: sequence, runs: &runs, writer: writer)
            }
        }
        keyedRuns = runs
        pending.removeAll(keepingCapacity: true)
    }

    /// The log-index entries of one record.
    private func index(_ envelope: Envelope, sequence: UInt64, runs: inout [UInt64: (workspace: UUID, key: String)],
                       writer: StoreWriter) throws {
        switch envelope.type {
        case .eventStored:
            let event = try envelope.payload.withUnsafeBytes { try EventStored.decode($0) }
            if let key = event.dedupKey { try writer.recordDedup(key, sequence: sequence) }
        case .jobRunStarted:
            let started = try envelope.payload.withUnsafeBytes { try JobRunStarted.decode($0) }
            if let key = started.ledgerKey, let workspace = started.workspaceID ?? envelope.workspace {
                runs[sequence] = (workspace, key)
            }
        case .jobRunFinished:
            let finished = try envelope.payload.withUnsafeBytes { try JobRunFinished.decode($0) }
            if finished.status == .completed, let run = runs[finished.jobRunID] {
                try writer.recordIdempotentResult(workspace: run.workspace, key: run.key,
                                                  result: withUnsafeBytes(of: finished.jobRunID.bigEndian) { Array($0) })
            }
        default:
            break
        }
    }
}
