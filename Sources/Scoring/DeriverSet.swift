import Foundation
public import SiglogCore

/// How a signal was derived from an event.
public enum DeriverKind: String, Sendable, Hashable {
    case passthrough
    case pattern
}

/// The fields of a stored event that derivers and the derive aggregation read.
public struct DeriverEvent: Sendable, Hashable {
    /// The event's id (its log position); evidence lists hold these.
    public var id: Int
    /// The resolved company; events without one are skipped by derive.
    public var entityID: Int?
    public var eventType: String
    public var eventTime: Timestamp
    public var title: String?
    public var summary: String?
    public var url: String?
    public var source: String?
    public var confidence: Double?

    public init(
        id: Int, entityID: Int?, eventType: String, eventTime: Timestamp, title: String? = nil,
        summary: String? = nil, url: String? = nil, source: String? = nil, confidence: Double? = nil
    ) {
        self.id = id
        self.entityID = entityID
        self.eventType = eventType
        self.eventTime = eventTime
        self.title = title
        self.summary = summary
        self.url = url
        self.source = source
        self.confidence = confidence
    }
}

/// A signal produced for an event.
public struct DerivedSignal: Sendable, Hashable {
    public var signalID: String
    public var kind: DeriverKind

    public init(signalID: String, kind: DeriverKind) {
        self.signalID = signalID
        self.kind = kind
    }
}

/// A regex deriver (§3.1).
public struct PatternDeriver: Sendable {
    /// Fields a pattern may read.
    public static let allowedFields: Set<String> = ["title", "summary", "url", "source"]

    public let signalID: String
    public let pattern: String
    /// In listed order; defaults to `[title, summary]`.
    public let sourceFields: [String]
    public let minConfidence: Double?
    let regex: CompiledRegex?

    public init(signalID: String, pattern: String, sourceFields: [String]? = nil, minConfidence: Double? = nil) {
        self.signalID = signalID
        self.pattern = pattern
        let fields = (sourceFields ?? []).filter { Self.allowedFields.contains($0) }
        self.sourceFields = fields.isEmpty ? ["title", "summary"] : fields
        self.minConfidence = minConfidence
        regex = CompiledRegex(pattern)
    }

    /// True when the confidence gate passes and the regex finds a match anywhere in the
    /// space-joined non-null values of the source fields. A pattern that does not compile never
    /// matches (pack validation rejects such packs before they get here).
    public func matches(_ event: DeriverEvent) -> Bool {
        if let minConfidence, (event.confidence ?? 0.7) < minConfidence { return false }
        guard let regex else { return false }
        let text = sourceFields.compactMap { field -> String? in
            switch field {
            case "title": return event.title
            case "summary": return event.summary
            case "url": return event.url
            case "source": return event.source
            default: return nil
            }
        }.joined(separator: " ")
        return regex.firstMatch(in: text)
    }
}

/// `NSRegularExpression` is immutable after creation and documented as safe to use from several
/// threads, so sharing one instance is sound even though the type is not marked `Sendable`.
final class CompiledRegex: @unchecked Sendable {
    let expression: NSRegularExpression

    init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.expression = expression
    }

    func firstMatch(in text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// The derivers of a pack (D3): its `derivers.yaml` passthrough and pattern entries, or the core
/// passthrough set (19 identity mappings) when the pack has no deriver entries or there is no pack.
public struct DeriverSet: Sendable {
    /// `event_type → signal_id`; for a repeated event type the last entry wins, as a map built from
    /// the list would.
    public let passthrough: [String: String]
    /// In file order.
    public let patterns: [PatternDeriver]

    /// The core set: every core id except `incorporation` maps to itself.
    public static let core = DeriverSet(passthrough: Dictionary(
        uniqueKeysWithValues: CoreTaxonomy.passthroughSignalIDs.map { ($0, $0) }), patterns: [])

    public init(passthrough: [String: String], patterns: [PatternDeriver]) {
        self.passthrough = passthrough
        self.patterns = patterns
    }

    /// Reads a parsed `derivers.yaml` (`{derivers: {passthrough: […], pattern: […]}}`; the inner
    /// object alone is accepted too). Passthrough entries are `{event_type, signal_id}` (a missing
    /// `event_type` means the signal id itself); pattern entries are `{signal_id, pattern | regex,
    /// source_fields?, min_confidence?}`. Malformed entries are skipped.
    public init(document: JSONValue?) {
        let body = document?["derivers"] ?? document
        var passthrough: [String: String] = [:]
        for entry in body?["passthrough"]?.arrayValue ?? [] {
            guard let signal = entry["signal_id"]?.stringValue else { continue }
            passthrough[entry["event_type"]?.stringValue ?? signal] = signal
        }
        var patterns: [PatternDeriver] = []
        for entry in (body?["pattern"]?.arrayValue ?? []) + (body?["patterns"]?.arrayValue ?? []) {
            guard let signal = entry["signal_id"]?.stringValue,
                let pattern = entry["pattern"]?.stringValue ?? entry["regex"]?.stringValue
            else { continue }
            let fields = entry["source_fields"]?.arrayValue?.compactMap(\.stringValue)
            patterns.append(PatternDeriver(
                signalID: signal, pattern: pattern, sourceFields: fields,
                minConfidence: entry["min_confidence"]?.numberValue))
        }
        if passthrough.isEmpty && patterns.isEmpty {
            self = .core
        } else {
            self.init(passthrough: passthrough, patterns: patterns)
        }
    }

    /// Signals for one event (§3.1): the passthrough signal first, then matching patterns in order,
    /// each signal id at most once.
    public func evaluate(_ event: DeriverEvent) -> [DerivedSignal] {
        var results: [DerivedSignal] = []
        var seen: Set<String> = []
        if let signal = passthrough[event.eventType] {
            results.append(DerivedSignal(signalID: signal, kind: .passthrough))
            seen.insert(signal)
        }
        for deriver in patterns where !seen.contains(deriver.signalID) && deriver.matches(event) {
            results.append(DerivedSignal(signalID: deriver.signalID, kind: .pattern))
            seen.insert(deriver.signalID)
        }
        return results
    }

    /// The distinct signal ids derived from `events` and the latest `event_time` among the events
    /// that produce at least one signal, in one pass: the ESL gate's signal set (§5.1, D15) and the
    /// lead feed's `last_seen` (§7.1, D15) when given the company's pack events up to the end of `as_of`.
    public func signalSummary(of events: some Sequence<DeriverEvent>) -> (signalIDs: Set<String>, lastSignalAt: Timestamp?) {
        var ids: Set<String> = []
        var last: Timestamp?
        for event in events {
            let signals = evaluate(event)
            if signals.isEmpty { continue }
            for signal in signals { ids.insert(signal.signalID) }
            if last.map({ event.eventTime > $0 }) ?? true { last = event.eventTime }
        }
        return (ids, last)
    }

    /// The distinct signal ids derived from `events` (see `signalSummary(of:)`).
    public func signalIDs(of events: [DeriverEvent]) -> Set<String> { signalSummary(of: events).signalIDs }

    /// The latest `event_time` among events that produce a signal (see `signalSummary(of:)`).
    public func lastSignalTime(of events: [DeriverEvent]) -> Timestamp? { signalSummary(of: events).lastSignalAt }
}
