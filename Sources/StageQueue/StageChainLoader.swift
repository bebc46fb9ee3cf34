public import Foundation
import Scoring
import SignalPacks
import SiglogCore

/// A stage chain file that does not load: `FILE: field: reason`.
public struct StageChainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as named by the caller.
    public var file: String
    /// The field path (`stages[1].handler.url`), or `(file)` for the whole document.
    public var field: String
    /// What is wrong.
    public var reason: String

    /// An error about `field` of `file`.
    public init(file: String, field: String, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    /// `FILE: field: reason`.
    public var description: String { "\(file): \(field): \(reason)" }
}

/// Loads and validates a stage chain file (YAML, read by the project's YAML reader):
///
/// ```yaml
/// defaults:                 # optional; each stage may override any of these
///   max_retries: 3
///   stuck_timeout: 10m      # durations: 500ms, 2s, 10m, 1h, or a number of seconds
///   poll_interval: 500ms
///   completion_poll_interval: 2s
///   batch_size: 5
/// stages:
///   - name: scrape
///     next: intel
///     handler: {type: exec, command: [/usr/local/bin/scrape], timeout: 60s}
///   - name: intel
///     handler: {type: http, url: "http://127.0.0.1:9000/intel", timeout: 30s, headers: {X-Key: k}}
/// trigger:                  # optional
///   band_in: [HIGH_PRIORITY]
///   stage: scrape           # default: the first stage
/// ```
///
/// Unknown keys are errors (a misspelt limit would otherwise be silently ignored).
public enum StageChainLoader {
    /// Loads the chain file at `path`; the error names `path` as given.
    public static func load(path: String) throws(StageChainError) -> StageChain {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StageChainError(file: path, field: "(file)", reason: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// Parses chain text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(StageChainError) -> StageChain {
        let document: JSONValue
        do {
            document = try YAMLDocumentReader.read(text)
        } catch {
            throw StageChainError(file: file, field: "(file)", reason: error.description)
        }
        var reader = FieldReader(file: file)
        return try reader.chain(document)
    }
}

/// Walks the document with the path of the current field, so each error names it.
private struct FieldReader {
    let file: String

    func error(_ field: String, _ reason: String) -> StageChainError {
        StageChainError(file: file, field: field, reason: reason)
    }

    mutating func chain(_ document: JSONValue) throws(StageChainError) -> StageChain {
        guard let root = document.objectValue else { throw error("(file)", "must be a mapping with a `stages` list") }
        try onlyKeys(root, ["defaults", "stages", "trigger"], at: "")
        var defaults = StageDefinition(name: "", handler: .noop)
        if let value = root["defaults"] {
            guard let object = value.objectValue else { throw error("defaults", "must be a mapping") }
            try onlyKeys(object, Self.limitKeys, at: "defaults")
            try limits(object, at: "defaults", into: &defaults)
        }
        guard let list = root["stages"] else { throw error("stages", "is required") }
        guard let items = list.arrayValue, !items.isEmpty else { throw error("stages", "must be a non-empty list") }
        var stages: [StageDefinition] = []
        for (index, item) in items.enumerated() {
            stages.append(try stage(item, at: "stages[\(index)]", defaults: defaults))
        }
        var seen: [String: Int] = [:]
        for (index, stage) in stages.enumerated() {
            if let first = seen[stage.name] {
                throw error("stages[\(index)].name", "'\(stage.name)' is already the name of stages[\(first)]")
            }
            seen[stage.name] = index
        }
        // Every `next` names a stage before any link is followed (a later stage's unknown `next`
        // must not be reached while following an earlier one).
        for (index, stage) in stages.enumerated() {
            if let next = stage.next, seen[next] == nil {
                throw error("stages[\(index)].next", "names no stage of the chain: '\(next)'")
            }
        }
        for (index, stage) in stages.enumerated() {
            guard let next = stage.next else { continue }
            // Follow the links: a chain that comes back to a stage would never end.
            var visited: Set<String> = [stage.name]
            var current: String? = next
            while let name = current {
                if visited.contains(name) {
                    throw error("stages[\(index)].next", "makes a cycle: the chain from '\(stage.name)' comes back to '\(name)'")
                }
                visited.insert(name)
                current = stages[seen[name]!].next
            }
        }
        var trigger: BandTrigger?
        if let value = root["trigger"] {
            trigger = try self.trigger(value, stages: stages)
        }
        return StageChain(stages: stages, trigger: trigger)
    }

    static let limitKeys = ["max_retries", "stuck_timeout", "poll_interval", "completion_poll_interval", "batch_size"]

