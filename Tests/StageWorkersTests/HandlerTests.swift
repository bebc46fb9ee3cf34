import Adapters
import FixtureServer
import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCore
import StageQueue
import StageWorkers
import Synchronization
import Testing

/// A claimed item for handler tests that do not need a store.
func work(company: Int64 = 7, stage: String = "scrape") -> StageWork {
    let subject = StageSubject(workspace: defaultWorkspace, company: company, stage: stage)
    let item = ClaimedStage(subject: subject, claim: 42, startedAt: QueueFixture.start, retryCount: 1, attempt: 2)
    return StageWork(item: item, entity: ["company_id": .int(company), "stage": .string(stage), "company": .object(["name": "Acme"])])
}

@Suite("exec handler")
struct ExecHandlerTests {
    @Test("exit 0: the JSON on stdout is the result; the entity arrives on stdin, the ids in the environment")
    func completes() async throws {
        let dir = try TemporaryDirectory("exec")
        let script = try writeScript("""
            input=$(cat)
            printf '{"stdin": %s, "stage": "%s", "company": "%s", "attempt": "%s", "worker": "%s"}' "$input" "$SIGLOG_STAGE" "$SIGLOG_COMPANY_ID" "$SIGLOG_ATTEMPT" "$SIGLOG_WORKER_ID"
            """, in: dir)
        let outcome = await ExecStageHandler(command: [script], timeout: .seconds(20), workerID: "w-9").perform(work())
        guard case .completed(let result) = outcome else { Issue.record("expected completion, got \(outcome)"); return }
        #expect(result["stdin"] == .object(work().entity))
        #expect(result["stage"] == "scrape" && result["company"] == "7" && result["attempt"] == "2" && result["worker"] == "w-9")
    }

    @Test("exit 75 is retriable, another exit is hard, a signal is hard, non-JSON output is hard")
    func failures() async throws {
        let dir = try TemporaryDirectory("exec")
        let retry = try writeScript("cat > /dev/null; echo 'busy' >&2; exit 75", in: dir, name: "retry.sh")
        #expect(await ExecStageHandler(command: [retry], timeout: .seconds(20), workerID: "w").perform(work())
                == .failed(.retriable, "exit 75 (retry later): busy"))
        let hard = try writeScript("cat > /dev/null; echo 'no such site' >&2; exit 3", in: dir, name: "hard.sh")
        #expect(await ExecStageHandler(command: [hard], timeout: .seconds(20), workerID: "w").perform(work())
                == .failed(.hard, "exit 3: no such site"))
        let killed = try writeScript("cat > /dev/null; kill -9 $$", in: dir, name: "killed.sh")
        #expect(await ExecStageHandler(command: [killed], timeout: .seconds(20), workerID: "w").perform(work())
                == .failed(.hard, "terminated by signal 9"))
        let text = try writeScript("cat > /dev/null; echo done", in: dir, name: "text.sh")
        guard case .failed(.hard, _) = await ExecStageHandler(command: [text], timeout: .seconds(20), workerID: "w").perform(work())
        else { Issue.record("non-JSON stdout must fail hard"); return }
    }

    @Test("past its timeout the process is stopped and the attempt is retriable")
    func timeout() async throws {
        let dir = try TemporaryDirectory("exec")
        let marker = dir.path("finished")
        let slow = try writeScript("cat > /dev/null; sleep 30; touch \(marker)", in: dir, name: "slow.sh")
        let outcome = await ExecStageHandler(command: [slow], timeout: .milliseconds(300), workerID: "w").perform(work())
        #expect(outcome == .failed(.retriable, "timed out after 0.3 s"))
        // Stopped, not waited for: the script (and its `sleep`, in its process group) never got to
        // touch the marker, even seconds later.
        try await Task.sleep(for: .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a command that does not exist is a hard failure; a program on PATH is found by name")
    func notFound() async throws {
        guard case .failed(.hard, let message) = await ExecStageHandler(
            command: ["/nonexistent/handler"], timeout: .seconds(5), workerID: "w").perform(work())
        else { Issue.record("expected a hard failure"); return }
        #expect(message.contains("/nonexistent/handler"))
        #expect(await ExecStageHandler(command: ["true"], timeout: .seconds(5), workerID: "w").perform(work())
                == .completed(.object([:])))
    }
}

/// Counts requests per key, for services that answer differently on the n-th call.
final class Counter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func next(_ key: String) -> Int { counts.withLock { $0[key, default: 0] += 1; return $0[key]! } }
}

@Suite("http handler against a local service")
struct HTTPHandlerTests {
    /// Runs the `intel` stage's worker until the queue is drained and no accepted job is awaited.
    func drain(_ f: QueueFixture, url: String, maxRetries: Int = 3, timeout: Duration = .seconds(60)) async throws -> WorkerSummary {
        let stages = StageChain(stages: [
            StageDefinition(name: "intel", handler: .http(url: url, timeout: timeout, headers: ["X-Caller": "siglog"]),
                            maxRetries: maxRetries, stuckTimeout: .seconds(600), pollInterval: .milliseconds(20),
                            completionPollInterval: .milliseconds(50), batchSize: 5),
        ])
        let settings = WorkerSettings(workerID: "http-test", concurrency: 2, exitWhenIdle: true)
        return try await WorkerHost.run(runner: f.runner(chain: stages), chain: stages, stage: "intel", settings: settings,
                                        stopSignal: StopSignal())
    }

