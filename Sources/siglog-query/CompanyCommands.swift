import ArgumentParser
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `companies`, `company`, `timeline`: the companies view and one company's story.

struct Companies: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search companies by name or domain (all when no text is given).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "Text contained in the name, domain or website (case-insensitive).")
    var search: String?
    @Option(help: "At most this many companies (0: no limit).")
    var limit: Int = 100

    func run() throws {
        try runQuery(store, format) { s in
            let list = ListLimit(limit)
            let found = try s.read { try CompanyQueries.search(search, limit: list.read, in: $0) }
            var rows = CompanyQueries.rows(Array(found.prefix(list.shown)))
            rows.emptyReason = search.map { "no company's name, domain or website contains '\($0)'" }
                ?? "no company yet — ingest events with `siglog-append events FILE`"
            rows.cutNote = list.cutNote(found: found.count, noun: "companies")
            return format.render(rows)
        }
    }
}

struct Company: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A company's profile, current scores, composite over time, recent events and outreach.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "Company id or domain.")
    var company: CompanyReference
    @Option(help: "How many recent events to show (0: all).")
    var events: Int = 10
    @Flag(help: "Explain the latest scores: the dimensions, the events behind each, suppressors, the ESL decision.")
    var explain = false

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let profile = try CompanyProfile.load(company, scope: scope, recentEvents: limitCount(events), in: reader)
            switch format.format {
            case .table: return explain ? profile.explainTable : profile.table
            case .json, .ndjson: return JSONWriter().string(.object(profile.json))
            case .csv: return CompanyQueries.rows([profile.company]).rendered(.csv)
            }
        }
    }
}

struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A company's timeline in log order, with the job run behind each entry.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "Company id or domain.")
    var company: CompanyReference

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let entries = try RegistryQueries.timeline(company, scope: scope, in: reader)
            return format.render(QueryRows(columns: RegistryQueries.timelineColumns, rows: entries.map(RegistryQueries.json)))
        }
    }
}
