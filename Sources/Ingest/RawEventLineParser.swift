import SiglogCore

/// Parses one NDJSON line into a `RawEvent` (the input contract of `siglog-append events`).
///
/// Fields: `source` (≤64; else `defaultSource`), `source_event_id` (≤255), `company_name` (required,
/// 1…255 after trimming), `domain` (≤255), `website_url` (≤2048), `company_profile_url` (≤2048),
/// `event_type` or `event_type_candidate` (required, 1…64), `event_time` (required, ISO-8601; a date
/// alone is 00:00 UTC), `title` (≤512), `summary`, `url` (≤2048), `confidence` (a number, kept as
/// given), `raw_payload` (an object). `null` reads as absent; unknown fields are ignored. Length
/// limits count Unicode code points of the trimmed text, the unit of the reference's columns.
///
/// Built for the ingest hot path: one pass of `JSONParser` over the bytes and one pass over the
/// object's members, no Foundation.
public struct RawEventLineParser: Sendable {
    /// Default limit on one line's length: 1 MiB.
    public static let defaultMaxLineBytes = 1 << 20

    /// The source used when a line has no `source` (e.g. the `--source` option).
    public var defaultSource: String?
    /// Lines longer than this many bytes (without the line break) are rejected unread.
    public var maxLineBytes: Int

    /// Creates a parser.
    public init(defaultSource: String? = nil, maxLineBytes: Int = RawEventLineParser.defaultMaxLineBytes) {
        self.defaultSource = defaultSource
        self.maxLineBytes = maxLineBytes
    }

