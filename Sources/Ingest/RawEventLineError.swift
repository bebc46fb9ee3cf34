/// Why one NDJSON line is not a valid raw event: the line number, the field at fault (nil when
/// the whole line is unusable) and a reason. Printed as `FILE:LINE: field: reason`.
public struct RawEventLineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for callers that count or test by kind rather than by text.
    public enum Kind: String, Sendable, Hashable {
        /// The line is longer than the parser's limit.
        case lineTooLong
        /// The line is not valid UTF-8.
        case invalidUTF8
        /// The line is not one JSON document.
        case invalidJSON
        /// The line is JSON but not an object.
        case notAnObject
        /// A required field is absent or null.
        case missingField
        /// A field has the wrong JSON type.
        case wrongType
        /// A required text field is blank.
        case emptyField
        /// A text field is longer than its limit.
        case fieldTooLong
        /// `event_time` is not an ISO-8601 date or date-time.
        case invalidTime
    }

    /// 1-based line number in the input.
    public var line: Int
    /// The JSON field name, or nil for whole-line problems.
    public var field: String?
    /// The kind of problem.
    public var kind: Kind
    /// Human-readable reason, without the location.
    public var reason: String

    /// Creates an error value.
    public init(line: Int, field: String?, kind: Kind, reason: String) {
        self.line = line
        self.field = field
        self.kind = kind
        self.reason = reason
    }

    /// `FILE:LINE: field: reason`, or `FILE:LINE: reason` when no single field is at fault; an
    /// input without a name (an HTTP request body) gives `LINE: field: reason`.
    public func formatted(file: String) -> String {
        (file.isEmpty ? "\(line): " : "\(file):\(line): ") + (field.map { "\($0): " } ?? "") + reason
    }

    /// `line N: field: reason`, for contexts without a file name.
    public var description: String {
        "line \(line): " + (field.map { "\($0): " } ?? "") + reason
    }
}
