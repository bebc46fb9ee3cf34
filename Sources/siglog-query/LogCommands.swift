import ArgumentParser
import Foundation
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `stats`, `verify`, `export`: the log itself (store administration, not tenant data).

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Log head, records by type, view checkpoint, sizes and fingerprints, store size and map use.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runQuery(store, format) { s in
            let stats = try LogQueries.stats(store: s)
            switch format.format {
            case .json, .ndjson: return JSONWriter().string(.object(stats.json))
            case .table, .csv: return format.render(stats.rows)
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every record's checksum, that sequence numbers have no gap, and every page of the store.",
        discussion: """
            Reads the data file page by page, so a damaged or truncated store is reported rather than \
            crashing the reader. Exit code 65 when something is damaged: the message names the first \
            damaged record and says what to do (salvage the intact records into a new store, or restore a backup).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runReportingErrors {
            let report = try LogQueries.verify(path: store.path)
            let object = LogQueries.verifyJSON(report, store: store.path)
            switch format.format {
            case .json, .ndjson: print(JSONWriter().string(.object(object)))
            case .csv: print(QueryRows(columns: LogQueries.verifyColumns, rows: [object]).rendered(.csv))
            case .table:
                print(report.isSound ? "ok: \(report.recordsChecked) records, head \(report.head), no gap, every checksum matches, every page sound"
                                     : "damaged after \(report.recordsChecked) good records (head \(report.head))")
            }
            if let problem = report.firstProblem {
                reportError(problem.description)
                if let next = LogQueries.nextStep(report, store: store.path) { printError("  what to do: " + next) }
                throw ExitCode(SiglogExit.badInput)
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "The log as NDJSON: {seq, type, appended_at, workspace_id, record} per line.",
        discussion: "Without --workspace-id the whole log (backup); with it, shared records and that workspace's.")

    @OptionGroup var store: StoreOptions
    @Option(help: "First sequence number to export.")
    var from: UInt64 = 1
    @Option(name: .customLong("workspace-id"), help: "Only records shared or of this workspace (its UUID or its name).")
    var workspaceID: String?

    func run() throws {
        try runReportingErrors {
            let s = try store.openForReading()
            let workspace = try s.read { reader -> UUID? in
                guard let id = try NameOrID(parsing: workspaceID).map(reader.workspaceID) else { return nil }
                guard try reader.workspace(id) != nil else { throw SiglogError.workspaceNotFound(id) }
                return id
            }
            let out = FileHandle.standardOutput
            var buffer = ""
            try LogQueries.export(store: s, from: from, workspace: workspace) { line in
                buffer += line
                buffer += "\n"
                if buffer.utf8.count > 1 << 16 {
                    out.write(Data(buffer.utf8))
                    buffer = ""
                }
            }
            out.write(Data(buffer.utf8))
        }
    }
}
