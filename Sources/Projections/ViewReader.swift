public import EventLog
public import Foundation
public import LMDB
public import SiglogCore
public import SiglogRecords

/// Typed reads of the views inside one transaction (read-only or the current write transaction).
public struct ViewReader {
    public let transaction: Transaction
    public let views: ViewSet
    /// The log, for views that index records without copying them (events by company).
    public let log: EventLog

    public init(transaction: Transaction, views: ViewSet, log: EventLog) {
        self.transaction = transaction
        self.views = views
        self.log = log
    }

    // MARK: - Generic scans

    /// Calls `body` with each entry whose key starts with `prefix`, in key order; `body` returns
    /// false to stop.
    public func scan(_ db: Database, prefix: ViewKey, from start: ViewKey? = nil,
                     _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try transaction.cursor(db)
        let from = (start ?? prefix).bytes
        // LMDB rejects an empty key: an empty prefix means "from the first entry".
        var entry = from.isEmpty ? try cursor.first() : try cursor.seek(atOrAfter: from)
        while let e = entry, prefix.isPrefix(of: e.key) {
            if try !body(e.key, e.value) { return }
            entry = try cursor.next()
        }
    }

    /// Scans backwards from the last key with `prefix`.
    public func scanBackward(_ db: Database, prefix: ViewKey,
                             _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try transaction.cursor(db)
        var upper = prefix.bytes
        // The first key after every key with this prefix: increment the prefix as a big number.
        var entry: Cursor.Entry?
        if let carry = upper.lastIndex(where: { $0 != 0xFF }) {
            upper[carry] += 1
            upper.removeSubrange((carry + 1)...)
            entry = try cursor.seek(atOrAfter: upper).flatMap { _ in try cursor.previous() } ?? cursor.last()
        } else {
            entry = try cursor.last()
        }
        while let e = entry, prefix.isPrefix(of: e.key) {
            if try !body(e.key, e.value) { return }
            entry = try cursor.previous()
        }
    }

    func id(_ db: Database, _ key: ViewKey) throws -> Int64? {
        guard let bytes = try transaction.get(db, key: key.bytes) else { return nil }
        return bytes.withUnsafeBytes { raw in
            var reader = ViewKeyReader(raw)
            return reader.int64()
        }
    }

    // MARK: - Packs and workspaces

    public func pack(_ uuid: UUID) throws -> Stamped<PackInstalled>? {
        try transaction.get(views.packs, key: ViewKey().appending(uuid).bytes).map { bytes in
            try bytes.withUnsafeBytes { try Stamped<PackInstalled>.decode($0) }
        }
    }

    /// The UUID installed for `(pack_id, version)`.
    public func packUUID(packID: String, version: String) throws -> UUID? {
        guard let bytes = try transaction.get(views.packsByKey, key: ViewKey().appending(packID).appending(version).bytes),
            bytes.count == 16
        else { return nil }
        return bytes.withUnsafeBytes { raw in
            var reader = ViewKeyReader(raw)
            return reader.uuid()
        }
    }

    public func allPacks() throws -> [Stamped<PackInstalled>] {
        var result: [Stamped<PackInstalled>] = []
        try scan(views.packs, prefix: ViewKey()) { _, value in
            result.append(try Stamped<PackInstalled>.decode(value))
            return true
        }
        return result
    }

    public func workspace(_ id: UUID) throws -> WorkspaceRow? {
        try transaction.get(views.workspaces, key: ViewKey().appending(id).bytes).map { bytes in
            try bytes.withUnsafeBytes { try WorkspaceRow.decode($0) }
        }
    }

    public func allWorkspaces() throws -> [WorkspaceRow] {
        var result: [WorkspaceRow] = []
        try scan(views.workspaces, prefix: ViewKey()) { _, value in
            result.append(try WorkspaceRow.decode(value))
            return true
        }
        return result
    }

    // MARK: - Companies

    public func company(_ id: Int64) throws -> CompanyRow? {
        try transaction.get(views.companies, key: ViewKey().appending(id).bytes).map { bytes in
            try bytes.withUnsafeBytes { try CompanyRow.decode($0) }
        }
    }

    /// The highest company id in use (0 when there is none).
    public func lastCompanyID() throws -> Int64 {
        guard let last = try transaction.cursor(views.companies).last() else { return 0 }
        var reader = ViewKeyReader(last.key)
        return reader.int64()
    }

    public func allCompanies() throws -> [CompanyRow] {
        var result: [CompanyRow] = []
        try scan(views.companies, prefix: ViewKey()) { _, value in
            result.append(try CompanyRow.decode(value))
            return true
        }
        return result
    }

