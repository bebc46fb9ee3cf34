import ArgumentParser
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `watchlist`, `alerts`, `bundles`: the watchlist, the alert scan's alerts, the seeder's bundles.

struct Watchlist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watchlist", abstract: "Companies on the watchlist (with --all, past rows too).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Flag(help: "Every row, the closed ones too.")
    var all = false

    func run() throws {
        try runQuery(store, format) { s in format.render(try s.read { try WatchlistQueries.watchlist(all: all, in: $0) }) }
    }
}

struct Alerts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Alerts of the alert scan (readiness jumps), oldest first; each is pending.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: [.customLong("company"), .customLong("company-id")], help: "Only this company: its id or its domain.")
    var company: CompanyReference?
    @Option(name: .customLong("as-of"), help: "Only alerts for this day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(name: .customLong("pack-id"), help: "Only alerts of this pack: its UUID or pack_id[@version].")
    var pack: String?
    @Option(help: "At most this many alerts (0: no limit).")
    var limit: Int = 1000

    func run() throws {
        try runQuery(store, format) { s in
            try s.read { reader in
                let list = ListLimit(limit)
                let filter = WatchlistQueries.AlertFilter(
                    companyID: try company.map { try reader.company($0).id },
                    asOf: asOf, pack: try NameOrID(parsing: pack).map(reader.packID), limit: list.read)
                var rows = try WatchlistQueries.alerts(filter, in: reader)
                let found = rows.rows.count
                rows.rows = Array(rows.rows.prefix(list.shown))
                rows.cutNote = list.cutNote(found: found, noun: "alerts")
                return format.render(rows)
            }
        }
    }
}

struct Bundles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundles", abstract: "Evidence bundles stored for the watchlist seeder.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runQuery(store, format) { s in format.render(try s.read { try WatchlistQueries.bundles(in: $0) }) }
    }
}
