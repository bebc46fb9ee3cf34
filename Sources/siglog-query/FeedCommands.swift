import ArgumentParser
import Projections
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
        abstract: "Lead cards of a workspace, pack and day.",
        discussion: """
            --as-of defaults to the latest day of the workspace's feed for the pack (else today in UTC). \
            A card needs outreach_score >= --threshold unless its engagement is cadence-blocked; rows are \
            read in order until --limit cards qualify, and --offset counts cards.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("as-of"), help: "The feed day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(help: "At most this many cards (0: no limit).")
    var limit: Int = LeadFeedRequest.defaults.limit
    @Option(help: "Cards to skip first.")
    var offset: Int = LeadFeedRequest.defaults.offset
    @Option(help: "Minimum outreach score.")
    var threshold: Int = LeadFeedRequest.defaults.threshold
    @Option(help: "Order: composite (composite_score desc) or last-seen (last_seen desc, none last).")
    var sort: SortOption = LeadFeedRequest.defaults.sort

    func validate() throws {
        guard limit >= 0, offset >= 0 else { throw ValidationError("--limit and --offset must not be negative") }
    }

    func run() throws {
        try LeadFeedRequest(store: store.store, workspace: tenant.scope.workspace, pack: tenant.scope.pack, format: format.format,
                            wide: format.wide, repeatCount: format.repeatCount, asOf: asOf, limit: limit, offset: offset,
                            threshold: threshold, sort: sort).run()
    }
}

/// What `lead-feed` was asked, as plain values: from `LeadFeed`'s options, or read straight from a
/// plain command line (`init(plainArguments:)`).
struct LeadFeedRequest {
    var store: String?
    var workspace: String?
    var pack: String?
    var format: OutputFormat = .table
    var wide = false
    var repeatCount = 0
    var asOf: Day?
    var limit = 100
    var offset = 0
    var threshold = 30
    var sort: SortOption = .composite

    /// The values of options not given (`LeadFeed`'s defaults too).
    static let defaults = LeadFeedRequest()

    /// Prints the cards (see `LeadFeed`).
    func run() throws {
        try runQuery(storePath: StoreOptions.path(store), repeatCount: repeatCount) { opened in
            try opened.read { reader in
                let scope = try ScopeOptions.scope(workspace: workspace, pack: pack, in: reader)
                return try cards(reader, scope)
            }
        }
    }

    private func cards(_ reader: ViewReader, _ scope: Scope) throws -> String {
        let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
        let cards = try LeadReads.leads(scope: scope, asOf: day, limit: limitCount(limit), offset: offset,
                                        sort: sort.leadSort, threshold: threshold, in: reader)
        var labels = CompanyLabels(reader: reader)
        var rows = try LeadFeedQuery.rows(cards, labels: &labels)
        if format == .table {
            let counts = try LeadReads.leadCounts(scope: scope, asOf: day, threshold: threshold, in: reader)
            if counts.rows == 0 {
                rows.emptyReason = "the lead feed has no row for \(day) — build it with "
                    + "`siglog-append stage score --as-of \(day)` or `stage update-lead-feed --as-of \(day)`"
            } else if counts.cards == 0 {
                rows.emptyReason = "\(counts.rows) cards below threshold \(threshold) — use --threshold 0"
            } else if cards.isEmpty {
                rows.emptyReason = "\(counts.cards) cards qualify; --offset \(offset) skips them all"
            }
            if !cards.isEmpty, offset + cards.count < counts.cards {
                rows.cutNote = "showing \(cards.count) of \(counts.cards - offset) cards (--limit \(limit); 0 shows all)"
            }
        }
        return rendered(rows, format, wide: wide)
    }
}

extension LeadFeedRequest {
    /// The request of a command line that is `lead-feed` followed only by its own options, each
    /// given at most once as `--name value` (or `--wide`) with a value that is neither empty nor
    /// starts with `-`, converted as ArgumentParser converts it and passing `LeadFeed.validate`.
    /// Nil for anything else — help, `--name=value`, a repeated, unknown or misplaced option, a
    /// value that does not convert — which ArgumentParser then parses and reports.
    init?(plainArguments arguments: [String]) {
        guard arguments.first == "lead-feed" else { return nil }
        var given: [String] = []
        var index = arguments.startIndex + 1
        while index < arguments.endIndex {
            let name = arguments[index]
            guard !given.contains(name) else { return nil }
            given.append(name)
            if name == "--wide" {
                wide = true
                index += 1
                continue
            }
            guard index + 1 < arguments.endIndex else { return nil }
            let value = arguments[index + 1]
            guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
            switch name {
            case "--store": store = value
            case "--workspace-id": workspace = value
            case "--pack-id": pack = value
            // `init(rawValue:)` is what ArgumentParser's `init(argument:)` of a `String` raw value
            // does, without its generic lookups.
            case "--format": guard let format = OutputFormat(rawValue: value) else { return nil }; self.format = format
            case "--repeat": guard let count = Int(argument: value) else { return nil }; repeatCount = count
            case "--as-of": guard let day = Day(argument: value) else { return nil }; asOf = day
            case "--limit": guard let limit = Int(argument: value), limit >= 0 else { return nil }; self.limit = limit
            case "--offset": guard let offset = Int(argument: value), offset >= 0 else { return nil }; self.offset = offset
            case "--threshold": guard let threshold = Int(argument: value) else { return nil }; self.threshold = threshold
            case "--sort": guard let sort = SortOption(rawValue: value) else { return nil }; self.sort = sort
            default: return nil
            }
            index += 2
        }
    }
}

struct Ranked: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranked",
        abstract: "Emerging companies: the lead feed's order, else readiness × engagement.",
        discussion: """
            --as-of defaults to the latest day of the workspace's feed for the pack (else today in UTC). \
            JSON carries the ranked API's fields too (website_url, composite_score, recommendation_band, \
            top_signals, momentum, complexity, pressure, leadership_gap).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("as-of"), help: "The ranking day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(help: "At most this many companies (0: no limit).")
    var limit: Int = 5
    @Option(help: "Minimum outreach score.")
    var threshold: Int = 30

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
            let ranked = try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: limitCount(limit), threshold: threshold,
                                                         in: reader)
            var rows = LeadFeedQuery.rankedRows(ranked, labels: try LeadReads.signalLabels(scope: scope, packs: PackResolver(), in: reader))
            if ranked.isEmpty {
                let scored = try scope.pack.map { try reader.companiesScored(pack: $0, asOf: day).count } ?? 0
                rows.emptyReason = scored == 0
                    ? "no company was scored for \(day) — run `siglog-append stage score --as-of \(day)`"
                    : "\(scored) scored companies, none at threshold \(threshold) — use --threshold 0"
            }
            return format.render(rows)
        }
    }
}

