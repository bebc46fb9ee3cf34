public import EventLog
public import Foundation
package import LMDB
public import SiglogCore
public import SiglogRecords

/// Typed reads of the views inside one transaction (read-only, or the current write transaction,
/// which sees the records appended earlier in it). Obtained from `Store.read` or `StoreWriter.reader`;
/// valid only inside that closure.
public struct ViewReader {
    /// The transaction every read runs in.
    package let transaction: Transaction
    /// The generation of views being read.
    public let views: ViewSet
    /// The log, for views that index records without copying them (events by company).
    public let log: EventLog

    /// The company index entries a write transaction holds back (`StoreWriter.holdCompanyIndexInserts`),
    /// found after a miss in the view.
    let held: BulkLoad?

    /// A reader of `views` and `log` inside `transaction`.
    package init(transaction: Transaction, views: ViewSet, log: EventLog) {
        self.init(transaction: transaction, views: views, log: log, held: nil)
    }

    /// A reader of a write transaction that may hold company index entries back in `held`.
    init(transaction: Transaction, views: ViewSet, log: EventLog, held: BulkLoad?) {
        self.transaction = transaction
        self.views = views
        self.log = log
        self.held = held
    }

    // MARK: - Scans

    /// Calls `body` with each entry of `view` whose key starts with `prefix`, in key order, from
    /// `start` (default: the prefix itself); `body` returns false to stop. Keys and values are valid
    /// only inside `body`.
    package func scan(_ view: View, prefix: ViewKey, from start: ViewKey? = nil,
                      _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try transaction.forEach(views[view], from: (start ?? prefix).bytes) { key, value in
            guard prefix.isPrefix(of: key) else { return false }
            return try body(key, value)
        }
    }

    /// Whether `view` holds any entry whose key starts with `prefix` (one cursor step).
    package func hasEntries(_ view: View, prefix: ViewKey) throws -> Bool {
        var found = false
        try scan(view, prefix: prefix) { _, _ in
            found = true
            return false
        }
        return found
    }

    /// Scans `view` backwards from the last key with `prefix`.
    package func scanBackward(_ view: View, prefix: ViewKey,
                              _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try transaction.forEachBackward(views[view], before: prefix.successor) { key, value in
            guard prefix.isPrefix(of: key) else { return false }
            return try body(key, value)
        }
    }

    /// The value under `key` in `view`, decoded, or nil.
    func row<R>(_ view: View, _ key: ViewKey, _ decode: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try transaction.withValue(views[view], key: key.bytes, decode)
    }

    /// A company id stored as the value of an index entry.
    func id(_ view: View, _ key: ViewKey) throws -> Int64? {
        if held?.storesNoCompanyIndexEntry(view) ?? false { return key.bytes.withUnsafeBytes { heldID(view, $0) } }
        if let found = try row(view, key, { bytes in
            var reader = ViewKeyReader(bytes)
            return reader.int64()
        }) {
            return found
        }
        guard let held, held.holdsCompanyIndexes else { return nil }
        return key.bytes.withUnsafeBytes { heldID(view, $0) }
    }

    /// The company id held back under `key` of `view` in this write transaction, if any (`hash`: the
    /// key's held hash, when computed ahead).
    private func heldID(_ view: View, _ key: UnsafeRawBufferPointer, hash: UInt32? = nil) -> Int64? {
        held?.withHeldCompanyIndexValue(view, key: key, hash: hash) { bytes in
            var reader = ViewKeyReader(bytes)
            return reader.int64()
        }
    }

