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
    /// Why the list is empty, when that can be told (a table prints it instead of a bare `(no rows)`).
    public var emptyReason: String?
    /// A line a table ends with when the list was cut (`showing 100 of 285`); the JSON forms stay
    /// pure data.
    public var cutNote: String?

    public init(columns: [String], rows: [JSONObject], emptyReason: String? = nil, cutNote: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.emptyReason = emptyReason
        self.cutNote = cutNote
    }

    /// The rows as a JSON array.
    public var json: JSONValue { .array(rows.map(JSONValue.object)) }

    /// The rows rendered in `format` (no trailing newline; empty for an empty ndjson list). A table is
    /// fitted into `width` columns when given (the widest text columns are cut, never numbers); `wide`
    /// shows every cell whole.
    public func rendered(_ format: OutputFormat, width: Int? = nil, wide: Bool = false) -> String {
        switch format {
        case .json: return JSONWriter().string(json)
        case .ndjson: return rows.map { JSONWriter().string(.object($0)) }.joined(separator: "\n")
        case .csv: return CSV.render(columns: columns, rows: rows.map { row in columns.map { row[$0] ?? .null } })
        case .table:
            var text = TableRenderer.render(columns: columns, rows: rows.map { row in columns.map { TableRenderer.cell(row[$0] ?? .null) } },
                                            width: wide ? nil : width, clip: !wide, empty: emptyReason)
            if let cutNote, !rows.isEmpty { text += "\n" + cutNote }
            return text
        }
    }
}

/// RFC 4180 CSV.
public enum CSV {
    /// A header line and one line per row; fields with a comma, quote or line break are quoted.
    public static func render(columns: [String], rows: [[JSONValue]]) -> String {
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(line(row)) }
        return lines.joined(separator: "\n")
    }

    /// One row as a CSV line.
    public static func line(_ values: [JSONValue]) -> String { values.map { field(text($0)) }.joined(separator: ",") }

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
    /// Widest a cell may be before it is cut with `…` (unless the table is asked to be wide).
    public static let maxCellWidth = 48
    /// Narrowest a text column is cut to when the table must fit a width.
    public static let minColumnWidth = 8

    /// The table; an empty list prints the header and `(no rows)`, or `(no rows: <empty>)`. With a
    /// `width`, the table is fitted (see `TableLayout`).
    public static func render(columns: [String], rows: [[String]], width: Int? = nil, clip: Bool = true,
                              empty: String? = nil) -> String {
        let layout = TableLayout(columns: columns, rows: rows, width: width, clip: clip)
        var out = layout.header + rows.map(layout.line)
        if rows.isEmpty { out.append(empty.map { "(no rows: \($0))" } ?? "(no rows)") }
        if !rows.isEmpty, let note = layout.leftOutNote { out.append(note) }
        return out.joined(separator: "\n")
    }

    /// Text is cut to this width before a column is left out.
    public static let comfortableColumnWidth = 16

    /// Column widths that fit `width`, for as many leading columns as fit. Two passes: first text
    /// is cut no narrower than `comfortableColumnWidth` and headers stay whole; only when not even
    /// two columns fit that way are headers and text cut down to `minColumnWidth`. `whole` columns
    /// (numbers, times) are never cut. Nil when nothing needs to change.
    static func fit(widths: [Int], columns: [String], whole: [Bool], rows: [[String]], into width: Int) -> [Int]? {
        func total(_ widths: [Int]) -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }
        guard total(widths) > width else { return nil }
        let wholeWidths = columns.indices.map { i in whole[i] ? rows.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 : 0 }
        let comfortable = columns.indices.map { i in whole[i] ? widths[i] : min(widths[i], max(columns[i].count, comfortableColumnWidth)) }
        let tight = columns.indices.map { i in min(widths[i], max(wholeWidths[i], minColumnWidth)) }
        for (floors, fewest) in [(comfortable, 2), (tight, 1)] {
            for count in stride(from: widths.count, through: fewest, by: -1) {
                var candidate = Array(widths.prefix(count))
                // Narrow the widest column above its floor, one character at a time.
                while total(candidate) > width,
                      let widest = candidate.indices.filter({ candidate[$0] > floors[$0] }).max(by: { candidate[$0] < candidate[$1] }) {
                    candidate[widest] -= 1
                }
                if total(candidate) <= width { return candidate }
            }
        }
        return [tight[0]]
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

    /// A date or a time as the tools print them (`2026-02-18`, `2026-02-18T10:00:00.000000Z`).
    static func isTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(10))
        return text == "-" || (bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
            && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) })
    }

    static func isNumber(_ text: String) -> Bool {
        text == "-" || (!text.isEmpty && Double(text) != nil)
    }
}

/// The columns a table shows and their widths, settled on a set of rows: each column as wide as
/// its widest cell (cut at `maxCellWidth` when clipping). With a `width`, the table is fitted: long
/// text is cut with `…` (numbers and times never are) and the rightmost columns that still do not
/// fit are left out, named by `leftOutNote`.
public struct TableLayout: Sendable {
    /// How many leading columns are shown.
    public let shown: Int
    /// Each shown column's width.
    public let widths: [Int]
    /// Which columns are right-aligned numbers.
    public let numeric: [Bool]
    /// The names of the columns left out to fit.
    public let hidden: [String]
    let columns: [String]
    let width: Int?

    /// The layout of `rows` (cells as table text) under `columns`.
    public init(columns: [String], rows: [[String]], width: Int?, clip: Bool) {
        let flat = rows.map { $0.map { $0.replacingOccurrences(of: "\n", with: " ") } }
        var widths = columns.map(\.count)
        for row in flat { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        if clip { widths = widths.map { min($0, TableRenderer.maxCellWidth) } }
        let numeric = columns.indices.map { i in !flat.isEmpty && flat.allSatisfy { i < $0.count && TableRenderer.isNumber($0[i]) } }
        // Numbers and times are never cut: half of either is misleading.
        let whole = columns.indices.map { i in
            numeric[i] || (!flat.isEmpty && flat.allSatisfy { i < $0.count && TableRenderer.isTime($0[i]) })
        }
        if let width, let fitted = TableRenderer.fit(widths: widths, columns: columns, whole: whole, rows: flat, into: width) {
            widths = fitted
        }
        self.shown = widths.count
        self.widths = widths
        self.numeric = numeric
        self.hidden = Array(columns[widths.count...])
        self.columns = columns
        self.width = width
    }

    /// The header line and the rule under it.
    public var header: [String] {
        [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    }

    /// One row (cells as table text), cut and padded to the layout.
    public func line(_ cells: [String]) -> String {
        widths.indices.map { i in
            let cell = i < cells.count ? cells[i].replacingOccurrences(of: "\n", with: " ") : ""
            let text = cell.count <= widths[i] ? cell : String(cell.prefix(max(0, widths[i] - 1))) + "…"
            let pad = String(repeating: " ", count: max(0, widths[i] - text.count))
            return numeric[i] ? pad + text : text + pad
        }.joined(separator: "  ").trimmingTrailingSpaces()
    }

    /// The closing line naming the columns left out, or nil when all are shown.
    public var leftOutNote: String? {
        guard !hidden.isEmpty else { return nil }
        let named = "(left out to fit: " + hidden.joined(separator: ", ") + "; --wide shows all)"
        return named.count <= width ?? 0 ? named : "(\(hidden.count) more columns left out to fit; --wide shows all)"
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
