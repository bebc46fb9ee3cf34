import Foundation
public import SiglogCore

/// Rows written as a query reads them, so a long list starts at once and memory stays small. JSON
/// is written as an array element by element, NDJSON and CSV line by line; a table sizes its
/// columns on its first `tableSample` rows and cuts longer cells after that.
public struct StreamingRows {
    /// Rows a table waits for before it fixes its column widths.
    public static let tableSample = 256

    let format: OutputFormat
    let columns: [String]
    let width: Int?
    let wide: Bool
    let sink: (String) -> Void
    private var count = 0
    private var sample: [JSONObject] = []
    private var layout: TableLayout?

    /// A writer of `columns` in `format` to `sink` (standard output by default).
    public init(format: OutputFormat, columns: [String], width: Int? = nil, wide: Bool = false,
                sink: @escaping (String) -> Void = StandardOutput.write) {
        self.format = format
        self.columns = columns
        self.width = width
        self.wide = wide
        self.sink = sink
    }

    /// Writes (or, for a table's first rows, holds) one row.
    public mutating func add(_ row: JSONObject) {
        defer { count += 1 }
        switch format {
        case .json: sink((count == 0 ? "[" : ",") + JSONWriter().string(.object(row)))
        case .ndjson: sink(JSONWriter().string(.object(row)) + "\n")
        case .csv:
            if count == 0 { sink(CSV.render(columns: columns, rows: []) + "\n") }
            sink(CSV.line(columns.map { row[$0] ?? .null }) + "\n")
        case .table:
            if layout == nil {
                sample.append(row)
                if sample.count >= StreamingRows.tableSample { flushSample() }
            } else {
                sink(tableLine(row) + "\n")
            }
        }
    }

    /// Ends the output: closes a JSON array, prints a table's held rows, `empty` (why there is
    /// nothing) or `cut` (that the list was cut) where a table shows them.
    public mutating func finish(empty: String? = nil, cut: String? = nil) {
        switch format {
        case .json: sink(count == 0 ? "[]\n" : "]\n")
        case .ndjson, .csv:
            if format == .csv, count == 0 { sink(CSV.render(columns: columns, rows: []) + "\n") }
        case .table:
            if layout == nil {
                let rows = QueryRows(columns: columns, rows: sample, emptyReason: empty, cutNote: cut)
                sink(rows.rendered(.table, width: width, wide: wide) + "\n")
            } else {
                if let note = layout?.leftOutNote { sink(note + "\n") }
                if let cut { sink(cut + "\n") }
            }
        }
        StandardOutput.flush()
    }

    private mutating func flushSample() {
        let cells = sample.map(tableCells)
        let layout = TableLayout(columns: columns, rows: cells, width: wide ? nil : width, clip: !wide)
        sink((layout.header + cells.map(layout.line)).joined(separator: "\n") + "\n")
        self.layout = layout
        sample = []
    }

    private func tableCells(_ row: JSONObject) -> [String] { columns.map { TableRenderer.cell(row[$0] ?? .null) } }

    private func tableLine(_ row: JSONObject) -> String { layout?.line(tableCells(row)) ?? "" }
}

/// Buffered writes to standard output (a pipe closed by the reader, as `| head -1` does, ends the
/// process quietly through SIGPIPE).
public enum StandardOutput {
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    /// Queues `text`, writing when 64 KiB have gathered.
    public static func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes what is queued.
    public static func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
