public import Foundation
public import SiglogCore
import Projections
import ReadModel
import Scoring
import SiglogRecords

extension StageRunner {
    /// Records an outreach to a company in a workspace (default: the default workspace).
    ///
    /// Refused with `SiglogError.conflict(reason)` when the manual cooldown of §5.7 applies at
    /// `sentAt` (same company and workspace, D9; the windows of the workspace pack's ESL policy, D8),
    /// unless `force` (importing history, D17). An unknown company or workspace → `SiglogError` not-found errors.
    /// The company's lead-feed rows in the workspace get the new `outreach_status_summary` when this
    /// record is now the latest outreach. All in one transaction.
    ///
    /// Returns `{outreach_id, company_id, workspace_id, outreach_type, sent_at, outcome, forced}`.
    @discardableResult
    public func recordOutreach(
        _ company: CompanyReference, workspace: UUID? = nil, type: String, sentAt: Timestamp, outcome: String? = nil,
        force: Bool = false
    ) throws -> JSONObject {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        return try store.write { writer in
            let reader = writer.reader
            let companyID = try reader.company(company).id
            guard try reader.workspace(ws) != nil else { throw SiglogError.workspaceNotFound(ws) }
            let history = try reader.outreach(ofCompany: companyID).filter { $0.record.workspaceID == ws }
            if !force {
                let scope = Scope(workspace: ws, pack: try Scope.workspacePack(ws, in: reader))
                let policy = try packs.resolve(scope, in: reader)?.esl ?? .noPack
                let verdict = OutreachCooldown.check(
                    entityID: Int(companyID), workspaceID: ws, at: sentAt,
                    history: history.map {
                        OutreachRecord(entityID: Int($0.record.companyID), workspaceID: $0.record.workspaceID,
                                       outreachType: $0.record.outreachType, sentAt: $0.record.sentAt, outcome: $0.record.outcome)
                    },
                    policy: policy)
                if case .blocked(let reason, let nextAllowed) = verdict { throw SiglogError.cooldown(reason: reason, nextAllowed: nextAllowed) }
            }
            let now = clock.now()
            let record = OutreachRecorded(companyID: companyID, workspaceID: ws, outreachType: type, sentAt: sentAt,
                                          outcome: outcome, forced: force)
            let id = try writer.append(record, at: now, workspace: ws)
            try refreshOutreachSummary(companyID: companyID, workspace: ws, at: now, writer: writer)
            return [
                "outreach_id": .int(Int64(id)),
                "company_id": .int(companyID),
                "workspace_id": .string(ws.lowercased),
                "outreach_type": .string(type),
                "sent_at": .string(sentAt.description),
                "outcome": outcome.map(JSONValue.string) ?? .null,
                "forced": .bool(force),
            ]
        }
    }

    /// Rewrites the company's lead-feed rows of the workspace (every pack) with its latest outreach
    /// sent by the end of each row's `as_of` (D15): an outreach dated after a row's day leaves it as is.
    func refreshOutreachSummary(companyID: Int64, workspace: UUID, at now: Timestamp, writer: StoreWriter) throws {
        let reader = writer.reader
        let outreach = try reader.outreach(ofCompany: companyID).filter { $0.record.workspaceID == workspace }
        for pack in try reader.allPacks() {
            guard let stored = try reader.leadFeedRow(workspace: workspace, pack: pack.record.packUUID, entity: companyID)
            else { continue }
            let end = stored.record.asOf.adding(days: 1).midnight
            var row = LeadFeedRow(stored)
            row.outreachStatusSummary = Self.latestOutreach(outreach.filter { $0.record.sentAt < end })
            try appendLeadFeedRow(row, runID: nil, at: now, writer: writer)
        }
    }
}
