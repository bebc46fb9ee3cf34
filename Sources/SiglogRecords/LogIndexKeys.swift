public import EventLog

// The keys of the log's own indexes (dedup index, idempotency ledger), defined once: ingest writes
// them, and every path that builds a log anew from its records (import, salvage) writes them again.

extension EventStored {
    /// The dedup-index key of an event with a `source_event_id` (D2): `source`, a zero byte, the id.
    public static func dedupKey(source: String, sourceEventID: String) -> [UInt8] {
        Array(source.utf8) + [0] + Array(sourceEventID.utf8)
    }

    /// This event's dedup-index key; nil when it has no `source_event_id` (it cannot be recognised again).
    public var dedupKey: [UInt8]? { sourceEventID.map { EventStored.dedupKey(source: source, sourceEventID: $0) } }
}

extension JobRunStarted {
    /// The idempotency ledger's key of this run (job type and key; the ledger scopes it to the
    /// workspace); nil without an idempotency key.
    public var ledgerKey: String? { idempotencyKey.map { "\(jobType.rawValue)\u{0}\($0)" } }
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
