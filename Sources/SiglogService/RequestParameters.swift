import Foundation
import Hummingbird
import ReadModel
import SiglogCore

/// Query parameters, parsed once at the edge with the project's parsers; a value that does not
/// parse is an `InvalidValue` (422 with its message).
extension Request {
    /// The parameter's value; nil when absent or blank.
    func parameter(_ name: String) -> String? {
        guard let value = uri.queryParameters.get(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// An integer parameter of at least `minimum`; `value` when absent.
    func integer(_ name: String, default value: Int, minimum: Int = 0) throws(InvalidValue) -> Int {
        guard let text = parameter(name) else { return value }
        guard let number = Int(text), number >= minimum else {
            throw InvalidValue("\(name) must be an integer of at least \(minimum), got '\(text)'")
        }
        return number
    }

    /// A count limit as the command line's `--limit` reads it: `0` means no limit; `value` when absent.
    func limit(_ name: String = "limit", default value: Int) throws(InvalidValue) -> Int {
        let limit = try integer(name, default: value)
        return limit == 0 ? .max : limit
    }

    /// A boolean parameter (`true`/`false`, `1`/`0`, any case); false when absent.
    func flag(_ name: String) throws(InvalidValue) -> Bool {
        guard let text = parameter(name) else { return false }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw InvalidValue("\(name) must be true or false, got '\(text)'")
        }
    }

    /// A `YYYY-MM-DD` parameter (`as_of`); nil when absent.
    func day(_ name: String) throws(InvalidValue) -> Day? {
        try parameter(name).map { text throws(InvalidValue) in try Day(parsing: text, name: name) }
    }

    /// `workspace_id`: nil when absent; `Invalid workspace_id: must be a valid UUID` when malformed.
    func workspaceID() throws(InvalidValue) -> UUID? { try RequestIDs.workspaceID(parameter("workspace_id")) }

    /// `pack_id`: nil when absent; `Invalid pack_id: must be a valid UUID` when malformed.
    func packID() throws(InvalidValue) -> UUID? { try RequestIDs.packID(parameter("pack_id")) }

    /// `X-Idempotency-Key`; nil when absent or blank.
    var idempotencyKey: String? {
        guard let key = headers[.idempotencyKey]?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { return nil }
        return key
    }
}
