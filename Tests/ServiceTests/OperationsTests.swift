import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SiglogCore
import SiglogService
import Synchronization
import Testing

@Suite("siglog-serve operations: health, metrics, access log, the writer, secrets")
struct OperationsTests {
    @Test("/healthz: the store reads and its head record checks")
    func health() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json["status"] == "ok")
            #expect(response.json.int("head") == Int(try harness.head()))
            #expect(response.json.int("views_behind") == 0)
        }
    }

    @Test("/metrics: Prometheus text with requests by route and status, latency histogram, stage runs, events, log head")
    func metrics() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            let ingest = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                                  body: ndjson(try Repository.sample()))
            // The same key again: answered from the record, not counted again.
            for _ in 0..<2 {
                _ = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(key: "k", ndjson: true),
                                             body: ndjson(#"{"source":"x","source_event_id":"1","company_name":"X","event_type":"funding_raised","event_time":"2026-01-01"}"#))
            }
            _ = try await client.execute(uri: "/internal/run_score", method: .post, headers: internalHeaders(token: "bad"))
            _ = try await client.execute(uri: "/api/lead-feed", method: .get, headers: bearer())
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(try harness.store.read { try RegistryQueriesCount.jobs(of: .ingest, in: $0) } == 2)
            #expect(text.contains(#"siglog_http_requests_total{route="/internal/run_ingest",method="POST",status="200"} 3"#), "\(text)")
            #expect(text.contains(#"siglog_http_requests_total{route="/internal/run_score",method="POST",status="403"} 1"#))
            #expect(text.contains(#"siglog_http_requests_total{route="/api/lead-feed",method="GET",status="200"} 1"#))
            #expect(text.contains(#"siglog_http_request_duration_seconds_bucket{route="/api/lead-feed",method="GET",le="+Inf"} 1"#))
            #expect(text.contains(#"siglog_stage_runs_total{type="ingest",status="completed"} 3"#))
            let events = text.split(separator: "\n").first { $0.hasPrefix("siglog_events_ingested_total ") }
            #expect(events.map(String.init) == "siglog_events_ingested_total \((ingest.json.int("inserted") ?? 0) + 1)")
            #expect(text.contains("siglog_log_head \(try harness.head())"))
            #expect(text.contains("siglog_views_behind 0"))
            // A store that never shipped its log: a writer with nothing acknowledged, every record lagging.
            #expect(text.contains(#"siglog_replication_role{role="writer"} 1"#), "\(text)")
            #expect(text.contains(#"siglog_replication_role{role="replica"} 0"#))
            #expect(text.contains("siglog_replication_lag_records 0"))
            #expect(!text.contains("siglog_replication_position"))
        }
    }

    @Test("access log: one line per request with method, path, status, duration and job_run_id; no token")
    func accessLog() async throws {
        let harness = try ServiceHarness()
        let jobRun = try await harness.test { client in
            let stage = try await client.execute(uri: "/internal/run_derive?pack_id=", method: .post, headers: internalHeaders())
            _ = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer())
            _ = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer("nope"))
            return stage.json.int("job_run_id")
        }
        let access = harness.logs.all.filter { $0.label == "siglog.access" }
        #expect(access.count == 3)
        #expect(access.map { $0.metadata["path"] } == ["/internal/run_derive", "/api/jobs", "/api/jobs"])
        #expect(access.map { $0.metadata["method"] } == ["POST", "GET", "GET"])
        #expect(access.map { $0.metadata["status"] } == ["200", "200", "401"])
        #expect(access.allSatisfy { Double($0.metadata["duration_ms"] ?? "") != nil })
        #expect(access.first?.metadata["job_run_id"] == jobRun.map(String.init))
        #expect(access.dropFirst().allSatisfy { $0.metadata["job_run_id"] == nil })
        let stageLines = harness.logs.all.filter { $0.label == "siglog.serve" && $0.message == "stage" }
        #expect(stageLines.count == 1)
        #expect(stageLines.first?.metadata["type"] == "derive")
        let everything = harness.logs.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in [Secrets.internalToken, Secrets.apiToken, "nope"] { #expect(!everything.contains(secret)) }
    }

    @Test("the writer runs bodies one at a time in order; after close, waiting bodies are refused and the running one finishes")
    func writeQueue() async throws {
        let queue = WriteQueue(limit: 2)
        let gate = Gate()
        let order = Order()
        let running = Task { try await queue.submit { gate.wait(); order.add(0) } }
        while queue.pending < 1 { await Task.yield() }
        let waiting = (1...2).map { n in Task { try await queue.submit { order.add(n) } } }
        while queue.pending < 3 { await Task.yield() }
        await #expect(throws: WriteQueue.Refusal.busy(waiting: 2)) { try await queue.submit { order.add(9) } }
        queue.beginClosing()
        await #expect(throws: WriteQueue.Refusal.shuttingDown) { try await queue.submit { order.add(9) } }
        gate.open()
        try await running.value
        for task in waiting { await #expect(throws: WriteQueue.Refusal.shuttingDown) { try await task.value } }
        await queue.close()
        #expect(order.values == [0])

        let open = WriteQueue(limit: 4)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<5 { group.addTask { try await open.submit { order.add(n + 10); return n } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == [0, 1, 2, 3, 4])
    }

    @Test("constant-time comparison: equal only when every byte is; the last byte and the length count")
    func constantTime() {
        let secret = "s3cret-token-value"
        #expect(ConstantTime.equals(secret, secret))
        var bytes = Array(secret.utf8)
        bytes[bytes.count - 1] ^= 0x01
        #expect(!ConstantTime.equals(String(decoding: bytes, as: UTF8.self), secret))
        #expect(!ConstantTime.equals(String(secret.dropLast()), secret))
        #expect(!ConstantTime.equals(secret + "x", secret))
        #expect(!ConstantTime.equals("", ""))
        #expect(!ConstantTime.equals("anything", ""))
    }

    @Test("configuration from the environment: tokens file lines, limits; bad values name the variable or the line")
    func configuration() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            # admin
            admin-token *
            tenant-token \(Secrets.workspaceB.lowercased),00000000-0000-0000-0000-000000000001

            """.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try ServiceConfiguration(environment: [
            "INTERNAL_JOB_TOKEN": "i", "SIGLOG_API_TOKEN": "main", "SIGLOG_API_TOKENS_FILE": file.path,
            "SIGLOG_MAX_NDJSON_BYTES": "2048", "SIGLOG_WRITE_QUEUE_LIMIT": "3",
        ])
        #expect(configuration.internalToken == "i")
        #expect(configuration.ndjsonBodyLimit == 2048)
        #expect(configuration.bodyLimit == 1 << 20)
        #expect(configuration.writeQueueLimit == 3)
        #expect(configuration.apiTokens.access(for: "main") == .all)
        #expect(configuration.apiTokens.access(for: "admin-token") == .all)
        #expect(configuration.apiTokens.access(for: "tenant-token")
            == .only([Secrets.workspaceB, UUID(uuidString: "00000000-0000-0000-0000-000000000001")!]))
        #expect(configuration.apiTokens.access(for: "tenant-tokeN") == nil)

        #expect(throws: InvalidValue("SIGLOG_MAX_BODY_BYTES must be an integer of at least 0, got 'lots'")) {
            try ServiceConfiguration(environment: ["SIGLOG_MAX_BODY_BYTES": "lots"])
        }
        try "good *\nbad-line\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: InvalidValue("\(file.path):2: expected 'TOKEN WORKSPACE_ID[,WORKSPACE_ID…]' or 'TOKEN *'")) {
            try ServiceConfiguration(environment: ["SIGLOG_API_TOKENS_FILE": file.path])
        }
        try "t not-a-uuid\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: InvalidValue("\(file.path):1: workspace_id: must be a valid UUID, got 'not-a-uuid'")) {
            try ServiceConfiguration(environment: ["SIGLOG_API_TOKENS_FILE": file.path])
        }
    }
}

/// Values appended from writer bodies.
final class Order: Sendable {
    private let state = Mutex<[Int]>([])
    func add(_ value: Int) { state.withLock { $0.append(value) } }
    var values: [Int] { state.withLock { $0 } }
}
