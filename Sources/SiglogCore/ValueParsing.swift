public import Foundation

/// A value given as text (an option, a query parameter) that does not parse. `message` is what the
/// user sees: the command-line tools print it, the HTTP service answers it.
public struct InvalidValue: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// One parser per value: every tool, option and endpoint that takes a day, a time, an id or a company
// reads it through these, so the same text means the same thing everywhere.

extension Day {
    /// Parses `YYYY-MM-DD` (surrounding whitespace ignored); `name` names the option or parameter in
    /// the error.
    public init(parsing text: String, name: String = "date") throws(InvalidValue) {
        // A day given without surrounding whitespace parses as it is (ten digits and dashes have
        // nothing to trim): Foundation's trimming costs a command's start-up ≈ 0.3 ms the first time.
        guard let day = Day(iso: text) ?? Day(iso: text.trimmingCharacters(in: .whitespaces)) else {
            throw InvalidValue("\(name) must be a date YYYY-MM-DD, got '\(text)'")
        }
        self = day
    }
}

extension Timestamp {
    /// Parses a date alone (`YYYY-MM-DD`, meaning 00:00 UTC) or an ISO-8601 time
    /// (`YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z`, an offset, or nothing for UTC), surrounding
    /// whitespace ignored; `name` names the option or parameter in the error.
    public init(parsing text: String, name: String = "time") throws(InvalidValue) {
        guard let time = Timestamp(iso: text.trimmingCharacters(in: .whitespaces)) else {
            throw InvalidValue("\(name) must be a date YYYY-MM-DD or an ISO-8601 time such as 2026-02-01T12:00:00Z, got '\(text)'")
        }
        self = time
    }
}

/// The workspace and pack ids of requests, with the spec's messages (§9.3): blank means "not given".
public enum RequestIDs {
    /// `workspace_id`: nil when absent or blank; `Invalid workspace_id: must be a valid UUID` otherwise.
    public static func workspaceID(_ text: String?) throws(InvalidValue) -> UUID? {
        try uuid(text, field: "workspace_id")
    }

    /// `pack_id`: nil when absent or blank; `Invalid pack_id: must be a valid UUID` otherwise.
    public static func packID(_ text: String?) throws(InvalidValue) -> UUID? {
        try uuid(text, field: "pack_id")
    }

    static func uuid(_ text: String?, field: String) throws(InvalidValue) -> UUID? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let id = UUID(uuidString: text) else { throw InvalidValue("Invalid \(field): must be a valid UUID") }
        return id
    }
}

/// A company named by a user: its id, or a domain (matched against the company's domain and then its
/// website's domain).
public enum CompanyReference: Sendable, Hashable, CustomStringConvertible {
    case id(Int64)
    case domain(String)

    /// An integer is an id; anything else is a domain, lower-cased (surrounding whitespace ignored).
    public init(parsing text: String) throws(InvalidValue) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = Int64(trimmed) {
            self = .id(id)
        } else if !trimmed.isEmpty, !trimmed.contains(where: \.isWhitespace) {
            self = .domain(trimmed.lowercased())
        } else {
            throw InvalidValue("a company is named by its id or its domain, got '\(text)'")
        }
    }

    /// The id or the domain as given.
    public var description: String {
        switch self {
        case .id(let id): String(id)
        case .domain(let domain): domain
        }
    }
}

/// A workspace or pack a user names: by UUID, or by its name (a workspace's name; a pack's
/// `pack_id`, optionally `pack_id@version`).
public enum NameOrID: Sendable, Hashable, CustomStringConvertible {
    case id(UUID)
    case name(String)

    /// A UUID is an id; any other non-blank text a name (surrounding whitespace ignored); blank is nil.
    public init?(parsing text: String?) {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let id = UUID(uuidString: text) { self = .id(id) } else { self = .name(text) }
    }

    /// The id (lower case) or the name as given.
    public var description: String {
        switch self {
        case .id(let id): id.lowercased
        case .name(let name): name
        }
    }
}