    /// Whether a line holds only JSON whitespace (such lines are skipped, not errors).
    public static func isBlank(_ line: some Collection<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Parses one line (without its `\n`; a trailing `\r` is tolerated). Returns nil for a blank line.
    /// - Parameter lineNumber: 1-based, used in errors.
    public func parse(_ line: some Collection<UInt8>, lineNumber: Int) throws(RawEventLineError) -> RawEvent? {
        if line.count > maxLineBytes { throw lineTooLong(lineNumber) }
        let bytes = Array(line)
        return try bytes.withUnsafeBufferPointer { buffer throws(RawEventLineError) -> RawEvent? in
            try parse(buffer: buffer, lineNumber: lineNumber)
        }
    }

    /// `parse` of bytes in place (the splitter's lines): no copy of the line.
    func parse(buffer line: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(RawEventLineError) -> RawEvent? {
        if line.count > maxLineBytes { throw lineTooLong(lineNumber) }
        var bytes = line
        if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }  // UTF-8 BOM
        if Self.isBlank(bytes) { return nil }
        var fields = Fields(line: lineNumber)
        let notAnObject: JSONValue?
        do {
            // The members this parser reads go straight into `fields`, without a parsed object; a
            // repeated key keeps its last value, as JSON loaders do.
            notAnObject = try JSONParser.parseMembers(bytes) { key, value in fields.set(key, value) }
        } catch {
            if String(validating: bytes, as: UTF8.self) == nil {
                throw RawEventLineError(line: lineNumber, field: nil, kind: .invalidUTF8, reason: "invalid UTF-8")
            }
            throw RawEventLineError(line: lineNumber, field: nil, kind: .invalidJSON,
                                    reason: "invalid JSON: \(error.description)")
        }
        if let document = notAnObject {
            throw RawEventLineError(line: lineNumber, field: nil, kind: .notAnObject,
                                    reason: "expected a JSON object, got \(Self.typeName(document))")
        }
        return try decode(fields)
    }

    /// Parses a line given as text (tests, small inputs).
    public func parse(_ line: String, lineNumber: Int) throws(RawEventLineError) -> RawEvent? {
        try parse(Array(line.utf8), lineNumber: lineNumber)
    }

    /// The error for a line over `maxLineBytes`.
    func lineTooLong(_ lineNumber: Int) -> RawEventLineError {
        RawEventLineError(line: lineNumber, field: nil, kind: .lineTooLong, reason: "line longer than \(maxLineBytes) bytes")
    }

    // MARK: - Fields

    private func decode(_ fields: Fields) throws(RawEventLineError) -> RawEvent {
        let source: String
        if let given = try fields.text(fields.source, "source", max: FieldLimit.source) {
            source = given
        } else if let fallback = defaultSource.flatMap(Text.nonBlank) {
            source = fallback
        } else {
            throw fields.error("source", .missingField, "missing required field (or give a default source)")
        }

        guard let companyText = try fields.string(fields.companyName, "company_name") else {
            throw fields.error("company_name", .missingField, "missing required field")
        }
        let trimmedName = Text.trimmed(companyText)
        if trimmedName.isEmpty { throw fields.error("company_name", .emptyField, "must not be blank") }
        try fields.checkLength(trimmedName, "company_name", max: FieldLimit.companyName)

        // `event_type` wins; `event_type_candidate` is the adapter contract's name for it.
        let typeField: String
        let typeValue: JSONValue?
        if let given = fields.eventType, !given.isNull {
            (typeField, typeValue) = ("event_type", given)
        } else {
            (typeField, typeValue) = ("event_type_candidate", fields.eventTypeCandidate)
        }
        guard let eventType = try fields.string(typeValue, typeField) else {
            throw fields.error("event_type", .missingField, "missing required field")
        }
        if eventType.isEmpty { throw fields.error(typeField, .emptyField, "must not be empty") }
        try fields.checkLength(eventType, typeField, max: FieldLimit.eventType)

        guard let timeText = try fields.string(fields.eventTime, "event_time") else {
            throw fields.error("event_time", .missingField, "missing required field")
        }
        guard let eventTime = Timestamp(iso: Text.trimmed(timeText)) else {
            throw fields.error("event_time", .invalidTime,
                               "not an ISO-8601 date or date-time: \"\(Self.excerpt(timeText))\"")
        }

        var confidence: Double?
        switch fields.confidence {
        case nil, .null?: confidence = nil
        case .int(let value)?: confidence = Double(value)
        case .double(let value)?: confidence = value  // JSON cannot spell NaN or infinity
        case let other?: throw fields.wrongType("confidence", expected: "a number", got: other)
        }

        var rawPayload: JSONObject?
        switch fields.rawPayload {
        case nil, .null?: rawPayload = nil
        case .object(let payload)?: rawPayload = payload
        case let other?: throw fields.wrongType("raw_payload", expected: "an object", got: other)
        }

        return RawEvent(
            source: source,
            sourceEventID: try fields.text(fields.sourceEventID, "source_event_id", max: FieldLimit.sourceEventID, keepBlank: true),
            companyName: companyText,
            domain: try fields.text(fields.domain, "domain", max: FieldLimit.domain, keepBlank: true),
            websiteURL: try fields.text(fields.websiteURL, "website_url", max: FieldLimit.url, keepBlank: true),
            companyProfileURL: try fields.text(fields.companyProfileURL, "company_profile_url", max: FieldLimit.url, keepBlank: true),
            eventType: eventType,
            eventTime: eventTime,
            title: try fields.text(fields.title, "title", max: FieldLimit.title, keepBlank: true),
            summary: try fields.string(fields.summary, "summary"),
            url: try fields.text(fields.url, "url", max: FieldLimit.url, keepBlank: true),
            confidence: confidence,
            rawPayload: rawPayload
        )
    }

    /// The members this parser reads, collected in one pass.
    private struct Fields {
        let line: Int
        var source, sourceEventID, companyName, domain, websiteURL, companyProfileURL: JSONValue?
        var eventType, eventTypeCandidate, eventTime, title, summary, url, confidence, rawPayload: JSONValue?

        init(line: Int) { self.line = line }

        /// Keeps `value` when `key` (UTF-8) names a member this parser reads.
        mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: JSONValue) {
            func named(_ name: StaticString) -> Bool {
                key.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            }
            switch key.count {
            case 3: if named("url") { url = value }
            case 5: if named("title") { title = value }
            case 6:
                if named("source") { source = value } else if named("domain") { domain = value }
            case 7: if named("summary") { summary = value }
            case 10:
                if named("event_type") { eventType = value } else if named("event_time") { eventTime = value } else if named("confidence") { confidence = value }
            case 11:
                if named("website_url") { websiteURL = value } else if named("raw_payload") { rawPayload = value }
            case 12: if named("company_name") { companyName = value }
            case 15: if named("source_event_id") { sourceEventID = value }
            case 19: if named("company_profile_url") { companyProfileURL = value }
            case 20: if named("event_type_candidate") { eventTypeCandidate = value }
            default: break
            }
        }

        func error(_ field: String, _ kind: RawEventLineError.Kind, _ reason: String) -> RawEventLineError {
            RawEventLineError(line: line, field: field, kind: kind, reason: reason)
        }

        func wrongType(_ field: String, expected: String, got value: JSONValue) -> RawEventLineError {
            error(field, .wrongType, "expected \(expected), got \(RawEventLineParser.typeName(value))")
        }

        /// A string member; nil when absent or null.
        func string(_ value: JSONValue?, _ field: String) throws(RawEventLineError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: throw wrongType(field, expected: "a string", got: other)
            }
        }

        func checkLength(_ text: String, _ field: String, max: Int) throws(RawEventLineError) {
            // UTF-8 length bounds the code-point count from above: most values skip the count.
            guard text.utf8.count > max else { return }
            let length = Text.length(text)
            if length > max {
                throw error(field, .fieldTooLong, "longer than \(max) characters (\(length))")
            }
        }

        /// An optional text member with a length limit on its trimmed form. Blank text reads as
        /// absent unless `keepBlank` (normalization then decides what blank means).
        func text(_ value: JSONValue?, _ field: String, max: Int, keepBlank: Bool = false) throws(RawEventLineError) -> String? {
            guard let text = try string(value, field) else { return nil }
            let trimmed = Text.trimmed(text)
            try checkLength(trimmed, field, max: max)
            if trimmed.isEmpty && !keepBlank { return nil }
            return keepBlank ? text : trimmed
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// At most 64 characters of a bad value, for messages.
    static func excerpt(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(61)) + "..."
    }
}

/// The longest value, in code points after trimming, of each length-limited ingest field:
/// one definition for the strict parser and the common-line scanner.
enum FieldLimit {
    static let source = 64
    static let sourceEventID = 255
    static let companyName = 255
    static let domain = 255
    static let eventType = 64
    static let title = 512
    /// `website_url`, `company_profile_url` and `url`.
    static let url = 2048
}
