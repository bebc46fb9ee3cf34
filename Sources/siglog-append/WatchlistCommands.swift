import ArgumentParser
import Foundation
import Pipeline
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore

struct WatchlistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist", abstract: "Put companies on the watchlist (the score stage scores them) or take them off.",
        subcommands: [Add.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Watch a company; a company already watched keeps its row and nothing is written.")

        @OptionGroup var store: StoreOptions
        @Option(name: [.customLong("company"), .customLong("company-id")], help: "The company: its id or its domain.")
        var company: CompanyReference
        @Option(help: "Why it is watched (added_reason).")
        var reason: String?

        func run() throws {
            try runReportingErrors {
                let result = try store.openForWriting().addToWatchlist(company, reason: reason)
                if result["changed"] == .bool(false) { printError("the company is already on the watchlist; nothing changed") }
                printJSON(result)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Stop watching a company (its row is closed); a company not watched writes nothing.")

        @OptionGroup var store: StoreOptions
        @Option(name: [.customLong("company"), .customLong("company-id")], help: "The company: its id or its domain.")
        var company: CompanyReference
        @Option(help: "Why it is no longer watched.")
        var reason: String?

        func run() throws {
            try runReportingErrors {
                let result = try store.openForWriting().removeFromWatchlist(company, reason: reason)
                if result["changed"] == .bool(false) { printError("the company is not on the watchlist; nothing changed") }
                printJSON(result)
            }
        }
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Store evidence bundles for the watchlist seeder (stage watchlist-seed).",
        subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Check an evidence bundle file and store it; prints its id.",
            discussion: """
                FILE is one JSON object: company_name (required), domain, website_url, company_profile_url, \
                reason, id (a UUID; else --id, else a new one) and events, a list of event objects with the \
                fields of an ingest line (source, source_event_id, event_type, event_time, title, summary, \
                url, confidence, raw_payload) — the company comes from the bundle. The same content under the \
                same id again writes nothing; other content under a used id is refused (exit 67).
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The bundle file (JSON), or - for stdin.")
        var file: String
        @Option(name: .customLong("id"), help: "UUID to store the bundle under (default: the file's id, else a new one).")
        var id: String?

        func run() throws {
            try runReportingErrors {
                var requested: UUID?
                if let id {
                    guard let parsed = UUID(uuidString: id.trimmingCharacters(in: .whitespaces)) else {
                        throw InvalidValue("--id: must be a valid UUID, got '\(id)'")
                    }
                    requested = parsed
                }
                let name = file == "-" ? "<stdin>" : file
                let data: Data
                if file == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard FileManager.default.fileExists(atPath: file) else { throw SiglogError.fileNotFound(path: file) }
                    data = try Data(contentsOf: URL(fileURLWithPath: file))
                }
                let result = try store.openForWriting().storeBundle(parsing: Array(data), name: name, id: requested)
                if result["changed"] == .bool(false) { printError("this bundle is already stored; nothing changed") }
                printJSON(result)
            }
        }
    }
}