    public func companyID(withDomain domain: String) throws -> Int64? {
        try id(views.companiesByDomain, ViewKey().appending(domain))
    }
    public func companyID(aliasType: String, value: String) throws -> Int64? {
        try id(views.companiesByAlias, ViewKey().appending(aliasType).appending(value))
    }
    public func companyID(withWebsiteDomain domain: String) throws -> Int64? {
        try id(views.companiesByWebsiteDomain, ViewKey().appending(domain))
    }
    public func companyID(withLinkedInURL url: String) throws -> Int64? {
        try id(views.companiesByLinkedIn, ViewKey().appending(url))
    }
    public func companyID(withNormalizedName name: String) throws -> Int64? {
        try id(views.companiesByName, ViewKey().appending(name))
    }

    // MARK: - Events and instances

    /// The company's stored events in log order (oldest record first).
    public func events(ofCompany id: Int64) throws -> [Stamped<EventStored>] {
        try eventIDs(ofCompany: id).map { try event($0) }
    }

    /// The ids (log sequence numbers) of the company's events, ascending.
    public func eventIDs(ofCompany id: Int64) throws -> [UInt64] {
        var result: [UInt64] = []
        try scan(views.eventsByCompany, prefix: ViewKey().appending(id)) { key, _ in
            var reader = ViewKeyReader(key)
            _ = reader.int64()
            result.append(reader.uint64())
            return true
        }
        return result
    }

    /// The stored event with this id, read from the log.
    public func event(_ id: UInt64) throws -> Stamped<EventStored> {
        guard let view = try log.recordView(at: id, in: transaction), view.type == .eventStored else {
            throw LogError.undecodablePayload(sequence: id, reason: "expected a stored event")
        }
        do {
            return Stamped(record: try EventStored.decode(view.payload), sequence: id,
                           recordedAt: Timestamp(microseconds: view.appendedAt))
        } catch {
            throw LogError.undecodablePayload(sequence: id, reason: "\(error)")
        }
    }

    /// Company ids that have at least one event, ascending.
    public func companiesWithEvents() throws -> [Int64] {
        var result: [Int64] = []
        let cursor = try transaction.cursor(views.eventsByCompany)
        var entry = try cursor.first()
        while let e = entry {
            var reader = ViewKeyReader(e.key)
            let company = reader.int64()
            result.append(company)
            entry = try cursor.seek(atOrAfter: ViewKey().appending(company).appending(UInt64.max).bytes + [0])
        }
        return result
    }

    /// The instance stored under `(entity_id, signal_id, pack_id)`, or nil.
    public func instance(entity: Int64, signalID: String, pack: UUID) throws -> InstanceRow? {
        try transaction.get(views.instances, key: ViewKey().appending(entity).appending(signalID).appending(pack).bytes)
            .map { bytes in try bytes.withUnsafeBytes { try InstanceRow.decode($0) } }
    }

    public func instances(ofEntity id: Int64) throws -> [InstanceRow] {
        var result: [InstanceRow] = []
        try scan(views.instances, prefix: ViewKey().appending(id)) { _, value in
            result.append(try InstanceRow.decode(value))
            return true
        }
        return result
    }

    // MARK: - Snapshots

    public func readiness(company: Int64, asOf: Day, pack: UUID) throws -> Stamped<ReadinessSnapshotRecorded>? {
        try transaction.get(views.readiness, key: ViewKey().appending(company).appending(asOf).appending(pack).bytes)
            .map { bytes in try bytes.withUnsafeBytes { try Stamped<ReadinessSnapshotRecorded>.decode($0) } }
    }

    public func engagement(company: Int64, asOf: Day, pack: UUID) throws -> Stamped<EngagementSnapshotRecorded>? {
        try transaction.get(views.engagement, key: ViewKey().appending(company).appending(asOf).appending(pack).bytes)
            .map { bytes in try bytes.withUnsafeBytes { try Stamped<EngagementSnapshotRecorded>.decode($0) } }
    }

    /// The company's readiness snapshots (every pack and date), oldest date first.
    public func readinessHistory(company: Int64) throws -> [Stamped<ReadinessSnapshotRecorded>] {
        var result: [Stamped<ReadinessSnapshotRecorded>] = []
        try scan(views.readiness, prefix: ViewKey().appending(company)) { _, value in
            result.append(try Stamped<ReadinessSnapshotRecorded>.decode(value))
            return true
        }
        return result
    }

