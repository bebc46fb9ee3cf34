import ArgumentParser
import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCore
import SiglogRecords
import StageQueue
import StageWorkers

/// The stage-queue benchmark of `tools/bench-queue` (not a test): transitions per second of
/// workers with the built-in no-op handler, and the queue-depth query at a large queue.
@main
struct SiglogBenchQueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-bench-queue",
        abstract: "Stage-queue benchmark: worker transitions per second, queue-depth query time.",
        subcommands: [Transitions.self, Depth.self])
}

/// A fresh durable store in `directory` with companies `1…count`, all queued in `stage`.
func queuedStore(at directory: String, items: Int, stage: String) throws -> (Store, Double) {
    try? FileManager.default.removeItem(atPath: directory)
    let store = try Store(path: directory, mode: .create)
    let runner = StageRunner(store: store, rateLimitPerHour: 0)
    _ = try runner.createWorkspace(name: "bench", id: WellKnownIDs.defaultWorkspace, pack: nil)
    let start = Date()
    let now = SystemClock().now()
    var next: Int64 = 1
    while next <= Int64(items) {
        let last = min(Int64(items), next + 99_999)
        try store.write { writer in
            for id in next...last {
                try writer.append(CompanyCreated(companyID: id, name: "Company \(id)", domain: nil, websiteURL: nil, linkedinURL: nil,
                                                 source: "research", normalizedName: "company \(id)", websiteDomain: nil, aliases: [],
                                                 jobRunID: nil), at: now)
            }
        }
        _ = try runner.enqueue(stage: stage, companies: Array(next...last), workspace: WellKnownIDs.defaultWorkspace)
        next = last + 1
    }
    return (store, Date().timeIntervalSince(start))
}

struct Transitions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue N items in a one-stage chain with the no-op handler and drain it with W workers (in this process).",
        discussion: """
            Each item makes two transitions (claim = start, complete). The workers share one write coalescer, \
            as the workers of one process do; durable_commits counts the write transactions that committed. \
            Prints one JSON object.
            """)

    @Option(help: "Items queued.")
    var items = 100_000
    @Option(help: "Workers (each its own loop and store thread, in this process).")
    var workers = 1
    @Option(help: "QUEUE_BATCH_SIZE: items per claim.")
    var batch = 5
    @Option(help: "Store directory (deleted first).")
    var store = "bench-results/queue-store"

    func run() async throws {
        let stage = StageChain(stages: [StageDefinition(name: "noop", handler: .noop, pollInterval: .milliseconds(5), batchSize: batch)])
        let (opened, setup) = try queuedStore(at: store, items: items, stage: "noop")
        let runner = StageRunner(store: opened, rateLimitPerHour: 0, stageChain: stage)
        let coalescer = WriteCoalescer(store: opened)
        let started = Date()
        let summaries = try await withThrowingTaskGroup(of: WorkerSummary.self) { group in
            for index in 0..<workers {
                group.addTask {
                    try await WorkerHost.run(runner: runner, chain: stage, stage: "noop",
                                             settings: WorkerSettings(workerID: "bench-\(index)", exitWhenIdle: true),
                                             stopSignal: StopSignal(), coalescer: coalescer)
                }
            }
            var all: [WorkerSummary] = []
            for try await summary in group { all.append(summary) }
            return all
        }
        let elapsed = Date().timeIntervalSince(started)
        let completed = summaries.map(\.completed).reduce(0, +)
        let claimed = summaries.map(\.claimed).reduce(0, +)
        let commits = coalescer.commits
        let transitions = claimed + completed
        let depth = try opened.read { try QueueReads.depth(stages: ["noop"], workspace: WellKnownIDs.defaultWorkspace, in: $0) }
        guard completed == items, depth[0].completed == items else {
            throw ValidationError("drained \(completed) of \(items) items (depth \(depth))")
        }
        let result: JSONObject = [
            "benchmark": "transitions", "items": .int(Int64(items)), "workers": .int(Int64(workers)), "batch": .int(Int64(batch)),
            "setup_seconds": .double(round3(setup)), "seconds": .double(round3(elapsed)), "transitions": .int(Int64(transitions)),
            "transitions_per_second": .double(Double(transitions) / elapsed), "durable_commits": .int(Int64(commits)),
            "commits_per_transition": .double(round3(Double(commits) / Double(transitions))),
        ]
        print(JSONWriter().string(.object(result)))
        try? FileManager.default.removeItem(atPath: store)
    }
}

struct Depth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue N items and time the queue-depth query (QueueReads.depth, what `siglog-query queue` runs).")

    @Option(help: "Items queued.")
    var items = 1_000_000
    @Option(help: "Query repetitions.")
    var repeatCount = 2000
    @Option(help: "Store directory (deleted first).")
    var store = "bench-results/queue-depth-store"

    func run() async throws {
        let (opened, setup) = try queuedStore(at: store, items: items, stage: "scrape")
        let stages = ["scrape", "intel", "strategy", "subject", "messaging"]
        var samples: [Double] = []
        var last: [StageDepth] = []
        for _ in 0..<repeatCount {
            let start = DispatchTime.now().uptimeNanoseconds
            last = try opened.read { try QueueReads.depth(stages: stages, workspace: WellKnownIDs.defaultWorkspace, in: $0) }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        guard last[0].queued == items else { throw ValidationError("expected \(items) queued, saw \(last[0])") }
        samples.sort()
        func percentile(_ p: Double) -> Double { samples[min(samples.count - 1, Int(Double(samples.count) * p))] }
        let result: JSONObject = [
            "benchmark": "depth", "items": .int(Int64(items)), "stages": .int(Int64(stages.count)),
            "setup_seconds": .double(round3(setup)), "repeat": .int(Int64(repeatCount)),
            "p50_ms": .double(round3(percentile(0.5))), "p99_ms": .double(round3(percentile(0.99))),
            "max_ms": .double(round3(samples.last ?? 0)),
        ]
        print(JSONWriter().string(.object(result)))
        try? FileManager.default.removeItem(atPath: store)
    }
}

func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
