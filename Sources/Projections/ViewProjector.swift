package import EventLog
package import LMDB
import Foundation
import Scoring
import SiglogCore
import SiglogRecords

/// The projection builder of every view: a pure fold `(views, record) → view writes`. The append
/// path runs it inside each append transaction and replay runs the very same code over the log, so
/// incremental and rebuilt views cannot diverge.
///
/// Idempotent by checkpoint: a record at or below the views' applied sequence is already reflected
/// and changes nothing.
package struct ViewProjector: LogProjection {
    /// The views the projector writes.
    package let views: ViewSet
    /// Set by a rebuild into empty views (see `BulkLoad`); nil on the append path.
    let bulk: BulkLoad?
    /// Set by `Store.write`: the checkpoint row is kept in memory across the transaction's records
    /// and written once when its body ends, instead of read and written for every record.
    let deferred: DeferredCheckpoint?

    /// The projector of the append path: every record writes every view.
    package init(views: ViewSet) {
        self.init(views: views, bulk: nil)
    }

    /// A projector whose `bulk` holds entries back (a rebuild, or `Store.write`'s held timeline) and,
    /// in `Store.write`, whose checkpoint row is kept in `deferred`.
    init(views: ViewSet, bulk: BulkLoad?, deferred: DeferredCheckpoint? = nil) {
        self.views = views
        self.bulk = bulk
        self.deferred = deferred
    }

    /// Applies one record to every view (the log calls it inside each append transaction).
    package func apply(_ view: borrowing RecordView, in txn: WriteTransaction) throws {
        try apply(view, in: txn, active: .all)
    }

    /// Applies one record the appender holds as `typed` (the value its payload was just encoded
    /// from): the hot records are projected from that value and their stamped rows written from the
    /// payload bytes, instead of decoding the payload and encoding the record again.
    package func apply(_ view: borrowing RecordView, typed: any Sendable, in txn: WriteTransaction) throws {
        try apply(view, in: txn, active: .all, typed: typed)
    }

    /// Applies `view`, writing only the views in `active` (partial rebuilds; reads see every view).
    /// The checkpoint row — applied sequence and fingerprints — is read once and written once.
    func apply(_ view: borrowing RecordView, in txn: WriteTransaction, active: ViewMask, typed: (any Sendable)? = nil) throws {
        if let deferred {
            return try apply(view, in: txn, active: active, checkpoint: try deferred.buffer(views: views, in: txn), typed: typed)
        }
        try withUnsafeTemporaryAllocation(byteCount: ViewSet.checkpointRowSize, alignment: 16) { row in
            row.initializeMemory(as: UInt8.self, repeating: 0)
            let applied: UInt64 = try txn.withValue(views.checkpoint, key: ViewSet.checkpointKey) { stored -> UInt64 in
                guard stored.count >= 8 else { return 0 }
                row.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored.prefix(row.count)))
                return UInt64(bigEndian: stored.loadUnaligned(as: UInt64.self))
            } ?? 0
            if applied >= view.sequence { return }
            let writer = ViewWriter(transaction: txn, views: views, row: row, active: active, bulk: bulk)
            try project(view, writer, txn, typed: typed)
            row.storeBytes(of: view.sequence.bigEndian, toByteOffset: 0, as: UInt64.self)
            try ViewSet.checkpointKey.withUnsafeBytes { k in
                try txn.put(views.checkpoint, key: k, value: UnsafeRawBufferPointer(row))
            }
        }
    }

    /// `apply` with the checkpoint row held in `checkpoint` for a whole write transaction (replay's
    /// fold) instead of read and written for every record; `checkpoint.store(in:)` writes it once.
    func apply(_ view: borrowing RecordView, in txn: WriteTransaction, active: ViewMask, checkpoint: CheckpointBuffer,
               typed: (any Sendable)? = nil) throws {
        let row = checkpoint.row
        if UInt64(bigEndian: row.loadUnaligned(as: UInt64.self)) >= view.sequence { return }
        let writer = ViewWriter(transaction: txn, views: views, row: row, active: active, bulk: bulk)
        try project(view, writer, txn, typed: typed)
        row.storeBytes(of: view.sequence.bigEndian, toByteOffset: 0, as: UInt64.self)
    }

    /// `apply` of a record the replay's reader thread already checked and decoded (`ReplayItem`),
    /// with the checkpoint row held in `checkpoint`: the same writes as applying its stored bytes.
    func apply(_ item: ReplayItem, in txn: WriteTransaction, active: ViewMask, checkpoint: CheckpointBuffer) throws {
        let row = checkpoint.row
        let applied = UInt64(bigEndian: row.loadUnaligned(as: UInt64.self))
        if applied >= item.sequence { return }
        let writer = ViewWriter(transaction: txn, views: views, row: row, active: active, bulk: bulk)
        switch item {
        case .events(let run):
            guard let bulk, applied < run.first else {
                // Some of the run is applied already (never in a rebuild): one by one.
                for entry in run.entries where entry.sequence > applied {
                    try apply(.event(sequence: entry.sequence, company: ViewKey.signed(fromOrderedBits: entry.company)),
                              in: txn, active: active, checkpoint: checkpoint)
                }
                return
            }
            let offset = ViewSet.fingerprintOffset(.eventsByCompany)
            var fingerprint = Fingerprint.load(from: UnsafeRawBufferPointer(row), at: offset)
            fingerprint.sum &+= run.hashSum
            fingerprint.count += Int64(run.entries.count)
            fingerprint.store(into: row, at: offset)
            bulk.addEvents(run)
        case .event(let seq, let company):
            try writer.putIfAbsent(.eventsByCompany, company: company, sequence: seq)
        case .record(let seq, let appendedAt, let record):
            try project(record, seq: seq, at: Timestamp(microseconds: appendedAt), writer, txn, freshPayload: nil)
        case .stamped(let seq, let appendedAt, let record, let prepared):
            try applyStamped(record, prepared: prepared, seq: seq, at: Timestamp(microseconds: appendedAt), writer, txn)
        case .instance(let seq, let appendedAt, let record, let prepared):
            try applyInstance(record, prepared: prepared, at: Timestamp(microseconds: appendedAt), seq: seq, writer)
        }
        row.storeBytes(of: item.sequence.bigEndian, toByteOffset: 0, as: UInt64.self)
    }

    /// The company of an `event_stored` record (all its projection needs), an undecodable payload
    /// reported with its sequence number.
    static func eventCompany(_ view: borrowing RecordView) throws -> Int64 {
        do { return try view.withPayload { try EventStored.companyID(inPayload: $0) } } catch {
            throw LogError.undecodablePayload(sequence: view.sequence, reason: "\(error)")
        }
    }

    private func project(_ view: borrowing RecordView, _ w: ViewWriter, _ txn: WriteTransaction,
                         typed: (any Sendable)? = nil) throws {
        let at = Timestamp(microseconds: view.appendedAt)
        let seq = view.sequence
        if view.type == .eventStored {
            // The hot path of ingest: the index holds only (company, event id); the event itself is
            // read from the log, and its timeline entry is composed from this index at read time.
            try w.putIfAbsent(.eventsByCompany, company: ViewProjector.eventCompany(view), sequence: seq)
            return
        }
        let record = if let typed { try AnyRecord(view, typed: typed) } else { try AnyRecord(view) }
        try view.withPayload { payload in
            try project(record, seq: seq, at: at, w, txn, freshPayload: typed != nil ? payload : nil)
        }
    }

    /// The writes of one decoded record. `freshPayload`: the payload was just encoded from `record`
    /// (the append path), so stamped rows are that payload with the stamps appended.
    private func project(_ record: AnyRecord, seq: UInt64, at: Timestamp, _ w: ViewWriter, _ txn: WriteTransaction,
                         freshPayload: UnsafeRawBufferPointer?) throws {
        switch record {
        case .packInstalled(let r):
            try w.put(.packs, ViewKey().appending(r.packUUID), Stamped(record: r, sequence: seq, recordedAt: at).encoded())
            try w.put(.packsByKey, ViewKey().appending(r.packID).appending(r.version), uuidBytes(r.packUUID))
        case .workspaceCreated(let r):
            let row = WorkspaceRow(id: r.workspaceID, name: r.name, activePack: r.activePack, createdAt: at, updatedAt: at)
            try w.put(.workspaces, ViewKey().appending(r.workspaceID), row.encoded())
        case .workspacePackSet(let r):
            let key = ViewKey().appending(r.workspaceID)
            guard var row = try txn.withValue(views[.workspaces], key: key.bytes, WorkspaceRow.decode) else { break }
            row.activePack = r.pack
            row.updatedAt = at
            try w.put(.workspaces, key, row.encoded())
        case .companyCreated(let r):
            try applyCompanyCreated(r, freshPayload, seq: seq, at: at, w)
        case .companyUpdated(let r):
            let key = ViewKey().appending(r.companyID)
            guard var row = try txn.withValue(views[.companies], key: key.bytes, CompanyRow.decode) else { break }
            row.version = r.version
            row.alignmentOK = r.alignmentOK
            row.status = r.status
            row.profile = r.profile
            row.updatedAt = at
            try w.put(.companies, key, row.encoded())
            let alignment = r.alignmentOK.map { $0 ? "true" : "false" } ?? "none"
            let profile = r.profile.isEmpty ? "" : "; profile: \(r.profile.setFieldNames.joined(separator: ", "))"
            try timeline(r.companyID, seq, at, "company_updated",
                         "version \(r.version): alignment \(alignment), status \(r.status ?? "none")\(profile)", nil, w)
        case .eventStored:
            break  // handled above
        case .signalInstanceDerived(let r):
            try applyInstance(r, at: at, seq: seq, w)
        case .readinessSnapshot(let r):
            try w.put(.readiness, ViewProjector.readinessKey(r), stampedRow(r, freshPayload, seq: seq, at: at))
            try w.put(.readinessByDay, ViewProjector.readinessByDayKey(r), [])
            try timeline(r.companyID, seq, at, "readiness_snapshot", ViewProjector.readinessDetail(r), r.jobRunID, w)
        case .engagementSnapshot(let r):
            try applyEngagement(r, row: stampedRow(r, freshPayload, seq: seq, at: at), w)
            try timeline(r.companyID, seq, at, "engagement_snapshot", ViewProjector.engagementDetail(r), r.jobRunID, w)
        case .leadFeedRow(let r):
            try applyLeadFeedRow(r, row: stampedRow(r, freshPayload, seq: seq, at: at), seq: seq, at: at, w)
        case .jobRunStarted(let r):
            let row = JobRow(id: seq, started: r, startedAt: at, status: .running, finishedAt: nil,
                             companiesProcessed: nil, companiesESLSuppressed: nil, errorMessage: nil, result: .null)
            try w.put(.jobs, ViewKey().appending(seq), row.encoded())
            try w.put(.jobsByWorkspace, jobsIndexKey(r.workspaceID, r.jobType, at, seq), [])
            try w.put(.runningJobs, ViewKey().appending(seq), [])
        case .jobRunFinished(let r):
            let key = ViewKey().appending(r.jobRunID)
            guard var row = try txn.withValue(views[.jobs], key: key.bytes, JobRow.decode) else { break }
            row.status = r.status
            row.finishedAt = at
            row.companiesProcessed = r.companiesProcessed
            row.companiesESLSuppressed = r.companiesESLSuppressed
            row.errorMessage = r.errorMessage
            row.result = r.result
            try w.put(.jobs, key, row.encoded())
            try w.delete(.runningJobs, key)
        case .watchlistAdded(let r):
            try applyWatchlistAdded(r, seq: seq, at: at, w)
        case .watchlistRemoved(let r):
            try applyWatchlistRemoved(r, seq: seq, at: at, w)
        case .evidenceBundleStored(let r):
            try w.put(.bundles, ViewKey().appending(r.bundleID), Stamped(record: r, sequence: seq, recordedAt: at).encoded())
        case .alertCreated(let r):
            try applyAlertCreated(r, seq: seq, at: at, w)
        case .outreachRecorded(let r):
            try w.put(.outreach, ViewKey().appending(r.companyID).appending(seq),
                    Stamped(record: r, sequence: seq, recordedAt: at).encoded())
            try timeline(r.companyID, seq, at, "outreach",
                         "\(r.outreachType) sent \(r.sentAt)\(r.outcome.map { ", outcome \($0)" } ?? "")", nil, w)
        case .stageQueued(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageStarted(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageJobAccepted(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageCompleted(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageFailed(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageStuckReset(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageRetried(let r): try applyStage(r, seq: seq, at: at, w)
        case .stageReleased(let r): try applyStage(r, seq: seq, at: at, w)
        }
    }

    /// `freshPayload`: the payload `r` was just encoded to (the append path; see `stampedRow`).
    private func applyCompanyCreated(_ r: CompanyCreated, _ freshPayload: UnsafeRawBufferPointer?, seq: UInt64, at: Timestamp,
                                     _ w: ViewWriter) throws {
        let row = CompanyRow(created: r, version: 1, alignmentOK: nil, status: nil, createdAt: at, updatedAt: at)
        // Company ids are given in ascending order: the row goes at the view's end.
        try w.putAtEnd(.companies, ViewKey().appending(r.companyID),
                       freshPayload.map { row.encoded(createdPayload: $0) } ?? row.encoded())
        // Matching indexes: the first (lowest) company id wins, as the spec's table-order scans do.
        if try !putHeldCompanyIndexes(r, w) { try putCompanyIndexes(r, w) }
        // `"\(name)\(domain.map { " (\($0))" } ?? "")"` written as bytes: no intermediate strings.
        var detail = TimelineDetail()
        detail.append(r.name)
        if let domain = r.domain {
            detail.append(" (")
            detail.append(domain)
            detail.append(")")
        }
        try timeline(r.companyID, seq, at, "company_created", detail, r.jobRunID, w)
    }

    /// A new company's index keys in the order they are put (the first company id under a key
    /// wins): each key's view and its text parts — the alias index's key is the alias's type and
    /// value, every other index's one text. The one list `putCompanyIndexes` and
    /// `putHeldCompanyIndexes` both write.
    private static func forEachCompanyIndexKey(_ r: CompanyCreated, _ body: (View, String, String?) throws -> Void) rethrows {
        if let domain = r.domain { try body(.companiesByDomain, domain, nil) }
        for alias in r.aliases { try body(.companiesByAlias, alias.type, alias.value) }
        if let domain = r.websiteDomain { try body(.companiesByWebsiteDomain, domain, nil) }
        if let linkedin = r.linkedinURL { try body(.companiesByLinkedIn, linkedin, nil) }
        if !r.normalizedName.isEmpty { try body(.companiesByName, r.normalizedName, nil) }
    }

    /// The company indexes' entries of a new company, each `putIfAbsent`.
    private func putCompanyIndexes(_ r: CompanyCreated, _ w: ViewWriter) throws {
        let id = ViewKey().appending(r.companyID).bytes
        try ViewProjector.forEachCompanyIndexKey(r) { view, text, second in
            var key = ViewKey().appending(text)
            if let second { key = key.appending(second) }
            try w.putIfAbsent(view, key, id)
        }
    }

    /// `putCompanyIndexes` while the transaction holds the company indexes' entries
    /// (`ViewWriter.putIfAbsentHeld`): the same keys, in the same order, built in one buffer on the
    /// stack (no `ViewKey` array per key) and held together. False when that path does not apply
    /// (nothing held then): entries not held, or a text long enough to be stored hashed.
    private func putHeldCompanyIndexes(_ r: CompanyCreated, _ w: ViewWriter) throws -> Bool {
        guard let bulk = w.bulk, bulk.holdsCompanyIndexes else { return false }
        // Each text part is its UTF-8 and a zero byte (`ViewKey.appending(_: String)` of an inline text).
        // No local functions over these counters: a local function's captured variables were
        // checked for exclusive access at run time on every use.
        var size = 0
        var keyCount = 0
        var inline = true
        ViewProjector.forEachCompanyIndexKey(r) { _, text, second in
            if ViewKey.hashes(text) { inline = false }
            size += text.utf8.count + 1
            if let second {
                if ViewKey.hashes(second) { inline = false }
                size += second.utf8.count + 1
            }
            keyCount += 1
        }
        guard inline else { return false }
        return try withUnsafeTemporaryAllocation(byteCount: max(size, 1), alignment: 1) { bytes in
            try withUnsafeTemporaryAllocation(of: HeldCompanyIndexes.Key.self, capacity: max(keyCount, 1)) { keys in
                var end = 0
                var count = 0
                ViewProjector.forEachCompanyIndexKey(r) { view, text, second in
                    let start = end
                    end = ViewProjector.writeKeyPart(text, into: bytes, at: end)
                    if let second { end = ViewProjector.writeKeyPart(second, into: bytes, at: end) }
                    keys[count] = HeldCompanyIndexes.Key(slot: HeldCompanyIndexes.slot(view)!, start: start, count: end - start)
                    count += 1
                }
                precondition(end == size && count == keyCount, "every key written where it was sized")
                return try withUnsafeBytes(of: ViewKey.orderedBits(r.companyID).bigEndian) { id in
                    try w.putIfAbsentHeld(UnsafeBufferPointer(rebasing: keys[..<count]), in: UnsafeRawBufferPointer(bytes), value: id)
                }
            }
        }
    }

    /// Writes `text`'s UTF-8 and a zero byte (an inline text part of a `ViewKey`) into `bytes` at
    /// `offset`; returns the offset after them.
    private static func writeKeyPart(_ text: String, into bytes: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var text = text
        let count = text.withUTF8 { utf8 in
            UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<offset + utf8.count]).copyMemory(from: UnsafeRawBufferPointer(utf8))
            return utf8.count
        }
        bytes[offset + count] = 0
        return offset + count + 1
    }

    /// The instances view's key of `r`'s row.
    static func instanceKey(_ r: SignalInstanceDerived) -> ViewKey {
        instanceKey(r, capacity: instanceKeyCapacity(r))
    }

    /// The size of `instanceKey(r)` at most: 8 + the text and its zero (66 when hashed) + 16.
    static func instanceKeyCapacity(_ r: SignalInstanceDerived) -> Int { 24 + max(r.signalID.utf8.count + 1, 66) }

    /// `instanceKey(r)` in a buffer with room for `capacity` bytes.
    static func instanceKey(_ r: SignalInstanceDerived, capacity: Int) -> ViewKey {
        ViewKey(capacity: capacity).appending(r.entityID).appending(r.signalID).appending(r.pack)
    }

    /// The row `r` writes when its key is new: a first aggregate is the row as it stands (§3.2 step
    /// 6 insert), no merge to compute.
    static func firstInstanceRow(_ r: SignalInstanceDerived, at: Timestamp) -> InstanceRow {
        InstanceRow(entityID: r.entityID, signalID: r.signalID, pack: r.pack, strength: 1.0,
                    confidence: r.confidence, firstSeen: r.firstSeen, lastSeen: r.lastSeen,
                    evidenceEventIDs: r.evidence, createdAt: at, updatedAt: at)
    }

    /// The timeline entry's value of an instance row that `r` (appended `at`) created or changed to
    /// `row` (kind `instance_derived`), written from the detail's bytes: no detail string (a
    /// rebuild's decoders build one for every new instance row).
    static func instanceTimelineValue(_ r: SignalInstanceDerived, _ row: InstanceRow, at: Timestamp) -> [UInt8] {
        TimelineEntry.encoded(at: at, kind: "instance_derived", detail: instanceDetail(r, row), jobRunID: r.jobRunID)
    }

    /// `<signal>: <n> evidence event(s), last seen <time or none>`.
    static func instanceDetail(_ r: SignalInstanceDerived, _ row: InstanceRow) -> TimelineDetail {
        var d = TimelineDetail()
        d.append(r.signalID)
        d.append(": ")
        d.append(row.evidenceEventIDs.count)
        d.append(" evidence event(s), last seen ")
        if let lastSeen = row.lastSeen { d.append(lastSeen) } else { d.append("none") }
        return d
    }

    /// `applyInstance` with the bytes the reader thread built (`PreparedInstance`): when the key is
    /// new, its first row and timeline entry are written from those bytes with their hashes as
    /// computed; when a row is stored under it (a later derive's upsert), the general path merges.
    func applyInstance(_ r: SignalInstanceDerived, prepared: PreparedInstance, at: Timestamp, seq: UInt64,
                       _ w: ViewWriter) throws {
        guard let bulk = w.bulk, w.writesInPlace(.instances), w.active.contains(.timeline), bulk.holds(.timeline) else {
            return try applyInstance(r, at: at, seq: seq, w)
        }
        if let held = bulk.instanceRows {
            return try applyHeldInstance(r, prepared: prepared, held: held, at: at, seq: seq, w)
        }
        let inserted = try prepared.withParts { k, v, _, _ in try w.transaction.insert(views[.instances], key: k, value: v) { _ in } }
        // Stored already: the general path reads that row and merges (nothing was written here).
        guard inserted else { return try applyInstance(r, at: at, seq: seq, w) }
        w.count(.instances, hash: prepared.rowHash)
        prepared.withParts { _, _, k, v in w.deferInsert(.timeline, k, v, hash: prepared.timelineHash, into: bulk) }
    }

    /// `applyInstance` while a rebuild holds the instance rows (`HeldInstanceRows`): the row held
    /// under the key stands for the stored one (the view is empty until they are flushed), and the
    /// same merge, fingerprint changes and timeline entries follow as writing in place.
    private func applyHeldInstance(_ r: SignalInstanceDerived, prepared: PreparedInstance, held: HeldInstanceRows,
                                   at: Timestamp, seq: UInt64, _ w: ViewWriter) throws {
        guard let bulk = w.bulk else { return }
        try prepared.withParts { k, row, tk, tv in
            guard let stored = held.withRow(key: k, hash: prepared.keyHash, { Array($0) }) else {
                held.add(key: k, value: row, hash: prepared.keyHash)
                w.count(.instances, hash: prepared.rowHash)
                w.deferInsert(.timeline, tk, tv, hash: prepared.timelineHash, into: bulk)
                return
            }
            let existing = try stored.withUnsafeBytes(InstanceRow.decode)
            guard let merged = ViewProjector.mergedInstance(r, into: existing, at: at), merged != existing else { return }
            let value = merged.encoded()
            if value != stored {
                w.replaceCounted(.instances, key: k, old: stored, new: value)
                value.withUnsafeBytes { held.add(key: k, value: $0, hash: prepared.keyHash) }
            }
            if merged.lastSeen != existing.lastSeen || merged.evidenceEventIDs != existing.evidenceEventIDs {
                try instanceTimeline(r, merged, seq: seq, at: at, w)
            }
        }
    }

    /// The row `r` merges `existing` into (§3.2 step 6); nil when `r` carries no times (a derive
    /// run always does: the row is then left unchanged).
    static func mergedInstance(_ r: SignalInstanceDerived, into existing: InstanceRow, at: Timestamp) -> InstanceRow? {
        guard let firstSeen = r.firstSeen, let lastSeen = r.lastSeen else { return nil }
        let aggregate = SignalAggregate(entityID: Int(r.entityID), signalID: r.signalID, firstSeen: firstSeen,
                                        lastSeen: lastSeen, confidence: r.confidence,
                                        evidenceEventIDs: r.evidence.map { Int($0) })
        let previous = SignalInstance(entityID: Int(existing.entityID), signalID: existing.signalID, strength: existing.strength,
                                      confidence: existing.confidence, firstSeen: existing.firstSeen, lastSeen: existing.lastSeen,
                                      evidenceEventIDs: existing.evidenceEventIDs.map { Int($0) })
        let instance = SignalInstance.upserting(aggregate, into: previous)
        return InstanceRow(entityID: r.entityID, signalID: r.signalID, pack: r.pack, strength: instance.strength ?? 1.0,
                           confidence: instance.confidence, firstSeen: instance.firstSeen, lastSeen: instance.lastSeen,
                           evidenceEventIDs: (instance.evidenceEventIDs ?? []).map { Int64($0) },
                           createdAt: existing.createdAt, updatedAt: at)
    }

    private func applyInstance(_ r: SignalInstanceDerived, at: Timestamp, seq: UInt64, _ w: ViewWriter) throws {
        let key = ViewProjector.instanceKey(r)
        let first = ViewProjector.firstInstanceRow(r, at: at)
        let existing: InstanceRow?
        // Held back (`BulkLoad.holdInstances`): merged with the row as stored, inserted in key order later.
        var heldIn: BulkLoad? = nil
        var stored: [UInt8]? = nil
        if let bulk = w.bulk, bulk.holdsInstances, w.active.contains(.instances) {
            stored = try w.transaction.value(views[.instances], key: key.bytes)
            guard let stored else {
                w.holdInstance(key, first.encoded(), replacing: nil, into: bulk)
                try instanceTimeline(r, first, seq: seq, at: at, w)
                return
            }
            heldIn = bulk
            existing = try stored.withUnsafeBytes(InstanceRow.decode)
        } else if w.writesInPlace(.instances) {
            // The insert reads the stored row when there is one: one B-tree descent, not a read and a write.
            existing = try w.insertOrRead(.instances, key, first.encoded(), InstanceRow.decode)
            if existing == nil {
                try instanceTimeline(r, first, seq: seq, at: at, w)
                return
            }
        } else {
            existing = try w.transaction.withValue(views[.instances], key: key.bytes, InstanceRow.decode)
        }
        let merged: InstanceRow
        if let existing {
            // A derive run always carries times; keep the row unchanged if one ever does not.
            guard let changed = ViewProjector.mergedInstance(r, into: existing, at: at) else { return }
            merged = changed
        } else {
            merged = first
        }
        if merged != existing {
            if let heldIn {
                w.holdInstance(key, merged.encoded(), replacing: stored, into: heldIn)
            } else {
                try w.put(.instances, key, merged.encoded())
            }
            if existing == nil || merged.lastSeen != existing?.lastSeen || merged.evidenceEventIDs != existing?.evidenceEventIDs {
                try instanceTimeline(r, merged, seq: seq, at: at, w)
            }
        }
    }

    /// The timeline entry of an instance row that `r` created or changed to `row`.
    private func instanceTimeline(_ r: SignalInstanceDerived, _ row: InstanceRow, seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        try w.put(.timeline, ViewProjector.timelineKey(r.entityID, seq), ViewProjector.instanceTimelineValue(r, row, at: at))
    }

    private func applyLeadFeedRow(_ r: LeadFeedRowRecorded, row: [UInt8], seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        let changedBand = try putLeadFeedRow(r, key: ViewProjector.leadFeedKey(r).bytes, row: row, rowHash: nil, w)
        if changedBand {
            try timeline(r.entityID, seq, at, "lead_feed_band", ViewProjector.bandDetail(r), r.jobRunID, w)
        }
    }

    /// A lead-feed row's row and ranking entry (`rowHash`: `Fingerprint.entryHash(key, row)` when
    /// computed ahead); whether its band changed (or it is new): then it writes a timeline entry.
    private func putLeadFeedRow(_ r: LeadFeedRowRecorded, key: [UInt8], row: [UInt8], rowHash: UInt128?, _ w: ViewWriter)
        throws -> Bool
    {
        var previousBand: RecommendationBand?? = .none
        // The replaced row is read by the put itself (one descent for the read and the write).
        var replaced: Result<LeadFeedRowRecorded, any Error>?
        try w.put(.leadFeed, key: key, value: row, hash: rowHash) { old in
            replaced = Result { try Stamped<LeadFeedRowRecorded>.decode(old).record }
        }
        if let old = try replaced?.get() {
            try w.delete(.leadFeedRank, rankKey(old))
            previousBand = .some(old.recommendationBand)
        }
        try w.put(.leadFeedRank, rankKey(r), [])
        return previousBand == nil || previousBand! != r.recommendationBand
    }

    /// The writes of a readiness snapshot, engagement snapshot or lead-feed row whose record-only
    /// parts a replay decoder built (`PreparedStamped`): the same puts, in the same order, as
    /// `project` makes for it, from those bytes and hashes.
    private func applyStamped(_ record: AnyRecord, prepared p: PreparedStamped, seq: UInt64, at: Timestamp, _ w: ViewWriter,
                              _ txn: WriteTransaction) throws {
        switch record {
        case .readinessSnapshot(let r):
            try w.put(.readiness, key: p.key, value: p.row, hash: p.rowHash)
            try w.put(.readinessByDay, ViewProjector.readinessByDayKey(r), [])
            try w.put(.timeline, key: p.timelineKey, value: p.timelineValue, hash: p.timelineHash)
        case .engagementSnapshot(let r):
            try applyEngagement(r, key: p.key, row: p.row, rowHash: p.rowHash, w)
            try w.put(.timeline, key: p.timelineKey, value: p.timelineValue, hash: p.timelineHash)
        case .leadFeedRow(let r):
            if try putLeadFeedRow(r, key: p.key, row: p.row, rowHash: p.rowHash, w) {
                try w.put(.timeline, key: p.timelineKey, value: p.timelineValue, hash: p.timelineHash)
            }
        default:
            try project(record, seq: seq, at: at, w, txn, freshPayload: nil)
        }
    }

    /// The readiness view's key of `r`'s row: company, as_of, pack.
    static func readinessKey(_ r: ReadinessSnapshotRecorded) -> ViewKey {
        ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack)
    }

    /// The readiness.by_day index's key of `r`: pack, as_of, company.
    static func readinessByDayKey(_ r: ReadinessSnapshotRecorded) -> ViewKey {
        ViewKey().appending(r.pack).appending(r.asOf).appending(r.companyID)
    }

    /// The engagement view's key of `r`'s row: company, as_of, pack.
    static func engagementKey(_ r: EngagementSnapshotRecorded) -> ViewKey {
        ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack)
    }

    /// The lead_feed view's key of `r`'s row: workspace, pack, entity.
    static func leadFeedKey(_ r: LeadFeedRowRecorded) -> ViewKey {
        ViewKey().appending(r.workspaceID).appending(r.pack).appending(r.entityID)
    }

    /// The stamped row of `r`. `freshPayload`: the payload `r` was just encoded to (the append
    /// path), so the row is that payload with the stamps appended — the bytes `Stamped.encoded()`
    /// writes, without encoding `r` again. Replay decodes and encodes; the two agree because
    /// encoding a decoded snapshot or lead-feed row gives back the payload it was decoded from
    /// (`TypedProjectionTests`).
    func stampedRow<R: SiglogRecord>(_ r: R, _ freshPayload: UnsafeRawBufferPointer?, seq: UInt64, at: Timestamp)
        -> [UInt8]
    {
        guard let freshPayload else { return Stamped(record: r, sequence: seq, recordedAt: at).encoded() }
        return Stamped<R>.encoded(payload: freshPayload, sequence: seq, recordedAt: at)
    }

    /// Ranking order: workspace, pack, as_of, composite descending, entity ascending (D7).
    func rankKey(_ r: LeadFeedRowRecorded) -> ViewKey {
        ViewKey().appending(r.workspaceID).appending(r.pack).appending(r.asOf)
            .appending(UInt32(1000 - r.compositeScore)).appending(r.entityID)
    }

    func jobsIndexKey(_ workspace: UUID?, _ jobType: JobType, _ at: Timestamp, _ id: UInt64) -> ViewKey {
        ViewKey.jobsByWorkspace(workspace, jobType).appending(at.microseconds).appending(id)
    }

    func timeline(_ company: Int64, _ seq: UInt64, _ at: Timestamp, _ kind: String, _ detail: String,
                          _ jobRunID: UInt64?, _ w: ViewWriter) throws {
        let entry = TimelineEntry(companyID: company, sequence: seq, at: at, kind: kind, detail: detail, jobRunID: jobRunID)
        try w.put(.timeline, ViewProjector.timelineKey(company, seq), entry.encoded())
    }

    /// `timeline` with the detail given as bytes (the score stage's three entries per company).
    func timeline(_ company: Int64, _ seq: UInt64, _ at: Timestamp, _ kind: StaticString, _ detail: TimelineDetail,
                  _ jobRunID: UInt64?, _ w: ViewWriter) throws {
        try w.put(.timeline, ViewProjector.timelineKey(company, seq),
                  TimelineEntry.encoded(at: at, kind: kind, detail: detail, jobRunID: jobRunID))
    }

    /// `as_of 2026-02-18: composite 57 (M60 C40 P55 G70)`.
    static func readinessDetail(_ r: ReadinessSnapshotRecorded) -> TimelineDetail {
        var d = TimelineDetail()
        d.append("as_of "); d.append(r.asOf)
        d.append(": composite "); d.append(r.composite)
        d.append(" (M"); d.append(r.momentum)
        d.append(" C"); d.append(r.complexity)
        d.append(" P"); d.append(r.pressure)
        d.append(" G"); d.append(r.leadershipGap)
        d.append(")")
        return d
    }

    /// `as_of 2026-02-18: ESL 61.5 warm_intro, proceed, outreach 55`.
    static func engagementDetail(_ r: EngagementSnapshotRecorded) -> TimelineDetail {
        var d = TimelineDetail()
        d.append("as_of "); d.append(r.asOf)
        d.append(": ESL "); d.append(r.eslScore)
        d.append(" "); d.append(r.engagementType)
        d.append(", "); d.append(r.eslDecision)
        d.append(", outreach "); d.append(r.outreachScore)
        return d
    }

    /// `band WATCH (composite 57, as_of 2026-02-18)`.
    static func bandDetail(_ r: LeadFeedRowRecorded) -> TimelineDetail {
        var d = TimelineDetail()
        d.append("band "); d.append(r.recommendationBand?.rawValue ?? "none")
        d.append(" (composite "); d.append(r.compositeScore)
        d.append(", as_of "); d.append(r.asOf)
        d.append(")")
        return d
    }

    /// The timeline view's key: the company, then the sequence of the record the entry is about.
    static func timelineKey(_ company: Int64, _ seq: UInt64) -> ViewKey {
        ViewKey().appending(company).appending(seq)
    }

    private func uuidBytes(_ uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }
}

/// The checkpoint row of one `Store.write` transaction: read at the first record the projector
/// applies, written by `store(in:)` when the body ends. Nothing reads the checkpoint inside a write
/// transaction (readers of the applied sequence and the fingerprints use read transactions), so the
/// row is what it would have been with a read and a write per record. One transaction, one thread:
/// the store's write lock serializes them, hence `@unchecked Sendable` for the projector's sake.
final class DeferredCheckpoint: @unchecked Sendable {
    private var current: CheckpointBuffer?

    init() {}

    /// The row for `txn`, read from it on first use.
    func buffer(views: ViewSet, in txn: WriteTransaction) throws -> CheckpointBuffer {
        if let current { return current }
        let loaded = try CheckpointBuffer(views: views, in: txn)
        current = loaded
        return loaded
    }

    /// Forgets the row (a transaction that is run again starts from its own).
    func reset() { current = nil }

    /// Writes the row back when a record was applied.
    func store(in txn: WriteTransaction) throws { try current?.store(in: txn) }
}

/// The checkpoint row of one write transaction, read when the transaction starts and written when
/// it ends: what `ViewProjector.apply` reads and writes per record, kept in memory across a batch.
/// Only for transactions in which nothing else reads the checkpoint before `store(in:)`.
final class CheckpointBuffer {
    let row: UnsafeMutableRawBufferPointer
    private let views: ViewSet

    /// The row as stored for `views` in `txn` (zeros when there is none, as `apply` reads it).
    init(views: ViewSet, in txn: WriteTransaction) throws {
        self.views = views
        row = .allocate(byteCount: ViewSet.checkpointRowSize, alignment: 16)
        row.initializeMemory(as: UInt8.self, repeating: 0)
        let row = row
        _ = try txn.withValue(views.checkpoint, key: ViewSet.checkpointKey) { stored in
            if stored.count >= 8 { row.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored.prefix(row.count))) }
        }
    }

    deinit { row.deallocate() }

    /// Writes the row back (once per transaction, before it commits).
    func store(in txn: WriteTransaction) throws {
        try ViewSet.checkpointKey.withUnsafeBytes { k in
            try txn.put(views.checkpoint, key: k, value: UnsafeRawBufferPointer(row))
        }
    }
}
