public import SiglogCore
import Yams

/// Reads one YAML document into a `JSONValue` the way PyYAML's `safe_load` followed by JSON
/// serialization would see it: mapping order kept, integers and floats kept apart, scalars
/// resolved by YAML 1.1 rules (see `PyYAMLScalars`), mapping keys turned into strings.
///
/// Timestamps (`2024-01-01`) stay strings, since JSON has no date type. Merge keys (`<<`) are
/// applied. Non-finite floats (`.inf`, `.nan`) and tags the safe loader does not know are errors.
/// A key repeated within one mapping is an error too (Yams refuses it; PyYAML would keep the last).
public enum YAMLDocumentReader {
    /// Parses `text`; an empty document reads as `.null`.
    public static func read(_ text: String) throws(YAMLReadError) -> JSONValue {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, PyYAMLScalars.resolver)
        } catch {
            throw YAMLReadError(reason: "invalid YAML: \(error)")
        }
        guard let root else { return .null }
        return try value(of: root)
    }

    private static func value(of node: Node) throws(YAMLReadError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try value(of: scalar, tag: node.tag.rawValue)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try value(of: item)) }
            return .array(items)
        case .mapping(let mapping):
            return .object(try object(of: mapping))
        case .alias:
            // The composer substitutes anchored nodes for aliases; one left over is undefined.
            throw YAMLReadError(reason: "unresolved YAML alias\(where: node)")
        }
    }

    private static func value(of scalar: Node.Scalar, tag: String) throws(YAMLReadError) -> JSONValue {
        let text = scalar.string
        switch Tag.Name(rawValue: tag) {
        case .str, .nonSpecific, .timestamp, .value, .merge, .binary:
            return .string(text)
        case .null:
            return .null
        case .bool:
            return .bool(PyYAMLScalars.bool(text))
        case .int:
            guard let int = PyYAMLScalars.int(text) else {
                throw YAMLReadError(reason: "integer '\(text)' is not a 64-bit integer\(where: scalar.mark)")
            }
            return .int(int)
        case .float:
            guard let double = PyYAMLScalars.double(text) else {
                throw YAMLReadError(reason: "'\(text)' is not a number\(where: scalar.mark)")
            }
            guard double.isFinite else {
                throw YAMLReadError(reason: "non-finite number '\(text)' cannot be represented in JSON\(where: scalar.mark)")
            }
            return .double(double)
        default:
            throw YAMLReadError(reason: "unsupported YAML tag '\(tag)'\(where: scalar.mark)")
        }
    }

    /// Builds an object from a mapping. Merged members come first and explicit ones override
    /// them, as PyYAML's `flatten_mapping` does; a repeated key keeps its first position.
    private static func object(of mapping: Node.Mapping) throws(YAMLReadError) -> JSONObject {
        var merged: [(Node, Node)] = []
        var explicit: [(Node, Node)] = []
        for (key, value) in mapping {
            if key.tag.rawValue == Tag.Name.merge.rawValue {
                merged.append(contentsOf: try mergeSources(value).flatMap { Array($0) }.map { ($0.key, $0.value) })
            } else {
                explicit.append((key, value))
            }
        }
        var object = JSONObject()
        for (key, value) in merged + explicit {
            object[try keyString(key)] = try self.value(of: value)
        }
        return object
    }

    /// The mappings named by a merge key: one mapping, or a list of them where earlier entries win.
    private static func mergeSources(_ node: Node) throws(YAMLReadError) -> [Node.Mapping] {
        switch node {
        case .mapping(let mapping):
            return [mapping]
        case .sequence(let sequence):
            var sources: [Node.Mapping] = []
            for item in sequence.reversed() {
                guard case .mapping(let mapping) = item else {
                    throw YAMLReadError(reason: "merge key expects mappings\(where: item)")
                }
                sources.append(mapping)
            }
            return sources
        default:
            throw YAMLReadError(reason: "merge key expects a mapping or a list of mappings\(where: node)")
        }
    }

    /// Keys become strings the way `json.dumps` writes a Python dict key: `1` → "1", `true` →
    /// "true", `~` → "null", `0.5` → "0.5". Only scalar keys are accepted.
    private static func keyString(_ key: Node) throws(YAMLReadError) -> String {
        guard case .scalar = key else {
            throw YAMLReadError(reason: "mapping keys must be scalars\(where: key)")
        }
        switch try value(of: key) {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: throw YAMLReadError(reason: "mapping keys must be scalars\(where: key)")
        }
    }
}

extension DefaultStringInterpolation {
    /// Appends " (line L, column C)" when the position is known.
    fileprivate mutating func appendInterpolation(where mark: Mark?) {
        guard let mark else { return }
        appendLiteral(" (line \(mark.line), column \(mark.column))")
    }

    fileprivate mutating func appendInterpolation(where node: Node) {
        appendInterpolation(where: node.mark)
    }
}