    /// `id(view, ViewKey().appending(text))` for a text stored inline (not hashed), with the key
    /// built on the stack: ingest looks a company up this way for nearly every event, and a
    /// `ViewKey` allocates its bytes. `first`: a text part before `text`, also inline (the alias
    /// index's type), as `ViewKey().appending(first).appending(text)`.
    /// `hash`: the key's held hash (`HeldCompanyIndexes.hash` of the key in `view`'s slot), when
    /// computed ahead (`heldDomainHashes`).
    func id(_ view: View, inlineText text: String, after first: String? = nil, hash: UInt32? = nil) throws -> Int64? {
        let database = views[view]
        var text = text
        let hasFirst = first != nil
        var first = first ?? ""
        let firstCount = hasFirst ? first.utf8.count + 1 : 0
        return try first.withUTF8 { firstUTF8 in
            try text.withUTF8 { utf8 in
                try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: firstCount + utf8.count + 1) { key in
                    if firstCount > 0 {
                        _ = UnsafeMutableBufferPointer(rebasing: key[0..<firstUTF8.count]).initialize(fromContentsOf: firstUTF8)
                        key[firstUTF8.count] = 0
                    }
                    _ = UnsafeMutableBufferPointer(rebasing: key[firstCount..<firstCount + utf8.count]).initialize(fromContentsOf: utf8)
                    key[firstCount + utf8.count] = 0  // the terminator `ViewKey.appending(_: String)` writes
                    let key = UnsafeRawBufferPointer(key)
                    if let held, held.holdsCompanyIndexes {
                        // A held domain is absent from the view (see `ViewWriter.putIfAbsent`): asked first.
                        if view == .companiesByDomain, let found = heldID(view, key, hash: hash) { return found }
                        // A view that stored nothing when holding began stores nothing still: only the
                        // held entries can answer (a store's first batch); the domain's were asked above.
                        if held.storesNoCompanyIndexEntry(view) {
                            return view == .companiesByDomain ? nil : heldID(view, key, hash: hash)
                        }
                    }
                    if let found = try transaction.withValue(database, key: key, { bytes in
                        var reader = ViewKeyReader(bytes)
                        return reader.int64()
                    }) {
                        return found
                    }
                    guard view != .companiesByDomain, let held, held.holdsCompanyIndexes else { return nil }
                    return heldID(view, key, hash: hash)
                }
            }
        }
    }

    // MARK: - Packs and workspaces

    /// The installed pack with this UUID.
    public func pack(_ uuid: UUID) throws -> Stamped<PackInstalled>? {
        try row(.packs, ViewKey().appending(uuid), Stamped<PackInstalled>.decode)
    }

    /// Whether a pack is installed under `uuid`, without decoding its row (a whole pack definition).
    public func hasPack(_ uuid: UUID) throws -> Bool {
        try row(.packs, ViewKey().appending(uuid)) { _ in () } != nil
    }

    /// The UUID installed for `(pack_id, version)`.
    public func packUUID(packID: String, version: String) throws -> UUID? {
        try row(.packsByKey, ViewKey().appending(packID).appending(version)) { bytes -> UUID? in
            guard bytes.count == 16 else { return nil }
            var reader = ViewKeyReader(bytes)
            return reader.uuid()
        } ?? nil
    }

    /// Every installed pack, by UUID.
    public func allPacks() throws -> [Stamped<PackInstalled>] {
        var result: [Stamped<PackInstalled>] = []
        try scan(.packs, prefix: ViewKey()) { _, value in
            result.append(try Stamped<PackInstalled>.decode(value))
            return true
        }
        return result
    }

    /// The workspace with this id.
    public func workspace(_ id: UUID) throws -> WorkspaceRow? {
        try row(.workspaces, ViewKey().appending(id), WorkspaceRow.decode)
    }

    /// Every workspace, by id.
    public func allWorkspaces() throws -> [WorkspaceRow] {
        var result: [WorkspaceRow] = []
        try scan(.workspaces, prefix: ViewKey()) { _, value in
            result.append(try WorkspaceRow.decode(value))
            return true
        }
        return result
    }

    // MARK: - Companies

    /// The company with this id.
    public func company(_ id: Int64) throws -> CompanyRow? {
        try row(.companies, ViewKey().appending(id), CompanyRow.decode)
    }

    /// The company's name and domain (what a query prints beside its id), without decoding the rest
    /// of its row; nil when there is no such company.
    public func companyLabel(_ id: Int64) throws -> CompanyLabel? {
        try row(.companies, ViewKey().appending(id), CompanyRow.label)
    }

    /// The company's alignment and status (what scoring reads of the row), without decoding the
    /// rest of it; nil when there is no such company.
    public func companyScoringState(_ id: Int64) throws -> (alignmentOK: Bool?, status: String?)? {
        try row(.companies, ViewKey().appending(id), CompanyRow.scoringState)
    }

    /// The highest company id in use (0 when there is none).
    public func lastCompanyID() throws -> Int64 {
        // Inside a write transaction (ingest asks before each company it creates): through the
        // view's kept write cursor, no cursor opened per call, and the cursor then stands on the
        // last page, where the new company's row is appended next.
        if let write = transaction as? WriteTransaction {
            return try write.withLastKey(views[.companies]) { key in
                var reader = ViewKeyReader(key)
                return reader.int64()
            } ?? 0
        }
        var last: Int64 = 0
        try transaction.forEachBackward(views[.companies]) { key, _ in
            var reader = ViewKeyReader(key)
            last = reader.int64()
            return false
        }
        return last
    }

    /// Companies in id order, from `start` on; `body` returns false to stop.
    public func forEachCompany(from start: Int64? = nil, _ body: (CompanyRow) throws -> Bool) throws {
        try scan(.companies, prefix: ViewKey(), from: start.map { ViewKey().appending($0) }) { _, value in
            try body(try CompanyRow.decode(value))
        }
    }

    /// Every company, by id.
    public func allCompanies() throws -> [CompanyRow] {
        var result: [CompanyRow] = []
        try forEachCompany { result.append($0); return true }
        return result
    }

    /// The company whose `domain` is `domain` (matching step 1).
    public func companyID(withDomain domain: String) throws -> Int64? {
        try companyID(.companiesByDomain, keyText: domain) { $0.created.domain == domain }
    }

    /// `companyID(withDomain:)` with `hash` = `heldDomainHashes(domain).domain` computed ahead (this process).
    public func companyID(withDomain domain: String, heldHash hash: UInt32) throws -> Int64? {
        guard ViewKey.hashes(domain) else { return try id(.companiesByDomain, inlineText: domain, hash: hash) }
        return try companyID(withDomain: domain)
    }

    /// `companyID(aliasType: "domain", value: domain)` with `hash` = `heldDomainHashes(domain).alias`
    /// computed ahead (this process), the key built on the stack.
    public func companyID(withDomainAlias domain: String, heldHash hash: UInt32) throws -> Int64? {
        guard ViewKey.hashes(domain) else { return try companyID(aliasType: HeldDomainHashes.aliasType, value: domain) }
        return try id(.companiesByAlias, inlineText: domain, after: HeldDomainHashes.aliasType, hash: hash)
    }

    /// `companyID(withWebsiteDomain:)` with `hash` = `heldDomainHashes(domain).websiteDomain`
    /// computed ahead (this process).
    public func companyID(withWebsiteDomain domain: String, heldHash hash: UInt32) throws -> Int64? {
        guard ViewKey.hashes(domain) else { return try companyID(withWebsiteDomain: domain) }
        return try id(.companiesByWebsiteDomain, inlineText: domain, hash: hash)
    }

    /// The held hashes of the three company-index keys a domain is matched on (steps 1–3: the
    /// `companies.domain` key, the `("domain", domain)` alias key, the `companies.website_domain`
    /// key); nil for a domain stored hashed in keys. The same on every thread of this process, so
    /// the thread that parses computes them ahead.
    public static func heldDomainHashes(_ domain: String) -> HeldDomainHashes? {
        guard !ViewKey.hashes(domain) else { return nil }
        var domain = domain
        var aliasType = HeldDomainHashes.aliasType
        return aliasType.withUTF8 { type in
            domain.withUTF8 { utf8 in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: type.count + 1 + utf8.count + 1) { key in
                    // The alias key (`ViewKey().appending("domain").appending(domain)`); the domain's
                    // own key is its tail (the domain and its terminator).
                    _ = UnsafeMutableBufferPointer(rebasing: key[0..<type.count]).initialize(fromContentsOf: type)
                    key[type.count] = 0
                    _ = UnsafeMutableBufferPointer(rebasing: key[(type.count + 1)..<(type.count + 1 + utf8.count)])
                        .initialize(fromContentsOf: utf8)
                    key[type.count + 1 + utf8.count] = 0
                    let alias = UnsafeRawBufferPointer(key)
                    let own = UnsafeRawBufferPointer(rebasing: alias[(type.count + 1)...])
                    return HeldDomainHashes(
                        domain: HeldCompanyIndexes.hash(slot: HeldCompanyIndexes.domainSlot, own),
                        alias: HeldCompanyIndexes.hash(slot: HeldCompanyIndexes.slot(.companiesByAlias)!, alias),
                        websiteDomain: HeldCompanyIndexes.hash(slot: HeldCompanyIndexes.slot(.companiesByWebsiteDomain)!, own))
                }
            }
        }
    }

    /// Asks memory, ahead of a lookup of the domain whose `heldDomainHashes` are `hashes`, for its
    /// held table place (`entry` false) or, once that is near, for its held entry (`entry` true);
    /// with `entry`, when no held entry can be the domain's, its alias and website-domain places too, while
    /// the company indexes store nothing (a store's first batch: a domain not held is a new company,
    /// whose resolution asks those two next). A hint only.
    public func prefetchCompanyID(withDomainHashes hashes: HeldDomainHashes, entry: Bool) {
        guard let held else { return }
        guard entry else { return held.prefetchHeldCompanyIndexPlace(hash: hashes.domain) }
        if !held.prefetchHeldCompanyIndexEntry(hash: hashes.domain), held.storesNoCompanyIndexEntry(.companiesByAlias) {
            prefetchCompanyIDAfterDomainMiss(hashes)
        }
    }

    /// Asks memory for the held table places of a domain's alias and website-domain keys, the
    /// lookups that follow a miss of the domain itself. A hint only.
    public func prefetchCompanyIDAfterDomainMiss(_ hashes: HeldDomainHashes) {
        guard let held else { return }
        held.prefetchHeldCompanyIndexPlace(hash: hashes.alias)
        held.prefetchHeldCompanyIndexPlace(hash: hashes.websiteDomain)
    }

    /// The company holding the alias `(type, value)`.
    public func companyID(aliasType: String, value: String) throws -> Int64? {
        try companyID(.companiesByAlias, ViewKey().appending(aliasType).appending(value), text: value) { row in
            row.created.aliases.contains { $0.type == aliasType && $0.value == value }
        }
    }
    /// The first company whose website has this domain (matching step 3).
    public func companyID(withWebsiteDomain domain: String) throws -> Int64? {
        try companyID(.companiesByWebsiteDomain, keyText: domain) { $0.created.websiteDomain == domain }
    }
    /// The company with this LinkedIn URL (matching step 4).
    public func companyID(withLinkedInURL url: String) throws -> Int64? {
        try companyID(.companiesByLinkedIn, keyText: url) { $0.created.linkedinURL == url }
    }
    /// The lowest company id with this normalized name (matching step 6, D12).
    public func companyID(withNormalizedName name: String) throws -> Int64? {
        try companyID(.companiesByName, keyText: name) { $0.created.normalizedName == name }
    }

    /// `companyID` for a key that is `text` alone.
    private func companyID(_ view: View, keyText text: String, matches: (CompanyRow) -> Bool) throws -> Int64? {
        guard ViewKey.hashes(text) else { return try id(view, inlineText: text) }
        return try companyID(view, ViewKey().appending(text), text: text, matches: matches)
    }

    /// The company an index entry leads to. When `text` is stored hashed in the key, the company's
    /// own value must equal it (`matches`), so a hash collision can never match another company.
    private func companyID(_ view: View, _ key: ViewKey, text: String, matches: (CompanyRow) -> Bool) throws -> Int64? {
        guard let id = try id(view, key) else { return nil }
        guard ViewKey.hashes(text) else { return id }
        guard let row = try company(id), matches(row) else { return nil }
        return id
    }

    // MARK: - The log

    /// Walks the log records from `start` in log order, as this transaction sees them (a stage
    /// sees exactly the log its write transaction sees); `body` returns false to stop.
    public func forEachRecord(from start: UInt64 = 1, _ body: (borrowing RecordView) throws -> Bool) throws {
        try log.forEach(in: transaction, from: start, body)
    }

    // MARK: - Events

    /// Lends the log record of event `id` to `body`. An id that is not a stored event is
    /// `LogError.undecodablePayload`: the events index only holds stored events.
    public func withEventRecord<R>(_ id: UInt64, _ body: (borrowing RecordView) throws -> R) throws -> R {
        let result = try log.withRecord(at: id, in: transaction) { record -> R in
            try ViewReader.requireEvent(record, id: id)
            return try body(record)
        }
        guard let result else { throw ViewReader.noSuchEvent(id) }
        return result
    }

    /// An event id must name a stored event's record.
    private static func requireEvent(_ record: borrowing RecordView, id: UInt64) throws {
        guard record.type == .eventStored else {
            throw LogError.undecodablePayload(sequence: id, reason: "expected a stored event, found \(record.type.name)")
        }
    }

    private static func noSuchEvent(_ id: UInt64) -> LogError { .undecodablePayload(sequence: id, reason: "no such event") }

    /// The stored event with this id, decoded in full.
    public func event(_ id: UInt64) throws -> StoredEvent {
        try withEventRecord(id) { record in
            StoredEvent(id: id, record: try EventStored.decode(record), ingestedAt: Timestamp(microseconds: record.appendedAt),
                        workspace: record.workspace)
        }
    }

    /// The company's stored events in log order (oldest record first).
    public func events(ofCompany id: Int64) throws -> [StoredEvent] {
        try eventIDs(ofCompany: id).map(event)
    }

    /// The company's events of `decoder`'s pack, lean, in log order.
    public func leanEvents(ofCompany id: Int64, decoder: inout LeanEventDecoder) throws -> [LeanEvent] {
        var result: [LeanEvent] = []
        for eventID in try eventIDs(ofCompany: id) {
            if let event = try withEventRecord(eventID, { try decoder.decode($0) }) { result.append(event) }
        }
        return result
    }

    /// The events of `decoder`'s pack of each of `companies`, lean, each company's in log order: the
    /// same as `leanEvents(ofCompany:decoder:)` per company, but every record is read in ascending
    /// log order with one cursor (records of neighbouring ids share pages).
    public func leanEvents(ofCompanies companies: [Int64], decoder: inout LeanEventDecoder) throws -> [[LeanEvent]] {
        var wanted: [(id: UInt64, company: Int)] = []
        // Each company's list is sized once for its ids (an upper bound: events of other packs
        // decode to nil) instead of grown by copying as its events arrive.
        var result: [[LeanEvent]] = []
        result.reserveCapacity(companies.count)
        for (index, company) in companies.enumerated() {
            let ids = try eventIDs(ofCompany: company)
            for id in ids { wanted.append((id, index)) }
            var events: [LeanEvent] = []
            events.reserveCapacity(ids.count)
            result.append(events)
        }
        wanted.sort { $0.id < $1.id }
        let missing = try log.withRecords(at: wanted.map(\.id), in: transaction) { index, record in
            try ViewReader.requireEvent(record, id: wanted[index].id)
            if let event = try decoder.decode(record) { result[wanted[index].company].append(event) }
        }
        if let missing { throw ViewReader.noSuchEvent(missing) }
        return result
    }

    /// The ids (log sequence numbers) of the company's events, ascending.
    public func eventIDs(ofCompany id: Int64) throws -> [UInt64] {
        var result: [UInt64] = []
        try scan(.eventsByCompany, prefix: ViewKey().appending(id)) { key, _ in
            var reader = ViewKeyReader(key)
            _ = reader.int64()
            result.append(reader.uint64())
            return true
        }
        return result
    }

    /// The company's newest event id, or nil when it has none.
    public func lastEventID(ofCompany id: Int64) throws -> UInt64? {
        var last: UInt64?
        try scanBackward(.eventsByCompany, prefix: ViewKey().appending(id)) { key, _ in
            var reader = ViewKeyReader(key)
            _ = reader.int64()
            last = reader.uint64()
            return false
        }
        return last
    }

    /// Company ids that have at least one event, ascending.
    public func companiesWithEvents() throws -> [Int64] {
        var result: [Int64] = []
        try transaction.withCursor(views[.eventsByCompany]) { cursor in
            var company = try cursor.first { key, _ -> Int64 in
                var reader = ViewKeyReader(key)
                return reader.int64()
            }
            while let current = company {
                result.append(current)
                // Jump past the company's last possible key.
                let next = ViewKey().appending(current).appending(UInt64.max).bytes + [0]
                company = try cursor.seek(atOrAfter: next) { key, _ -> Int64 in
                    var reader = ViewKeyReader(key)
                    return reader.int64()
                }
            }
        }
        return result
    }

    // MARK: - Instances

    /// The instance stored under `(entity_id, signal_id, pack_id)`, or nil.
    public func instance(entity: Int64, signalID: String, pack: UUID) throws -> InstanceRow? {
        try row(.instances, ViewKey().appending(entity).appending(signalID).appending(pack), InstanceRow.decode)
    }

    /// Instances by `(entity_id, signal_id, pack_id)`, of one entity when given; `body` returns
    /// false to stop.
    public func forEachInstance(ofEntity entity: Int64? = nil, _ body: (InstanceRow) throws -> Bool) throws {
        try scan(.instances, prefix: entity.map { ViewKey().appending($0) } ?? ViewKey()) { _, value in
            try body(try InstanceRow.decode(value))
        }
    }

    /// The entity's instances, by signal id and pack.
    public func instances(ofEntity id: Int64) throws -> [InstanceRow] {
        var result: [InstanceRow] = []
        try forEachInstance(ofEntity: id) { result.append($0); return true }
        return result
    }

    // MARK: - Snapshots

    /// The readiness snapshot of `(company, asOf, pack)`.
    public func readiness(company: Int64, asOf: Day, pack: UUID) throws -> Stamped<ReadinessSnapshotRecorded>? {
        try row(.readiness, ViewKey().appending(company).appending(asOf).appending(pack), Stamped.decode)
    }

    /// The engagement snapshot of `(company, asOf, pack)`.
    public func engagement(company: Int64, asOf: Day, pack: UUID) throws -> Stamped<EngagementSnapshotRecorded>? {
        try row(.engagement, ViewKey().appending(company).appending(asOf).appending(pack), Stamped.decode)
    }

    /// Readiness snapshots by `(company_id, as_of, pack_id)`: of one company when given, from `from`
    /// on when given; `body` returns false to stop.
    public func forEachReadiness(company: Int64? = nil, from: Day? = nil,
                                 _ body: (Stamped<ReadinessSnapshotRecorded>) throws -> Bool) throws {
        let prefix = company.map { ViewKey().appending($0) } ?? ViewKey()
        let start = from.flatMap { day in company.map { _ in prefix.appending(day) } }
        try scan(.readiness, prefix: prefix, from: start) { _, value in try body(try Stamped.decode(value)) }
    }

    /// `(as_of, pack, pressure)` of the company's readiness snapshots dated `from` or later, oldest
    /// date first, read without their explains; `body` returns false to stop.
    public func forEachReadinessPressure(company: Int64, from: Day,
                                         _ body: (_ asOf: Day, _ pack: UUID, _ pressure: Int) throws -> Bool) throws {
        let prefix = ViewKey().appending(company)
        try scan(.readiness, prefix: prefix, from: prefix.appending(from)) { _, value in
            let columns = try ReadinessSnapshotRecorded.pressureColumns(payload: value)
            return try body(columns.asOf, columns.pack, columns.pressure)
        }
    }

    /// The company's readiness snapshots (every pack and date), oldest date first.
    public func readinessHistory(company: Int64) throws -> [Stamped<ReadinessSnapshotRecorded>] {
        var result: [Stamped<ReadinessSnapshotRecorded>] = []
        try forEachReadiness(company: company) { result.append($0); return true }
        return result
    }

    /// Company ids with a readiness snapshot for `(pack, asOf)`, ascending.
    public func companiesScored(pack: UUID, asOf: Day) throws -> [Int64] {
        var result: [Int64] = []
        try scan(.readinessByDay, prefix: ViewKey().appending(pack).appending(asOf)) { key, _ in
            var reader = ViewKeyReader(key)
            reader.skipUUID()
            reader.skipDay()
            result.append(reader.int64())
            return true
        }
        return result
    }

    // MARK: - Lead feed

    /// The lead-feed row of `(workspace, pack, entity)`.
    public func leadFeedRow(workspace: UUID, pack: UUID, entity: Int64) throws -> Stamped<LeadFeedRowRecorded>? {
        try row(.leadFeed, ViewKey().appending(workspace).appending(pack).appending(entity), Stamped.decode)
    }

    /// Lead-feed rows of `(workspace, pack, asOf)` in ranking order (composite desc, entity asc),
    /// skipping `offset` rows; `body` returns false to stop.
    public func forEachLeadFeedRow(workspace: UUID, pack: UUID, asOf: Day, offset: Int = 0,
                                   _ body: (Stamped<LeadFeedRowRecorded>) throws -> Bool) throws {
        var skipped = 0
        try scan(.leadFeedRank, prefix: ViewKey().appending(workspace).appending(pack).appending(asOf)) { key, _ in
            if skipped < offset {
                skipped += 1
                return true
            }
            var reader = ViewKeyReader(key)
            reader.skipUUID(); reader.skipUUID(); reader.skipDay(); _ = reader.uint32()
            guard let row = try leadFeedRow(workspace: workspace, pack: pack, entity: reader.int64()) else { return true }
            return try body(row)
        }
    }

    /// Lead-feed rows of `(workspace, pack, asOf)` in ranking order, skipping `offset` rows and
    /// returning at most `limit`.
    public func leadFeed(workspace: UUID, pack: UUID, asOf: Day, offset: Int = 0, limit: Int = .max) throws
        -> [Stamped<LeadFeedRowRecorded>]
    {
        var result: [Stamped<LeadFeedRowRecorded>] = []
        guard limit > 0 else { return result }
        try forEachLeadFeedRow(workspace: workspace, pack: pack, asOf: asOf, offset: offset) { row in
            result.append(row)
            return result.count < limit
        }
        return result
    }

    /// The latest `as_of` of the lead feed of `(workspace, pack)`, or nil when it has no row.
    public func latestLeadFeedDay(workspace: UUID, pack: UUID) throws -> Day? {
        var latest: Day?
        try scanBackward(.leadFeedRank, prefix: ViewKey().appending(workspace).appending(pack)) { key, _ in
            var reader = ViewKeyReader(key)
            reader.skipUUID(); reader.skipUUID()
            latest = reader.day()
            return false
        }
        return latest
    }

    /// Every lead-feed row of `(workspace, pack)` whatever its `as_of`, by entity id.
    public func leadFeedRows(workspace: UUID, pack: UUID) throws -> [Stamped<LeadFeedRowRecorded>] {
        var result: [Stamped<LeadFeedRowRecorded>] = []
        try scan(.leadFeed, prefix: ViewKey().appending(workspace).appending(pack)) { _, value in
            result.append(try Stamped<LeadFeedRowRecorded>.decode(value))
            return true
        }
        return result
    }

    // MARK: - Outreach, timeline, jobs

    /// The company's outreach records (every workspace), in log order.
    public func outreach(ofCompany id: Int64) throws -> [Stamped<OutreachRecorded>] {
        var result: [Stamped<OutreachRecorded>] = []
        try scan(.outreach, prefix: ViewKey().appending(id)) { _, value in
            result.append(try Stamped<OutreachRecorded>.decode(value))
            return true
        }
        return result
    }

    /// The company's timeline in log order: the stored entries merged with one entry per stored
    /// event (composed from the events index, so ingest writes no second row per event).
    public func timeline(ofCompany id: Int64) throws -> [TimelineEntry] {
        var result: [TimelineEntry] = []
        try scan(.timeline, prefix: ViewKey().appending(id)) { key, value in
            var reader = ViewKeyReader(key)
            _ = reader.int64()
            result.append(try TimelineEntry.decode(companyID: id, sequence: reader.uint64(), value))
            return true
        }
        for stored in try events(ofCompany: id) {
            let e = stored.record
            result.append(TimelineEntry(companyID: id, sequence: stored.id, at: stored.ingestedAt, kind: "event_stored",
                                        detail: "\(e.eventType) at \(e.eventTime) from \(e.source)", jobRunID: e.jobRunID))
        }
        return result.sorted { $0.sequence < $1.sequence }
    }

    /// The workspace of the log record at `sequence` (nil for shared records and missing ones).
    public func workspace(ofRecord sequence: UInt64) throws -> UUID? {
        try log.withRecord(at: sequence, in: transaction) { $0.workspace } ?? nil
    }

    /// The job run with this id.
    public func job(_ id: UInt64) throws -> JobRow? {
        try row(.jobs, ViewKey().appending(id), JobRow.decode)
    }

    /// Job runs by id, from `start` on; `body` returns false to stop.
    public func forEachJob(from start: UInt64? = nil, _ body: (JobRow) throws -> Bool) throws {
        try scan(.jobs, prefix: ViewKey(), from: start.map { ViewKey().appending($0) }) { _, value in
            try body(try JobRow.decode(value))
        }
    }

    /// The runs still `running`, by id.
    public func runningJobs() throws -> [JobRow] {
        var ids: [UInt64] = []
        try scan(.runningJobs, prefix: ViewKey()) { key, _ in
            var reader = ViewKeyReader(key)
            ids.append(reader.uint64())
            return true
        }
        return try ids.compactMap(job)
    }

    /// Every job run, by id.
    public func allJobs() throws -> [JobRow] {
        var result: [JobRow] = []
        try forEachJob { result.append($0); return true }
        return result
    }

    /// Job runs of `(workspace, jobType)` started at or after `since`.
    public func jobCount(workspace: UUID?, jobType: JobType, since: Timestamp) throws -> Int {
        let prefix = ViewKey.jobsByWorkspace(workspace, jobType)
        var count = 0
        try scan(.jobsByWorkspace, prefix: prefix, from: prefix.appending(since.microseconds)) { _, _ in
            count += 1
            return true
        }
        return count
    }

    /// When the first run of `(workspace, jobType)` started at or after `since` started, or nil.
    public func firstJobStart(workspace: UUID?, jobType: JobType, since: Timestamp) throws -> Timestamp? {
        let prefix = ViewKey.jobsByWorkspace(workspace, jobType)
        var first: Timestamp?
        try scan(.jobsByWorkspace, prefix: prefix, from: prefix.appending(since.microseconds)) { key, _ in
            var reader = ViewKeyReader(UnsafeRawBufferPointer(rebasing: key[prefix.bytes.count...]))
            first = Timestamp(microseconds: reader.int64())
            return false
        }
        return first
    }

    // MARK: - Checkpoint

    /// The last log sequence number reflected in the views.
    public func appliedSequence() throws -> UInt64 { try views.appliedSequence(in: transaction) }

    /// Where this read stands: the log's head and the sequence the views reflect, both as this
    /// reader's transaction sees them. Everything a reader can return is a function of it.
    public func position() throws -> ReadPosition {
        ReadPosition(head: try log.head(in: transaction), applied: try appliedSequence())
    }

    /// The stored fingerprint of every view.
    public func fingerprints() throws -> [View: Fingerprint] { try views.fingerprints(in: transaction) }

    /// Entries in `view`.
    public func entryCount(_ view: View) throws -> Int { try transaction.statistics(of: views[view]).entries }
}

