public import Foundation
public import Projections
public import ReadModel
public import SiglogCore
import SiglogRecords

/// `events` and `instances`.
public enum EventQueries {
    /// The `signal_events` columns of a stored event.
    public static func json(_ event: StoredEvent) -> JSONObject {
        let r = event.record
        return [
            "id": .int(Int64(event.id)), "company_id": .int(r.companyID), "source": .string(r.source),
            "source_event_id": nullable(r.sourceEventID), "event_type": .string(r.eventType),
            "event_time": r.eventTime.queryJSON, "ingested_at": event.ingestedAt.queryJSON, "title": nullable(r.title),
            "summary": nullable(r.summary), "url": nullable(r.url), "raw": parsedJSON(r.rawPayload),
            "confidence": nullable(r.confidence), "pack_id": .string(r.pack.lowercased),
            "workspace_id": nullable(event.workspace?.lowercased),
            "evidence_bundle_id": nullable(r.evidenceBundleID?.lowercased),
        ]
    }

    public static let columns = ["id", "company_id", "company_name", "event_type", "event_time", "source", "source_event_id", "title",
                                 "confidence", "pack_id"]

    /// Filters of the `events` query; nil means any.
    public struct Filter: Sendable, Hashable {
        public var companyID: Int64?
        public var eventType: String?
        public var source: String?
        /// `event_time >= since`.
        public var since: Timestamp?
        /// `event_time < until`.
        public var until: Timestamp?
        public var limit: Int

        public init(companyID: Int64? = nil, eventType: String? = nil, source: String? = nil, since: Timestamp? = nil,
                    until: Timestamp? = nil, limit: Int = .max) {
            self.companyID = companyID
            self.eventType = eventType
            self.source = source
            self.since = since
            self.until = until
            self.limit = limit
        }

        func matches(_ e: EventStored) -> Bool {
            if let eventType, e.eventType != eventType { return false }
            if let source, e.source != source { return false }
            if let since, e.eventTime < since { return false }
            if let until, e.eventTime >= until { return false }
            return true
        }
    }

    /// Events of one company matching `filter`, visible in `scope`, in log order (D7), at most `filter.limit`.
    public static func events(ofCompany id: Int64, filter: Filter, scope: Scope, in reader: ViewReader) throws -> [StoredEvent] {
        var result: [StoredEvent] = []
        for eventID in try reader.eventIDs(ofCompany: id) {
            let e = try reader.event(eventID)
            guard scope.sees(e.workspace), filter.matches(e.record) else { continue }
            result.append(e)
            if result.count >= filter.limit { break }
        }
        return result
    }

    /// Events matching `filter` and visible in `scope`, in log order, at most `filter.limit`. With a
    /// company the company's index is read; otherwise the log is walked up to its head at the start.
    public static func events(filter: Filter, scope: Scope, store: Store) throws -> [StoredEvent] {
        var result: [StoredEvent] = []
        try forEach(filter: filter, scope: scope, store: store) { event in
            result.append(event)
            return true
        }
        return result
    }

    /// Calls `body` with each event matching `filter` and visible in `scope`, in log order, at most
    /// `filter.limit`, as they are read (short read transactions: memory stays small whatever the
    /// store's size); `body` returns false to stop.
    public static func forEach(filter: Filter, scope: Scope, store: Store, _ body: (StoredEvent) throws -> Bool) throws {
        guard filter.limit > 0 else { return }
        var count = 0
        struct Done: Error {}
        func deliver(_ event: StoredEvent) throws {
            guard scope.sees(event.workspace), filter.matches(event.record) else { return }
            count += 1
            if try !body(event) || count >= filter.limit { throw Done() }
        }
        do {
            if let company = filter.companyID {
                let ids = try store.read { reader in
                    guard try reader.company(company) != nil else { throw SiglogError.companyNotFound(.id(company)) }
                    return try reader.eventIDs(ofCompany: company)
                }
                // The index in chunks, each event read back in the chunk's own transaction.
                var start = 0
                while start < ids.count {
                    let chunk = ids[start..<min(start + 4096, ids.count)]
                    let events = try store.read { reader in try chunk.map(reader.event) }
                    for event in events { try deliver(event) }
                    start = chunk.endIndex
                }
            } else {
                let head = try store.log.head()
                guard head > 0 else { return }
                try store.log.forEach(in: 1...head) { view in
                    guard view.type == .eventStored else { return }
                    try deliver(StoredEvent(id: view.sequence, record: try EventStored.decode(view),
                                            ingestedAt: Timestamp(microseconds: view.appendedAt), workspace: view.workspace))
                }
            }
        } catch is Done {}
    }

    /// The company's `limit` newest events visible in `scope`: `event_time` descending, then log
    /// position descending.
    public static func recent(ofCompany id: Int64, scope: Scope, limit: Int, in reader: ViewReader) throws -> [StoredEvent] {
        let all = try events(ofCompany: id, filter: Filter(), scope: scope, in: reader)
        return Array(all.sorted { a, b in
            a.record.eventTime != b.record.eventTime ? a.record.eventTime > b.record.eventTime : a.id > b.id
        }.prefix(limit))
    }

    /// The events with their company's name and domain after `company_id`.
    public static func rows(_ events: [StoredEvent], labels: inout CompanyLabels) throws -> QueryRows {
        QueryRows(columns: columns, rows: try events.map { try labelled($0, labels: &labels) })
    }

    /// One event's JSON with its company's name and domain after `company_id`.
    public static func labelled(_ event: StoredEvent, labels: inout CompanyLabels) throws -> JSONObject {
        try labels.labelled(json(event), company: event.record.companyID, after: "company_id")
    }

    // MARK: - Instances

    public static let instanceColumns = ["entity_id", "company_name", "signal_id", "pack_id", "strength", "confidence", "first_seen",
                                         "last_seen", "evidence_event_ids", "created_at"]

    /// The `signal_instances` columns.
    public static func json(_ row: InstanceRow) -> JSONObject {
        [
            "entity_id": .int(row.entityID), "signal_id": .string(row.signalID), "pack_id": .string(row.pack.lowercased),
            "strength": .double(row.strength), "confidence": nullable(row.confidence), "first_seen": row.firstSeen.queryJSON,
            "last_seen": row.lastSeen.queryJSON, "evidence_event_ids": .array(row.evidenceEventIDs.map(JSONValue.int)),
            "created_at": row.createdAt.queryJSON, "updated_at": row.updatedAt.queryJSON,
        ]
    }

    /// Signal instances, by `(entity_id, signal_id, pack_id)`; optionally of one company, one signal and one pack.
    public static func instances(company: Int64?, signal: String?, pack: UUID?, limit: Int = .max, in reader: ViewReader) throws
        -> [InstanceRow]
    {
        var result: [InstanceRow] = []
        if let company, try reader.company(company) == nil { throw SiglogError.companyNotFound(.id(company)) }
        try reader.forEachInstance(ofEntity: company) { row in
            if (signal == nil || row.signalID == signal) && (pack == nil || row.pack == pack) { result.append(row) }
            return result.count < limit
        }
        return result
    }
}
