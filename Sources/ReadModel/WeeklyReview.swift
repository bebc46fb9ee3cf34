import Foundation
public import Projections
import Scoring
public import SiglogCore

extension LeadReads {
    /// The weekly review (§8) for the scope's workspace and pack (none → `[]`): the ranking's dual
    /// path reading `limit * 3` leads, without the companies the manual outreach cooldown (§5.7,
    /// the pack's windows, D8) blocks at `midnight(asOf)` in the workspace, outreach =
    /// `ES.outreach_score ?? roundInt(composite * esl)`. Only outreach sent by the end of `asOf`
    /// counts (D15), so a past review reads the same later.
    public static func weeklyReview(scope: Scope, asOf: Day, limit: Int = 5, threshold: Int = 30, packs: PackResolver,
                                    in reader: ViewReader) throws -> [EmergingCompany] {
        guard let pack = scope.pack else { return [] }
        let inputs = try rankingInputs(scope: scope, pack: pack, asOf: asOf, in: reader)
        let policy = try packs.resolve(pack, in: reader)?.esl ?? .noPack
        let end = asOf.adding(days: 1).midnight
        var blocked: [Int: Bool] = [:]
        for candidate in inputs.candidates {
            let history = try reader.outreach(ofCompany: Int64(candidate.entityID))
                .filter { $0.record.workspaceID == scope.workspace && $0.record.sentAt < end }
                .map {
                    OutreachRecord(entityID: Int($0.record.companyID), workspaceID: $0.record.workspaceID,
                                   outreachType: $0.record.outreachType, sentAt: $0.record.sentAt, outcome: $0.record.outcome)
                }
            blocked[candidate.entityID] = OutreachCooldown.check(
                entityID: candidate.entityID, workspaceID: scope.workspace, at: asOf.midnight, history: history, policy: policy
            ).isBlocked
        }
        let ranked = Ranking.weeklyReview(
            feedRows: inputs.feed, candidates: inputs.candidates, workspaceID: scope.workspace, packID: pack, asOf: asOf,
            limit: limit, threshold: threshold, inCooldown: { blocked[$0] ?? false })
        return inputs.companies(ranked)
    }

    /// The pack's human labels (`taxonomy.labels`), for `SignalLabels`; empty without a pack.
    public static func signalLabels(scope: Scope, packs: PackResolver, in reader: ViewReader) throws -> [String: String] {
        guard let pack = scope.pack else { return [:] }
        return try packs.resolve(pack, in: reader)?.pack.labels ?? [:]
    }
}
