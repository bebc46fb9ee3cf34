import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCore
import StageQueue
import Testing

/// Workers as separate processes on one store (`siglog-worker`), with an `exec` handler that
/// records who ran what. Sizes: 200 companies and 6 kills in the default tier, 1,000 and 20 with
/// `tools/test --full`.
@Suite("Worker processes", .serialized)
struct WorkerProcessTests {
    static let companies = fullSizes ? 1000 : 200
    static let kills = fullSizes ? 20 : 6

    /// A store with `companies` companies, a two-stage exec chain file and the handler's log.
    struct Setup {
        let fixture: QueueFixture
        let chainPath: String
        let logPath: String
        let maxRetries: Int

        init(handlerDelay: String, maxRetries: Int = 3, stuckTimeout: String = "10m", timeout: String = "60s") throws {
            fixture = try QueueFixture(companies: WorkerProcessTests.companies)
            logPath = fixture.directory.path("ran.log")
            self.maxRetries = maxRetries
            let script = try writeScript("""
                cat > /dev/null
                echo "$SIGLOG_WORKER_ID $SIGLOG_STAGE $SIGLOG_COMPANY_ID" >> \(logPath)
                \(handlerDelay)
                echo '{"ok": true}'
                """, in: fixture.directory)
            chainPath = fixture.directory.path("stages.yaml")
            try Data("""
                defaults: {max_retries: \(maxRetries), stuck_timeout: \(stuckTimeout), poll_interval: 50ms, batch_size: 5}
                stages:
                  - {name: scrape, next: brief, handler: {type: exec, command: [\(script)], timeout: \(timeout)}}
                  - {name: brief, handler: {type: exec, command: [\(script)], timeout: \(timeout)}}
                """.utf8).write(to: URL(fileURLWithPath: chainPath))
        }

        var store: String { fixture.storePath }

        func worker(_ stage: String, _ index: Int) throws -> RunningTool {
            try RunningTool("siglog-worker", ["--store", store, "--chain", chainPath, "--stage", stage, "--concurrency", "2",
                                              "--worker-id", "\(stage)-\(index)"])
        }

        /// Queues every company in `scrape` through the command line.
        func enqueueAll() throws {
            let run = try runTool("siglog-append", ["queue", "enqueue", "--store", store, "--chain", chainPath, "--stage", "scrape"]
                                  + (1...WorkerProcessTests.companies).flatMap { ["--company", String($0)] })
            #expect(run.status == 0, "\(run.stderr)")
            let result = try JSONParser.parse(run.stdout)
            #expect(result["queued"] == .int(Int64(WorkerProcessTests.companies)))
        }

        /// The depth of both stages.
        func depth() throws -> [StageDepth] {
            try fixture.store.read { try QueueReads.depth(stages: ["scrape", "brief"], workspace: defaultWorkspace, in: $0) }
        }