    func stage(_ value: JSONValue, at path: String, defaults: StageDefinition) throws(StageChainError) -> StageDefinition {
        guard let object = value.objectValue else { throw error(path, "must be a mapping with `name` and `handler`") }
        try onlyKeys(object, ["name", "next", "handler"] + Self.limitKeys, at: path)
        guard let nameValue = object["name"] else { throw error("\(path).name", "is required") }
        guard let name = nameValue.stringValue, Self.isStageName(name) else {
            throw error("\(path).name", "must be lower-case letters, digits, '_' or '-', starting with a letter; got \(show(nameValue))")
        }
        var next: String?
        if let value = object["next"], !value.isNull {
            guard let text = value.stringValue, !text.isEmpty else { throw error("\(path).next", "must be a stage name") }
            guard text != name else { throw error("\(path).next", "a stage cannot be its own next stage") }
            next = text
        }
        guard let handlerValue = object["handler"] else { throw error("\(path).handler", "is required") }
        var definition = defaults
        definition.name = name
        definition.next = next
        try limits(object, at: path, into: &definition)
        definition.handler = try handler(handlerValue, at: "\(path).handler", stuckTimeout: definition.stuckTimeout)
        return definition
    }

    func limits(_ object: JSONObject, at path: String, into definition: inout StageDefinition) throws(StageChainError) {
        let prefix = path.isEmpty ? "" : "\(path)."
        if let value = object["max_retries"] {
            definition.maxRetries = try integer(value, at: prefix + "max_retries", minimum: 0)
        }
        if let value = object["stuck_timeout"] { definition.stuckTimeout = try duration(value, at: prefix + "stuck_timeout") }
        if let value = object["poll_interval"] { definition.pollInterval = try duration(value, at: prefix + "poll_interval") }
        if let value = object["completion_poll_interval"] {
            definition.completionPollInterval = try duration(value, at: prefix + "completion_poll_interval")
        }
        if let value = object["batch_size"] { definition.batchSize = try integer(value, at: prefix + "batch_size", minimum: 1) }
    }

    func handler(_ value: JSONValue, at path: String, stuckTimeout: Duration) throws(StageChainError) -> StageHandlerSpec {
        guard let object = value.objectValue else { throw error(path, "must be a mapping with a `type`") }
        guard let type = object["type"]?.stringValue else {
            throw error("\(path).type", "is required: exec, http, rescore or noop")
        }
        switch type {
        case "exec":
            try onlyKeys(object, ["type", "command", "timeout"], at: path)
            guard let list = object["command"]?.arrayValue, !list.isEmpty else {
                throw error("\(path).command", "must be a non-empty list: the program and its arguments")
            }
            var command: [String] = []
            for (index, item) in list.enumerated() {
                guard let text = item.stringValue, !text.isEmpty else {
                    throw error("\(path).command[\(index)]", "must be a non-empty string")
                }
                command.append(text)
            }
            let timeout = try object["timeout"].map { v throws(StageChainError) in try duration(v, at: "\(path).timeout") } ?? .seconds(60)
            try shorterThanStuck(timeout, stuckTimeout, at: "\(path).timeout")
            return .exec(command: command, timeout: timeout)
        case "http":
            try onlyKeys(object, ["type", "url", "timeout", "headers"], at: path)
            guard let url = object["url"]?.stringValue else { throw error("\(path).url", "is required") }
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                parsed.host?.isEmpty == false, parsed.query == nil
            else {
                throw error("\(path).url", "must be an http:// or https:// URL with a host and no query string; got '\(url)'")
            }
            let timeout = try object["timeout"].map { v throws(StageChainError) in try duration(v, at: "\(path).timeout") } ?? .seconds(30)
            try shorterThanStuck(timeout, stuckTimeout, at: "\(path).timeout")
            var headers: [String: String] = [:]
            if let value = object["headers"] {
                guard let map = value.objectValue else { throw error("\(path).headers", "must be a mapping of header names to values") }
                for member in map {
                    guard let text = member.value.stringValue else {
                        throw error("\(path).headers.\(member.key)", "must be a string")
                    }
                    headers[member.key] = text
                }
            }
            return .http(url: url.hasSuffix("/") ? String(url.dropLast()) : url, timeout: timeout, headers: headers)
        case "rescore", "noop":
            try onlyKeys(object, ["type"], at: path)
            return type == "rescore" ? .rescore : .noop
        default:
            throw error("\(path).type", "must be exec, http, rescore or noop; got '\(type)'")
        }
    }

