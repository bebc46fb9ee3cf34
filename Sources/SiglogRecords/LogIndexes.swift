public import EventLog
public import SiglogCore

/// The keys of the log's two indexes — the dedup index and the idempotency ledger — defined once,
/// beside the records they come from. The write side takes its keys from here, and so does every
/// path that fills a log from records alone and rebuilds both entries from each record it appends:
/// a replica (so a promoted replica deduplicates and answers cached runs exactly like its source),
/// an import of an export, a salvage of a damaged store.
public enum LogIndexes {
    /// The dedup key of an event (D2): its source, a zero byte, its source event id.
    public static func dedupKey(source: String, sourceEventID: String) -> [UInt8] {
        // One allocation: this runs for every ingested event.
        var key: [UInt8] = []
        key.reserveCapacity(source.utf8.count + 1 + sourceEventID.utf8.count)
        appendDedupKey(source: source, sourceEventID: sourceEventID, to: &key)
        return key
    }

    /// Appends `dedupKey(source:sourceEventID:)`'s bytes to `buffer` (ingest's parsing thread writes
    /// the keys of a whole chunk of events into one buffer).
    public static func appendDedupKey(source: String, sourceEventID: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: source.utf8)
        buffer.append(0)
        buffer.append(contentsOf: sourceEventID.utf8)
    }

    /// The idempotency ledger's key of a run (D5): its job type, a zero byte, its idempotency key
    /// (the ledger scopes it to the workspace).
    public static func ledgerKey(jobType: JobType, idempotencyKey: String) -> String {
        "\(jobType.rawValue)\u{0}\(idempotencyKey)"
    }
}

extension EventStored {
    /// This event's dedup-index key; nil when it has no `source_event_id` (it cannot be recognised again).
    public var dedupKey: [UInt8]? { sourceEventID.map { LogIndexes.dedupKey(source: source, sourceEventID: $0) } }
}

extension JobRunStarted {
    /// The idempotency ledger's key of this run; nil without an idempotency key.
    public var ledgerKey: String? { idempotencyKey.map { LogIndexes.ledgerKey(jobType: jobType, idempotencyKey: $0) } }
}

extension RecordType {
    /// The record type a listing names (`event_stored`, or `type_N` for a number this binary does not know).
    public init?(name: String) {
        if let known = RecordType.siglogTypes.first(where: { $0.name == name }) {
            self = known
        } else if name.hasPrefix("type_"), let number = UInt16(name.dropFirst(5)) {
            self.init(rawValue: number)
        } else {
            return nil
        }
    }
}
