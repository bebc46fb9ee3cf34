public import Foundation
public import SiglogCore
import Projections
import ReadModel
import Scoring
import SiglogRecords

extension StageRunner {
    /// The `update_lead_feed` stage (§7.3 with D6): for every readiness × engagement pair of
    /// `(asOf, pack)`, ascending company id, the lead-feed row of the workspace (§7.1, band copied
    /// from the readiness explain). Rows whose content is already stored are not appended again, but
    /// are counted in `rows_upserted` like every other non-excluded pair.
    ///
    /// No resolvable pack → `{status: failed, job_run_id: null, rows_upserted: 0, error: "No pack
    /// resolved for workspace"}` and no job run; a workspace that is given must exist (D20).
    public func runUpdateLeadFeed(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
        parentJobRunID: UInt64? = nil
    ) throws -> LeadFeedResult {
        try runUpdateLeadFeed(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: idempotencyKey,
                              parentJobRunID: parentJobRunID, hooks: StageHooks())
    }

    func runUpdateLeadFeed(
        workspace: UUID?, pack: UUID?, asOf: Day?, idempotencyKey: String?, parentJobRunID: UInt64?, hooks: StageHooks
    ) throws -> LeadFeedResult {
        let day = asOf ?? clock.now().day
        let (ws, resolved) = try stageScope(workspace: workspace, pack: pack)
        guard let resolved else { return .failed(SiglogError.noPack(workspace: ws).message) }
        let request = JobRequest(jobType: .updateLeadFeed, workspace: ws, pack: resolved.uuid,
                                 idempotencyKey: idempotencyKey, parentJobRunID: parentJobRunID, asOf: day)
        return try runJob(request) { writer, runID in
            let rows = try buildLeadFeed(writer: writer, runID: runID, pack: resolved, workspace: ws, asOf: day, hooks: hooks)
            return StageOutcome(LeadFeedResult(status: .completed, jobRunID: nil, rowsUpserted: rows, error: nil),
                                companiesProcessed: rows)
        }
    }

    /// The batch build of §7.3; returns the number of rows upserted (excluded pairs not counted).
    func buildLeadFeed(writer: StoreWriter, runID: UInt64, pack: ResolvedPack, workspace: UUID, asOf: Day,
                       hooks: StageHooks) throws -> Int
    {
        let reader = writer.reader
        var rows = 0
        let now = clock.now()
        var decoder = LeanEventDecoder(pack)
        for company in try reader.companiesScored(pack: pack.uuid, asOf: asOf) {
            if company % 1_024 == 0 { try interruption.check() }
            guard let readiness = try reader.readiness(company: company, asOf: asOf, pack: pack.uuid),
                let engagement = try reader.engagement(company: company, asOf: asOf, pack: pack.uuid)
            else { continue }
            let lastSignalAt: Timestamp?
            if readiness.record.carriesLastSignal, try reader.lastEventID(ofCompany: company) ?? 0 < readiness.sequence {
                // No event arrived since the snapshot was computed: its `last_seen` still holds.
                lastSignalAt = readiness.record.lastSignalAt
            } else {
                lastSignalAt = try CompanyEvents(company: company, asOf: asOf, decoder: &decoder, reader: reader)
                    .derived(with: pack.derivers).lastSignalAt
            }
            let end = asOf.adding(days: 1).midnight
            let outreach = try reader.outreach(ofCompany: company)
                .filter { $0.record.workspaceID == workspace && $0.record.sentAt < end }  // D15
            let input = LeadFeedInput(
                workspaceID: workspace, packID: pack.uuid, entityID: Int(company), asOf: asOf,
                composite: readiness.record.composite, readinessExplain: readiness.record.explain,
                readinessComputedAt: readiness.recordedAt, eslDecision: engagement.record.eslDecision,
                sensitivityLevel: engagement.record.sensitivityLevel, engagementExplain: engagement.record.explain,
                lastSignalAt: lastSignalAt,
                latestOutreach: Self.latestOutreach(outreach), updatedAt: now)
            guard let row = LeadFeedRowBuilder.build(input) else { continue }
            try appendLeadFeedRow(row, runID: runID, at: now, writer: writer)
            rows += 1
            try hooks.afterCompany?(company)
        }
        return rows
    }

    /// Appends the lead-feed row unless the stored row of its key has the same content.
    /// `mayBeStored` false: the caller knows no row of its key is stored (nothing is looked up).
    func appendLeadFeedRow(_ row: LeadFeedRow, runID: UInt64?, at now: Timestamp, writer: StoreWriter,
                           mayBeStored: Bool = true) throws {
        let record = LeadFeedRowRecorded(
            workspaceID: row.workspaceID, pack: row.packID, entityID: Int64(row.entityID),
            compositeScore: row.compositeScore, topSignalIDs: row.topSignalIDs, eslDecision: row.eslDecision,
            sensitivityLevel: row.sensitivityLevel, recommendationBand: row.recommendationBand, lastSeen: row.lastSeen,
            outreachStatusSummary: row.outreachStatusSummary, asOf: row.asOf, jobRunID: runID)
        let stored = try mayBeStored
            ? writer.reader.leadFeedRow(workspace: row.workspaceID, pack: row.packID, entity: Int64(row.entityID)) : nil
        if let stored {
            var old = stored.record
            old.jobRunID = nil
            var new = record
            new.jobRunID = nil
            if old == new { return }
        }
        try writer.append(record, at: now, workspace: row.workspaceID)
        try applyBandTrigger(previous: stored?.record.recommendationBand, current: record.recommendationBand,
                             workspace: row.workspaceID, company: record.entityID, at: now, writer: writer)
    }
}
