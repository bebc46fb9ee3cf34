import ArgumentParser
import BriefingPages
import Foundation
import Logging
import Pipeline
import Projections
import QueueService
import SiglogCLI
import SiglogWriterCLI
import ServiceLifecycle
import SiglogService
import StageQueue
import StageWorkers

/// `siglog-serve`: the HTTP service over one store (the stage API, the read API, health and metrics).
@main
struct SiglogServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-serve",
        abstract: "Serve a siglog store over HTTP: /internal/run_* stages, /api/* reads, the briefing pages, /healthz, /metrics, the stage queue (/hooks/job-complete, /internal/queue/enqueue, /api/queue) and its workers.",
        discussion: """
            The store must exist (siglog-append init). Environment: INTERNAL_JOB_TOKEN (the X-Internal-Token \
            of /internal/*), SIGLOG_API_TOKEN and SIGLOG_API_TOKENS_FILE (bearer tokens of /api/*), \
            SIGLOG_MAX_NDJSON_BYTES (256 MiB), SIGLOG_MAX_BODY_BYTES (1 MiB), SIGLOG_WRITE_QUEUE_LIMIT (16), \
            SIGLOG_RETRY_AFTER_SECONDS (5), SIGLOG_READ_CACHE_BYTES (64 MiB of /api/* answers kept while the store does not move; 0 off), WORKSPACE_JOB_RATE_LIMIT_PER_HOUR (10), WEBHOOK_SECRET (the HMAC \
            key of POST /hooks/job-complete; unset refuses every webhook). The stage chain (--chain, else \
            $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml when present) serves the queue routes, and --workers \
            runs stage workers in the server (QUEUE_BATCH_SIZE, QUEUE_POLL_INTERVAL, COMPLETION_POLL_INTERVAL \
            as for siglog-worker). SIGTERM or SIGINT stops it gracefully (workers stop claiming, give back \
            unstarted claims and finish what runs; the running stage finishes; exit 0). Access and stage logs \
            go to stderr.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on (default: $SIGLOG_HOST, else 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (default: $SIGLOG_PORT, else 8080).")
    var port: Int?
    @Option(help: "The stage chain file (default: $SIGLOG_STAGE_CHAIN, else <store>/stages.yaml when present).")
    var chain: String?
    @Option(help: "Run stage workers in the server: STAGE or STAGE:N (N handlers at once); repeatable or comma-separated (default: $SIGLOG_WORKERS).")
    var workers: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let host = self.host ?? environment["SIGLOG_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let portText = port.map(String.init) ?? environment["SIGLOG_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "8080"
        guard let port = Int(portText), (0...65_535).contains(port) else {
            printError("port must be 0…65535, got '\(portText)'")
            throw ExitCode(SiglogExit.usage)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "") ?? .info
            return handler
        }
        var server: SiglogServer?
        var services: [any Service] = []
        try runReportingErrors {
            let configuration = try ServiceConfiguration(environment: environment)
            let workerText = workers.isEmpty ? [environment["SIGLOG_WORKERS"] ?? ""].filter { !$0.isEmpty } : workers
            let assignments = try workerText.flatMap { try WorkerAssignment.parse($0) }
            let stageChain = try StageChainLoader.loadChain(explicit: chain, storePath: store.path, environment: environment)
            // Not `store.openForWriting()`: its signal handling aborts the running stage, while the
            // server's graceful shutdown (swift-service-lifecycle) lets it finish.
            let runner = StageRunner(store: try Store(path: store.path, mode: .readWrite,
                                                      verifyBeforeWriting: StoreOptions.verifyBeforeWriting),
                                     stageChain: stageChain)
            for job in try runner.closeInterruptedRuns() {
                printError("job run \(job.id) (\(job.started.jobType)) was left running by process "
                    + "\(job.started.owner?.processID ?? 0), which is gone: recorded as failed (interrupted)")
            }
            server = try SiglogServer(runner: runner, configuration: configuration)
            if !assignments.isEmpty {
                services.append(try StageWorkersService(runner: runner, assignments: assignments, logger: Logger(label: "siglog.worker")))
            }
        }
        guard let server else { return }
        let path = store.path
        let secret = StageWebhook.secret(from: environment)
        let pages = BriefingSite(server: server)
        try await server.run(host: host, port: port, services: services, extraRoutes: { router in
            server.addQueueRoutes(to: router, webhookSecret: secret)
            pages.register(on: router)
        }, onServerRunning: { bound in
            printError("siglog-serve: listening on http://\(host):\(bound) (store \(path))")
        })
    }
}
