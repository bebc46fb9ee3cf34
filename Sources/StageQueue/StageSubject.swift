public import Foundation

/// The entity a stage works on: one company within one workspace, in one stage.
public struct StageSubject: Sendable, Hashable, CustomStringConvertible {
    /// The tenant the company's stage state belongs to.
    public var workspace: UUID
    /// The company (`entity_id`).
    public var company: Int64
    /// The stage's name in the chain.
    public var stage: String

    /// The subject `(workspace, company, stage)`.
    public init(workspace: UUID, company: Int64, stage: String) {
        self.workspace = workspace
        self.company = company
        self.stage = stage
    }

    /// The same company in another stage.
    public func inStage(_ stage: String) -> StageSubject { StageSubject(workspace: workspace, company: company, stage: stage) }

    /// `stage/company@workspace`, for messages.
    public var description: String { "\(stage)/\(company)@\(workspace.uuidString.lowercased())" }
}