    func company(of request: SeenRequest) -> String {
        (try? JSONParser.parse(request.body))?["company_id"].map { JSONWriter().string($0) } ?? "?"
    }

    @Test("202 with a job id, then completion by polling GET {url}/{job_id}")
    func acceptedThenPolled() async throws {
        let f = try QueueFixture(companies: 3)
        _ = try f.runner.enqueue(stage: "intel", companies: [1, 2, 3], workspace: defaultWorkspace)
        let polls = Counter()
        try await FixtureServer.with({ request in
            if request.method == "POST" { return .json(#"{"job_id": "job-\#(self.company(of: request))"}"#, status: 202) }
            let job = String(request.path.split(separator: "/").last ?? "")
            return polls.next(job) < 3 ? .json(#"{"status": "running"}"#)
                                       : .json(#"{"status": "completed", "result": {"brief": "\#(job)"}}"#)
        }) { service, base in
            let summary = try await drain(f, url: base + "/intel")
            #expect(summary.accepted == 3 && summary.completed == 3)
            for id: Int64 in 1...3 {
                let state = try f.state(id, "intel")
                #expect(state.status == .completed)
                #expect(state.jobID == "job-\(id)")
                #expect(state.result == .object(["brief": .string("job-\(id)")]))
            }
            let posts = service.requests.filter { $0.method == "POST" }
            #expect(posts.count == 3)
            #expect(posts.allSatisfy { $0.header("X-Caller") == "siglog" && $0.header("Content-Type") == "application/json" })
            #expect(service.requests.filter { $0.method == "GET" && $0.path == "/intel/job-1" }.count == 3)
        }
    }

    @Test("429, then success: retriable, completed on the next attempt with retry_count 1")
    func rateLimitedThenSuccess() async throws {
        let f = try QueueFixture(companies: 1)
        _ = try f.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        let calls = Counter()
        try await FixtureServer.with({ _ in
            calls.next("post") == 1 ? .status(429) : .json(#"{"result": {"ok": true}}"#)
        }) { service, base in
            _ = try await drain(f, url: base + "/intel")
            let state = try f.state(1, "intel")
            #expect(state.status == .completed && state.result == .object(["ok": true]))
            #expect(state.retryCount == 1 && state.attempts == 2)
            #expect(service.requests.count == 2)
        }
    }

    @Test("500 until failure: max_retries + 1 attempts, then failed with the last error")
    func serverErrorsUntilFailure() async throws {
        let f = try QueueFixture(companies: 1)
        _ = try f.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        try await FixtureServer.with({ _ in .json(#"{"detail": "down"}"#, status: 500) }) { service, base in
            _ = try await drain(f, url: base + "/intel", maxRetries: 2)
            let state = try f.state(1, "intel")
            #expect(state.status == .failed)
            #expect(state.retryCount == 2 && state.attempts == 3)
            #expect(state.failureKind == .retriable && state.error == #"HTTP 500: {"detail": "down"}"#)
            #expect(service.requests.count == 3)
        }
    }

    @Test("404 is a hard failure at once; a refused connection too; a timeout is retriable")
    func hardFailures() async throws {
        let f = try QueueFixture(companies: 1)
        _ = try f.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        try await FixtureServer.with({ _ in .status(404) }) { service, base in
            _ = try await drain(f, url: base + "/intel")
            #expect(try f.state(1, "intel").status == .failed && f.state(1, "intel").attempts == 1)
            #expect(try f.state(1, "intel").failureKind == .hard && f.state(1, "intel").error == "HTTP 404")
            #expect(service.requests.count == 1)
        }
        // A port that refuses connections.
        let refused = try QueueFixture(companies: 1)
        _ = try refused.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        try await FixtureServer.withRefusingPort { base in
            _ = try await drain(refused, url: base + "/intel")
        }
        let refusedState = try refused.state(1, "intel")
        #expect(refusedState.status == .failed && refusedState.failureKind == .hard, "\(refusedState)")
        #expect(try refused.state(1, "intel").attempts == 1)
        // Slower than the timeout: retriable, so with max_retries 1 it is tried twice.
        let slow = try QueueFixture(companies: 1)
        _ = try slow.runner.enqueue(stage: "intel", companies: [1], workspace: defaultWorkspace)
        try await FixtureServer.with({ _ in Reply(status: 200, body: "{}", delay: .seconds(3)) }) { service, base in
            _ = try await drain(slow, url: base + "/intel", maxRetries: 1, timeout: .milliseconds(300))
            let state = try slow.state(1, "intel")
            #expect(state.status == .failed && state.failureKind == .retriable && state.attempts == 2)
            #expect(service.requests.count == 2)
        }
    }
}
