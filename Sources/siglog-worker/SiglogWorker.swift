import ArgumentParser
import Foundation
import Pipeline
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore
import StageQueue
import StageWorkers

@main
struct SiglogWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-worker",
        abstract: "Run one stage's workers on a store: claim queued companies, run the stage's handler, record the outcome.",
        discussion: """
            The stage chain comes from --chain FILE, else $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml. \
            QUEUE_BATCH_SIZE (items per claim, default 5), QUEUE_POLL_INTERVAL (ms when idle, default 500) and \
            COMPLETION_POLL_INTERVAL (ms between polls of accepted jobs, default 2000) override the chain file. \
            SIGTERM or SIGINT: stop claiming, give back unstarted claims, finish running attempts, exit 0. \
            Prints a JSON summary {stage, worker_id, claimed, completed, accepted, failed, released, stuck_reset, \
            commits} on exit.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The stage to work on.")
    var stage: String
    @Option(help: "Handlers running at once.")
    var concurrency = 1
    @Option(help: "The stage chain file.")
    var chain: String?
    @Option(name: .customLong("workspace-id"), help: "Serve only this workspace (repeatable; default: every workspace).")
    var workspaceIDs: [String] = []
    @Option(name: .customLong("worker-id"), help: "The id recorded with each claim (default: host:pid:0).")
    var workerID: String?
    @Flag(name: .customLong("exit-when-idle"), help: "Exit once nothing is queued, in hand or awaited.")
    var exitWhenIdle = false
    @Flag(help: "Log each claim, outcome and reset on stderr.")
    var verbose = false

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
    }

    func run() async throws {
        try await runReportingErrors { try await work() }
    }

    func work() async throws {
        var workspaces: [UUID] = []
        for text in workspaceIDs {
            if let id = try RequestIDs.workspaceID(text) { workspaces.append(id) }
        }
        let runner = try store.openForWriting(chain: chain)
        guard let stageChain = runner.stageChain else {
            throw SiglogError.usage("No stage chain: give --chain FILE or put \(StageChainLoader.fileName) in the store")
        }
        guard stageChain.stage(stage) != nil else {
            throw SiglogError.usage("Unknown stage: \(stage) (the chain has: \(stageChain.names.joined(separator: ", ")))")
        }
        // Opening for writing made SIGTERM/SIGINT raise the runner's interruption (a second
        // signal stops at once); the workers follow it.
        let stop = StopSignal(following: runner.interruption)
        let log: (@Sendable (String) -> Void)? = verbose ? { @Sendable line in printError(line) } : nil
        let id = workerID ?? defaultWorkerID()
        // From here on SIGTERM stops the worker cleanly; say so (supervisors and tests wait for it).
        printError("siglog-worker \(id): working on stage \(stage)")
        let settings = WorkerSettings(workerID: id, concurrency: concurrency,
                                      workspaces: workspaces.isEmpty ? nil : workspaces, exitWhenIdle: exitWhenIdle, log: log)
        let summary = try await WorkerHost.run(runner: runner, chain: stageChain, stage: stage, settings: settings, stopSignal: stop)
        printJSON(summary.json)
    }
}
