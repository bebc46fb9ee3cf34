import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCore
import StageQueue
import StageWorkers
import Testing

@Suite("Completion webhook")
struct WebhookStoreTests {
    let stages = chain(["intel", "messaging"])

    /// A store whose company 1 has `intel` accepted as job `J1`.
    func accepted() throws -> QueueFixture {
        let f = try QueueFixture(companies: 1)
        _ = try f.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        let item = try #require(try f.runner.claim(stage: "intel", limit: 1, worker: "w").first)
        _ = try f.runner.record([(item, .accepted(jobID: "J1"))], chain: stages)
        return f
    }

    func body(job: String = "J1", status: String = "completed") -> [UInt8] {
        Array(#"{"stage":"intel","company_id":1,"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"\#(job)","status":"\#(status)","result":{"brief":"b"},"error":"nope"}"#.utf8)
    }

    @Test("a signed completion completes the stage and advances the chain")
    func signed() throws {
        let f = try accepted()
        let body = body()
        let answer = try StageWebhook.handle(body: body, signature: WebhookSignature.sign(body: body, secret: "k"), secret: "k",
                                             runner: f.runner, chain: stages)
        #expect(answer == .accepted(changed: true) && answer.httpStatus == 200)
        #expect(try f.state(1, "intel").status == .completed && f.state(1, "intel").result == .object(["brief": "b"]))
        #expect(try f.state(1, "messaging").status == .queued)
        // The same completion again, and one for a job that is not the current one: nothing changes.
        let head = try f.head()
        #expect(try StageWebhook.handle(body: body, signature: WebhookSignature.sign(body: body, secret: "k"), secret: "k",
                                        runner: f.runner, chain: stages) == .accepted(changed: false))
        let stale = self.body(job: "J0")
        #expect(try StageWebhook.handle(body: stale, signature: WebhookSignature.sign(body: stale, secret: "k"), secret: "k",
                                        runner: f.runner, chain: stages) == .accepted(changed: false))
        #expect(try f.head() == head)
    }

    @Test("a signed failure fails the stage (hard unless retriable)")
    func signedFailure() throws {
        let f = try accepted()
        let body = body(status: "failed")
        #expect(try StageWebhook.handle(body: body, signature: WebhookSignature.sign(body: body, secret: "k"), secret: "k",
                                        runner: f.runner, chain: stages) == .accepted(changed: true))
        #expect(try f.state(1, "intel").status == .failed && f.state(1, "intel").error == "nope")
    }

    @Test("missing, wrong or unsigned signatures, and no secret configured: 401 and nothing changes")
    func refused() throws {
        let f = try accepted()
        let head = try f.head()
        let body = body()
        let good = WebhookSignature.sign(body: body, secret: "k")
        let cases: [(String?, String?)] = [(nil, "k"), ("sha256=00", "k"), (WebhookSignature.sign(body: body, secret: "x"), "k"),
                                           (good, nil), (good, "")]
        for (signature, secret) in cases {
            let answer = try StageWebhook.handle(body: body, signature: signature, secret: secret, runner: f.runner, chain: stages)
            guard case .unauthorized = answer else { Issue.record("expected 401 for \(String(describing: signature))"); continue }
            #expect(answer.httpStatus == 401)
        }
        var tampered = body
        tampered[tampered.count - 2] = UInt8(ascii: "X")
        #expect(try StageWebhook.handle(body: tampered, signature: good, secret: "k", runner: f.runner, chain: stages).httpStatus == 401)
        #expect(try f.head() == head)
        #expect(try f.state(1, "intel").status == .started)
    }

    @Test("a signed but malformed body, an unknown stage, or no chain, is 422 and changes nothing")
    func invalid() throws {
        let f = try accepted()
        let head = try f.head()
        for text in [#"{"stage":"intel"}"#, #"{"stage":"nope","company_id":1,"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"J1","status":"completed"}"#] {
            let body = Array(text.utf8)
            let answer = try StageWebhook.handle(body: body, signature: WebhookSignature.sign(body: body, secret: "k"), secret: "k",
                                                 runner: f.runner, chain: stages)
            #expect(answer.httpStatus == 422)
        }
        let body = body()
        let noChain = try StageWebhook.handle(body: body, signature: WebhookSignature.sign(body: body, secret: "k"), secret: "k",
                                              runner: f.runner, chain: nil)
        #expect(noChain == .invalid("No stage chain is configured") && noChain.httpStatus == 422)
        #expect(try f.head() == head)
    }
}

