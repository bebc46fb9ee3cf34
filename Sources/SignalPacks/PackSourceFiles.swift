/// Which file each pack section came from, so validation errors can name it.
struct PackSourceFiles: Sendable, Hashable {
    var taxonomy = "taxonomy.yaml"
    var scoring: String
    var eslPolicy: String
    var derivers = "derivers.yaml"

    /// The names a directory of this layout would preferably use.
    init(preferredFor schema: PackSchemaVersion) {
        scoring = schema == .v2 ? "analysis_weights.yaml" : "scoring.yaml"
        eslPolicy = schema == .v2 ? "esl_rubric.yaml" : "esl_policy.yaml"
    }

    init(scoring: String, eslPolicy: String) {
        self.scoring = scoring
        self.eslPolicy = eslPolicy
    }

    static func playbook(_ stem: String) -> String { "playbooks/\(stem).yaml" }
}