/// A stored event with its id (log position), ingest time and the workspace it was ingested for.
public struct StoredEvent: Sendable, Hashable {
    /// The event id: the log position of its record.
    public var id: UInt64
    /// The event as stored.
    public var record: EventStored
    /// When it was appended.
    public var ingestedAt: Timestamp
    /// The workspace it was ingested for.
    public var workspace: UUID?

    /// Creates a stored event.
    public init(id: UInt64, record: EventStored, ingestedAt: Timestamp, workspace: UUID?) {
        self.id = id
        self.record = record
        self.ingestedAt = ingestedAt
        self.workspace = workspace
    }
}

/// The state of the store a read saw: the log's last sequence number and the last one folded into
/// the views. Both only grow while a store is served.
public struct ReadPosition: Hashable, Sendable {
    /// The sequence number of the last record in the log (0: empty).
    public let head: UInt64
    /// The last sequence number reflected in the views.
    public let applied: UInt64

    /// A position.
    public init(head: UInt64, applied: UInt64) {
        self.head = head
        self.applied = applied
    }

    /// Records in the log the views do not reflect yet.
    public var viewsBehind: Int64 { Int64(head) - Int64(applied) }

    /// Whether the store has moved on from `other` (a later head, or the same head folded further).
    public func isLater(than other: ReadPosition) -> Bool {
        (head, applied) > (other.head, other.applied)
    }
}

/// The held company-index hashes of a domain's three matching keys (`ViewReader.heldDomainHashes`).
public struct HeldDomainHashes: Sendable, Equatable {
    /// The alias type of a domain alias (`CompanyAliasType.domain`'s raw value).
    public static let aliasType = "domain"
    /// Of the `companies.domain` key.
    public var domain: UInt32
    /// Of the `companies.alias` key `("domain", domain)`.
    public var alias: UInt32
    /// Of the `companies.website_domain` key.
    public var websiteDomain: UInt32
}