@Suite("Worker loop")
struct WorkerLoopTests {
    @Test("built-in work: a batch per claim, completed with its claim, the chain advancing to the end")
    func builtInChain() async throws {
        let stages = chain(["a", "b"])
        let f = try QueueFixture(companies: 12)
        _ = try f.runner.enqueue(stage: "a", companies: Array(1...12), workspace: defaultWorkspace)
        let runner = f.runner(chain: stages)
        for stage in ["a", "b"] {
            let summary = try await WorkerHost.run(runner: runner, chain: stages, stage: stage,
                                                   settings: WorkerSettings(workerID: "w", exitWhenIdle: true), stopSignal: StopSignal())
            #expect(summary.claimed == 12 && summary.completed == 12)
            #expect(summary.commits == 6, "3 claims of at most 5 and 3 completions")
        }
        let depth = try f.store.read { try QueueReads.depth(stages: ["a", "b"], workspace: defaultWorkspace, in: $0) }
        #expect(depth.map(\.completed) == [12, 12])
    }

    @Test("stop: claims no more, gives unstarted claims back without a retry, finishes what runs")
    func stopReleases() async throws {
        let dir = try TemporaryDirectory("stop")
        let started = dir.path("started")
        // Each attempt holds until the gate opens, after the stop: no third attempt can start
        // however slow the machine.
        let gate = dir.path("gate")
        let script = try writeScript("cat > /dev/null; echo $SIGLOG_COMPANY_ID >> \(started); while [ ! -e \(gate) ]; do sleep 0.02; done; echo '{}'",
                                     in: dir)
        let stages = chain(["a"], handler: .exec(command: [script], timeout: .seconds(20)))
        let f = try QueueFixture(companies: 8)
        _ = try f.runner.enqueue(stage: "a", companies: Array(1...8), workspace: defaultWorkspace)
        let stop = StopSignal()
        let runner = f.runner(chain: stages)
        let worker = Task {
            try await WorkerHost.run(runner: runner, chain: stages, stage: "a", settings: WorkerSettings(workerID: "w", concurrency: 2),
                                     stopSignal: stop)
        }
        // Wait until two attempts run (the batch of five is claimed), then stop while they run. The
        // deadline is long: a busy test process can starve the concurrency pool.
        let deadline = ContinuousClock.now + .seconds(300)
        while ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").split(separator: "\n").count < 2,
              ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
        }
        stop.stop()
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        let summary = try await worker.value
        #expect(summary.claimed == 5)
        #expect(summary.completed == 2, "the two running attempts finished and were recorded")
        #expect(summary.released == 3)
        let states = try (1...8).map { try f.state(Int64($0), "a") }
        #expect(states.filter { $0.status == .completed }.count == 2)
        #expect(states.filter { $0.status == .queued }.count == 6)
        #expect(states.allSatisfy { $0.retryCount == 0 })
        #expect(states.filter { $0.status == .queued }.allSatisfy { $0.attempts == 0 })
    }

    @Test("the worker's stuck rule resets a claim abandoned by another worker")
    func stuckRule() async throws {
        // The abandoned claim is an hour old; the stuck timeout is long enough that the live worker's
        // own claim is never taken for stuck, even when a busy machine slows the worker down.
        let stages = chain(["a"], maxRetries: 3, stuckTimeout: .seconds(4))
        let f = try QueueFixture(companies: 1)
        let runner = StageRunner(store: f.store, clock: SystemClock(), rateLimitPerHour: 0, stageChain: stages)
        let anHourAgo = Timestamp(microseconds: SystemClock().now().microseconds - 3_600_000_000)
        let deadRunner = StageRunner(store: f.store, clock: FixedClock(anHourAgo), rateLimitPerHour: 0, stageChain: stages)
        _ = try deadRunner.enqueue(stage: "a", companies: [1], workspace: defaultWorkspace)
        let abandoned = try deadRunner.claim(stage: "a", limit: 1, worker: "dead")
        #expect(abandoned.count == 1)
        let stop = StopSignal()
        let worker = Task {
            try await WorkerHost.run(runner: runner, chain: stages, stage: "a",
                                     settings: WorkerSettings(workerID: "alive", exitWhenIdle: false), stopSignal: stop)
        }
        // The worker's stuck rule (every 2 s here) resets the old claim, then the worker claims and
        // completes it; stop it then (or after five minutes: a busy test process can starve the
        // concurrency pool).
        let deadline = ContinuousClock.now + .seconds(300)
        while try f.state(1, "a").status != .completed, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        stop.stop()
        let summary = try await worker.value
        #expect(summary.stuckReset == 1)
        let state = try f.state(1, "a")
        #expect(state.status == .completed && state.retryCount == 1 && state.worker == "alive", "\(state)")
        #expect(try runner.record([(abandoned[0], .completed(.object(["late": true])))], chain: stages) == [false], "the dead claim is stale")
    }
}
