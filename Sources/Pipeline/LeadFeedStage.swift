public import Foundation
public import SiglogCore
import Projections
import Scoring
import SiglogRecords

extension Pipeline {
    /// The `update_lead_feed` stage (§7.3 with D6): for every readiness × engagement pair of
    /// `(asOf, pack)`, ascending company id, the lead-feed row of the workspace (§7.1, band copied
    /// from the readiness explain). Rows whose content is already stored are not appended again, but
    /// are counted in `rows_upserted` like every other non-excluded pair.
    ///
    /// No resolvable pack → `{status: failed, job_run_id: null, rows_upserted: 0, error: "No pack
    /// resolved for workspace"}` and no job run.
    ///
    /// Result: `{status, job_run_id, rows_upserted, error}`.
    public func runUpdateLeadFeed(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
        parentJobRunID: UInt64? = nil
    ) throws -> JSONObject {
        try runUpdateLeadFeed(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: idempotencyKey,
                              parentJobRunID: parentJobRunID, hooks: StageHooks())
    }

    func runUpdateLeadFeed(
        workspace: UUID?, pack: UUID?, asOf: Day?, idempotencyKey: String?, parentJobRunID: UInt64?, hooks: StageHooks
    ) throws -> JSONObject {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        let day = asOf ?? clock.now().day
        guard let resolved = try store.read({ try stagePack(explicit: pack, workspace: ws, in: $0) }) else {
            return [
                "status": "failed", "job_run_id": .null, "rows_upserted": 0,
                "error": .string(PipelineError.noPackResolved.message),
            ]
        }
        let request = JobRequest(jobType: "update_lead_feed", workspace: ws, pack: resolved.uuid,
                                 idempotencyKey: idempotencyKey, parentJobRunID: parentJobRunID, asOf: day)
        return try runJob(request) { writer, runID in
            let rows = try buildLeadFeed(writer: writer, runID: runID, pack: resolved, workspace: ws, asOf: day, hooks: hooks)
            return StageOutcome(companiesProcessed: rows, result: [
                "status": "completed", "rows_upserted": .int(Int64(rows)), "error": .null,
            ])
        }
    }

    /// The batch build of §7.3; returns the number of rows upserted (excluded pairs not counted).
    func buildLeadFeed(writer: StoreWriter, runID: UInt64, pack: ResolvedPack, workspace: UUID, asOf: Day,
                       hooks: StageHooks) throws -> Int
    {
        let reader = writer.reader
        var rows = 0
        let now = clock.now()
        var eventReader = CompanyEventReader(pack: pack)
        let end = asOf.adding(days: 1).midnight
        for company in try reader.companiesScored(pack: pack.uuid, asOf: asOf) {
            guard let readiness = try reader.readiness(company: company, asOf: asOf, pack: pack.uuid),
                let engagement = try reader.engagement(company: company, asOf: asOf, pack: pack.uuid)
            else { continue }
            let lastSignalAt: Timestamp?
            if readiness.record.carriesLastSignal, try Self.lastEventID(ofCompany: company, reader: reader) ?? 0 < readiness.sequence {
                // No event arrived since the snapshot was computed: its `last_seen` still holds.
                lastSignalAt = readiness.record.lastSignalAt
            } else {
                lastSignalAt = CompanyEvents(try eventReader.events(ofCompany: company, before: end, reader: reader), asOf: asOf)
                    .derived(with: pack.derivers).lastSignalAt
            }
            let outreach = try reader.outreach(ofCompany: company).filter { $0.record.workspaceID == workspace }
            let input = LeadFeedInput(
                workspaceID: workspace, packID: pack.uuid, entityID: Int(company), asOf: asOf,
                composite: readiness.record.composite, readinessExplain: Self.parsedExplain(readiness.record.explain),
                readinessComputedAt: readiness.recordedAt, eslDecision: engagement.record.eslDecision,
                sensitivityLevel: engagement.record.sensitivityLevel,
                engagementExplain: Self.parsedExplain(engagement.record.explain),
                lastSignalAt: lastSignalAt,
                latestOutreach: Self.latestOutreach(outreach), updatedAt: now)
            guard let row = LeadFeedRowBuilder.build(input) else { continue }
            try appendLeadFeedRow(row, runID: runID, at: now, writer: writer)
            rows += 1
            try hooks.afterCompany?(company)
        }
        return rows
    }

    /// The newest event id (log position) of the company, or nil when it has none.
    static func lastEventID(ofCompany company: Int64, reader: ViewReader) throws -> UInt64? {
        var last: UInt64?
        try reader.scanBackward(reader.views.eventsByCompany, prefix: ViewKey().appending(company)) { key, _ in
            var keyReader = ViewKeyReader(key)
            _ = keyReader.int64()
            last = keyReader.uint64()
            return false
        }
        return last
    }

    /// Appends the lead-feed row unless the stored row of its key has the same content.
    func appendLeadFeedRow(_ row: LeadFeedRow, runID: UInt64?, at now: Timestamp, writer: StoreWriter) throws {
        let record = LeadFeedRowRecorded(
            workspaceID: row.workspaceID, pack: row.packID, entityID: Int64(row.entityID),
            compositeScore: row.compositeScore, topSignalIDs: row.topSignalIDs, eslDecision: row.eslDecision,
            sensitivityLevel: row.sensitivityLevel, recommendationBand: row.recommendationBand, lastSeen: row.lastSeen,
            outreachStatusSummary: row.outreachStatusSummary.map { JSONWriter().string($0.json) }, asOf: row.asOf,
            jobRunID: runID)
        let stored = try writer.reader.leadFeedRow(workspace: row.workspaceID, pack: row.packID, entity: Int64(row.entityID))
        if let stored {
            var old = stored.record
            old.jobRunID = nil
            var new = record
            new.jobRunID = nil
            if old == new { return }
        }
        try writer.append(record, at: now, workspace: row.workspaceID)
    }

    /// A stored explain text as JSON (an unreadable one reads as an empty object).
    static func parsedExplain(_ text: String) -> JSONValue {
        (try? JSONParser.parse(text)) ?? .object(JSONObject())
    }
}

extension LeadFeedRow {
    /// The Scoring value of a stored lead-feed row; `updated_at` is the time of the record (D14).
    init(_ stamped: Stamped<LeadFeedRowRecorded>) {
        let r = stamped.record
        var summary: OutreachSummary?
        if let text = r.outreachStatusSummary, let json = try? JSONParser.parse(text),
            let sent = json["last_sent_at"]?.stringValue.flatMap({ Timestamp(iso: $0) }),
            let type = json["outreach_type"]?.stringValue
        {
            summary = OutreachSummary(lastSentAt: sent, outcome: json["outcome"]?.stringValue, outreachType: type)
        }
        self.init(workspaceID: r.workspaceID, packID: r.pack, entityID: Int(r.entityID), compositeScore: r.compositeScore,
                  topSignalIDs: r.topSignalIDs, eslDecision: r.eslDecision, sensitivityLevel: r.sensitivityLevel,
                  recommendationBand: r.recommendationBand, lastSeen: r.lastSeen, outreachStatusSummary: summary,
                  asOf: r.asOf, updatedAt: stamped.recordedAt)
    }
}
