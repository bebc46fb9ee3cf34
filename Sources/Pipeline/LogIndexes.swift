public import SiglogCore

/// The keys of the log's two indexes — the dedup index and the idempotency ledger. The write side
/// takes its keys from here, and so does a replica, which receives records and nothing else and
/// rebuilds both entries from each record it appends (so a promoted replica deduplicates and
/// answers cached runs exactly like its source).
public enum LogIndexes {
    /// The dedup key of an event (D2): its source, a zero byte, its source event id.
    public static func dedupKey(source: String, sourceEventID: String) -> [UInt8] {
        // One allocation: this runs for every ingested event.
        var key: [UInt8] = []
        key.reserveCapacity(source.utf8.count + 1 + sourceEventID.utf8.count)
        key.append(contentsOf: source.utf8)
        key.append(0)
        key.append(contentsOf: sourceEventID.utf8)
        return key
    }

    /// The idempotency ledger's key of a run (D5): its job type, a zero byte, its idempotency key.
    public static func ledgerKey(jobType: JobType, idempotencyKey: String) -> String {
        "\(jobType.rawValue)\u{0}\(idempotencyKey)"
    }
}