        /// Waits until every company has finished the chain (completed `brief`, or failed a stage).
        func waitUntilDone(limit: Duration) async throws -> Bool {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                let d = try depth()
                if d[1].completed + d[0].failed + d[1].failed == WorkerProcessTests.companies
                    && d[0].queued + d[0].started + d[1].queued + d[1].started == 0 {
                    return true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        /// The handler's log: one `(worker, stage, company)` per run, in the order they ran.
        func runs() throws -> [(worker: String, stage: String, company: Int64)] {
            try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts[0]), String(parts[1]), Int64(parts[2])!)
            }
        }
    }

    /// Stops workers with SIGTERM once each says it is working (a signal before that would meet
    /// the default action); each must exit 0 with its JSON summary.
    func terminate(_ workers: [RunningTool]) async throws -> [JSONValue] {
        for worker in workers {
            try await worker.waitForStderr("working on stage")
            kill(worker.pid, SIGTERM)
        }
        return try workers.map { worker in
            let run = try worker.finish()
            #expect(run.status == 0, "a worker stopped by SIGTERM exits 0: \(run.stderr)")
            return try JSONParser.parse(run.stdout)
        }
    }

    @Test("4 worker processes: every company processed exactly once per stage, in chain order")
    func fourProcesses() async throws {
        let setup = try Setup(handlerDelay: "")
        try setup.enqueueAll()
        let workers = try [setup.worker("scrape", 0), setup.worker("scrape", 1), setup.worker("brief", 0), setup.worker("brief", 1)]
        let done = try await setup.waitUntilDone(limit: .seconds(fullSizes ? 900 : 300))
        let summaries = try await terminate(workers)
        let finalDepth = try setup.depth()
        #expect(done, "the chain finished: \(finalDepth)")
        let n = WorkerProcessTests.companies
        let runs = try setup.runs()
        for stage in ["scrape", "brief"] {
            let companies = runs.filter { $0.stage == stage }.map(\.company)
            #expect(companies.count == n, "\(stage): every company once, none lost or doubled")
            #expect(Set(companies) == Set((1...n).map(Int64.init)))
        }
        var firstScrape: [Int64: Int] = [:], firstBrief: [Int64: Int] = [:]
        for (index, run) in runs.enumerated() {
            if run.stage == "scrape" { firstScrape[run.company] = firstScrape[run.company] ?? index }
            else { firstBrief[run.company] = firstBrief[run.company] ?? index }
        }
        #expect((1...n).allSatisfy { firstScrape[Int64($0)]! < firstBrief[Int64($0)]! }, "brief runs after scrape")
        #expect(Set(runs.map(\.worker)).count >= 2, "the work was shared")
        let claimed = summaries.compactMap { $0["claimed"].flatMap { if case .int(let v) = $0 { v } else { nil } } }
        #expect(claimed.reduce(0, +) == Int64(2 * n), "claims: one per company per stage")
        let depth = try setup.depth()
        #expect(depth.map(\.completed) == [n, n] && depth.map(\.failed) == [0, 0])
        #expect(try (1...n).allSatisfy { try setup.fixture.state(Int64($0), "brief").attempts == 1 })
        // The query tool sees the same.
        let query = try runTool("siglog-query", ["queue", "--store", setup.store, "--chain", setup.chainPath, "--format", "json"])
        #expect(query.status == 0)
        let rows = try JSONParser.parse(query.stdout).arrayValue ?? []
        #expect(rows.map { $0["completed"] } == [.int(Int64(n)), .int(Int64(n))])
        #expect(rows.map { $0["pending"] } == [.int(0), .int(0)])
        let stages = try runTool("siglog-query", ["stages", "company7.example", "--store", setup.store, "--chain", setup.chainPath,
                                                  "--format", "json"])
        #expect(stages.status == 0, "\(stages.stderr)")
        let chainRows = try JSONParser.parse(stages.stdout).arrayValue ?? []
        #expect(chainRows.map { $0["stage"] } == ["scrape", "brief"])
        #expect(chainRows.map { $0["status"] } == ["completed", "completed"])
        #expect(chainRows.allSatisfy { $0["company_id"] == 7 && $0["result"] == .object(["ok": true]) })
    }

    @Test("crash: workers killed with SIGKILL at random moments; after stuck resets and restarts every company ends completed")
    func crashes() async throws {
        // Each attempt takes a fifth of a second, so the run outlasts the kills and every kill
        // lands on a worker holding claims.
        let setup = try Setup(handlerDelay: "sleep 0.2", stuckTimeout: "5s", timeout: "4s")
        try setup.enqueueAll()
        var generator = SystemRandomNumberGenerator()
        var workers: [(stage: String, tool: RunningTool)] = []
        var next = 0
        for stage in ["scrape", "scrape", "brief", "brief"] {
            workers.append((stage, try setup.worker(stage, next)))
            next += 1
        }
        for _ in 0..<WorkerProcessTests.kills {
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...900, using: &generator)))
            let victim = Int.random(in: 0..<workers.count, using: &generator)
            kill(workers[victim].tool.pid, SIGKILL)
            _ = try workers[victim].tool.finish()
            workers[victim] = (workers[victim].stage, try setup.worker(workers[victim].stage, next))
            next += 1
        }
        let done = try await setup.waitUntilDone(limit: .seconds(fullSizes ? 900 : 300))
        _ = try await terminate(workers.map(\.tool))
        let finalDepth = try setup.depth()
        #expect(done, "every company finished: \(finalDepth)")
        // The stuck rule run by hand finds nothing left, and the store verifies.
        for stage in ["scrape", "brief"] {
            let reset = try runTool("siglog-append", ["queue", "reset-stuck", "--store", setup.store, "--chain", setup.chainPath,
                                                      "--stage", stage])
            #expect(reset.status == 0)
            #expect(try JSONParser.parse(reset.stdout)["reset"] == 0)
        }
        let n = WorkerProcessTests.companies
        var completed = 0
        for id in 1...n {
            for stage in ["scrape", "brief"] {
                let state = try setup.fixture.state(Int64(id), stage)
                if state.status == .failed {
                    #expect(state.retryCount >= setup.maxRetries, "failed only by the configured rule: \(id) \(stage) \(state)")
                } else if stage == "brief" {
                    #expect(state.status == .completed, "\(id): \(state.status)")
                    if state.status == .completed { completed += 1 }
                }
            }
        }
        #expect(completed > n * 9 / 10)
        let reset = try (1...n).filter { id in try ["scrape", "brief"].contains { try setup.fixture.state(Int64(id), $0).retryCount > 0 } }
        #expect(!reset.isEmpty, "killed workers left claims that the stuck rule reset")
        var runsPer: [String: Int] = [:]
        for run in try setup.runs() { runsPer["\(run.stage) \(run.company)", default: 0] += 1 }
        #expect(runsPer.values.allSatisfy { $0 <= setup.maxRetries + 1 }, "nothing runs more than max_retries + 1 times")
        #expect(runsPer.count >= n + completed, "every stage that completed ran")
        let verify = try runTool("siglog-query", ["verify", "--store", setup.store])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let replay = try runTool("siglog-replay", ["--store", setup.store, "--verify"])
        #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
    }
}
