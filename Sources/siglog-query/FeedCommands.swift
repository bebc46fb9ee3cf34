import ArgumentParser
import Queries
import ReadModel
import Scoring
import SiglogCLI
import SiglogCore

// `lead-feed`, `ranked`: who to approach, in order.

enum SortOption: String, ExpressibleByArgument, CaseIterable {
    case composite
    case lastSeen = "last-seen"

    var leadSort: LeadSort { self == .composite ? .compositeScore : .lastSeen }
}

struct LeadFeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead-feed",
        abstract: "Lead cards of a workspace, pack and day (§7.4).",
        discussion: """
            --as-of defaults to the latest day of the workspace's feed for the pack (else today in UTC). \
            Reads at most 2×limit rows after --offset; a card needs outreach_score >= --threshold unless \
            its engagement is cadence-blocked.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("as-of"), help: "The feed day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(help: "At most this many cards.")
    var limit: Int = 100
    @Option(help: "Rows to skip first.")
    var offset: Int = 0
    @Option(help: "Minimum outreach score.")
    var threshold: Int = 30
    @Option(help: "Order: composite (composite_score desc) or last-seen (last_seen desc, none last).")
    var sort: SortOption = .composite

    func validate() throws {
        guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative") }
    }

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let cards = try LeadReads.leads(
                scope: scope, asOf: try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC()), limit: limit, offset: offset,
                sort: sort.leadSort, threshold: threshold, in: reader)
            return LeadFeedQuery.rows(cards).rendered(format.format)
        }
    }
}

struct Ranked: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emerging companies (§8): the lead feed's order, else readiness × engagement.",
        discussion: "--as-of defaults to the latest day of the workspace's feed for the pack (else today in UTC).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("as-of"), help: "The ranking day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(help: "At most this many companies.")
    var limit: Int = 5
    @Option(help: "Minimum outreach score.")
    var threshold: Int = 30

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: max(0, limit), threshold: threshold, in: reader)
            return LeadFeedQuery.rankedRows(ranked).rendered(format.format)
        }
    }
}
