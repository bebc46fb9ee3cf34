public import ArgumentParser
import Foundation
import Projections
import Queries
import ReadModel
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
        version: SiglogVersion.current,
        subcommands: [Companies.self, Company.self, Events.self, Instances.self, Snapshots.self, LeadFeed.self, Ranked.self,
                      WeeklyReview.self, Timeline.self, Jobs.self, Job.self, Packs.self, Workspaces.self, Watchlist.self,
                      Alerts.self, Bundles.self, Stats.self, Verify.self, Export.self, Queue.self, Stages.self])

    /// `lead-feed` with only plain `--name value` options runs without ArgumentParser: its parse of a
    /// subcommand costs a third of the whole call (building each option's metadata and looking up
    /// conformances on first use). Any other command line, or one the plain reading declines, is
    /// parsed and reported by ArgumentParser as always.
    static func main() {
        guard let request = LeadFeedRequest(plainArguments: Array(CommandLine.arguments.dropFirst())) else { return main(nil) }
        do {
            try request.run()
        } catch {
            Self.exit(withError: error)
        }
    }
}

// MARK: - Shared options

/// `--format`, `--wide` and the hidden `--repeat N` that times the query in-process (for benchmarks).
struct FormatOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: table, json, ndjson or csv.")
    var format: OutputFormat = .table

    @Flag(help: "Tables: show every cell whole instead of fitting the terminal's width.")
    var wide = false

    @Option(name: .customLong("repeat"), help: .hidden)
    var repeatCount: Int = 0

    /// `rows` in the chosen format; tables fitted to the terminal unless `--wide`.
    func render(_ rows: QueryRows) -> String { rendered(rows, format, wide: wide) }
}

/// `rows` in `format`; tables fitted to the terminal unless `wide`.
func rendered(_ rows: QueryRows, _ format: OutputFormat, wide: Bool) -> String {
    rows.rendered(format, width: terminalWidth(), wide: wide)
}

extension OutputFormat: ExpressibleByArgument {}

/// `--workspace-id` (tenant scope) and `--pack-id`.
struct TenantOptions: ParsableArguments {
    @OptionGroup var scope: ScopeOptions

    /// The scope in `reader` (D20: a given workspace must exist).
    func resolve(in reader: ViewReader) throws -> Scope { try scope.scope(in: reader) }
}

/// Every subcommand's body: checks the options, opens the store read-only, runs `query` and prints
/// its output; with `--repeat N` runs it N more times and prints the in-process latency percentiles
/// on stderr.
func runQuery(_ store: StoreOptions, _ options: FormatOptions, _ query: (Store) throws -> String) throws {
    try runQuery(storePath: store.path, repeatCount: options.repeatCount, query)
}

/// `runQuery` over the store at `storePath`, `repeatCount` more runs timed.
func runQuery(storePath: String, repeatCount: Int, _ query: (Store) throws -> String) throws {
    try runReportingErrors {
        let opened = try Store.openForReading(path: storePath)
        let text = try query(opened)
        if !text.isEmpty { print(text) }
        guard repeatCount > 0 else { return }
        var samples: [Double] = []
        samples.reserveCapacity(repeatCount)
        for _ in 0..<repeatCount {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try query(opened)
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int((Double(samples.count) * p).rounded(.up)) - 1)] }
        printError(String(format: "in-process over %d runs: p50 %.3f ms  p99 %.3f ms  max %.3f ms", samples.count,
                          percentile(0.5), percentile(0.99), samples.last ?? 0))
    }
}

/// `runQuery` for a tenant query: `query` gets one read transaction and the resolved scope.
func runTenantQuery(_ store: StoreOptions, _ options: FormatOptions, _ tenant: TenantOptions,
                    _ query: (ViewReader, Scope) throws -> String) throws {
    try runQuery(store, options) { opened in
        try opened.read { reader in try query(reader, try tenant.resolve(in: reader)) }
    }
}
