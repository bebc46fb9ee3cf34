public import Foundation
import Projections
import ReadModel
public import Scoring
public import SiglogCore

public import StageQueue

/// An enqueue request (`siglog-append queue enqueue`, `POST /internal/queue/enqueue`): a stage
/// and either companies (ids or domains) or a set of lead-feed bands on a day.
public struct EnqueueRequest: Sendable, Hashable {
    /// Which companies.
    public enum Target: Sendable, Hashable {
        /// These companies (ids or domains).
        case companies([CompanyReference])
        /// Every company whose lead-feed row of the day has one of these bands.
        case bands(Set<RecommendationBand>, asOf: Day)
    }

    /// The stage to queue.
    public var stage: String
    /// The workspace (default workspace when nil).
    public var workspace: UUID?
    /// The companies.
    public var target: Target

    /// A request.
    public init(stage: String, workspace: UUID?, target: Target) {
        self.stage = stage
        self.workspace = workspace
        self.target = target
    }

    /// Parses the JSON body of `POST /internal/queue/enqueue`:
    /// `{stage, workspace_id?, company_ids?: [id | domain], bands?: ["HIGH_PRIORITY"], as_of?}` —
    /// exactly one of `company_ids` and `bands`; `as_of` defaults to `today`.
    public static func parse(_ body: [UInt8], today: Day) throws(InvalidValue) -> EnqueueRequest {
        let document: JSONValue
        do { document = try JSONParser.parse(body) } catch { throw InvalidValue("body is not JSON: \(error)") }
        guard let object = document.objectValue else { throw InvalidValue("body must be a JSON object") }
        guard let stage = object["stage"]?.stringValue, !stage.isEmpty else { throw InvalidValue("stage: required string") }
        let workspace = try RequestIDs.workspaceID(object["workspace_id"]?.stringValue)
        switch (object["company_ids"], object["bands"]) {
        case (.some(let list), nil):
            guard let items = list.arrayValue, !items.isEmpty else { throw InvalidValue("company_ids: must be a non-empty list") }
            var references: [CompanyReference] = []
            for item in items {
                switch item {
                case .int(let id): references.append(.id(id))
                case .string(let text): references.append(try CompanyReference(parsing: text))
                default: throw InvalidValue("company_ids: each must be a company id or a domain")
                }
            }
            return EnqueueRequest(stage: stage, workspace: workspace, target: .companies(references))
        case (nil, .some(let list)):
            guard let items = list.arrayValue, !items.isEmpty else { throw InvalidValue("bands: must be a non-empty list") }
            var bands: Set<RecommendationBand> = []
            for item in items {
                guard let band = item.stringValue.flatMap(RecommendationBand.init(rawValue:)) else {
                    throw InvalidValue("bands: each must be one of \(RecommendationBand.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                bands.insert(band)
            }
            let day = try object["as_of"]?.stringValue.map { text throws(InvalidValue) in try Day(parsing: text, name: "as_of") } ?? today
            return EnqueueRequest(stage: stage, workspace: workspace, target: .bands(bands, asOf: day))
        default:
            throw InvalidValue("give exactly one of company_ids and bands")
        }
    }

    /// Carries the request out: the stage must be in `chain` (when one is given), a given
    /// workspace must exist, every named company must exist.
    public func run(runner: StageRunner, chain: StageChain?) throws -> EnqueueResult {
        if let chain, chain.stage(stage) == nil {
            throw SiglogError.usage("Unknown stage: \(stage) (the chain has: \(chain.names.joined(separator: ", ")))")
        }
        switch target {
        case .companies(let references):
            let (ws, ids) = try runner.store.read { reader -> (UUID, [Int64]) in
                let scope = try Scope.resolve(workspace: workspace, pack: nil, in: reader)
                return (scope.workspace, try references.map { try reader.company($0).id })
            }
            return try runner.enqueue(stage: stage, companies: ids, workspace: ws)
        case .bands(let bands, let day):
            return try runner.enqueue(stage: stage, bands: bands, asOf: day, workspace: workspace)
        }
    }
}
