import ArgumentParser
import Foundation
import Pipeline
import Projections
import Queries
import Scoring
import SiglogCLI
import SiglogCore

@main
struct SiglogQuery: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-query",
        abstract: "Read a siglog store without changing it: companies, events, snapshots, the lead feed, the log.",
        discussion: """
            Opens the store read-only (MDB_RDONLY); it works while a writer appends and sees one consistent \
            snapshot per query. Output is a table by default; --format json|ndjson|csv for machines. \
            Exit codes: 0 success, 64 bad option (invalid UUID, bad date), 65 verify found a damaged or \
            missing record, 66 the store, workspace, pack or company does not exist, 70 storage error.
            """,
        subcommands: [Companies.self, Company.self, Events.self, Instances.self, Snapshots.self, LeadFeed.self, Ranked.self,
                      Timeline.self, Jobs.self, Packs.self, Workspaces.self, Stats.self, Verify.self, Export.self])
}

// MARK: - Shared options

/// `--format` and the hidden `--repeat N` that times the query in-process (for benchmarks).
struct FormatOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: table, json, ndjson or csv.")
    var formatName: FormatName = .table

    var format: OutputFormat { OutputFormat(rawValue: formatName.rawValue) ?? .table }

    @Option(name: .customLong("repeat"), help: .hidden)
    var repeatCount: Int = 0
}

/// The `--format` values (mirrors `OutputFormat`, which lives in a library without ArgumentParser).
enum FormatName: String, ExpressibleByArgument, CaseIterable {
    case table, json, ndjson, csv
}

/// `--workspace-id` (tenant scope) and `--pack-id`.
struct TenantOptions: ParsableArguments {
    @OptionGroup var scope: ScopeOptions

    func resolve(in reader: ViewReader) throws -> QueryScope {
        try QueryScope.resolve(workspace: try scope.workspace, pack: try scope.pack, in: reader)
    }

    /// Checks the ids before the store is opened: malformed ids get the spec's messages (exit 64).
    func check() throws {
        _ = try scope.workspace
        _ = try scope.pack
    }
}

/// A day option (`YYYY-MM-DD`).
func parseDay(_ text: String?, option: String) throws -> Day? {
    guard let text else { return nil }
    guard let day = Day(iso: text) else { throw PipelineError(.usage, "\(option) must be a date YYYY-MM-DD, got '\(text)'") }
    return day
}

/// A time option: `YYYY-MM-DD` (midnight UTC) or an ISO-8601 time.
func parseTime(_ text: String?, option: String) throws -> Timestamp? {
    guard let text else { return nil }
    if let day = Day(iso: text) { return day.midnight }
    guard let time = Timestamp(iso: text) else {
        throw PipelineError(.usage, "\(option) must be a date YYYY-MM-DD or an ISO-8601 time, got '\(text)'")
    }
    return time
}

/// Runs `query` once and prints its output; with `--repeat N` runs it N more times and prints the
/// in-process latency percentiles on stderr.
func runQuery(_ options: FormatOptions, _ query: () throws -> String) throws {
    let text = try query()
    if !text.isEmpty { print(text) }
    guard options.repeatCount > 0 else { return }
    var samples: [Double] = []
    samples.reserveCapacity(options.repeatCount)
    for _ in 0..<options.repeatCount {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try query()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    samples.sort()
    func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int((Double(samples.count) * p).rounded(.up)) - 1)] }
    printError(String(format: "in-process over %d runs: p50 %.3f ms  p99 %.3f ms  max %.3f ms", samples.count,
                      percentile(0.5), percentile(0.99), samples.last ?? 0))
}

extension QueryRows {
    func output(_ format: OutputFormat) -> String { rendered(format) }
}

// MARK: - Companies

struct Companies: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Search companies by name or domain (all when no text is given).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "Text contained in the name, domain or website (case-insensitive).")
    var search: String?
    @Option(help: "At most this many companies.")
    var limit: Int = 100

    func run() throws {
        try runReportingErrors {
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                try s.read { CompanyQueries.rows(try CompanyQueries.search(search, limit: max(0, limit), in: $0)) }.output(format.format)
            }
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
    var company: String
    @Option(help: "How many recent events to show.")
    var events: Int = 10

    func run() throws {
        try runReportingErrors {
            try tenant.check()
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let profile = try s.read { reader in
                    try CompanyProfile.load(company, scope: try tenant.resolve(in: reader), recentEvents: max(0, events), in: reader)
                }
                switch format.format {
                case .table: return profile.table
                case .json, .ndjson: return JSONWriter().string(.object(profile.json))
                case .csv: return CompanyQueries.rows([profile.company]).rendered(.csv)
                }
            }
        }
    }
}

