public import ArgumentParser
import Foundation
import Pipeline
import ReadModel
public import Scoring
import SiglogCLI
import SiglogWriterCLI
import SiglogCore
import StageQueue

extension RecommendationBand: ExpressibleByArgument {
    /// `HIGH_PRIORITY`, `WATCH` or `IGNORE` (any case, `-` for `_`).
    public init?(argument: String) { self.init(rawValue: argument.uppercased().replacingOccurrences(of: "-", with: "_")) }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "The stage queue: enqueue companies, retry failed stages, reset stuck ones.",
        discussion: """
            The stage chain is read from --chain FILE, else $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml. \
            Workers (siglog-worker) do the work; these commands only change statuses.
            """,
        subcommands: [Enqueue.self, Retry.self, ResetStuck.self])

    /// `--chain` and `--stage`, shared by the queue commands.
    struct StageOptions: ParsableArguments {
        @Option(help: "The stage.")
        var stage: String
        @Option(help: "The stage chain file (default: $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml).")
        var chain: String?
    }

    struct Enqueue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enqueue",
            abstract: "Queue a stage for companies (ids or domains), or for every company whose lead-feed band is in a set.",
            discussion: """
                A company already queued or started in the stage is left as it is; one that completed or \
                failed is queued again. Prints {stage, workspace_id, queued, unchanged, queued_company_ids}.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var options: StageOptions
        @Option(name: .customLong("workspace-id"), help: "Workspace UUID (default: the default workspace).")
        var workspaceID: String?
        @Option(name: .customLong("company"), help: "A company id or domain (repeatable).")
        var companies: [CompanyReference] = []
        @Option(name: .customLong("band"), help: "A lead-feed band: HIGH_PRIORITY, WATCH or IGNORE (repeatable).")
        var bands: [RecommendationBand] = []
        @Option(name: .customLong("as-of"), help: "The lead-feed day of --band (default: today in UTC).")
        var asOf: Day?

        func validate() throws {
            guard companies.isEmpty != bands.isEmpty else { throw ValidationError("give --company or --band (not both)") }
            if asOf != nil && bands.isEmpty { throw ValidationError("--as-of goes with --band") }
        }

        func run() throws {
            try runReportingErrors {
                let workspace = try RequestIDs.workspaceID(workspaceID)
                let runner = try store.openForWriting(chain: options.chain)
                let target: EnqueueRequest.Target = companies.isEmpty
                    ? .bands(Set(bands), asOf: asOf ?? todayUTC()) : .companies(companies)
                let result = try EnqueueRequest(stage: options.stage, workspace: workspace, target: target)
                    .run(runner: runner, chain: runner.stageChain)
                printJSON(result.json)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Queue failed stages again (failed → queued, retry count back to 0): the given companies, or every failed one.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var options: StageOptions
        @Option(name: .customLong("workspace-id"), help: "Workspace UUID (default: the default workspace).")
        var workspaceID: String?
        @Option(name: .customLong("company"), help: "A company id or domain (repeatable; default: every failed company).")
        var companies: [CompanyReference] = []

        func run() throws {
            try runReportingErrors {
                let workspace = try RequestIDs.workspaceID(workspaceID) ?? WellKnownIDs.defaultWorkspace
                let runner = try store.openForWriting(chain: options.chain)
                let ids = try companies.isEmpty ? nil : runner.store.read { reader in try companies.map { try reader.company($0).id } }
                let queued = try runner.retryFailed(stage: options.stage, workspace: workspace, companies: ids)
                printJSON(["stage": .string(options.stage), "workspace_id": .string(workspace.lowercased),
                           "queued": .int(Int64(queued.count)), "queued_company_ids": .array(queued.map(JSONValue.int))])
            }
        }
    }

    struct ResetStuck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-stuck",
            abstract: "Run the stuck rule now: started items older than the stage's stuck_timeout go back to queued (or failed).")

        @OptionGroup var store: StoreOptions
        @OptionGroup var options: StageOptions
        @Option(name: .customLong("older-than"), help: "Reset items started longer ago than this (500ms, 2s, 10m; default: stuck_timeout).")
        var olderThan: String?

        func run() throws {
            try runReportingErrors {
                let runner = try store.openForWriting(chain: options.chain)
                guard let chain = runner.stageChain else {
                    throw SiglogError.usage("No stage chain: give --chain FILE or put \(StageChainLoader.fileName) in the store")
                }
                guard let stage = chain.stage(options.stage) else {
                    throw SiglogError.usage("Unknown stage: \(options.stage) (the chain has: \(chain.names.joined(separator: ", ")))")
                }
                var olderThanDuration: Duration?
                if let olderThan {
                    guard let parsed = StageDurations.parse(olderThan) else {
                        throw InvalidValue("--older-than must be a duration such as 500ms, 2s or 10m, got '\(olderThan)'")
                    }
                    olderThanDuration = parsed
                }
                let reset = try runner.resetStuck(stage: stage, olderThan: olderThanDuration)
                printJSON(["stage": .string(stage.name), "reset": .int(Int64(reset.count)),
                           "companies": .array(reset.map { .object(["workspace_id": .string($0.workspace.lowercased),
                                                                    "company_id": .int($0.company)]) })])
            }
        }
    }
}
