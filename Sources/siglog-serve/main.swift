import ArgumentParser
import Foundation
import Logging
import Pipeline
import Projections
import SiglogCLI
import SiglogService

/// `siglog-serve`: the HTTP service over one store (the stage API, the read API, health and metrics).
@main
struct SiglogServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-serve",
        abstract: "Serve a siglog store over HTTP: /internal/run_* stages, /api/* reads, /healthz, /metrics.",
        discussion: """
            The store must exist (siglog-append init). Environment: INTERNAL_JOB_TOKEN (the X-Internal-Token \
            of /internal/*), SIGLOG_API_TOKEN and SIGLOG_API_TOKENS_FILE (bearer tokens of /api/*), \
            SIGLOG_MAX_NDJSON_BYTES (256 MiB), SIGLOG_MAX_BODY_BYTES (1 MiB), SIGLOG_WRITE_QUEUE_LIMIT (16), \
            SIGLOG_RETRY_AFTER_SECONDS (5), WORKSPACE_JOB_RATE_LIMIT_PER_HOUR (10). SIGTERM or SIGINT stops \
            it gracefully (the running stage finishes; exit 0). Access and stage logs go to stderr.
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on (default: $SIGLOG_HOST, else 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free one (default: $SIGLOG_PORT, else 8080).")
    var port: Int?

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
        try runReportingErrors {
            let configuration = try ServiceConfiguration(environment: environment)
            // Not `store.openForWriting()`: its signal handling aborts the running stage, while the
            // server's graceful shutdown (swift-service-lifecycle) lets it finish.
            let runner = StageRunner(store: try Store(path: store.path, mode: .readWrite,
                                                          verifyBeforeWriting: StoreOptions.verifyBeforeWriting))
            for job in try runner.closeInterruptedRuns() {
                printError("job run \(job.id) (\(job.started.jobType)) was left running by process "
                    + "\(job.started.owner?.processID ?? 0), which is gone: recorded as failed (interrupted)")
            }
            server = try SiglogServer(runner: runner, configuration: configuration)
        }
        guard let server else { return }
        let path = store.path
        try await server.run(host: host, port: port, onServerRunning: { bound in
            printError("siglog-serve: listening on http://\(host):\(bound) (store \(path))")
        })
    }
}
