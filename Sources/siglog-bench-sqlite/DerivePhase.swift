import Foundation

/// Derive (spec §3.2, storage only): read every event, aggregate per (company, event type) —
/// first and last time, highest confidence, the event ids — and upsert `signal_instances` on
/// `(entity_id, signal_id, pack_id)` with the spec's merge. Core derivers pass every type through
/// except `incorporation`.
enum DerivePhase {
    private struct Key: Hashable {
        var company: Int64
        var type: Int32
    }

    private struct Aggregate {
        var first: [UInt8]
        var last: [UInt8]
        var confidence: Double?
        var evidence: String  // the JSON array of event ids, built as rows arrive

        mutating func update(time: UnsafeRawBufferPointer, confidence: Double?, id: Int64) {
            if time.lexicographicallyPrecedes(first) { first = Array(time) }
            if last.lexicographicallyPrecedes(time) { last = Array(time) }
            if let confidence, self.confidence.map({ confidence > $0 }) ?? true { self.confidence = confidence }
            evidence += ", "
            evidence += String(id)
        }
    }

    static func run(_ db: SQLiteDatabase) throws -> [(String, Int)] {
        let started = monotonicSeconds()
        var types = EventTypeTable()
        var slots: [Key: Int] = [:]
        var keys: [Key] = []  // first-seen order, as the Python dict iterates
        var aggregates: [Aggregate] = []
        var events = 0, skipped = 0
        let read = try db.prepare("SELECT id, company_id, event_type, event_time, confidence FROM signal_events")
        var incorporation = -1
        while try read.step() {
            events += 1
            let type = types.index(of: read.bytes(2))
            if incorporation < 0, types.names[type] == "incorporation" { incorporation = type }
            if read.isNull(1) || type == incorporation {
                skipped += 1
                continue
            }
            let key = Key(company: read.int64(1), type: Int32(type))
            let time = read.bytes(3)
            let confidence: Double? = read.isNull(4) ? nil : read.double(4)
            let id = read.int64(0)
            if let slot = slots[key] {
                aggregates[slot].update(time: time, confidence: confidence, id: id)
            } else {
                slots[key] = aggregates.count
                keys.append(key)
                aggregates.append(Aggregate(first: Array(time), last: Array(time), confidence: confidence,
                                            evidence: "[\(id)"))
            }
        }
        read.reset()
        let readSeconds = monotonicSeconds() - started

        let upsert = try db.prepare(
            "INSERT INTO signal_instances (id, entity_id, signal_id, pack_id, strength, confidence, first_seen, "
                + "last_seen, evidence_event_ids, created_at) VALUES (?, ?, ?, ?, 1.0, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (entity_id, signal_id, pack_id) DO UPDATE SET "
                + "first_seen = min(signal_instances.first_seen, excluded.first_seen), "
                + "last_seen = max(signal_instances.last_seen, excluded.last_seen), "
                + "confidence = COALESCE(excluded.confidence, signal_instances.confidence), strength = 1.0, "
                + "evidence_event_ids = excluded.evidence_event_ids")
        upsert.bind(4, Bench.corePack)
        upsert.bind(9, nowText())
        try db.execute("BEGIN")
        var pending = 0
        for (key, aggregate) in zip(keys, aggregates) {
            upsert.bind(1, UUID().uuidString.lowercased())
            upsert.bind(2, key.company)
            upsert.bind(3, types.names[Int(key.type)])
            if let confidence = aggregate.confidence { upsert.bind(5, confidence) } else { upsert.bindNull(5) }
            try aggregate.first.withUnsafeBytes { first in
                try aggregate.last.withUnsafeBytes { last in
                    upsert.bindNoCopy(6, first)
                    upsert.bindNoCopy(7, last)
                    upsert.bind(8, aggregate.evidence + "]")
                    try upsert.run()
                }
            }
            pending += 1
            if pending >= Bench.batch {
                try db.execute("COMMIT; BEGIN")
                pending = 0
            }
        }
        try db.execute("COMMIT")
        return [("count", events - skipped), ("events_read", events), ("instances_upserted", keys.count),
                ("read_milliseconds", Int((readSeconds * 1000).rounded()))]
    }
}
