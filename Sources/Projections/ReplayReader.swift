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
    /// A readiness snapshot, engagement snapshot or lead-feed row, decoded, with its stamped row,
    /// keys and timeline entry built.
    case stamped(sequence: UInt64, appendedAt: Int64, AnyRecord, PreparedStamped)

    /// The sequence of the (last) record.
    var sequence: UInt64 {
        switch self {
        case .event(let sequence, _), .record(let sequence, _, _), .instance(let sequence, _, _, _),
             .stamped(let sequence, _, _, _): sequence
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
            } else if let prepared = PreparedStamped(record, sequence: view.sequence, at: Timestamp(microseconds: view.appendedAt)) {
                self = .stamped(sequence: view.sequence, appendedAt: view.appendedAt, record, prepared)
            } else {
                self = .record(sequence: view.sequence, appendedAt: view.appendedAt, record)
            }
        }
    }
}

/// Reads, checks (checksum, format, type, no gaps) and decodes a range of the log on threads of
/// their own while the calling thread applies the records decoded before: a rebuild's fold uses both
/// cores. The records are handed over in log order, and an error (a damaged or undecodable record)
/// is handed over at its place, after every record before it — so the fold applies exactly what it
/// would have applied reading the log itself, and fails at the same record with the same error.
///
/// Decoding costs more than applying (≈ 2× in the instance-heavy part of a store), so two decoders
/// take the range's chunks in turn (decoder d reads chunks d, d + 2, …) and the calling thread
/// applies the chunks strictly in order, taking each from the decoder that read it. Each chunk is
/// read as `EventLog.forEach` reads it (`forEachInChunk`): together the chunks are the same records,
/// checked the same way; a chunk that ends short ends the range, as it ends `forEach`.
///
/// Each decoder has its own short read transactions and copies out what it hands over; the
/// caller's write transaction stays on the caller's thread. While the caller's write transaction is
/// open no other writer can commit, so the decoders see the same log as the writer and never meet a
/// map grown by another process.
enum ReplayReader {
    /// Records per hand-over.
    static let batchSize = 4096
    /// Hand-overs waiting at most, over all decoders (bounds the memory whatever the log's size).
    static let capacity = 8
    /// Threads decoding the log's chunks in turn.
    static let decoders = 2

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

    /// A decoder's hand-over: the items of at most `batchSize` records of one chunk, in order.
    struct Piece: Sendable {
        var items: [ReplayItem]
        /// Set on a chunk's last piece: the records the chunk held (fewer than the chunk size: the
        /// range or the log ended there).
        var chunkRecords: Int?
    }

    /// Calls `apply` on the calling thread with every record of `range`, in order, decoded on other
    /// threads. Returns when every record was applied; rethrows the first error (of a decoder, at its
    /// record's place, or of `apply`). The decoders have finished when this returns.
    ///
    /// `committed`: the log is in the environment of the caller's write transaction, and the reader
    /// reads it in these committed reads of that transaction (see `CommittedReads`: they neither
    /// take nor wait for the transaction gate the caller holds). Nil: the log's own short reads — a
    /// verification's log is in another environment than the scratch views it writes, whose gate
    /// the reader never asks for.
    static func forEach(
        _ log: EventLog, in range: ClosedRange<UInt64>, chunkSize: Int, eventRuns: EventRuns, committed: CommittedReads?,
        _ apply: (ReplayItem) throws -> Void
    ) throws {
        let first = max(range.lowerBound, 1)
        let upperBound = range.upperBound
        guard first <= upperBound else { return }
        let channels = (0..<decoders).map { _ in BoundedChannel<Piece>(capacity: max(1, capacity / decoders)) }
        // The writer thread sets the pace: the pieces it applied are freed on their decoder's thread.
        let spent = (0..<decoders).map { _ in SpentItems<[ReplayItem]>() }
        let finished = DispatchSemaphore(value: 0)
        for decoder in 0..<decoders {
            let thread = Thread { [channels, spent] in
                defer { finished.signal() }
                do {
                    try decode(log, chunksFrom: decoder, first: first, upperBound: upperBound, chunkSize: chunkSize,
                               eventRuns: eventRuns, committed: committed, into: channels[decoder], spent: spent[decoder])
                    channels[decoder].close()
                } catch {
                    channels[decoder].close(failure: error)
                }
            }
            thread.name = "siglog-replay-reader"
            thread.start()
        }
        // Whatever ends the fold, no decoder outlives it (each may hold a read transaction).
        defer {
            for channel in channels { channel.cancel() }
            for _ in 0..<decoders { finished.wait() }
        }
        var chunk = 0
        while true {
            let decoder = chunk % decoders
            // The chunk's pieces; none when its decoder found it past the range's end.
            guard let piece = try channels[decoder].take() else { return }
            // Each item lent where it lies: a for-in loop copied every item out (its retains and releases).
            try piece.items.withUnsafeBufferPointer { items in
                for index in items.indices { try apply(items[index]) }
            }
            spent[decoder].add(piece.items)
            if let records = piece.chunkRecords {
                if chunkSize <= 0 || records < chunkSize { return }
                chunk += 1
            }
        }
    }

    /// The reading of one decoder: chunks `decoder`, `decoder + decoders`, … of the range, each in
    /// pieces of at most `batchSize` records, until a chunk ends short, the range ends, a record
    /// fails (the records before it are handed over, then it throws) or the consumer has gone.
    private static func decode(
        _ log: EventLog, chunksFrom decoder: Int, first: UInt64, upperBound: UInt64, chunkSize: Int,
        eventRuns: EventRuns, committed: CommittedReads?, into channel: BoundedChannel<Piece>, spent: SpentItems<[ReplayItem]>
    ) throws {
        struct Stopped: Error {}
        let reading: ((Transaction) throws -> Void) throws -> Void = { body in
            if let committed {
                try mappingStorageErrors { try committed.read(body) }
            } else {
                try log.read(body)
            }
        }
        var chunk = decoder
        while true {
            // The chunk's first record; a chunk size that is not positive reads the range as one chunk.
            guard chunkSize > 0 || chunk == 0 else { return }
            let offset = UInt64(chunk).multipliedReportingOverflow(by: UInt64(max(chunkSize, 0)))
            guard !offset.overflow else { return }
            let start = first.addingReportingOverflow(offset.partialValue)
            guard !start.overflow, start.partialValue <= upperBound else { return }
            var batch: [ReplayItem] = []
            var run = EventRun()
            var records = 0
            func endRun() {
                if !run.entries.isEmpty { batch.append(.events(run)) }
                run = EventRun()
            }
            let count: Int
            do {
                count = try log.forEachInChunk(from: start.partialValue, through: upperBound, limit: chunkSize, reading: reading) { record in
                    if record.type == .eventStored && eventRuns.holds(record.sequence) {
                        run.add(company: try ViewProjector.eventCompany(record), sequence: record.sequence)
                    } else {
                        endRun()
                        batch.append(try ReplayItem(record))
                    }
                    records += 1
                    if records == batchSize {
                        endRun()
                        guard channel.put(Piece(items: batch)) else { throw Stopped() }
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
                if !batch.isEmpty { _ = channel.put(Piece(items: batch)) }
                throw error
            }
            endRun()
            guard channel.put(Piece(items: batch, chunkRecords: count)) else { return }
            spent.release()
            if chunkSize <= 0 || count < chunkSize { return }
            chunk += decoders
        }
    }
}
