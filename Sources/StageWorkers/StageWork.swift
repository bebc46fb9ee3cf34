public import Pipeline
public import Projections
import ReadModel
public import SiglogCore
public import StageQueue

/// One claimed item with the entity JSON its handler receives.
public struct StageWork: Sendable {
    /// The claim.
    public var item: ClaimedStage
    /// The entity as the handler sees it:
    /// `{workspace_id, company_id, stage, attempt, retry_count, company: {id, name, domain,
    /// website_url}, results: {earlier stage: its result}}` — `results` holds the completed
    /// results of the stages before this one in the chain.
    public var entity: JSONObject

    /// Work for `item` with `entity`.
    public init(item: ClaimedStage, entity: JSONObject) {
        self.item = item
        self.entity = entity
    }

    /// The entity JSON as bytes (what `exec` writes to stdin and `http` posts).
    public var entityBytes: [UInt8] { Array(JSONWriter().string(.object(entity)).utf8) }
}

/// Builds the entity JSON of claimed items.
public enum StageEntity {
    /// The entity of `item` as the store holds it now (`chain` names the earlier stages).
    public static func json(for item: ClaimedStage, chain: StageChain, in reader: ViewReader) throws -> JSONObject {
        let subject = item.subject
        var company: JSONValue = .null
        if let row = try reader.company(subject.company) {
            company = .object([
                "id": .int(row.id), "name": .string(row.name), "domain": row.created.domain.map(JSONValue.string) ?? .null,
                "website_url": row.created.websiteURL.map(JSONValue.string) ?? .null,
            ])
        }
        var results = JSONObject()
        for stage in chain.predecessors(of: subject.stage) {
            let state = try reader.stageState(subject.inStage(stage))
            if state.status == .completed { results[stage] = state.result ?? .null }
        }
        return [
            "workspace_id": .string(subject.workspace.uuidString.lowercased()), "company_id": .int(subject.company),
            "stage": .string(subject.stage), "attempt": .int(Int64(item.attempt)), "retry_count": .int(Int64(item.retryCount)),
            "company": company, "results": .object(results),
        ]
    }
}