    /// Company ids with a readiness snapshot for `(pack, asOf)`, ascending.
    public func companiesScored(pack: UUID, asOf: Day) throws -> [Int64] {
        var result: [Int64] = []
        try scan(views.readinessByDay, prefix: ViewKey().appending(pack).appending(asOf)) { key, _ in
            var reader = ViewKeyReader(key)
            _ = reader.uuid()
            _ = reader.day()
            result.append(reader.int64())
            return true
        }
        return result
    }

    // MARK: - Lead feed

    public func leadFeedRow(workspace: UUID, pack: UUID, entity: Int64) throws -> Stamped<LeadFeedRowRecorded>? {
        try transaction.get(views.leadFeed, key: ViewKey().appending(workspace).appending(pack).appending(entity).bytes)
            .map { bytes in try bytes.withUnsafeBytes { try Stamped<LeadFeedRowRecorded>.decode($0) } }
    }

    /// Lead-feed rows of `(workspace, pack, asOf)` in ranking order (composite desc, entity asc),
    /// skipping `offset` rows and returning at most `limit`.
    public func leadFeed(workspace: UUID, pack: UUID, asOf: Day, offset: Int = 0, limit: Int = .max) throws
        -> [Stamped<LeadFeedRowRecorded>]
    {
        var result: [Stamped<LeadFeedRowRecorded>] = []
        var skipped = 0
        try scan(views.leadFeedRank, prefix: ViewKey().appending(workspace).appending(pack).appending(asOf)) { key, _ in
            if skipped < offset {
                skipped += 1
                return true
            }
            var reader = ViewKeyReader(key)
            _ = reader.uuid(); _ = reader.uuid(); _ = reader.day(); _ = reader.uint32()
            if let row = try leadFeedRow(workspace: workspace, pack: pack, entity: reader.int64()) { result.append(row) }
            return result.count < limit
        }
        return result
    }

    /// Every lead-feed row of `(workspace, pack)` whatever its `as_of`, by entity id.
    public func leadFeedRows(workspace: UUID, pack: UUID) throws -> [Stamped<LeadFeedRowRecorded>] {
        var result: [Stamped<LeadFeedRowRecorded>] = []
        try scan(views.leadFeed, prefix: ViewKey().appending(workspace).appending(pack)) { _, value in
            result.append(try Stamped<LeadFeedRowRecorded>.decode(value))
            return true
        }
        return result
    }

    // MARK: - Outreach, timeline, jobs

    /// The company's outreach records (every workspace), in log order.
    public func outreach(ofCompany id: Int64) throws -> [Stamped<OutreachRecorded>] {
        var result: [Stamped<OutreachRecorded>] = []
        try scan(views.outreach, prefix: ViewKey().appending(id)) { _, value in
            result.append(try Stamped<OutreachRecorded>.decode(value))
            return true
        }
        return result
    }

    /// The company's timeline in log order: the stored entries merged with one entry per stored
    /// event (composed from the events index, so ingest writes no second row per event).
    public func timeline(ofCompany id: Int64) throws -> [TimelineEntry] {
        var result: [TimelineEntry] = []
        try scan(views.timeline, prefix: ViewKey().appending(id)) { key, value in
            var reader = ViewKeyReader(key)
            _ = reader.int64()
            result.append(try TimelineEntry.decode(companyID: id, sequence: reader.uint64(), value))
            return true
        }
        for stored in try events(ofCompany: id) {
            let e = stored.record
            result.append(TimelineEntry(companyID: id, sequence: stored.sequence, at: stored.recordedAt, kind: "event_stored",
                                        detail: "\(e.eventType) at \(e.eventTime.isoNaive) from \(e.source)", jobRunID: e.jobRunID))
        }
        return result.sorted { $0.sequence < $1.sequence }
    }

    public func job(_ id: UInt64) throws -> JobRow? {
        try transaction.get(views.jobs, key: ViewKey().appending(id).bytes).map { bytes in
            try bytes.withUnsafeBytes { try JobRow.decode($0) }
        }
    }

    public func allJobs() throws -> [JobRow] {
        var result: [JobRow] = []
        try scan(views.jobs, prefix: ViewKey()) { _, value in
            result.append(try JobRow.decode(value))
            return true
        }
        return result
    }

    /// Job runs of `(workspace, jobType)` started at or after `since`.
    public func jobCount(workspace: UUID?, jobType: String, since: Timestamp) throws -> Int {
        let prefix = ViewKey.jobsByWorkspace(workspace, jobType)
        var count = 0
        try scan(views.jobsByWorkspace, prefix: prefix, from: prefix.appending(since.microseconds)) { _, _ in
            count += 1
            return true
        }
        return count
    }
}
