import Foundation
public import SiglogCore

/// How a query prints its rows.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people (the default).
    case table
    /// One JSON array (or object) on one line.
    case json
    /// One JSON object per line.
    case ndjson
    /// RFC 4180 CSV with a header line; nested values as compact JSON.
    case csv
}

/// The rows of a query as JSON objects with the spec's column names, and the columns a table shows.
public struct QueryRows: Sendable, Hashable {
    /// Column names shown by the table and CSV forms, in order.
    public var columns: [String]
    public var rows: [JSONObject]

    public init(columns: [String], rows: [JSONObject]) {
        self.columns = columns
        self.rows = rows
    }

    /// The rows as a JSON array.
    public var json: JSONValue { .array(rows.map(JSONValue.object)) }

    /// The rows rendered in `format` (no trailing newline; empty for an empty ndjson list).
    public func rendered(_ format: OutputFormat) -> String {
        switch format {
        case .json: return JSONWriter().string(json)
        case .ndjson: return rows.map { JSONWriter().string(.object($0)) }.joined(separator: "\n")
        case .csv: return CSV.render(columns: columns, rows: rows.map { row in columns.map { row[$0] ?? .null } })
        case .table:
            return TableRenderer.render(columns: columns, rows: rows.map { row in columns.map { TableRenderer.cell(row[$0] ?? .null) } })
        }
    }
}

/// RFC 4180 CSV.
public enum CSV {
    /// A header line and one line per row; fields with a comma, quote or line break are quoted.
    public static func render(columns: [String], rows: [[JSONValue]]) -> String {
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(row.map { field(text($0)) }.joined(separator: ",")) }
        return lines.joined(separator: "\n")
    }

    /// A value as CSV text: strings bare, null empty, numbers and booleans as JSON, nested as JSON.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let s): return s
        default: return JSONWriter().string(value)
        }
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A small fixed-width table: a header, a rule, and left-aligned text / right-aligned numbers.
public enum TableRenderer {
    /// Widest a cell may be before it is cut with `…`.
    public static let maxCellWidth = 48

    /// The table; an empty list prints the header and `(no rows)`.
    public static func render(columns: [String], rows: [[String]]) -> String {
        let cut = rows.map { $0.map(clip) }
        var widths = columns.map(\.count)
        for row in cut { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        let numeric = columns.indices.map { i in !cut.isEmpty && cut.allSatisfy { i < $0.count && isNumber($0[i]) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += cut.map(line)
        if cut.isEmpty { out.append("(no rows)") }
        return out.joined(separator: "\n")
    }

    /// A JSON value as table text: strings bare, null as `-`, nested values as compact JSON.
    public static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return "-"
        case .string(let s): return s
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            return items.compactMap(\.stringValue).joined(separator: ",")
        default: return JSONWriter().string(value)
        }
    }

    static func clip(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= maxCellWidth ? flat : String(flat.prefix(maxCellWidth - 1)) + "…"
    }

    static func isNumber(_ text: String) -> Bool {
        text == "-" || (!text.isEmpty && Double(text) != nil)
    }
}

/// A one-line chart of a series with the eight block characters, scaled to 0…100 (the range of
/// every readiness score) so charts of different companies compare at a glance.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One character per value; values outside 0…100 are clamped.
    public static func render(_ values: [Int], range: ClosedRange<Int> = 0...100) -> String {
        let span = Double(range.upperBound - range.lowerBound)
        return String(values.map { value in
            let clamped = Double(max(range.lowerBound, min(range.upperBound, value)) - range.lowerBound)
            let index = Int((clamped / span * Double(blocks.count - 1)).rounded(.toNearestOrEven))
            return blocks[index]
        })
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// JSON forms of the value types used by every query.
extension Timestamp {
    /// ISO-8601 UTC (`2026-02-18T10:00:00Z`), the form the tools print.
    var queryJSON: JSONValue { .string(description) }
}

extension Optional where Wrapped == Timestamp {
    var queryJSON: JSONValue { map(\.queryJSON) ?? .null }
}

extension Day {
    /// `YYYY-MM-DD`.
    var queryJSON: JSONValue { .string(description) }
}

func nullable(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
func nullable(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
func nullable(_ value: Int64?) -> JSONValue { value.map(JSONValue.int) ?? .null }
func nullable(_ value: UInt64?) -> JSONValue { value.map(jsonInteger) ?? .null }
/// An unsigned id read from a record payload. Past `Int64.max` (only a damaged or hostile record
/// holds such a value) it is written as a decimal string: export must show it, not trap.
func jsonInteger(_ value: UInt64) -> JSONValue { Int64(exactly: value).map(JSONValue.int) ?? .string(String(value)) }
func nullable(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
func nullable(_ value: Bool?) -> JSONValue { value.map(JSONValue.bool) ?? .null }
/// A stored compact-JSON text parsed back (explain payloads, outreach summaries); unparsable text
/// is shown as a string rather than lost.
func parsedJSON(_ text: String?) -> JSONValue {
    guard let text else { return .null }
    return (try? JSONParser.parse(text)) ?? .string(text)
}
