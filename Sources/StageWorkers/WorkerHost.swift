public import AdapterHTTP
public import Adapters
public import Pipeline
import SiglogCore
public import StageQueue

/// Builds a stage's handler from its chain entry and runs its worker: what `siglog-worker` does,
/// and what a server hosting workers next to its routes calls (one task per stage).
public enum WorkerHost {
    /// Runs the worker of `stage` until `stopSignal` is given (or, with `exitWhenIdle`, until the
    /// stage is drained) and returns what it did. `http` handlers share one client for the
    /// worker's lifetime, from `transport`. Workers of one process should share `coalescer` (their
    /// writes then share commits); nil gives this worker its own.
    public static func run(runner: StageRunner, chain: StageChain, stage: String, settings: WorkerSettings,
                           stopSignal: StopSignal, coalescer: WriteCoalescer? = nil,
                           transport: any HTTPTransport = AsyncHTTPClientTransport()) async throws
        -> WorkerSummary
    {
        guard let definition = chain.stage(stage) else {
            throw InvalidValue("unknown stage '\(stage)' (the chain has: \(chain.names.joined(separator: ", ")))")
        }
        func work(_ handler: StageHandler) async throws -> WorkerSummary {
            let worker = try StageWorker(runner: runner, chain: chain, stage: stage, settings: settings, handler: handler,
                                         stopSignal: stopSignal, coalescer: coalescer)
            try await worker.run()
            return worker.summary
        }
        switch definition.handler {
        case .exec(let command, let timeout):
            return try await work(.external(ExecStageHandler(command: command, timeout: timeout, workerID: settings.workerID)))
        case .http(let url, let timeout, let headers):
            return try await transport.withSession { session in
                try await work(.external(HTTPStageHandler(url: url, timeout: timeout, headers: headers, session: session)))
            }
        case .rescore:
            return try await work(.builtIn(RescoreHandler()))
        case .noop:
            return try await work(.builtIn(NoopHandler()))
        }
    }
}