// MARK: - Events, instances, snapshots

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stored events in log order, filtered by company, type, source and event time.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company's events.")
    var companyID: Int64?
    @Option(help: "Only this event type.")
    var type: String?
    @Option(help: "Only this source.")
    var source: String?
    @Option(help: "Event time at or after this (YYYY-MM-DD or ISO-8601).")
    var since: String?
    @Option(help: "Event time before this (YYYY-MM-DD or ISO-8601).")
    var until: String?
    @Option(help: "At most this many events.")
    var limit: Int = 100

    func run() throws {
        try runReportingErrors {
            try tenant.check()
            let filter = EventQueries.Filter(companyID: companyID, eventType: type, source: source,
                                             since: try parseTime(since, option: "--since"),
                                             until: try parseTime(until, option: "--until"), limit: max(0, limit))
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let scope = try s.read { try tenant.resolve(in: $0) }
                return EventQueries.rows(try EventQueries.events(filter: filter, scope: scope, store: s)).output(format.format)
            }
        }
    }
}

struct Instances: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Derived signal instances (entity, signal, pack).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company's instances.")
    var companyID: Int64?
    @Option(name: .customLong("signal-id"), help: "Only this signal.")
    var signalID: String?
    @Option(name: .customLong("pack-id"), help: "Only instances of this pack UUID.")
    var packID: String?
    @Option(help: "At most this many instances.")
    var limit: Int = 1000

    func run() throws {
        try runReportingErrors {
            let pack = try Pipeline.parsePackID(packID)
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let rows = try s.read { try EventQueries.instances(company: companyID, signal: signalID, pack: pack, limit: max(0, limit), in: $0) }
                return QueryRows(columns: EventQueries.instanceColumns, rows: rows.map(EventQueries.json)).output(format.format)
            }
        }
    }
}

struct Snapshots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Readiness snapshots with their engagement snapshots and explain payloads.",
        discussion: "JSON: [{company_id, as_of, pack_id, readiness: {…, explain, computed_at}, engagement: {…} | null}].")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company.")
    var companyID: Int64?
    @Option(name: .customLong("as-of"), help: "Only this day (YYYY-MM-DD).")
    var asOf: String?
    @Option(name: .customLong("pack-id"), help: "Only this pack UUID.")
    var packID: String?
    @Option(help: "At most this many snapshots.")
    var limit: Int = 1000

    func run() throws {
        try runReportingErrors {
            let pack = try Pipeline.parsePackID(packID)
            let day = try parseDay(asOf, option: "--as-of")
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let pairs = try s.read { reader in
                    if let pack, try reader.pack(pack) == nil { throw PipelineError(.notFound, "pack \(pack.lowercased) not found") }
                    return try SnapshotQueries.snapshots(company: companyID, asOf: day, pack: pack, limit: max(0, limit), in: reader)
                }
                switch format.format {
                case .json: return JSONWriter().string(.array(pairs.map { .object($0.json) }))
                case .ndjson: return pairs.map { JSONWriter().string(.object($0.json)) }.joined(separator: "\n")
                case .table, .csv: return SnapshotQueries.rows(pairs).output(format.format)
                }
            }
        }
    }
}

// MARK: - Lead feed and ranking

enum SortOption: String, ExpressibleByArgument, CaseIterable {
    case composite
    case lastSeen = "last-seen"
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
    var asOf: String?
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
        try runReportingErrors {
            try tenant.check()
            let day = try parseDay(asOf, option: "--as-of")
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let cards = try s.read { reader in
                    let scope = try tenant.resolve(in: reader)
                    return try LeadFeedQuery.leads(
                        scope: scope, asOf: try day ?? scope.latestFeedDay(in: reader, today: todayUTC()), limit: limit,
                        offset: offset, sort: sort == .composite ? .compositeScore : .lastSeen, threshold: threshold, in: reader)
                }
                return LeadFeedQuery.rows(cards).output(format.format)
            }
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
    var asOf: String?
    @Option(help: "At most this many companies.")
    var limit: Int = 5
    @Option(help: "Minimum outreach score.")
    var threshold: Int = 30

    func run() throws {
        try runReportingErrors {
            try tenant.check()
            let day = try parseDay(asOf, option: "--as-of")
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let (scope, resolvedDay) = try s.read { reader in
                    let scope = try tenant.resolve(in: reader)
                    return (scope, try day ?? scope.latestFeedDay(in: reader, today: todayUTC()))
                }
                let ranked = try LeadFeedQuery.ranked(store: s, scope: scope, asOf: resolvedDay, limit: max(0, limit), threshold: threshold)
                return LeadFeedQuery.rankedRows(ranked).output(format.format)
            }
        }
    }
}