struct WeeklyReview: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weekly-review",
        abstract: "The weekly review: the ranking without the companies inside the outreach cooldown.",
        discussion: """
            The ranking's two paths (the lead feed's order reading three times --limit cards, else \
            readiness × engagement by outreach score), leaving out every company the manual outreach \
            cooldown blocks at the start of --as-of in the workspace; outreach_score is the engagement's, \
            else composite × ESL. --as-of defaults to the latest day of the workspace's feed (else today). \
            JSON: {companies, total}, each company with the ranked API's fields and outreach_score.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("as-of"), help: "The review day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(help: "At most this many companies (0: no limit).")
    var limit: Int = 5
    @Option(help: "Minimum outreach score.")
    var threshold: Int = 30

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
            let packs = PackResolver()
            let review = try LeadReads.weeklyReview(scope: scope, asOf: day, limit: limitCount(limit), threshold: threshold,
                                                    packs: packs, in: reader)
            let labels = try LeadReads.signalLabels(scope: scope, packs: packs, in: reader)
            if format.format == .json { return JSONWriter().string(.object(LeadFeedQuery.weeklyReviewResponse(review, labels: labels))) }
            var rows = LeadFeedQuery.rankedRows(review, labels: labels)
            rows.emptyReason = "no company at threshold \(threshold) outside the outreach cooldown for \(day) — use --threshold 0"
            return format.render(rows)
        }
    }
}
