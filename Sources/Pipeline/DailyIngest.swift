public import Adapters
public import AdapterHTTP
import Foundation
import Ingest
public import Projections
import ReadModel
public import SiglogCore

extension StageRunner {
    /// The adapters a daily ingest runs, chosen and configured from `environment` (ADAPTERS.md §7
    /// step 4: the test adapter in test mode, else each enabled source with a credential, else the
    /// test adapter in debug mode, else none). Their clock is this runner's; `log` gets their
    /// warnings (never a credential).
    public func sourceAdapters(environment: AdapterEnvironment = .process,
                               transport: any HTTPTransport = AsyncHTTPClientTransport(),
                               sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                               log: @escaping @Sendable (String) -> Void = { _ in }) -> [any SourceAdapter] {
        let clock = self.clock
        let runtime = AdapterRuntime(transport: transport, now: { clock.now() }, sleep: sleep, log: log)
        return AdapterSelection.sources(environment: environment).map { $0.makeAdapter(environment: environment, runtime: runtime) }
    }

    /// Where the next adapter ingest starts (ADAPTERS.md §7 step 3 with D18): the `finished_at` of
    /// the most recent completed ingest run in which at least one adapter fetched without throwing,
    /// in any workspace; else 24 hours before now. An ingest of a file or a request body never
    /// counts.
    public func dailyIngestSince(in reader: ViewReader) throws -> Timestamp {
        var latest: Timestamp?
        try reader.forEachJob { job in
            if job.started.jobType == .ingest, job.status == .completed, let finished = job.finishedAt,
               latest.map({ finished > $0 }) ?? true, IngestResult(cached: job).movesSince {
                latest = finished
            }
            return true
        }
        return latest ?? Timestamp(microseconds: clock.now().microseconds - 86_400_000_000)
    }

    /// The daily ingest from the source adapters (ADAPTERS.md §7, PIPELINE.md §2.8 with D18): a job
    /// run `ingest`, then each adapter in order fetches from the same `since` and its events are
    /// stored as a file's lines are (normalized, checked against the pack, companies resolved,
    /// duplicates skipped), in write transactions of `batchSize` events. An adapter that throws —
    /// fetching or storing — adds `"{source}: {message}"` to the errors and the others still run.
    /// The run records `since` and what each adapter did (`sources`); `error_message` is the first
    /// ten errors. No write transaction is open while an adapter fetches.
    ///
    /// A workspace that does not exist is `workspaceNotFound` and no pack is `noPack`, before any
    /// run exists; an idempotency key and the rate limit work as for every stage. A failure after
    /// the run started is recorded and answered as `status: failed` with zero counters (§7 step 7);
    /// an interruption is recorded and thrown.
    public func ingestDaily(options: IngestOptions, adapters: [any SourceAdapter]) async throws -> IngestResult {
        let (workspace, pack, request, cached) = try prepareIngest(options)
        if let cached { return cached }
        let (runID, since) = try store.write { writer in
            (try startJob(request, in: writer), try dailyIngestSince(in: writer.reader))
        }

        var tally = IngestTally(maxErrors: options.maxErrors)
        do {
            let interruption = self.interruption
            let guarded = adapters.map { InterruptibleAdapter(adapter: $0, interruption: interruption) }
            let summary = await AdapterOrchestrator.run(guarded, since: since) { source, events in
                try storeFetched(events, source: source, run: runID, pack: pack, workspace: workspace,
                                 batchSize: options.batchSize, tally: &tally)
            }
            try interruption.check()
            tally.errors.append(contentsOf: summary.errors)
            var result = tally.result
            result.since = since
            result.sources = summary.outcomes.map(SourceOutcome.init)
            let outcome = StageOutcome(result, companiesProcessed: tally.inserted, errorMessage: summary.errorMessage)
            return try store.write { try finish(runID, request, outcome, $0) }
        } catch {
            let message = "\(error)"
            var failed = IngestResult.failed(message)
            failed.since = since
            let recorded = try store.write { writer in
                try finish(runID, request, StageOutcome(failed, companiesProcessed: tally.inserted, errorMessage: message), writer)
            }
            if case SiglogError.interrupted = error { throw error }
            return recorded
        }
    }

