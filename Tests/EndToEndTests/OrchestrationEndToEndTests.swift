import Foundation
import SiglogCore
import Testing

/// Runs the built tools, found next to the test bundle, on a store in a temporary directory.
private final class OrchestrationStore {
    static let root = Tools.root
    static let testAdapter = root.appendingPathComponent("Fixtures/events/test_adapter.ndjson").path

    typealias Run = Tools.Run

    struct InitFailed: Error { var stderr: String }

    let directory: URL
    var store: String { directory.appendingPathComponent("store").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-orch-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let initialized = try run("siglog-append", ["init", "--store", store])
        guard initialized.status == 0 else { throw InitFailed(stderr: initialized.stderr) }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Runs a tool with the rate limit as the environment (and `extra`) sets it: these tests check it.
    func run(_ tool: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Run {
        var environment: [String: String?] = ["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR": ProcessInfo.processInfo.environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"]]
        for (name, value) in extra { environment[name] = value }
        return try Tools.run(tool, arguments, environment: environment)
    }

    func stage(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try run("siglog-append", ["stage"] + arguments + ["--store", store], environment: environment)
    }
}

@Suite("Orchestration through the binaries")
struct OrchestrationEndToEndTests {
    @Test("TestAdapter fixture: stage daily-aggregation --as-of 2026-02-18 ranks A (11), C (10), B (2)")
    func dailyAggregationRanked() throws {
        let fixture = try OrchestrationStore()
        let run = try fixture.stage(["daily-aggregation", "--events", OrchestrationStore.testAdapter, "--as-of", "2026-02-18"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json)
        #expect(json["status"] == "completed")
        #expect(json["ingest_result"]?["inserted"]?.numberValue == 3)
        #expect(json["score_result"]?["companies_scored"]?.numberValue == 3)
        let ranked = try #require(json["ranked_companies"]?.arrayValue)
        #expect(ranked.map { $0["company_name"]?.stringValue } == ["Test Company A", "Test Company C", "Test Company B"])
        #expect(ranked.map { $0["composite"]?.numberValue } == [11, 10, 2])
        #expect(json["ranked_count"]?.numberValue == 3)
    }

    @Test("the same --idempotency-key twice returns the same job_run_id")
    func idempotencyKey() throws {
        let fixture = try OrchestrationStore()
        let arguments = ["daily-aggregation", "--events", OrchestrationStore.testAdapter, "--as-of", "2026-02-18",
                         "--idempotency-key", "nightly-2026-02-18"]
        let first = try fixture.stage(arguments)
        let second = try fixture.stage(arguments)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        let id = try #require(first.json?["job_run_id"]?.numberValue)
        #expect(second.json?["job_run_id"]?.numberValue == id)
        #expect(second.json?["ranked_companies"] == first.json?["ranked_companies"])
        let other = try fixture.stage(["daily-aggregation", "--as-of", "2026-02-18", "--idempotency-key", "another"])
        #expect(other.json?["job_run_id"]?.numberValue != id)
        #expect(other.json?["ingest_result"]?["inserted"]?.numberValue == 0)
    }

    @Test("WORKSPACE_JOB_RATE_LIMIT_PER_HOUR=1: a second score in the hour fails with the exact text and exit 75")
    func rateLimit() throws {
        let fixture = try OrchestrationStore()
        let limit = ["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR": "1"]
        let first = try fixture.stage(["score", "--as-of", "2026-02-18"], environment: limit)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try fixture.stage(["score", "--as-of", "2026-02-18"], environment: limit)
        #expect(second.status == 75)
        // The spec's text, then what to do: the variable that sets the limit and when a run frees.
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.first == "Error: Workspace job rate limit exceeded")
        #expect(second.stderr.contains("WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"))
        #expect(second.stderr.contains("the next run is possible from "))
        #expect(second.stdout.isEmpty)
        // 0 disables it.
        let third = try fixture.stage(["score", "--as-of", "2026-02-18"], environment: ["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR": "0"])
        #expect(third.status == 0)
    }

    @Test("unknown stage → `Unknown job_type: {name}`, exit 64; a workspace neither an id nor a name → not found, 66")
    func usageErrors() throws {
        let fixture = try OrchestrationStore()
        let unknown = try fixture.stage(["nightly"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("Error: Unknown job_type: nightly"))
        #expect(unknown.stderr.contains("update_lead_feed"), "the message lists the valid stages")
        let badWorkspace = try fixture.stage(["daily-aggregation", "--workspace-id", "not-a-uuid"])
        #expect(badWorkspace.status == 66)
        #expect(badWorkspace.stderr.hasPrefix("Error: Workspace not found: not-a-uuid\n"))
        let missing = try fixture.stage(["daily-aggregation", "--events", fixture.directory.appendingPathComponent("none").path])
        #expect(missing.status == 66)
    }

    @Test("bad event lines in a daily aggregation are reported on stderr; the batch completes with exit 0")
    func badLinesNotFatal() throws {
        let fixture = try OrchestrationStore()
        let input = fixture.directory.appendingPathComponent("bad.ndjson")
        let lines = try String(contentsOfFile: OrchestrationStore.testAdapter, encoding: .utf8)
        try Data((lines + "{oops\n").utf8).write(to: input)
        let run = try fixture.stage(["daily-aggregation", "--events", input.path, "--as-of", "2026-02-18"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("bad.ndjson:4"))
        #expect(run.json?["status"] == "completed")
        #expect(run.json?["ingest_result"]?["errors_count"]?.numberValue == 1)
        #expect(run.json?["ranked_count"]?.numberValue == 3)
    }
}
