import EventLog
import Foundation
public import Logging
public import Pipeline
public import ServiceLifecycle
public import SiglogCore
public import StageQueue
import StageWorkers

/// One stage's workers to run inside the server: `STAGE` or `STAGE:N` (`N` handlers at once, as
/// `siglog-worker --stage STAGE --concurrency N`).
public struct WorkerAssignment: Sendable, Hashable {
    /// The stage.
    public var stage: String
    /// Handlers running at once.
    public var concurrency: Int

    /// An assignment.
    public init(stage: String, concurrency: Int = 1) {
        self.stage = stage
        self.concurrency = concurrency
    }

    /// Parses `STAGE[:N]`; several may be given comma-separated (`scrape:4,intel`).
    public static func parse(_ text: String) throws(InvalidValue) -> [WorkerAssignment] {
        var assignments: [WorkerAssignment] = []
        for item in text.split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), !parts[0].isEmpty else {
                throw InvalidValue("--workers must be STAGE or STAGE:N, got '\(item)'")
            }
            var concurrency = 1
            if parts.count == 2 {
                guard let n = Int(parts[1]), n > 0 else {
                    throw InvalidValue("--workers \(parts[0]): N must be a positive integer, got '\(parts[1])'")
                }
                concurrency = n
            }
            assignments.append(WorkerAssignment(stage: String(parts[0]), concurrency: concurrency))
        }
        guard !assignments.isEmpty else { throw InvalidValue("--workers must be STAGE or STAGE:N, got '\(text)'") }
        return assignments
    }
}

/// The stage workers of a server as one lifecycle service (give it to `SiglogServer.run(services:)`):
/// one worker per assignment, all sharing one write coalescer, running until the server shuts
/// down. On graceful shutdown (SIGTERM, SIGINT) — or cancellation — they stop claiming, give back
/// what they claimed but did not start (queued again, no retry counted), finish what runs, and
/// the service returns; each worker's summary is logged. A worker's storage error ends the service
/// with that error (and with it the server).
public struct StageWorkersService: Service {
    /// The write side the workers record through (its store and clock).
    public let runner: StageRunner
    /// The chain.
    public let chain: StageChain
    /// The workers.
    public let assignments: [WorkerAssignment]
    /// Where start, stop and summaries are logged (each claim, outcome and reset too, at debug
    /// level, when the logger's level is `debug` or lower).
    public let logger: Logger

    /// Workers for `assignments` on the runner's stage chain; without a chain, for a stage the
    /// chain does not have, or on a read-only replica (whose records come from its stream only), an
    /// `InvalidValue` saying so.
    public init(runner: StageRunner, assignments: [WorkerAssignment], logger: Logger) throws {
        guard let chain = runner.stageChain else {
            throw InvalidValue("--workers needs a stage chain: give --chain FILE or put \(StageChainLoader.fileName) in the store")
        }
        if try runner.store.log.replicaMarker() != nil {
            throw InvalidValue("--workers: the store at \(runner.store.path) is a read-only replica; run the workers on the writer")
        }
        for assignment in assignments where chain.stage(assignment.stage) == nil {
            throw InvalidValue("--workers: unknown stage '\(assignment.stage)' (the chain has: \(chain.names.joined(separator: ", ")))")
        }
        self.runner = runner
        self.chain = chain
        self.assignments = assignments
        self.logger = logger
    }

    /// Runs the workers until graceful shutdown or cancellation, then returns once each stopped.
    public func run() async throws {
        let stop = StopSignal()
        let coalescer = WriteCoalescer(store: runner.store)
        let logger = self.logger
        var log: (@Sendable (String) -> Void)?
        if logger.logLevel <= .debug {
            log = { @Sendable (line: String) -> Void in logger.debug(Logger.Message(stringLiteral: line)) }
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, assignment) in assignments.enumerated() {
                        let settings = WorkerSettings(workerID: defaultWorkerID(index: index), concurrency: assignment.concurrency,
                                                      log: log)
                        logger.info("worker started", metadata: [
                            "stage": .string(assignment.stage), "worker_id": .string(settings.workerID),
                            "concurrency": .stringConvertible(assignment.concurrency),
                        ])
                        group.addTask { [runner, chain] in
                            let summary = try await WorkerHost.run(runner: runner, chain: chain, stage: assignment.stage,
                                                                   settings: settings, stopSignal: stop, coalescer: coalescer)
                            logger.info("worker stopped", metadata: ["summary": .string(JSONWriter().string(.object(summary.json)))])
                        }
                    }
                    // One worker failing stops the others before the error ends the service.
                    do {
                        try await group.waitForAll()
                    } catch {
                        stop.stop()
                        throw error
                    }
                }
            } onGracefulShutdown: {
                stop.stop()
                logger.info("workers stopping", metadata: ["reason": "graceful shutdown"])
            }
        } onCancel: {
            stop.stop()
            logger.info("workers stopping", metadata: ["reason": "cancelled"])
        }
    }
}
