import Adapters
import EventLog
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Projections
import ReadModel
import SiglogCore
import SiglogService
import Testing

@Suite("siglog-serve /internal/* (§9.3)")
struct InternalRouteTests {
    static let stages = ["run_ingest", "run_derive", "run_score", "run_update_lead_feed", "run_daily_aggregation"]

    @Test("token: missing → 422, wrong or differing in its last byte → 403 `Invalid internal token`; nothing runs")
    func internalToken() async throws {
        let harness = try ServiceHarness()
        let before = try harness.head()
        var lastByte = Array(Secrets.internalToken.utf8)
        lastByte[lastByte.count - 1] ^= 0x01
        let nearMiss = String(decoding: lastByte, as: UTF8.self)
        try await harness.test { client in
            for stage in Self.stages {
                let missing = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders(token: nil))
                #expect(missing.status == .unprocessableContent)
                #expect(missing.detail == "Missing header: X-Internal-Token")
                for token in ["wrong", nearMiss, "", Secrets.internalToken + "x", String(Secrets.internalToken.dropLast())] {
                    let refused = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders(token: token))
                    #expect(refused.status == .forbidden, "\(stage) with \(token.count)-byte token")
                    #expect(refused.detail == "Invalid internal token")
                }
            }
        }
        #expect(try harness.head() == before)
    }

    @Test("no server token configured: every internal request is 403, even with an empty header")
    func unsetServerToken() async throws {
        let harness = try ServiceHarness { $0.internalToken = "" }
        try await harness.test { client in
            for token in ["", "anything", Secrets.internalToken] {
                let response = try await client.execute(uri: "/internal/run_score", method: .post, headers: internalHeaders(token: token))
                #expect(response.status == .forbidden)
                #expect(response.detail == "Invalid internal token")
            }
        }
    }

    @Test("invalid workspace_id / pack_id / as_of → 422 with the spec's messages")
    func invalidParameters() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            for stage in Self.stages {
                let workspace = try await client.execute(uri: "/internal/\(stage)?workspace_id=nope", method: .post, headers: internalHeaders())
                #expect(workspace.status == .unprocessableContent)
                #expect(workspace.detail == "Invalid workspace_id: must be a valid UUID")
                let pack = try await client.execute(uri: "/internal/\(stage)?pack_id=12-34", method: .post, headers: internalHeaders())
                #expect(pack.status == .unprocessableContent)
                #expect(pack.detail == "Invalid pack_id: must be a valid UUID")
            }
            let day = try await client.execute(uri: "/internal/run_score?as_of=2026-13-01", method: .post, headers: internalHeaders())
            #expect(day.status == .unprocessableContent)
            #expect(day.detail == "as_of must be a date YYYY-MM-DD, got '2026-13-01'")
        }
    }

    @Test("unknown workspace → 200 {status: failed, error: Workspace not found: <id>} on every stage, nothing written (D20)")
    func unknownWorkspace() async throws {
        let harness = try ServiceHarness()
        let before = try harness.head()
        let unknown = "11111111-2222-4333-8444-555555555555"
        try await harness.test { client in
            for stage in Self.stages {
                let response = try await client.execute(uri: "/internal/\(stage)?workspace_id=\(unknown)", method: .post,
                                                        headers: internalHeaders())
                #expect(response.status == .ok)
                #expect(response.json["status"] == "failed")
                #expect(response.json["error"]?.stringValue == "Workspace not found: \(unknown)")
                #expect(response.json["job_run_id"] == .null)
            }
        }
        #expect(try harness.head() == before)
    }

    @Test("a read-only replica: every stage answers 200 failed naming the promote command, and nothing is appended")
    func replicaRefusesStages() async throws {
        let harness = try ServiceHarness()
        try harness.store.log.write { writer in
            try writer.setMetadata(EventLog.replicaKey, ReplicaMarker(stream: "siglog", consumer: "r1", servers: []).bytes)
        }
        let before = try harness.head()
        try await harness.test { client in
            for stage in Self.stages {
                let response = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders())
                #expect(response.status == .ok)
                #expect(response.json["status"] == "failed")
                let error = response.json["error"]?.stringValue ?? ""
                #expect(error.contains("read-only replica of siglog") && error.contains("siglog-replicate promote"), "\(error)")
            }
        }
        #expect(try harness.head() == before)
    }

    @Test("no pack: derive → 400 (D4); score, lead feed, daily aggregation → 200 failed `No pack resolved for workspace`")
    func noPack() async throws {
        let harness = try ServiceHarness(seeded: false)
        try await harness.test { client in
            let derive = try await client.execute(uri: "/internal/run_derive", method: .post, headers: internalHeaders())
            #expect(derive.status == .badRequest)
            #expect(derive.detail == "Derive stage requires a pack; no pack available")
            for stage in ["run_score", "run_update_lead_feed", "run_daily_aggregation", "run_ingest"] {
                let response = try await client.execute(uri: "/internal/\(stage)", method: .post, headers: internalHeaders())
                #expect(response.status == .ok)
                #expect(response.json["status"] == "failed")
                #expect(response.json["error"] == "No pack resolved for workspace")
                #expect(response.json["job_run_id"] == .null)
            }
        }
    }

    @Test("rate limit → 429 `Workspace job rate limit exceeded`")
    func rateLimit() async throws {
        let harness = try ServiceHarness(rateLimitPerHour: 1)
        try await harness.test { client in
            let first = try await client.execute(uri: "/internal/run_derive", method: .post, headers: internalHeaders())
            #expect(first.status == .ok)
            #expect(first.json["status"] == "completed")
            let second = try await client.execute(uri: "/internal/run_derive", method: .post, headers: internalHeaders())
            #expect(second.status == .tooManyRequests)
            #expect(second.detail == "Workspace job rate limit exceeded")
            let retryAfter = Int(second.headers[.retryAfter] ?? "") ?? 0
            #expect((1...3_600).contains(retryAfter))
            // Another stage has its own count.
            let score = try await client.execute(uri: "/internal/run_score?as_of=2026-02-28", method: .post, headers: internalHeaders())
            #expect(score.status == .ok)
        }
    }

    @Test("run_ingest with an NDJSON body: counts as siglog-append events, bad lines as `LINE: field: reason`")
    func ingestBody() async throws {
        let harness = try ServiceHarness()
        let body = """
            {"source":"s","source_event_id":"1","company_name":"Acme","domain":"acme.io","event_type":"funding_raised","event_time":"2026-02-01"}
            {"source":"s","source_event_id":"2","company_name":"Acme","domain":"acme.io","event_type":"cto_role_posted","event_time":"2026-02-03T10:00:00Z"}
            {"source":"s","source_event_id":"3","company_name":"Acme","event_type":"funding_raised"}
            not json
            {"source":"s","source_event_id":"1","company_name":"Acme","domain":"acme.io","event_type":"funding_raised","event_time":"2026-02-01"}

            """
        try await harness.test { client in
            let response = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                                    body: ndjson(body))
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["status"] == "completed")
            #expect(json.int("inserted") == 2)
            #expect(json.int("skipped_duplicate") == 1)
            #expect(json.int("skipped_invalid") == 0)
            #expect(json.int("errors_count") == 2)
            let errors = json["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(errors.count == 2)
            #expect(errors.first?.hasPrefix("3: event_time: ") == true, "\(errors)")
            #expect(errors.last?.hasPrefix("4: ") == true, "\(errors)")
            #expect(json["error"]?.stringValue == errors.joined(separator: "; "))
            #expect(json.int("job_run_id") != nil)
            // Every key §9.3 binds, in its order (siglog's additions may come between).
            let bound = ["status", "job_run_id", "inserted", "skipped_duplicate", "skipped_invalid", "errors_count", "error"]
            #expect((json.objectValue?.keys ?? []).filter(bound.contains) == bound)
            #expect(json.objectValue?.keys.contains("errors") == true)
        }
        // The upload's spool file is gone.
        let spool = harness.directory.appendingPathComponent("store/spool").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
    }

    @Test("run_ingest?strict=true with a bad line: 200 failed, nothing written; a good body commits")
    func strictIngest() async throws {
        let harness = try ServiceHarness()
        let good = #"{"source":"s","source_event_id":"1","company_name":"Acme","event_type":"funding_raised","event_time":"2026-02-01"}"#
        let before = try harness.head()
        try await harness.test { client in
            let bad = try await client.execute(uri: "/internal/run_ingest?strict=true", method: .post,
                                               headers: internalHeaders(ndjson: true), body: ndjson(good + "\n{\"source\":\"s\"}\n"))
            #expect(bad.status == .ok)
            #expect(bad.json["status"] == "failed")
            #expect(bad.json.int("inserted") == 0)
            #expect(bad.json["error"]?.stringValue?.contains("2: ") == true)
            #expect(try harness.head() == before)
            let ok = try await client.execute(uri: "/internal/run_ingest?strict=true", method: .post,
                                              headers: internalHeaders(ndjson: true), body: ndjson(good + "\n"))
            #expect(ok.json["status"] == "completed")
            #expect(ok.json.int("inserted") == 1)
            let flag = try await client.execute(uri: "/internal/run_ingest?strict=maybe", method: .post,
                                                headers: internalHeaders(ndjson: true), body: ndjson(good))
            #expect(flag.status == .unprocessableContent)
            #expect(flag.detail == "strict must be true or false, got 'maybe'")
        }
    }

    @Test("run_ingest without a body runs the source adapters (the test source here); another body type → 415")
    func ingestWithoutBody() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            let response = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders())
            #expect(response.status == .ok)
            #expect(response.json["status"] == "completed", "\(response.text)")
            #expect(response.json.int("inserted") == TestAdapter.events.count)
            let again = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders())
            #expect(again.json.int("inserted") == 0)
            #expect(again.json.int("skipped_duplicate") == TestAdapter.events.count)
            // The daily aggregation without a body ingests from the sources too.
            let daily = try await client.execute(uri: "/internal/run_daily_aggregation?as_of=2026-02-18", method: .post,
                                                 headers: internalHeaders())
            #expect(daily.json["status"] == "completed")
            #expect(daily.json["ingest_result"]?.int("skipped_duplicate") == TestAdapter.events.count)
            #expect(daily.json.int("ranked_count") == daily.json["ranked_companies"]?.arrayValue?.count)
            var headers = internalHeaders()
            headers[.contentType] = "application/json"
            let json = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: headers, body: ndjson("{}"))
            #expect(json.status == .unsupportedMediaType)
            #expect(json.detail == "The request body must be NDJSON (Content-Type: application/x-ndjson)")
        }
    }

    @Test("a body over the limit → 413 with nothing written; other bodies have their own limit")
    func bodyLimits() async throws {
        let harness = try ServiceHarness {
            $0.ndjsonBodyLimit = 1_000
            $0.bodyLimit = 100
        }
        let line = #"{"source":"s","source_event_id":"ID","company_name":"Acme","event_type":"funding_raised","event_time":"2026-02-01"}"#
        let big = (0..<20).map { line.replacingOccurrences(of: "ID", with: String($0)) }.joined(separator: "\n")
        let before = try harness.head()
        try await harness.test { client in
            let refused = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                                   body: ndjson(big))
            #expect(refused.status == .contentTooLarge)
            #expect(refused.detail == "Request body too large: the limit is 1000 bytes")
            var json = internalHeaders()
            json[.contentType] = "application/json"
            let other = try await client.execute(uri: "/internal/run_score", method: .post, headers: json,
                                                 body: ndjson(String(repeating: " ", count: 101)))
            #expect(other.status == .contentTooLarge)
            #expect(other.detail == "Request body too large: the limit is 100 bytes")
        }
        #expect(try harness.head() == before)
        let spool = harness.directory.appendingPathComponent("store/spool").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
    }

    @Test("a streamed body over the limit stops at the limit, leaves no spool file and is refused with 413")
    func streamedBodyLimit() async throws {
        let harness = try ServiceHarness()
        let store = harness.directory.appendingPathComponent("spool-test")
        let chunks = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<10 { continuation.yield(ByteBuffer(repeating: UInt8(ascii: "x"), count: 400)) }
            continuation.finish()
        }
        let spool = try SpoolDirectory.prepare(store: store.path)
        await #expect(throws: ServiceError.self) {
            _ = try await spool.spool(RequestBody(asyncSequence: chunks), limit: 1_000)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.url.path).isEmpty)
        // Within the limit, the file holds the body.
        let small = AsyncStream<ByteBuffer> { continuation in
            continuation.yield(ByteBuffer(string: "abc\n"))
            continuation.yield(ByteBuffer(string: "def"))
            continuation.finish()
        }
        let spooled = try await spool.spool(RequestBody(asyncSequence: small), limit: 7)
        #expect(try String(contentsOf: spooled.url, encoding: .utf8) == "abc\ndef")
        spooled.remove()
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.url.path).isEmpty)
    }

    @Test("8 concurrent requests with one idempotency key run the stage once and all get its job_run_id (D5)")
    func concurrentIdempotency() async throws {
        let harness = try ServiceHarness()
        let sample = try Repository.sample()
        let responses = try await harness.test { client in
            try await withThrowingTaskGroup(of: JSONValue.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.execute(uri: "/internal/run_ingest", method: .post,
                                                                headers: internalHeaders(key: "nightly-2026-02-28", ndjson: true),
                                                                body: ndjson(sample))
                        #expect(response.status == .ok)
                        return response.json
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(responses.count == 8)
        let ids = Set(responses.compactMap { $0.int("job_run_id") })
        #expect(ids.count == 1)
        #expect(Set(responses.compactMap { $0.int("inserted") }).count == 1)
        #expect((responses.first?.int("inserted") ?? 0) > 0)
        let runs = try harness.store.read { reader in
            try RegistryQueriesCount.jobs(of: .ingest, in: reader)
        }
        #expect(runs == 1)
    }

    @Test("daily aggregation: §9.3's top-level fields, the per-stage results and one batch of job runs")
    func dailyAggregation() async throws {
        let harness = try ServiceHarness()
        let sample = try Repository.sample()
        try await harness.test { client in
            let response = try await client.execute(
                uri: "/internal/run_daily_aggregation?as_of=\(Repository.sampleDay)", method: .post, headers: internalHeaders(ndjson: true),
                body: ndjson(sample))
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["status"] == "completed")
            let keys = json.objectValue?.keys ?? []
            for key in ["status", "job_run_id", "inserted", "companies_scored", "ranked_count", "ranked_companies", "error"] {
                #expect(keys.contains(key), "missing \(key)")
            }
            #expect(json.int("inserted") == json["ingest_result"]?.int("inserted"))
            #expect(json.int("companies_scored") == json["score_result"]?.int("companies_scored"))
            let ranked = json["ranked_companies"]?.arrayValue ?? []
            #expect(json.int("ranked_count") == ranked.count)
            #expect(!ranked.isEmpty)
            #expect(ranked.first?["company_name"]?.stringValue != nil)
            #expect((json.int("inserted") ?? 0) > 0)

            let parent = try #require(json.int("job_run_id"))
            let batch = try await client.execute(uri: "/api/jobs/\(parent)", method: .get, headers: bearer())
            #expect(batch.status == .ok)
            #expect(batch.json["batch_status"] == "completed")
            #expect(batch.json["job_type"] == "daily_aggregation")
            let children = batch.json["children"]?.arrayValue?.compactMap { $0["job_type"]?.stringValue } ?? []
            #expect(children == ["ingest", "derive", "score", "update_lead_feed"])
        }
    }

    @Test("the other stages answer their §9.3 shapes")
    func stageShapes() async throws {
        let harness = try ServiceHarness()
        try await harness.test { client in
            _ = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                         body: ndjson(try Repository.sample()))
            let shapes: [(String, [String])] = [
                ("run_derive", ["status", "job_run_id", "instances_upserted", "events_processed", "events_skipped", "error"]),
                ("run_score", ["status", "job_run_id", "companies_scored", "companies_engagement", "companies_esl_suppressed",
                               "companies_skipped", "error"]),
                ("run_update_lead_feed", ["status", "job_run_id", "rows_upserted", "error"]),
            ]
            for (stage, keys) in shapes {
                let response = try await client.execute(uri: "/internal/\(stage)?as_of=\(Repository.sampleDay)", method: .post,
                                                        headers: internalHeaders(key: "k-\(stage)"))
                #expect(response.status == .ok)
                #expect(response.json["status"] == "completed", "\(stage): \(response.text)")
                #expect((response.json.objectValue?.keys ?? []).filter(keys.contains) == keys)
                // The same key again: the recorded answer, same job run (D5).
                let again = try await client.execute(uri: "/internal/\(stage)?as_of=\(Repository.sampleDay)", method: .post,
                                                     headers: internalHeaders(key: "k-\(stage)"))
                #expect(again.json == response.json)
            }
        }
    }

    @Test("a busy writer → 503 with Retry-After; the stage is not run")
    func busyWriter() async throws {
        let harness = try ServiceHarness { $0.writeQueueLimit = 0; $0.retryAfterSeconds = 7 }
        let gate = Gate()
        let blocker = Task { try await harness.server.writer.submit { gate.wait() } }
        while harness.server.writer.pending == 0 { await Task.yield() }
        let before = try harness.head()
        try await harness.test { client in
            let response = try await client.execute(uri: "/internal/run_derive", method: .post, headers: internalHeaders())
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "7")
            #expect(response.detail == "Stage queue full: 0 requests waiting behind the running stage")
            // An upload is refused before it is spooled.
            let upload = try await client.execute(uri: "/internal/run_ingest", method: .post, headers: internalHeaders(ndjson: true),
                                                  body: ndjson("{}\n"))
            #expect(upload.status == .serviceUnavailable)
            #expect(upload.headers[.retryAfter] == "7")
        }
        gate.open()
        try await blocker.value
        #expect(try harness.head() == before)
    }
}

/// Counts job runs of one type.
enum RegistryQueriesCount {
    static func jobs(of type: JobType, in reader: ViewReader) throws -> Int {
        var count = 0
        try reader.forEachJob { job in
            if job.started.jobType == type { count += 1 }
            return true
        }
        return count
    }
}

/// A door a writer body waits at until the test opens it.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func wait() { semaphore.wait() }
    func open() { semaphore.signal() }
}
