import BoundedWait
import EventLog
import FixtureServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Pipeline
import Projections
import QueueService
import ReadModel
import SignalPacks
import SiglogCore
import SiglogService
import StageQueue
import StageWorkers
import Testing

/// A store with three companies (ids 1–3: alpha, beta, gamma `.example`), the default workspace
/// and pack and workspace B, a stage chain file, and a server over it with the queue routes.
final class QueueHarness: Sendable {
    static let secret = "webhook-secret-0123456789abcdef"
    static let domains = ["alpha.example", "beta.example", "gamma.example"]
    /// `intel` (http to an address nothing listens on, unless a test gives one) → `messaging` (noop).
    static func chainText(intelURL: String = "http://127.0.0.1:9/intel", trigger: String? = nil) -> String {
        """
        defaults: {max_retries: 2, stuck_timeout: 10m, poll_interval: 20ms, completion_poll_interval: 10m, batch_size: 5}
        stages:
          - {name: intel, next: messaging, handler: {type: http, url: "\(intelURL)", timeout: 10s}}
          - {name: messaging, handler: {type: noop}}
        """ + (trigger.map { "\ntrigger: {band_in: [\($0)], stage: intel}\n" } ?? "\n")
    }

    let directory: URL
    let runner: StageRunner
    let server: SiglogServer
    let secret: String?
    let chainPath: String

    init(chain: String = QueueHarness.chainText(), secret: String? = QueueHarness.secret) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chainPath = directory.appendingPathComponent("stages.yaml").path
        try Data(chain.utf8).write(to: URL(fileURLWithPath: chainPath))
        let store = try Store(path: directory.appendingPathComponent("store").path, mode: .create, durable: false)
        runner = StageRunner(store: store, rateLimitPerHour: 0, stageChain: try StageChainLoader.load(path: chainPath))
        _ = try runner.initialize(bundledPack: try PackLoader.bundledDefault())
        _ = try runner.createWorkspace(name: "B", id: Secrets.workspaceB, pack: nil)
        let events = directory.appendingPathComponent("companies.ndjson")
        try Data(Self.domains.enumerated().map { index, domain in
            #"{"source":"test","source_event_id":"q-\#(index)","company_name":"\#(domain.prefix { $0 != "." }.capitalized)","domain":"\#(domain)","event_type":"funding_raised","event_time":"2026-02-10T00:00:00Z"}"#
        }.joined(separator: "\n").utf8).write(to: events)
        let input = try FileHandle(forReadingFrom: events)
        defer { try? input.close() }
        let ingested = try runner.ingest(from: input, options: IngestOptions(inputName: "companies.ndjson"))
        try #require(ingested.inserted == 3, "the three companies were ingested")
        var tokens = APITokens()
        tokens.add(Secrets.apiToken, access: .all)
        tokens.add(Secrets.scopedToken, access: .only([Secrets.workspaceB]))
        server = try SiglogServer(runner: runner, configuration: ServiceConfiguration(internalToken: Secrets.internalToken, apiTokens: tokens))
        self.secret = secret
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var store: Store { runner.store }
    var storePath: String { directory.appendingPathComponent("store").path }
    var chain: StageChain { runner.stageChain! }

    /// Runs `body` with a test client of the router with the queue routes; `workers` run beside
    /// it in the application's service group and are shut down gracefully when `body` returns.
    func test<T: Sendable>(workers: StageWorkersService? = nil, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let secret = self.secret
        let router = server.makeRouter { [server] router in server.addQueueRoutes(to: router, webhookSecret: secret) }
        var logger = Logger(label: "siglog.test")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                              services: workers.map { [$0] } ?? [], logger: logger)
        return try await app.test(.router) { client in try await body(client) }
    }

    func id(_ domain: String) throws -> Int64 { try store.read { try $0.company(.domain(domain)).id } }

    func state(_ company: Int64, _ stage: String, workspace: UUID = WellKnownIDs.defaultWorkspace) throws -> StageState {
        try store.read { try $0.stageState(StageSubject(workspace: workspace, company: company, stage: stage)) }
    }

    func head() throws -> UInt64 { try store.log.head() }

    /// Queues `intel` for `company` and records it accepted as `jobID` (a service answered 202).
    func accept(_ company: Int64, jobID: String) throws {
        _ = try runner.enqueue(stage: "intel", companies: [company], workspace: WellKnownIDs.defaultWorkspace)
        let item = try #require(try runner.claim(stage: "intel", limit: 1, worker: "w").first)
        _ = try runner.record([(item, .accepted(jobID: jobID))], chain: chain)
    }
}