    /// `ingestDaily` for a caller outside Swift concurrency (a tool's main thread, the server's
    /// writer thread): runs it and waits on this thread. The run's tasks prefer an executor of
    /// their own, so a caller that blocks a thread of the shared pool cannot starve them. A raised
    /// `interruption` cancels the fetch in flight.
    public func ingestDailyWaiting(options: IngestOptions, adapters: [any SourceAdapter]) throws -> IngestResult {
        try waitFor(interruption: interruption) { try await self.ingestDaily(options: options, adapters: adapters) }
    }

    /// Stores one adapter's events batch by batch and returns what storing gave. The tally is
    /// updated only after each commit, so a batch that fails leaves no count behind.
    private func storeFetched(_ events: [RawEvent], source: String, run: UInt64, pack: ResolvedPack, workspace: UUID,
                              batchSize: Int, tally: inout IngestTally) throws -> AdapterStoreCounts {
        let before = tally
        var start = 0
        while start < events.count {
            try interruption.check()
            let end = min(events.count, start + max(1, batchSize))
            let batch = events[start..<end].map { event in
                PendingEvent(event, line: 0, acceptance: pack.acceptance, label: "\(source):\(event.sourceEventID ?? "?")")
            }
            tally = try store.write { writer in
                var local = tally
                try write(batch, run: run, pack: pack, workspace: workspace, inputName: source, tally: &local, writer: writer)
                return local
            }
            start = end
        }
        return AdapterStoreCounts(inserted: tally.inserted - before.inserted,
                                  skippedDuplicate: tally.skippedDuplicate - before.skippedDuplicate,
                                  skippedInvalid: tally.skippedInvalid - before.skippedInvalid)
    }
}

extension SourceOutcome {
    /// The outcome of one adapter as the orchestrator reports it.
    init(_ outcome: AdapterOutcome) {
        switch outcome.result {
        case .stored(let counts):
            self.init(source: outcome.source, fetched: outcome.fetchedEvents, inserted: counts.inserted,
                      skippedDuplicate: counts.skippedDuplicate, skippedInvalid: counts.skippedInvalid)
        case .fetchFailed(let message), .storeFailed(let message):
            self.init(source: outcome.source, fetched: outcome.fetchedEvents, error: message)
        }
    }
}

/// An adapter that does not start fetching once the run is asked to stop.
private struct InterruptibleAdapter: SourceAdapter {
    let adapter: any SourceAdapter
    let interruption: Interruption

    var sourceName: String { adapter.sourceName }

    func fetchEvents(since: Timestamp) async throws -> [RawEvent] {
        try interruption.check()
        return try await adapter.fetchEvents(since: since)
    }
}

/// Runs `body` to completion and waits for it on the calling thread (for callers outside Swift
/// concurrency). Its tasks run on a dispatch queue of their own (a task executor preference), not
/// on the shared pool; while waiting, a raised `interruption` cancels the task.
public func waitFor<T: Sendable>(interruption: Interruption, _ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = Outcome<T>()
    let done = DispatchSemaphore(value: 0)
    let task = Task(executorPreference: QueueTaskExecutor.shared) {
        do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
        done.signal()
    }
    while done.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
        if interruption.isRequested { task.cancel() }
    }
    return try outcome.get()
}

/// The result handed from the task to the waiting thread.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    // @unchecked: written once by the task before it signals, read by the waiter after the signal.
    private var value: Result<T, any Error>?
    func set(_ value: Result<T, any Error>) { self.value = value }
    func get() throws -> T { try value!.get() }
}

/// A task executor on a serial dispatch queue: the tasks of a blocking wait run here.
private final class QueueTaskExecutor: TaskExecutor {
    static let shared = QueueTaskExecutor()
    private let queue = DispatchQueue(label: "siglog.pipeline.waiting")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
