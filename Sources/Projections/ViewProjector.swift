public import EventLog
public import LMDB
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
public struct ViewProjector: LogProjection {
    public let views: ViewSet

    public init(views: ViewSet) { self.views = views }

    public func apply(_ view: RecordView, in txn: WriteTransaction) throws {
        if try views.appliedSequence(in: txn) >= view.sequence { return }
        let at = Timestamp(microseconds: view.appendedAt)
        let seq = view.sequence
        if view.type == .eventStored {
            // The hot path of ingest: the index holds only (company, event id); the event itself is
            // read from the log, and its timeline entry is composed from this index at read time.
            let company: Int64
            do { company = try EventStored.companyID(inPayload: view.payload) } catch {
                throw LogError.undecodablePayload(sequence: seq, reason: "\(error)")
            }
            try put(views.eventsByCompany, ViewKey().appending(company).appending(seq), [], txn)
            try setCheckpoint(seq, txn)
            return
        }
        switch try AnyRecord(view) {
        case .packInstalled(let r):
            try put(views.packs, ViewKey().appending(r.packUUID), Stamped(record: r, sequence: seq, recordedAt: at).encoded(), txn)
            try put(views.packsByKey, ViewKey().appending(r.packID).appending(r.version), uuidBytes(r.packUUID), txn)
        case .workspaceCreated(let r):
            let row = WorkspaceRow(id: r.workspaceID, name: r.name, activePack: r.activePack, createdAt: at, updatedAt: at)
            try put(views.workspaces, ViewKey().appending(r.workspaceID), row.encoded(), txn)
        case .workspacePackSet(let r):
            let key = ViewKey().appending(r.workspaceID)
            guard let bytes = try txn.get(views.workspaces, key: key.bytes) else { break }
            var row = try bytes.withUnsafeBytes { try WorkspaceRow.decode($0) }
            row.activePack = r.pack
            row.updatedAt = at
            try put(views.workspaces, key, row.encoded(), txn)
        case .companyCreated(let r):
            try applyCompanyCreated(r, seq: seq, at: at, txn)
        case .companyUpdated(let r):
            let key = ViewKey().appending(r.companyID)
            guard let bytes = try txn.get(views.companies, key: key.bytes) else { break }
            var row = try bytes.withUnsafeBytes { try CompanyRow.decode($0) }
            row.version = r.version
            row.alignmentOK = r.alignmentOK
            row.status = r.status
            row.updatedAt = at
            try put(views.companies, key, row.encoded(), txn)
            let alignment = r.alignmentOK.map { $0 ? "true" : "false" } ?? "none"
            try timeline(r.companyID, seq, at, "company_updated",
                         "version \(r.version): alignment \(alignment), status \(r.status ?? "none")", nil, txn)
        case .eventStored:
            break  // handled above
        case .signalInstanceDerived(let r):
            try applyInstance(r, at: at, seq: seq, txn)
        case .readinessSnapshot(let r):
            try put(views.readiness, ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack),
                    Stamped(record: r, sequence: seq, recordedAt: at).encoded(), txn)
            try put(views.readinessByDay, ViewKey().appending(r.pack).appending(r.asOf).appending(r.companyID), [], txn)
            try timeline(r.companyID, seq, at, "readiness_snapshot",
                         "as_of \(r.asOf): composite \(r.composite) (M\(r.momentum) C\(r.complexity) P\(r.pressure) G\(r.leadershipGap))",
                         r.jobRunID, txn)
        case .engagementSnapshot(let r):
            try put(views.engagement, ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack),
                    Stamped(record: r, sequence: seq, recordedAt: at).encoded(), txn)
            try timeline(r.companyID, seq, at, "engagement_snapshot",
                         "as_of \(r.asOf): ESL \(r.eslScore) \(r.engagementType), \(r.eslDecision), outreach \(r.outreachScore)",
                         r.jobRunID, txn)
        case .leadFeedRow(let r):
            try applyLeadFeedRow(r, seq: seq, at: at, txn)
        case .jobRunStarted(let r):
            let row = JobRow(id: seq, started: r, startedAt: at, status: "running", finishedAt: nil,
                             companiesProcessed: nil, companiesESLSuppressed: nil, errorMessage: nil, result: .null)
            try put(views.jobs, ViewKey().appending(seq), row.encoded(), txn)
            try put(views.jobsByWorkspace, jobsIndexKey(r.workspaceID, r.jobType, at, seq), [], txn)
        case .jobRunFinished(let r):
            let key = ViewKey().appending(r.jobRunID)
            guard let bytes = try txn.get(views.jobs, key: key.bytes) else { break }
            var row = try bytes.withUnsafeBytes { try JobRow.decode($0) }
            row.status = r.status
            row.finishedAt = at
            row.companiesProcessed = r.companiesProcessed
            row.companiesESLSuppressed = r.companiesESLSuppressed
            row.errorMessage = r.errorMessage
            row.result = r.result
            try put(views.jobs, key, row.encoded(), txn)
        case .outreachRecorded(let r):
            try put(views.outreach, ViewKey().appending(r.companyID).appending(seq),
                    Stamped(record: r, sequence: seq, recordedAt: at).encoded(), txn)
            try timeline(r.companyID, seq, at, "outreach",
                         "\(r.outreachType) sent \(r.sentAt.isoNaive)\(r.outcome.map { ", outcome \($0)" } ?? "")", nil, txn)
        }
        try setCheckpoint(seq, txn)
    }

    private func setCheckpoint(_ seq: UInt64, _ txn: WriteTransaction) throws {
        try txn.put(views.checkpoint, key: ViewSet.checkpointKey, value: withUnsafeBytes(of: seq.bigEndian) { Array($0) })
    }

    private func applyCompanyCreated(_ r: CompanyCreated, seq: UInt64, at: Timestamp, _ txn: WriteTransaction) throws {
        let row = CompanyRow(created: r, version: 1, alignmentOK: nil, status: nil, createdAt: at, updatedAt: at)
        try put(views.companies, ViewKey().appending(r.companyID), row.encoded(), txn)
        let id = ViewKey().appending(r.companyID).bytes
        // Matching indexes: the first (lowest) company id wins, as the spec's table-order scans do.
        if let domain = r.domain { try putFirst(views.companiesByDomain, ViewKey().appending(domain), id, txn) }
        for alias in r.aliases {
            try putFirst(views.companiesByAlias, ViewKey().appending(alias.type).appending(alias.value), id, txn)
        }
        if let domain = r.websiteDomain { try putFirst(views.companiesByWebsiteDomain, ViewKey().appending(domain), id, txn) }
        if let linkedin = r.linkedinURL { try putFirst(views.companiesByLinkedIn, ViewKey().appending(linkedin), id, txn) }
        if !r.normalizedName.isEmpty { try putFirst(views.companiesByName, ViewKey().appending(r.normalizedName), id, txn) }
        try timeline(r.companyID, seq, at, "company_created", "\(r.name)\(r.domain.map { " (\($0))" } ?? "")", r.jobRunID, txn)
    }

    private func applyInstance(_ r: SignalInstanceDerived, at: Timestamp, seq: UInt64, _ txn: WriteTransaction) throws {
        let key = ViewKey().appending(r.entityID).appending(r.signalID).appending(r.pack)
        let existing = try txn.get(views.instances, key: key.bytes).map { bytes in
            try bytes.withUnsafeBytes { try InstanceRow.decode($0) }
        }
        let merged: InstanceRow
        if let firstSeen = r.firstSeen, let lastSeen = r.lastSeen {
            let aggregate = SignalAggregate(entityID: Int(r.entityID), signalID: r.signalID, firstSeen: firstSeen,
                                            lastSeen: lastSeen, confidence: r.confidence,
                                            evidenceEventIDs: r.evidence.map { Int($0) })
            let previous = existing.map {
                SignalInstance(entityID: Int($0.entityID), signalID: $0.signalID, strength: $0.strength,
                               confidence: $0.confidence, firstSeen: $0.firstSeen, lastSeen: $0.lastSeen,
                               evidenceEventIDs: $0.evidenceEventIDs.map { Int($0) })
            }
            let instance = SignalInstance.upserting(aggregate, into: previous)
            merged = InstanceRow(entityID: r.entityID, signalID: r.signalID, pack: r.pack, strength: instance.strength ?? 1.0,
                                 confidence: instance.confidence, firstSeen: instance.firstSeen, lastSeen: instance.lastSeen,
                                 evidenceEventIDs: (instance.evidenceEventIDs ?? []).map { Int64($0) },
                                 createdAt: existing?.createdAt ?? at, updatedAt: at)
        } else {
            // A derive run always carries times; keep the row unchanged if one ever does not.
            guard existing == nil else { return }
            merged = InstanceRow(entityID: r.entityID, signalID: r.signalID, pack: r.pack, strength: 1.0,
                                 confidence: r.confidence, firstSeen: r.firstSeen, lastSeen: r.lastSeen,
                                 evidenceEventIDs: r.evidence, createdAt: at, updatedAt: at)
        }
        if merged != existing {
            try put(views.instances, key, merged.encoded(), txn)
            if existing == nil || merged.lastSeen != existing?.lastSeen || merged.evidenceEventIDs != existing?.evidenceEventIDs {
                try timeline(r.entityID, seq, at, "instance_derived",
                             "\(r.signalID): \(merged.evidenceEventIDs.count) evidence event(s), last seen \(merged.lastSeen?.isoNaive ?? "none")",
                             r.jobRunID, txn)
            }
        }
    }

    private func applyLeadFeedRow(_ r: LeadFeedRowRecorded, seq: UInt64, at: Timestamp, _ txn: WriteTransaction) throws {
        let key = ViewKey().appending(r.workspaceID).appending(r.pack).appending(r.entityID)
        var previousBand: String?? = .none
        if let bytes = try txn.get(views.leadFeed, key: key.bytes) {
            let old = try bytes.withUnsafeBytes { try Stamped<LeadFeedRowRecorded>.decode($0) }.record
            try txn.delete(views.leadFeedRank, key: rankKey(old).bytes)
            previousBand = .some(old.recommendationBand)
        }
        try put(views.leadFeed, key, Stamped(record: r, sequence: seq, recordedAt: at).encoded(), txn)
        try put(views.leadFeedRank, rankKey(r), [], txn)
        if previousBand == nil || previousBand! != r.recommendationBand {
            try timeline(r.entityID, seq, at, "lead_feed_band",
                         "band \(r.recommendationBand ?? "none") (composite \(r.compositeScore), as_of \(r.asOf))", r.jobRunID, txn)
        }
    }

    /// Ranking order: workspace, pack, as_of, composite descending, entity ascending (D7).
    func rankKey(_ r: LeadFeedRowRecorded) -> ViewKey {
        ViewKey().appending(r.workspaceID).appending(r.pack).appending(r.asOf)
            .appending(UInt32(1000 - r.compositeScore)).appending(r.entityID)
    }

    func jobsIndexKey(_ workspace: UUID?, _ jobType: String, _ at: Timestamp, _ id: UInt64) -> ViewKey {
        ViewKey().appending(workspace ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
            .appending(jobType).appending(at.microseconds).appending(id)
    }

    private func timeline(_ company: Int64, _ seq: UInt64, _ at: Timestamp, _ kind: String, _ detail: String,
                          _ jobRunID: UInt64?, _ txn: WriteTransaction) throws {
        let entry = TimelineEntry(companyID: company, sequence: seq, at: at, kind: kind, detail: detail, jobRunID: jobRunID)
        try put(views.timeline, ViewKey().appending(company).appending(seq), entry.encoded(), txn)
    }

    private func put(_ db: Database, _ key: ViewKey, _ value: [UInt8], _ txn: WriteTransaction) throws {
        try txn.put(db, key: key.bytes, value: value)
    }

    private func putFirst(_ db: Database, _ key: ViewKey, _ value: [UInt8], _ txn: WriteTransaction) throws {
        do { try txn.put(db, key: key.bytes, value: value, options: .noOverwrite) } catch LMDBError.keyExists {}
    }

    private func uuidBytes(_ uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }
}
