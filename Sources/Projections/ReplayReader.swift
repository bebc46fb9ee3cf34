import EventLog
import Foundation
import LMDB
import SiglogCore
import SiglogRecords

/// One log record as a rebuild's fold applies it, checked and decoded by `ReplayReader`: nothing in
/// it points into the log's pages, so it can cross threads and outlive the read transaction.
enum ReplayItem: Sendable {
    /// An `event_stored` record: its projection needs only its company.
    case event(sequence: UInt64, company: Int64)
    /// Any other record, decoded, with the time it was appended (UTC microseconds).
    case record(sequence: UInt64, appendedAt: Int64, AnyRecord)
    /// Consecutive `event_stored` records whose events index entries the rebuild bulk-loads.
    case events(EventRun)
    /// A `signal_instance_derived` record, decoded, with the bytes of its writes as a new row.
    case instance(sequence: UInt64, appendedAt: Int64, SignalInstanceDerived, PreparedInstance)

    /// The sequence of the (last) record.
    var sequence: UInt64 {
        switch self {
        case .event(let sequence, _), .record(let sequence, _, _), .instance(let sequence, _, _, _): sequence
        case .events(let run): run.last
        }
    }

    /// The item of `view`, or the error applying it would throw (an undecodable payload).
    init(_ view: borrowing RecordView) throws {
        if view.type == .eventStored {
            self = .event(sequence: view.sequence, company: try ViewProjector.eventCompany(view))
        } else {
            let record = try AnyRecord(view)
            if case .signalInstanceDerived(let r) = record {
                self = .instance(sequence: view.sequence, appendedAt: view.appendedAt, r,
                                 PreparedInstance(r, sequence: view.sequence, at: Timestamp(microseconds: view.appendedAt)))
            } else {
                self = .record(sequence: view.sequence, appendedAt: view.appendedAt, record)
            }
        }
    }
}

/// Reads, checks (checksum, format, type, no gaps) and decodes a range of the log on a thread of
/// its own while the calling thread applies the records decoded before: a rebuild's fold uses both
/// cores. The records are handed over in log order, and an error (a damaged or undecodable record)
/// is handed over at its place, after every record before it — so the fold applies exactly what it
/// would have applied reading the log itself, and fails at the same record with the same error.
///
/// The reader has its own short read transactions (`EventLog.forEach`) and copies out what it
/// hands over; the caller's write transaction stays on the caller's thread. While the caller's
/// write transaction is open no other writer can commit, so the reader sees the same log as the
/// writer and never meets a map grown by another process.
enum ReplayReader {
    /// Records per hand-over.
    static let batchSize = 4096
    /// Hand-overs waiting at most (bounds the memory whatever the log's size).
    static let capacity = 8

    /// Calls `apply` on the calling thread with every record of `range`, in order, decoded on a
    /// second thread. Returns when every record was applied; rethrows the first error (of the
    /// reader, at its record's place, or of `apply`). The reader has finished when this returns.
    /// Which `event_stored` records go into `EventRun`s: those whose events index entry the fold
    /// holds back for the bulk load (the view is bulk-loaded and written for that sequence).
    struct EventRuns: Sendable {
        /// The events index is bulk-loaded in this rebuild.
        var bulkLoaded: Bool
        /// Records up to `partialThrough` write only the views of a partial rebuild…
        var partialThrough: UInt64
        /// …and this says whether the events index is one of them.
        var partialWritesEvents: Bool

        func holds(_ sequence: UInt64) -> Bool { bulkLoaded && (sequence > partialThrough || partialWritesEvents) }
    }

    /// `committed`: the log is in the environment of the caller's write transaction, and the reader
    /// reads it in these committed reads of that transaction (see `CommittedReads`: they neither
    /// take nor wait for the transaction gate the caller holds). Nil: the log's own short reads — a
    /// verification's log is in another environment than the scratch views it writes, whose gate
    /// the reader never asks for.
    static func forEach(
        _ log: EventLog, in range: ClosedRange<UInt64>, chunkSize: Int, eventRuns: EventRuns, committed: CommittedReads?,
        _ apply: (ReplayItem) throws -> Void
    ) throws {
        // The writer thread sets the pace: the batches it applied are freed on this reader thread.
        let spent = SpentItems<[ReplayItem]>()
        try BoundedChannel<[ReplayItem]>.stream(threadName: "siglog-replay-reader", capacity: capacity, produce: { channel in
            struct Stopped: Error {}
            var batch: [ReplayItem] = []
            var run = EventRun()
            var records = 0
            func endRun() {
                if !run.entries.isEmpty { batch.append(.events(run)) }
                run = EventRun()
            }
            do {
                let reading: ((Transaction) throws -> Void) throws -> Void = { body in
                    if let committed {
                        try mappingStorageErrors { try committed.read(body) }
                    } else {
                        try log.read(body)
                    }
                }
                try log.forEach(in: range, chunkSize: chunkSize, reading: reading) { record in
                    if record.type == .eventStored && eventRuns.holds(record.sequence) {
                        run.add(company: try ViewProjector.eventCompany(record), sequence: record.sequence)
                    } else {
                        endRun()
                        batch.append(try ReplayItem(record))
                    }
                    records += 1
                    if records == batchSize {
                        endRun()
                        guard channel.put(batch) else { throw Stopped() }
                        batch = []
                        records = 0
                        spent.release()
                    }
                }
            } catch is Stopped {
                return
            } catch {
                // The records before the failing one first, then the failure.
                endRun()
                if !batch.isEmpty { _ = channel.put(batch) }
                throw error
            }
            endRun()
            if !batch.isEmpty { _ = channel.put(batch) }
        }, consume: { batch in
            for item in batch { try apply(item) }
            spent.add(batch)
        })
    }
}
