import SiglogCore

/// §10.2 step 4: the derivers document (entries under its top-level `derivers` key).
enum DeriverRules {
    static let allowedSourceFields = ["title", "summary", "url", "source"]
    /// Pattern entries are listed under `pattern` (the spec's name) or `patterns`.
    static let patternSections = ["pattern", "patterns"]

    /// Checks the entries and returns every `pattern`/`regex` string with a label, in file order,
    /// for the regex-safety step that follows.
    static func check(
        _ document: JSONValue, schema: PackSchemaVersion, in context: ValidationContext
    ) throws(PackError) -> [(label: String, pattern: String)] {
        guard let document = document.objectValue else { throw context.fail("derivers document must be a mapping") }
        guard let body = document["derivers"], body.isPresent else { return [] }
        guard let sections = body.objectValue else { throw context.fail("derivers must be a mapping") }
        // "No entries": every section absent, null or an empty list. A section of the wrong type
        // counts as content, so it is reported rather than skipped.
        let hasEntries = (["passthrough"] + patternSections).contains { key in
            guard let value = sections[key], value.isPresent else { return false }
            return value.arrayValue?.isEmpty != true
        }
        if schema == .v2 && !hasEntries { return [] }

        for (index, entry) in try entries(sections, "passthrough", in: context).enumerated() {
            try checkSignalID(entry, label: "derivers passthrough[\(index)]", in: context)
        }
        var patterns: [(label: String, pattern: String)] = []
        for section in patternSections {
            for (index, entry) in try entries(sections, section, in: context).enumerated() {
                let label = "derivers \(section)[\(index)]"
                try checkSignalID(entry, label: label, in: context)
                var found = false
                for key in ["pattern", "regex"] {
                    guard let value = entry[key], value.isPresent else { continue }
                    guard let text = value.stringValue else { throw context.fail("\(label).\(key) must be a string") }
                    patterns.append((label: "\(label).\(key)", pattern: text))
                    found = true
                }
                if !found { throw context.fail("\(label) requires 'pattern' or 'regex'") }
                try checkSourceFields(entry["source_fields"], label: label, in: context)
            }
        }
        return patterns
    }

    private static func entries(_ sections: JSONObject, _ key: String, in context: ValidationContext) throws(PackError) -> [JSONObject] {
        guard let value = sections[key], value.isPresent else { return [] }
        guard let list = value.arrayValue else { throw context.fail("derivers.\(key) must be a list") }
        var result: [JSONObject] = []
        for (index, item) in list.enumerated() {
            guard let entry = item.objectValue else { throw context.fail("derivers \(key)[\(index)] must be a mapping") }
            result.append(entry)
        }
        return result
    }

    private static func checkSignalID(_ entry: JSONObject, label: String, in context: ValidationContext) throws(PackError) {
        guard let id = entry["signal_id"]?.stringValue, !id.trimmingWhitespace.isEmpty else {
            throw context.fail("\(label) requires a non-empty string signal_id")
        }
        if !context.isAllowed(id) {
            throw context.fail("\(label) references signal_id '\(id)' not in taxonomy.signal_ids")
        }
    }

    private static func checkSourceFields(_ value: JSONValue?, label: String, in context: ValidationContext) throws(PackError) {
        guard let value, value.isPresent else { return }
        guard let fields = value.arrayValue else { throw context.fail("\(label).source_fields must be a list") }
        for field in fields {
            guard let name = field.stringValue, allowedSourceFields.contains(name) else {
                throw context.fail(
                    "\(label).source_fields contains \(field), which is not one of \(allowedSourceFields.joined(separator: ", "))")
            }
        }
    }
}