    func trigger(_ value: JSONValue, stages: [StageDefinition]) throws(StageChainError) -> BandTrigger {
        guard let object = value.objectValue else { throw error("trigger", "must be a mapping with `band_in`") }
        try onlyKeys(object, ["band_in", "stage"], at: "trigger")
        guard let list = object["band_in"]?.arrayValue, !list.isEmpty else {
            throw error("trigger.band_in", "must be a non-empty list of bands (\(Self.bandNames))")
        }
        var bands: Set<RecommendationBand> = []
        for (index, item) in list.enumerated() {
            guard let band = item.stringValue.flatMap(RecommendationBand.init(rawValue:)) else {
                throw error("trigger.band_in[\(index)]", "must be one of \(Self.bandNames); got \(show(item))")
            }
            bands.insert(band)
        }
        var stage = stages[0].name
        if let value = object["stage"] {
            guard let name = value.stringValue, stages.contains(where: { $0.name == name }) else {
                throw error("trigger.stage", "names no stage of the chain: \(show(value))")
            }
            stage = name
        }
        return BandTrigger(bands: bands, stage: stage)
    }

    static let bandNames = RecommendationBand.allCases.map(\.rawValue).joined(separator: ", ")

    func onlyKeys(_ object: JSONObject, _ allowed: [String], at path: String) throws(StageChainError) {
        for key in object.keys where !allowed.contains(key) {
            throw error(path.isEmpty ? key : "\(path).\(key)", "unknown field (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    func integer(_ value: JSONValue, at path: String, minimum: Int) throws(StageChainError) -> Int {
        guard case .int(let number) = value, number >= Int64(minimum), number <= Int64(Int32.max) else {
            throw error(path, "must be an integer of at least \(minimum); got \(show(value))")
        }
        return Int(number)
    }

    /// `500ms`, `2s`, `10m`, `1h`, or a number of seconds; must be positive.
    func duration(_ value: JSONValue, at path: String) throws(StageChainError) -> Duration {
        let parsed: Duration?
        switch value {
        case .int(let seconds): parsed = .seconds(seconds)
        case .double(let seconds) where seconds.isFinite: parsed = .milliseconds(Int64((seconds * 1000).rounded()))
        case .string(let text): parsed = StageDurations.parse(text)
        default: parsed = nil
        }
        guard let parsed, parsed > .zero else {
            throw error(path, "must be a positive duration such as 500ms, 2s, 10m or 1h; got \(show(value))")
        }
        return parsed
    }

    func shorterThanStuck(_ timeout: Duration, _ stuck: Duration, at path: String) throws(StageChainError) {
        guard timeout < stuck else {
            throw error(path, "must be shorter than the stage's stuck_timeout (\(StageDurations.format(stuck))), or a slow attempt would be reset while it runs")
        }
    }

    static func isStageName(_ text: String) -> Bool { StageDefinition.isValidName(text) }

    func show(_ value: JSONValue) -> String { JSONWriter().string(value) }
}

extension StageDefinition {
    /// Whether `text` can name a stage: 1–64 lower-case letters, digits, `_` or `-`, starting with
    /// a letter.
    public static func isValidName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

/// The duration notation of chain files and environment variables.
public enum StageDurations {
    /// `500ms`, `2s`, `10m`, `1h` or a bare number of seconds (fractions allowed); nil otherwise.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count)
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return .milliseconds(Int64((value * unit.milliseconds).rounded()))
        }
        guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The duration in the largest unit that states it exactly (`10m`, `1500ms`).
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}

extension Duration {
    /// Whole milliseconds (rounded toward zero).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension StageChainLoader {
    /// The chain file's name inside a store directory.
    public static let fileName = "stages.yaml"

    /// Where the chain of a store is read from: `explicit` (a `--chain` path) when given, else
    /// `SIGLOG_STAGE_CHAIN` when set, else `<store>/stages.yaml` when that file exists; nil when
    /// the store has no chain.
    public static func locate(explicit: String?, storePath: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["SIGLOG_STAGE_CHAIN"], !fromEnvironment.isEmpty { return fromEnvironment }
        let inStore = (storePath as NSString).appendingPathComponent(fileName)
        return FileManager.default.fileExists(atPath: inStore) ? inStore : nil
    }

    /// The store's chain (see `locate`), with the queue settings of the environment applied; nil
    /// when the store has none.
    public static func loadChain(explicit: String?, storePath: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StageChain? {
        guard let path = locate(explicit: explicit, storePath: storePath, environment: environment) else { return nil }
        return try load(path: path).applyingEnvironment(environment)
    }
}
