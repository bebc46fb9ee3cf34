import ArgumentParser
import Queries
import ReadModel
import SiglogCLI
import SiglogCore
import StageQueue

// `queue`, `stages`: the stage queue's depth and one company's chain.

/// `--chain FILE`: the stage chain whose stages are listed in chain order.
struct ChainOption: ParsableArguments {
    @Option(help: "The stage chain file (default: $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml; without one, the stages with recorded states).")
    var chain: String?

    func load(_ store: StoreOptions) throws -> StageChain? {
        try StageChainLoader.loadChain(explicit: chain, storePath: store.path)
    }
}

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue depth per stage: pending, queued, started, completed, failed, oldest queued age.",
        discussion: """
            pending counts the companies in the chain (with a state in any stage) that have not reached the \
            stage. JSON: [{stage, pending, queued, started, completed, failed, oldest_queued_at, \
            oldest_queued_age_seconds}].
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @OptionGroup var chain: ChainOption

    func run() throws {
        let stageChain = try chainOrReport(chain, store)
        try runTenantQuery(store, format, tenant) { reader, scope in
            try QueueQueries.depth(chain: stageChain, workspace: scope.workspace, now: nowUTC(), in: reader).rendered(format.format)
        }
    }
}

struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One company's stages in chain order: status, job id, retries, times, error, result.",
        discussion: """
            JSON: [{company_id, workspace_id, stage, status, job_id, result, error, failure_kind, retry_count, \
            attempts, queued_at, started_at, completed_at, worker, updated_at}].
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @OptionGroup var chain: ChainOption
    @Argument(help: "Company id or domain.")
    var company: CompanyReference

    func run() throws {
        let stageChain = try chainOrReport(chain, store)
        try runTenantQuery(store, format, tenant) { reader, scope in
            try QueueQueries.stages(of: company, chain: stageChain, workspace: scope.workspace, in: reader).rendered(format.format)
        }
    }
}

/// Loads the chain, reporting a bad file as `FILE: field: reason` (exit 65).
private func chainOrReport(_ option: ChainOption, _ store: StoreOptions) throws -> StageChain? {
    var chain: StageChain?
    try runReportingErrors { chain = try option.load(store) }
    return chain
}
