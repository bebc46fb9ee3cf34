import ArgumentParser
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `jobs`, `packs`, `workspaces`: the registry of runs, packs and tenants.

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Job runs of a workspace, filtered by type and status.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(help: "Only this job type (ingest, derive, score, update_lead_feed, daily_aggregation, watchlist_seed).")
    var type: JobType?
    @Option(help: "Only this status (running, completed, failed, skipped).")
    var status: JobStatus?
    @Option(help: "At most this many runs (0: no limit).")
    var limit: Int = 1000

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            let list = ListLimit(limit)
            let jobs = try RegistryQueries.jobs(scope: scope, type: type, status: status, limit: list.read, in: reader)
            var rows = QueryRows(columns: RegistryQueries.jobColumns, rows: jobs.prefix(list.shown).map(RegistryQueries.json))
            rows.emptyReason = type == nil && status == nil ? "no job run in this workspace yet" : "no job run matches --type/--status"
            rows.cutNote = list.cutNote(found: jobs.count, noun: "runs")
            return format.render(rows)
        }
    }
}

struct Job: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One job run of a workspace with its batch: the runs it started and the batch's status.",
        discussion: "JSON: the run's jobs columns, then batch_status and children (the child runs).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Argument(help: "The job run id.")
    var id: UInt64

    func run() throws {
        try runTenantQuery(store, format, tenant) { reader, scope in
            guard let batch = try RegistryQueries.job(id, scope: scope, in: reader) else {
                throw SiglogError.jobNotFound(id)
            }
            switch format.format {
            case .json, .ndjson: return JSONWriter().string(.object(RegistryQueries.json(batch)))
            case .table, .csv:
                let runs = [batch.parent] + batch.children
                return "batch status: \(batch.status.rawValue)\n"
                    + format.render(QueryRows(columns: RegistryQueries.jobColumns, rows: runs.map(RegistryQueries.json)))
            }
        }
    }
}

struct Packs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Installed packs.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runQuery(store, format) { s in format.render(try s.read { try RegistryQueries.packs(in: $0) }) }
    }
}

struct Workspaces: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Workspaces and their active packs.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions

    func run() throws {
        try runQuery(store, format) { s in format.render(try s.read { try RegistryQueries.workspaces(in: $0) }) }
    }
}
