public import SiglogCore

/// The pack validation rules of §10.2, run in the spec's order; the first failure is thrown as a
/// `.validation` `PackError` naming the file it concerns.
///
/// 1. manifest (done when the `Pack` is built, see `PackManifest.init(document:)`);
/// 2. allowed signal ids; 3. scoring; 4. derivers; 5. regex safety; 6. ESL policy;
/// 7. playbooks; 8. ethics flags.
public enum PackValidator {
    /// Runs steps 2–8 on `pack`, naming files as a directory of its layout would preferably
    /// call them (`analysis_weights.yaml`/`esl_rubric.yaml` for v2).
    public static func validate(_ pack: Pack) throws(PackError) {
        try validate(pack, files: PackSourceFiles(preferredFor: pack.schemaVersion))
    }

    static func validate(_ pack: Pack, files: PackSourceFiles) throws(PackError) {
        let allowed = try allowedSignalIDs(of: pack, file: files.taxonomy)
        var context = ValidationContext(allowed: allowed, file: files.scoring)
        try ScoringRules.check(pack.scoring, in: context)
        context.file = files.derivers
        let patterns = try DeriverRules.check(pack.derivers, schema: pack.schemaVersion, in: context)
        for (label, pattern) in patterns {
            if let problem = RegexSafety.problem(in: pattern) { throw context.fail("\(label): \(problem)") }
        }
        context.file = files.eslPolicy
        let labels = try ESLRules.check(pack.eslPolicy, in: context)
        for member in pack.playbooks {
            context.file = PackSourceFiles.playbook(member.key)
            try PlaybookRules.check(member.value, named: member.key, boundaryLabels: labels, in: context)
        }
        context.file = files.eslPolicy
        if let problem = EthicsRules.violation(in: pack.eslPolicy) { throw context.fail(problem) }
    }

    /// Step 5 on its own: throws when `pattern` is longer than 500 characters, contains a nested
    /// quantifier such as `(.+)+`, or does not compile.
    public static func checkRegex(_ pattern: String) throws(PackError) {
        if let problem = RegexSafety.problem(in: pattern) { throw PackError(.validation, problem) }
    }

    /// Step 8 on its own: throws when an ESL policy turns on one of the banned `allow_*` flags.
    /// A policy that is not a mapping has no flags and passes.
    public static func checkEthics(eslPolicy: JSONValue) throws(PackError) {
        if let problem = EthicsRules.violation(in: eslPolicy) { throw PackError(.validation, problem) }
    }

    /// Step 2: the 20 core ids for v2; for v1 the taxonomy's `signal_ids`, which must be a
    /// non-empty list of strings.
    private static func allowedSignalIDs(of pack: Pack, file: String) throws(PackError) -> Set<String> {
        switch pack.schemaVersion {
        case .v2:
            return CoreTaxonomy.signalIDSet
        case .v1:
            guard let list = pack.taxonomy["signal_ids"]?.arrayValue, !list.isEmpty else {
                throw PackError(.validation, "taxonomy.signal_ids must be a non-empty list", file: file)
            }
            var ids: Set<String> = []
            for item in list {
                guard let id = item.stringValue, !id.trimmingWhitespace.isEmpty else {
                    throw PackError(.validation, "taxonomy.signal_ids must contain only non-empty strings", file: file)
                }
                ids.insert(id)
            }
            return ids
        }
    }
}

/// What every rule needs: the allowed ids and the file to blame.
struct ValidationContext {
    let allowed: Set<String>
    var file: String

    func fail(_ message: String) -> PackError { PackError(.validation, message, file: file) }

    func isAllowed(_ id: String) -> Bool { allowed.contains(id) }
}

extension JSONValue {
    /// A number that is not a boolean (YAML/JSON booleans never count as numbers here).
    var isNumber: Bool { numberValue != nil }

    /// Present members that are not `null`.
    var isPresent: Bool { !isNull }
}