// MARK: - Timeline, jobs, registry

struct Timeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A company's timeline in log order, with the job run behind each entry.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "Company id or domain.")
    var company: String

    func run() throws {
        try runReportingErrors {
            try tenant.check()
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let entries = try s.read { reader in
                    try RegistryQueries.timeline(company, scope: try tenant.resolve(in: reader), in: reader)
                }
                return QueryRows(columns: RegistryQueries.timelineColumns, rows: entries.map(RegistryQueries.json)).output(format.format)
            }
        }
    }
}

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Job runs of a workspace, filtered by type and status.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(help: "Only this job type (ingest, derive, score, update_lead_feed, daily_aggregation).")
    var type: String?
    @Option(help: "Only this status (running, completed, failed, skipped).")
    var status: String?
    @Option(help: "At most this many runs.")
    var limit: Int = 1000

    func run() throws {
        try runReportingErrors {
            try tenant.check()
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) {
                let jobs = try s.read { reader in
                    try RegistryQueries.jobs(scope: try tenant.resolve(in: reader), type: type, status: status, limit: max(0, limit), in: reader)
                }
                return QueryRows(columns: RegistryQueries.jobColumns, rows: jobs.map(RegistryQueries.json)).output(format.format)
            }
        }
    }
}

struct Packs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Installed packs.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runReportingErrors {
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) { try s.read { try RegistryQueries.packs(in: $0) }.output(format.format) }
        }
    }
}

struct Workspaces: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Workspaces and their active packs.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runReportingErrors {
            let s = try QueryStore.open(path: store.path)
            try runQuery(format) { try s.read { try RegistryQueries.workspaces(in: $0) }.output(format.format) }
        }
    }
}

// MARK: - The log

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Log head, records by type, view checkpoint, sizes and fingerprints, store size and map use.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runReportingErrors {
            let s = try QueryStore.open(path: store.path)
            let stats = try LogQueries.stats(store: s)
            var object = stats.json
            object["store"] = .string(store.path)
            switch format.format {
            case .json, .ndjson: print(JSONWriter().string(.object(object)))
            case .table, .csv:
                var rows: [JSONObject] = [
                    ["name": "store", "value": .string(store.path)], ["name": "head", "value": .int(Int64(stats.head))],
                    ["name": "view_checkpoint", "value": .int(Int64(stats.viewCheckpoint))],
                    ["name": "view_generation", "value": .int(Int64(stats.viewGeneration))],
                    ["name": "file_bytes", "value": .int(stats.fileBytes)],
                    ["name": "map_size", "value": .int(Int64(stats.mapSize))],
                    ["name": "map_bytes_used", "value": .int(Int64(stats.mapBytesUsed))],
                ]
                rows += stats.recordsByType.map { ["name": .string("records." + $0.type), "value": .int(Int64($0.count))] }
                rows += stats.viewEntries.map { ["name": .string("view." + $0.name), "value": .int(Int64($0.entries))] }
                rows += stats.viewFingerprints.map { ["name": .string("fingerprint." + $0.name), "value": .string($0.fingerprint)] }
                print(QueryRows(columns: ["name", "value"], rows: rows).rendered(format.format))
            }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every record's checksum and that sequence numbers have no gap.",
        discussion: "Exit code 65 when a record is damaged or missing; the message names its position.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runReportingErrors {
            let report = try QueryStore.open(path: store.path).log.verify()
            switch format.format {
            case .json, .ndjson: print(JSONWriter().string(.object(LogQueries.verifyJSON(report))))
            case .table, .csv:
                print(report.isSound ? "ok: \(report.recordsChecked) records, head \(report.head), no gap, every checksum matches"
                                     : "damaged after \(report.recordsChecked) good records (head \(report.head))")
            }
            if let problem = report.firstProblem {
                printError(problem.description)
                throw ExitCode(SiglogExit.badInput)
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The log as NDJSON: {seq, type, appended_at, workspace_id, record} per line.",
        discussion: "Without --workspace-id the whole log (backup); with it, shared records and that workspace's.")

    @OptionGroup var store: StoreOptions
    @Option(help: "First sequence number to export.")
    var from: UInt64 = 1
    @Option(name: .customLong("workspace-id"), help: "Only records shared or of this workspace.")
    var workspaceID: String?

    func run() throws {
        try runReportingErrors {
            let workspace = try Pipeline.parseWorkspaceID(workspaceID)
            let s = try QueryStore.open(path: store.path)
            if let workspace, try s.read({ try $0.workspace(workspace) }) == nil {
                throw PipelineError(.notFound, "workspace \(workspace.lowercased) not found")
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