/// A completion webhook body.
func completionBody(company: Int64, job: String, status: String = "completed", stage: String = "intel") -> ByteBuffer {
    ByteBuffer(string: #"{"stage":"\#(stage)","company_id":\#(company),"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"\#(job)","status":"\#(status)","result":{"brief":"for \#(company)"},"error":"the service gave up"}"#)
}

/// Headers of a webhook request: `X-Signature` when given.
func signed(_ signature: String?) -> HTTPFields {
    var headers: HTTPFields = [.contentType: "application/json"]
    if let signature { headers[HTTPField.Name("X-Signature")!] = signature }
    return headers
}

func signature(_ body: ByteBuffer, secret: String = QueueHarness.secret) -> String {
    WebhookSignature.sign(body: Array(body.readableBytesView), secret: secret)
}

@Suite("siglog-serve stage queue: webhook, enqueue, queue reads, workers in the server")
struct QueueRouteTests {
    @Test("POST /hooks/job-complete: missing, wrong, near-miss or other-key signatures and tampered bodies → 401, nothing changes")
    func webhookRefused() async throws {
        let harness = try QueueHarness()
        try harness.accept(1, jobID: "J1")
        let head = try harness.head()
        let body = completionBody(company: 1, job: "J1")
        let good = signature(body)
        var lastDigit = Array(good.utf8)
        lastDigit[lastDigit.count - 1] = lastDigit[lastDigit.count - 1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        let nearMiss = lastDigit
        var changed = Array(body.readableBytesView)
        changed[changed.count - 3] ^= 0x01
        let tampered = changed
        try await harness.test { client in
            let refusals: [(HTTPFields, ByteBuffer)] = [
                (signed(nil), body), (signed(""), body), (signed("sha256="), body), (signed(String(good.dropFirst(7))), body),
                (signed(String(decoding: nearMiss, as: UTF8.self)), body), (signed(signature(body, secret: "other")), body),
                (signed(good), ByteBuffer(bytes: tampered)), (signed(good + "00"), body),
            ]
            for (headers, body) in refusals {
                let response = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: headers, body: body)
                #expect(response.status == .unauthorized)
                #expect(response.detail == "Invalid signature")
            }
        }
        #expect(try harness.head() == head)
        #expect(try harness.state(1, "intel").status == .started)
        #expect(try harness.state(1, "intel").jobID == "J1")
    }

    @Test("POST /hooks/job-complete without WEBHOOK_SECRET: 401 whatever the signature, nothing changes")
    func webhookWithoutSecret() async throws {
        for secret in [String?.none, ""] {
            let harness = try QueueHarness(secret: secret)
            try harness.accept(1, jobID: "J1")
            let head = try harness.head()
            let body = completionBody(company: 1, job: "J1")
            try await harness.test { client in
                for headers in [signed(nil), signed(signature(body)), signed(WebhookSignature.sign(body: Array(body.readableBytesView), secret: "x"))] {
                    let response = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: headers, body: body)
                    #expect(response.status == .unauthorized)
                    #expect(response.detail == "Webhook secret not configured")
                }
            }
            #expect(try harness.head() == head)
        }
    }

    @Test("POST /hooks/job-complete signed: completes, advances the chain; again or for a stale job → 200, nothing changes")
    func webhookCompletes() async throws {
        let harness = try QueueHarness()
        try harness.accept(1, jobID: "J1")
        try harness.accept(2, jobID: "J2")
        try await harness.test { client in
            // No internal token: the signature is the authentication here.
            let body = completionBody(company: 1, job: "J1")
            let first = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(body)), body: body)
            #expect(first.status == .ok)
            #expect(first.json == .object(["status": "ok", "changed": true]))
            let state = try harness.state(1, "intel")
            #expect(state.status == .completed && state.result == .object(["brief": "for 1"]))
            #expect(try harness.state(1, "messaging").status == .queued)

            let head = try harness.head()
            let again = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(body)), body: body)
            #expect(again.status == .ok && again.json["changed"] == false)
            for stale in [completionBody(company: 2, job: "J1"), completionBody(company: 1, job: "J0", status: "failed"),
                          completionBody(company: 3, job: "J3")] {
                let response = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(stale)), body: stale)
                #expect(response.status == .ok && response.json["changed"] == false)
            }
            #expect(try harness.head() == head)
            #expect(try harness.state(2, "intel").status == .started)

            // A signed failure fails the stage (hard: no `retriable`).
            let failure = completionBody(company: 2, job: "J2", status: "failed")
            let failed = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(failure)), body: failure)
            #expect(failed.status == .ok && failed.json["changed"] == true)
            #expect(try harness.state(2, "intel").status == .failed && harness.state(2, "intel").error == "the service gave up")

            // Signed but malformed, or an unknown stage: 422, nothing changes.
            let headAfter = try harness.head()
            for bad in [ByteBuffer(string: #"{"stage":"intel"}"#), completionBody(company: 1, job: "J1", stage: "nope"), ByteBuffer(string: "[")] {
                let response = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(bad)), body: bad)
                #expect(response.status == .unprocessableContent)
            }
            #expect(try harness.head() == headAfter)
        }
    }

    @Test("POST /internal/queue/enqueue: internal token rules, companies by id or domain, errors, through the writer")
    func enqueue() async throws {
        let harness = try QueueHarness()
        let head = try harness.head()
        try await harness.test { client in
            let body = ByteBuffer(string: #"{"stage":"intel","company_ids":[1,"beta.example"]}"#)
            let missing = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(token: nil), body: body)
            #expect(missing.status == .unprocessableContent && missing.detail == "Missing header: X-Internal-Token")
            let wrong = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(token: "nope"), body: body)
            #expect(wrong.status == .forbidden && wrong.detail == "Invalid internal token")
            #expect(try harness.head() == head)

            let queued = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(), body: body)
            #expect(queued.status == .ok)
            #expect(queued.json["stage"] == "intel" && queued.json["workspace_id"] == "00000000-0000-0000-0000-000000000001")
            #expect(queued.json["queued_company_ids"] == .array([1, .int(try harness.id("beta.example"))]))
            #expect(queued.json.int("unchanged") == 0)
            #expect(try harness.state(1, "intel").status == .queued && harness.state(2, "intel").status == .queued)
            let again = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(), body: body)
            #expect(again.json.int("queued") == 0 && again.json.int("unchanged") == 2)

            let head = try harness.head()
            let refusals: [(String, HTTPResponse.Status, String)] = [
                (#"{"stage":"nope","company_ids":[1]}"#, .unprocessableContent, "Unknown stage: nope (the chain has: intel, messaging)"),
                (#"{"stage":"intel","company_ids":[99]}"#, .notFound, ""),
                (#"{"stage":"intel","company_ids":["nowhere.example"]}"#, .notFound, ""),
                (#"{"stage":"intel"}"#, .unprocessableContent, "give exactly one of company_ids and bands"),
                (#"{"stage":"intel","bands":["SOMETIMES"]}"#, .unprocessableContent, ""),
                (#"{"stage":"intel","company_ids":[1],"workspace_id":"11111111-2222-4333-8444-555555555555"}"#, .notFound, ""),
                ("not json", .unprocessableContent, ""),
            ]
            for (text, status, detail) in refusals {
                let response = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(),
                                                        body: ByteBuffer(string: text))
                #expect(response.status == status, "\(text): \(response.text)")
                if !detail.isEmpty { #expect(response.detail == detail) }
            }
            #expect(try harness.head() == head)

            // The writes go through the server's writer: once it closes, enqueue is refused.
            harness.server.writer.beginClosing()
            let closing = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(),
                                                   body: ByteBuffer(string: #"{"stage":"intel","company_ids":[3]}"#))
            #expect(closing.status == .serviceUnavailable && closing.detail == "The server is shutting down")
            #expect(closing.headers[.retryAfter] == "5")
            #expect(try harness.state(3, "intel").status == .pending)
        }
    }

    @Test("the chain's band trigger applies to the server's lead feed; enqueue by band finds the same companies")
    func bands() async throws {
        // The bundled pack ranks two sample companies WATCH on the sample day (none HIGH_PRIORITY).
        let harness = try QueueHarness(chain: QueueHarness.chainText(trigger: "WATCH"))
        try await harness.test { client in
            let day = Repository.sampleDay
            let daily = try await client.execute(uri: "/internal/run_daily_aggregation?as_of=\(day)", method: .post,
                                                 headers: internalHeaders(ndjson: true), body: ndjson(try Repository.sample()))
            #expect(daily.json["status"] == "completed", "\(daily.text)")
            let depth = try await client.execute(uri: "/api/queue", method: .get, headers: bearer())
            let triggered = try #require(depth.json.arrayValue?.first?.int("queued"))
            #expect(triggered > 0, "the sample has WATCH companies on \(day)")
            let body = ByteBuffer(string: #"{"stage":"intel","bands":["WATCH"],"as_of":"\#(day)"}"#)
            let byBand = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(), body: body)
            #expect(byBand.status == .ok)
            #expect(byBand.json.int("queued") == 0 && byBand.json.int("unchanged") == triggered)
        }
    }

    @Test("GET /api/queue and /api/companies/{id}/stages: bearer rules, and the JSON siglog-query prints")
    func reads() async throws {
        let harness = try QueueHarness()
        try harness.accept(1, jobID: "J1")
        _ = try harness.runner.enqueue(stage: "intel", companies: [2], workspace: WellKnownIDs.defaultWorkspace)
        let printedQueue = try Tools.run("siglog-query", ["queue", "--store", harness.storePath, "--chain", harness.chainPath, "--format", "json"])
        let printedStages = try Tools.run("siglog-query", ["stages", "alpha.example", "--store", harness.storePath, "--chain", harness.chainPath,
                                                           "--format", "json"])
        #expect(printedQueue.status == 0 && printedStages.status == 0)
        try await harness.test { client in
            for path in ["/api/queue", "/api/companies/1/stages"] {
                let anonymous = try await client.execute(uri: path, method: .get)
                #expect(anonymous.status == .unauthorized)
                let scoped = try await client.execute(uri: path, method: .get, headers: bearer(Secrets.scopedToken))
                #expect(scoped.status == .forbidden)
            }
            let workspaceB = try await client.execute(uri: "/api/queue?workspace_id=\(Secrets.workspaceB.uuidString)", method: .get,
                                                      headers: bearer(Secrets.scopedToken))
            #expect(workspaceB.status == .ok)
            #expect(workspaceB.json.arrayValue?.map { $0.int("queued") } == [0, 0])

            // Ages differ by the time between the two reads; everything else is the same.
            func withoutAge(_ value: JSONValue) -> [JSONValue] {
                (value.arrayValue ?? []).map { row in
                    guard case .object(var object) = row else { return row }
                    object["oldest_queued_age_seconds"] = nil
                    return .object(object)
                }
            }
            let served = try await client.execute(uri: "/api/queue", method: .get, headers: bearer())
            #expect(served.status == .ok)
            let printed = try JSONParser.parse(printedQueue.stdout)
            #expect(withoutAge(served.json) == withoutAge(printed))
            #expect(withoutAge(served.json).count == 2)
            #expect(served.json.arrayValue?.first?.int("queued") == 1 && served.json.arrayValue?.first?.int("started") == 1)
            #expect(served.json.arrayValue?.first?["oldest_queued_age_seconds"]?.numberValue != nil)

            for path in ["/api/companies/1/stages", "/api/companies/alpha.example/stages"] {
                let stages = try await client.execute(uri: path, method: .get, headers: bearer())
                #expect(stages.status == .ok)
                #expect(stages.text == printedStages.stdout, "\(path)")
                #expect(stages.json.arrayValue?.map { $0["status"] } == ["started", "pending"])
            }
            let unknown = try await client.execute(uri: "/api/companies/99/stages", method: .get, headers: bearer())
            #expect(unknown.status == .notFound)
        }
    }

    @Test("workers inside the server: http stage accepted (202), completed by the signed webhook, next stage by a built-in worker; shutdown stops them")
    func workersInServer() async throws {
        try await FixtureServer.with({ request in
            // POST /intel → 202 with a job id per company; polling says the job still runs.
            if request.method == "POST" {
                let company = (try? JSONParser.parse(request.body))?["company_id"]?.numberValue.map { Int($0) } ?? 0
                return Reply(status: 202, body: #"{"job_id":"job-\#(company)"}"#)
            }
            return Reply(status: 200, body: #"{"status":"running"}"#)
        }) { fixture, base in
            let harness = try QueueHarness(chain: QueueHarness.chainText(intelURL: base + "/intel"))
            var logger = Logger(label: "siglog.worker")
            logger.logLevel = .critical
            let workers = try StageWorkersService(runner: harness.runner, assignments: WorkerAssignment.parse("intel:2,messaging"),
                                                  logger: logger)
            try await harness.test(workers: workers) { client in
                let enqueue = try await client.execute(uri: "/internal/queue/enqueue", method: .post, headers: internalHeaders(),
                                                       body: ByteBuffer(string: #"{"stage":"intel","company_ids":[1,2,3]}"#))
                #expect(enqueue.json.int("queued") == 3)
                // The intel worker posts each company; the service accepts them.
                try await waitFor { try (1...3).allSatisfy { try harness.state(Int64($0), "intel").jobID != nil } }
                #expect(Set(fixture.requests.filter { $0.method == "POST" }.map(\.path)) == ["/intel"])
                for company in Int64(1)...3 {
                    let body = completionBody(company: company, job: "job-\(company)")
                    let response = try await client.execute(uri: "/hooks/job-complete", method: .post, headers: signed(signature(body)), body: body)
                    #expect(response.json["changed"] == true)
                }
                // The messaging worker completes the next stage.
                try await waitFor { try (1...3).allSatisfy { try harness.state(Int64($0), "messaging").status == .completed } }
                let depth = try await client.execute(uri: "/api/queue", method: .get, headers: bearer())
                #expect(depth.json.arrayValue?.map { $0.int("completed") } == [3, 3])
            }
            // The service group has shut down: the workers are gone, so a new item stays queued.
            _ = try harness.runner.enqueue(stage: "messaging", companies: [1], workspace: WellKnownIDs.defaultWorkspace)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try harness.state(1, "messaging").status == .queued)
            for company in Int64(1)...3 {
                #expect(try harness.state(company, "intel").result == .object(["brief": .string("for \(company)")]))
            }
            #expect(fixture.requests.filter { $0.method == "POST" }.count == 3, "each company posted once")
        }
    }
}

extension QueueServeProcessTests {
    @Test("SIGTERM with an exec attempt in hand: the server's worker finishes it, gives the unstarted claims back (no retry), exits 0")
    func sigtermReleases() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        #expect(try Tools.run("siglog-append", ["init", "--store", store]).status == 0)
        let events = directory.appendingPathComponent("events.ndjson")
        try Data((1...5).map { n in
            #"{"source":"test","source_event_id":"r-\#(n)","company_name":"Release Co \#(n)","domain":"release-\#(n).example","event_type":"funding_raised","event_time":"2026-02-10T00:00:00Z"}"#
        }.joined(separator: "\n").utf8).write(to: events)
        #expect(try Tools.run("siglog-append", ["events", events.path, "--store", store]).status == 0)
        let started = directory.appendingPathComponent("started").path
        let script = directory.appendingPathComponent("slow.sh").path
        // The handler holds its attempt until the test opens the gate: once the server has said
        // its workers are stopping, so no second attempt can start whatever the machine's speed.
        let gate = directory.appendingPathComponent("gate").path
        try Data("#!/bin/sh\ncat > /dev/null\necho $SIGLOG_COMPANY_ID >> \(started)\nwhile [ ! -e \(gate) ]; do sleep 0.02; done\necho '{\"done\": true}'\n".utf8)
            .write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        let chain = directory.appendingPathComponent("stages.yaml").path
        try Data("""
            defaults: {poll_interval: 20ms, batch_size: 5}
            stages:
              - {name: slow, handler: {type: exec, command: [\(script)], timeout: 60s}}
            """.utf8).write(to: URL(fileURLWithPath: chain))
        let extra = ["SIGLOG_STAGE_CHAIN": chain, "SIGLOG_WORKERS": "slow:1"]
        let server = try await ServeProcess(store: store, environment: HTTP.environment.merging(extra) { $1 })
        let enqueue = try await HTTP.send(.post, server.base + "/internal/queue/enqueue",
                                          headers: [("X-Internal-Token", HTTP.internalToken), ("Content-Type", "application/json")],
                                          body: .bytes(ByteBuffer(string: #"{"stage":"slow","company_ids":[1,2,3,4,5]}"#)))
        #expect(enqueue.json.int("queued") == 5)
        // One attempt runs (the batch of five is claimed); stop the server meanwhile.
        let deadline = ContinuousClock.now + .seconds(300)
        while ((try? String(contentsOfFile: started, encoding: .utf8)) ?? "").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(server.process.processIdentifier, SIGTERM)
        try await waitFor { server.stderr.contains("workers stopping") }
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        try BoundedWait.untilExit(server.process, within: .seconds(120), "siglog-serve after SIGTERM")
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        let ran = try String(contentsOfFile: started, encoding: .utf8).split(separator: "\n")
        #expect(ran.count == 1, "one attempt ran: \(ran)")
        let reader = try Store.openForReading(path: store)
        let states = try (Int64(1)...5).map { id in
            try reader.read { try $0.stageState(StageSubject(workspace: WellKnownIDs.defaultWorkspace, company: id, stage: "slow")) }
        }
        #expect(states.filter { $0.status == .completed }.count == 1, "the running attempt finished and was recorded")
        #expect(states.filter { $0.status == .completed }.first?.result == .object(["done": true]))
        #expect(states.filter { $0.status == .queued }.count == 4, "the unstarted claims went back to queued")
        #expect(states.allSatisfy { $0.retryCount == 0 }, "releasing counts no retry")
    }
}

@Suite("siglog-serve --workers")
struct WorkerAssignmentTests {
    @Test("STAGE[:N], comma-separated; bad forms refused with the option's name")
    func parse() throws {
        #expect(try WorkerAssignment.parse("intel") == [WorkerAssignment(stage: "intel")])
        #expect(try WorkerAssignment.parse("scrape:4, intel:1,messaging")
            == [WorkerAssignment(stage: "scrape", concurrency: 4), WorkerAssignment(stage: "intel"), WorkerAssignment(stage: "messaging")])
        for bad in ["", ":2", "intel:0", "intel:-1", "intel:x", "a:1:2", ","] {
            #expect(throws: InvalidValue.self, "\(bad)") { try WorkerAssignment.parse(bad) }
        }
    }

    @Test("workers need a chain, stages of it, and a store that is not a replica")
    func needsChain() throws {
        let harness = try QueueHarness()
        let logger = Logger(label: "siglog.worker")
        #expect(throws: InvalidValue("--workers: unknown stage 'nope' (the chain has: intel, messaging)")) {
            try StageWorkersService(runner: harness.runner, assignments: [WorkerAssignment(stage: "nope")], logger: logger)
        }
        let noChain = StageRunner(store: harness.store, rateLimitPerHour: 0)
        #expect(throws: InvalidValue("--workers needs a stage chain: give --chain FILE or put stages.yaml in the store")) {
            try StageWorkersService(runner: noChain, assignments: [WorkerAssignment(stage: "intel")], logger: logger)
        }
        // A read-only replica takes no worker: its records come from its stream only.
        try harness.store.log.write { try $0.setMetadata(EventLog.replicaKey, ReplicaMarker(stream: "s", consumer: "c", servers: []).bytes) }
        #expect(throws: InvalidValue("--workers: the store at \(harness.storePath) is a read-only replica; run the workers on the writer")) {
            try StageWorkersService(runner: harness.runner, assignments: [WorkerAssignment(stage: "intel")], logger: logger)
        }
    }
}

/// Waits (up to five minutes: a busy machine can be slow) until `condition` holds.
func waitFor(_ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(300)
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met in time")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

@Suite("siglog-serve binary with stage workers", .serialized)
struct QueueServeProcessTests {
    @Test("siglog-serve with SIGLOG_WORKERS: enqueue over HTTP, workers in the server finish the chain, /api/queue as siglog-query, SIGTERM → 0")
    func workersInServeProcess() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-workers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        #expect(try Tools.run("siglog-append", ["init", "--store", store]).status == 0)
        let companies = 40
        let events = directory.appendingPathComponent("events.ndjson")
        try Data((1...companies).map { n in
            #"{"source":"test","source_event_id":"w-\#(n)","company_name":"Worker Co \#(n)","domain":"worker-\#(n).example","event_type":"funding_raised","event_time":"2026-02-10T00:00:00Z"}"#
        }.joined(separator: "\n").utf8).write(to: events)
        #expect(try Tools.run("siglog-append", ["events", events.path, "--store", store]).status == 0)
        let chain = directory.appendingPathComponent("stages.yaml").path
        try Data("""
            defaults: {poll_interval: 20ms, batch_size: 5}
            stages:
              - {name: first, next: second, handler: {type: noop}}
              - {name: second, handler: {type: noop}}
            """.utf8).write(to: URL(fileURLWithPath: chain))
        let extra: [String: String] = ["SIGLOG_STAGE_CHAIN": chain, "SIGLOG_WORKERS": "first:2,second", "WEBHOOK_SECRET": QueueHarness.secret]
        let server = try await ServeProcess(store: store, environment: HTTP.environment.merging(extra) { $1 })
        let json: [(String, String)] = [("X-Internal-Token", HTTP.internalToken), ("Content-Type", "application/json")]
        let ids = (1...companies).map(String.init).joined(separator: ",")
        let enqueue = try await HTTP.send(.post, server.base + "/internal/queue/enqueue", headers: json,
                                          body: .bytes(ByteBuffer(string: #"{"stage":"first","company_ids":[\#(ids)]}"#)))
        #expect(enqueue.status == 200, "\(enqueue.body)")
        #expect(enqueue.json.int("queued") == companies)
        var depth = HTTP.Reply(status: 0, body: "")
        let deadline = ContinuousClock.now + .seconds(300)
        repeat {
            try await Task.sleep(for: .milliseconds(50))
            depth = try await HTTP.send(.get, server.base + "/api/queue", headers: HTTP.apiHeaders)
        } while depth.json.arrayValue?.last?.int("completed") != companies && ContinuousClock.now < deadline
        #expect(depth.status == 200)
        #expect(depth.json.arrayValue?.map { $0.int("completed") } == [companies, companies], "\(depth.body)")
        // Nothing queued: no age, so the JSON is byte for byte what siglog-query prints.
        let printed = try Tools.run("siglog-query", ["queue", "--store", store, "--chain", chain, "--format", "json"])
        #expect(depth.body == printed.stdout)
        // A forged webhook changes nothing on the live server either.
        let forged = try await HTTP.send(.post, server.base + "/hooks/job-complete", headers: [("X-Signature", "sha256=" + String(repeating: "0", count: 64))],
                                         body: .bytes(ByteBuffer(string: #"{"stage":"first","company_id":1,"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"x","status":"completed"}"#)))
        #expect(forged.status == 401)

        try server.stop(SIGTERM)
        #expect(server.process.terminationStatus == 0, "\(server.stderr)")
        #expect(server.stderr.components(separatedBy: "worker stopped").count - 1 == 2, "\(server.stderr)")
        #expect(try Tools.run("siglog-query", ["verify", "--store", store]).status == 0)
        #expect(try Tools.run("siglog-replay", ["--store", store, "--verify"]).status == 0)
    }
}
