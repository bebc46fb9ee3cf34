public import Foundation
public import Projections
import ReadModel
import Scoring
import SiglogRecords
public import SiglogCore

extension StageRunner {
    /// Scores one company now, inside `writer`'s transaction: the same per-company work as the
    /// `score` stage (§4, §5, the incremental lead-feed row of §7.2) for `asOf` (default: today from
    /// the runner's clock) in the workspace's pack, appending only what changed. No job run is
    /// recorded and no rate limit applies: the stage queue records this work as its own stage.
    ///
    /// Returns `{company_id, as_of, pack_id, scored, composite, recommendation_band}`; `scored` is
    /// false (and nothing is appended) when the company has no event of the pack in the scoring
    /// window. No resolvable pack → `SiglogError.noPack`; an unknown company → `companyNotFound`.
    public func rescoreCompany(_ company: Int64, workspace: UUID, asOf: Day? = nil, writer: StoreWriter) throws -> JSONObject {
        let day = asOf ?? clock.now().day
        let reader = writer.reader
        let (ws, resolved) = try stageScope(workspace: workspace, pack: nil, in: reader)
        guard let pack = resolved else { throw SiglogError.noPack(workspace: ws) }
        guard try reader.company(company) != nil else { throw SiglogError.companyNotFound(.id(company)) }
        var answer: JSONObject = [
            "company_id": .int(company), "as_of": .string(day.description), "pack_id": .string(pack.uuid.uuidString.lowercased()),
        ]
        var decoder = LeanEventDecoder(pack)
        let events = try CompanyEvents(company: company, asOf: day, decoder: &decoder, reader: reader)
        let input = try gatherScoreInput(company, events: events, pack: pack, workspace: ws, asOf: day, reader: reader)
        guard !events.window.isEmpty, let score = Self.scoreCompany(input, pack: pack, asOf: day) else {
            answer["scored"] = false
            return answer
        }
        try appendScore(score, company: company, pack: pack, workspace: ws, asOf: day, runID: nil, writer: writer)
        answer["scored"] = true
        answer["composite"] = .int(Int64(score.readiness.composite))
        answer["recommendation_band"] = score.readiness.recommendationBand.map { .string($0.rawValue) } ?? .null
        return answer
    }
}
