import AsyncHTTPClient
import BoundedWait
import Foundation
import Hummingbird
import SiglogCore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built tools, started as a user would.
enum Tools {
    static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SIGLOG_PACKS_DIR"] = Repository.root.appendingPathComponent("Fixtures/packs").path
        environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"] = "0"
        return environment
    }

    /// Runs `tool` to its end; its status and standard output.
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(tool)
        process.arguments = arguments
        process.environment = environment
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        try BoundedWait.untilExit(process)
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8))
    }
}

/// A `siglog-serve` process on a free 127.0.0.1 port; its stderr goes to a file.
final class ServeProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this value.
    let process: Process
    let port: Int
    let log: URL

    /// Starts the server on `store` with `environment` added and waits for its "listening on" line.
    init(store: String, environment extra: [String: String]) async throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = Tools.binaries.appendingPathComponent("siglog-serve")
        process.arguments = ["--store", store, "--port", "0"]
        process.environment = Tools.environment.merging(extra) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        // Wait for the line naming the port (bounded: a server that never starts fails the test).
        var found: Int?
        for _ in 0..<6_000 where found == nil {
            if let match = (try? String(contentsOf: log, encoding: .utf8))?.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) {
                found = Int(match.1)
            } else if !process.isRunning {
                break
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let found else {
            process.terminate()
            throw ServeError.didNotStart((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        port = found
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: log)
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// What the server wrote to stderr.
    var stderr: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end.
    func stop(_ signal: Int32) throws {
        try BoundedWait.stop(process, signal: signal, within: .seconds(120))
    }

    /// `VmRSS` or `VmHWM` (peak) of the process, in KiB.
    func memory(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kib = Int(line.split(whereSeparator: \.isWhitespace)[1])
        else { throw ServeError.noMemoryFigure(field) }
        return kib
    }

    enum ServeError: Error {
        case didNotStart(String)
        case noMemoryFigure(String)
    }
}

/// Requests to a live server.
enum HTTP {
    struct Reply {
        var status: Int
        var body: String
        var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    }

    enum Method { case get, post }

    static func send(_ method: Method, _ url: String, headers: [(String, String)] = [], body: HTTPClientRequest.Body? = nil)
        async throws -> Reply
    {
        var request = HTTPClientRequest(url: url)
        request.method = method == .get ? .GET : .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = body
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes))
    }

    static let internalToken = "e2e-internal-token"
    static let apiToken = "e2e-api-token"
    static var environment: [String: String] { ["INTERNAL_JOB_TOKEN": internalToken, "SIGLOG_API_TOKEN": apiToken] }
    static func internalHeaders(key: String? = nil) -> [(String, String)] {
        [("X-Internal-Token", internalToken), ("Content-Type", "application/x-ndjson")] + (key.map { [("X-Idempotency-Key", $0)] } ?? [])
    }
    static var apiHeaders: [(String, String)] { [("Authorization", "Bearer \(apiToken)")] }
}

/// NDJSON lines of `count` distinct events (source `upload`).
private func uploadEvents(_ count: Int) -> String {
    (0..<count).map { n in
        #"{"source":"upload","source_event_id":"u-\#(n)","company_name":"Upload Co \#(n % 50)","domain":"upload-\#(n % 50).example","event_type":"funding_raised","event_time":"2026-02-10T00:00:00Z"}"#
    }.joined(separator: "\n") + "\n"
}

/// A body the test releases in two parts: the first at once, the rest when `release()` is called.
private final class HeldBody: Sendable {
    private let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
    private let released = Mutex(false)

    func release() {
        released.withLock { $0 = true }
        gate.withLock { $0?.resume(); $0 = nil }
    }

    func stream(first: ByteBuffer, rest: ByteBuffer) -> AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            let task = Task {
                continuation.yield(first)
                await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                    let go = released.withLock { $0 }
                    if go { waiter.resume() } else { gate.withLock { $0 = waiter } }
                }
                continuation.yield(rest)
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

@Suite("siglog-serve binary", .serialized)
struct ServeProcessTests {
    @Test("end to end: daily aggregation over HTTP, same JSON as siglog-query, kill -9 mid-upload, restart, verify, retry, SIGTERM → 0")
    func endToEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        #expect(try Tools.run("siglog-append", ["init", "--store", store]).status == 0)
        var server = try await ServeProcess(store: store, environment: HTTP.environment)

        let health = try await HTTP.send(.get, server.base + "/healthz")
        #expect(health.status == 200)
        #expect(health.json["status"] == "ok")

        // The daily aggregation a scheduler would run, events in the body.
        let day = Repository.sampleDay
        let daily = try await HTTP.send(.post, server.base + "/internal/run_daily_aggregation?as_of=\(day)", headers: HTTP.internalHeaders(),
                                        body: .bytes(ByteBuffer(string: try Repository.sample())))
        #expect(daily.status == 200)
        #expect(daily.json["status"] == "completed")
        let sampleInserted = try #require(daily.json.int("inserted"))
        #expect(sampleInserted > 0)
        #expect((daily.json.int("ranked_count") ?? 0) > 0)
        let parent = try #require(daily.json.int("job_run_id"))

        // The read API answers exactly what siglog-query prints.
        let pairs: [(String, [String])] = [
            ("/api/lead-feed?as_of=\(day)&threshold=0&limit=50", ["lead-feed", "--as-of", day, "--threshold", "0", "--limit", "50"]),
            ("/api/companies/1", ["company", "1"]),
            ("/api/companies/1/timeline", ["timeline", "1"]),
            ("/api/jobs", ["jobs"]),
            ("/api/jobs/\(parent)", ["job", String(parent)]),
        ]
        for (path, arguments) in pairs {
            let served = try await HTTP.send(.get, server.base + path, headers: HTTP.apiHeaders)
            let printed = try Tools.run("siglog-query", arguments + ["--format", "json", "--store", store])
            #expect(served.status == 200)
            #expect(printed.status == 0)
            #expect(served.body == printed.stdout, "\(path)")
        }

        // An upload killed half-way: nothing of it is written and the log verifies.
        let headBefore = try #require(try await HTTP.send(.get, server.base + "/healthz").json.int("head"))
        let upload = uploadEvents(20_000)
        let bytes = Array(upload.utf8)
        let half = bytes.count / 2
        let held = HeldBody()
        let stream = held.stream(first: ByteBuffer(bytes: bytes[..<half]), rest: ByteBuffer(bytes: bytes[half...]))
        let base = server.base
        let killed = Task {
            try await HTTP.send(.post, base + "/internal/run_ingest", headers: HTTP.internalHeaders(key: "upload-1"),
                                body: .stream(stream, length: .unknown))
        }
        let spool = URL(fileURLWithPath: store).appendingPathComponent("spool")
        var spooled = 0
        for _ in 0..<6_000 where spooled < half {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []
            spooled = files.compactMap { name in
                (try? FileManager.default.attributesOfItem(atPath: spool.appendingPathComponent(name).path)[.size] as? NSNumber)?.intValue
            }.max() ?? 0
            if spooled < half { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(spooled >= half, "the first half reached the server's spool file")
        try server.stop(SIGKILL)
        held.release()
        let outcome = await killed.result
        if case .success(let reply) = outcome { Issue.record("the killed upload was answered: \(reply.status) \(reply.body)") }

        let verify = try Tools.run("siglog-query", ["verify", "--format", "json", "--store", store])
        #expect(verify.status == 0)
        let report = try JSONParser.parse(verify.stdout)
        #expect(report["sound"] == true)
        #expect(report.int("head") == headBefore)

        // Restarted: the leftover spool file is gone; the retried upload ingests everything once.
        server = try await ServeProcess(store: store, environment: HTTP.environment)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).isEmpty)
        let retried = try await HTTP.send(.post, server.base + "/internal/run_ingest", headers: HTTP.internalHeaders(key: "upload-1"),
                                          body: .bytes(ByteBuffer(string: upload)))
        #expect(retried.status == 200)
        #expect(retried.json["status"] == "completed")
        #expect(retried.json.int("inserted") == 20_000)
        #expect(retried.json.int("errors_count") == 0)
        let again = try await HTTP.send(.post, server.base + "/internal/run_ingest", headers: HTTP.internalHeaders(key: "upload-1"),
                                        body: .bytes(ByteBuffer(string: upload)))
        #expect(again.json == retried.json)
        let unkeyed = try await HTTP.send(.post, server.base + "/internal/run_ingest", headers: HTTP.internalHeaders(),
                                          body: .bytes(ByteBuffer(string: upload)))
        #expect(unkeyed.json.int("inserted") == 0)
        #expect(unkeyed.json.int("skipped_duplicate") == 20_000)

        // The end state: the sample's events and the upload's, each once, and a sound log.
        let stats = try await HTTP.send(.get, server.base + "/api/stats", headers: HTTP.apiHeaders)
        #expect(stats.json["records_by_type"]?.int("event_stored") == sampleInserted + 20_000)
        let jobs = try await HTTP.send(.get, server.base + "/api/jobs?type=ingest", headers: HTTP.apiHeaders)
        #expect(jobs.json.arrayValue?.count == 3, "the daily aggregation's ingest, the retried upload, the unkeyed one")
        #expect(try Tools.run("siglog-query", ["verify", "--store", store]).status == 0)

        // SIGTERM: a graceful stop, exit 0; the access log has one line per request.
        try server.stop(SIGTERM)
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        let accessLines = server.stderr.split(separator: "\n").filter { $0.contains("request") && $0.contains("method=") }
        #expect(accessLines.count == 5)
        #expect(accessLines.filter { $0.contains("job_run_id=") }.count == 3)
        #expect(!server.stderr.contains(HTTP.internalToken))
        #expect(!server.stderr.contains(HTTP.apiToken))
    }

    @Test("SIGTERM during a running ingest: the stage finishes and is recorded, the client gets its answer, exit 0")
    func gracefulShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-term-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        #expect(try Tools.run("siglog-append", ["init", "--store", store]).status == 0)
        let server = try await ServeProcess(store: store, environment: HTTP.environment)
        let base = server.base
        let count = 40_000
        // Small transactions (each one durable), so the run is seen running well before it ends.
        let ingest = Task {
            try await HTTP.send(.post, base + "/internal/run_ingest?batch_size=200", headers: HTTP.internalHeaders(),
                                body: .bytes(ByteBuffer(string: uploadEvents(count))))
        }
        var running: [JSONValue] = []
        for _ in 0..<6_000 where running.isEmpty {
            running = try await HTTP.send(.get, base + "/api/jobs?type=ingest&status=running", headers: HTTP.apiHeaders).json.arrayValue ?? []
            if running.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        let runID = try #require(running.first?.int("id"), "the ingest was seen running")
        try server.stop(SIGTERM)
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0)
        let answer = try await ingest.value
        #expect(answer.status == 200)
        #expect(answer.json["status"] == "completed")
        #expect(answer.json.int("job_run_id") == runID)
        #expect(answer.json.int("inserted") == count)
        let recorded = try Tools.run("siglog-query", ["job", String(runID), "--format", "json", "--store", store])
        #expect(try JSONParser.parse(recorded.stdout)["status"] == "completed")
    }

    @Test("a 300 MiB streamed NDJSON body gets 413 without the server's peak memory reaching twice its idle size")
    func hugeBody() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-serve-big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        #expect(try Tools.run("siglog-append", ["init", "--store", store]).status == 0)
        let server = try await ServeProcess(store: store, environment: HTTP.environment)
        // Warm up the paths the upload takes, then take the idle size.
        for _ in 0..<3 {
            _ = try await HTTP.send(.post, server.base + "/internal/run_ingest", headers: HTTP.internalHeaders(),
                                    body: .bytes(ByteBuffer(string: uploadEvents(200))))
            _ = try await HTTP.send(.get, server.base + "/healthz")
        }
        let head = try await HTTP.send(.get, server.base + "/healthz").json.int("head")
        let idle = try server.memory("VmRSS")

        let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
        let chunks = AsyncStream<ByteBuffer> { continuation in
            for _ in 0..<300 { continuation.yield(chunk) }
            continuation.finish()
        }
        let reply = try await HTTP.send(.post, server.base + "/internal/run_ingest", headers: HTTP.internalHeaders(),
                                        body: .stream(chunks, length: .unknown))
        #expect(reply.status == 413)
        #expect(reply.json["detail"] == "Request body too large: the limit is 268435456 bytes")
        let peak = try server.memory("VmHWM")
        #expect(peak < 2 * idle, "peak \(peak) KiB against idle \(idle) KiB")
        #expect(try await HTTP.send(.get, server.base + "/healthz").json.int("head") == head)
        let spool = URL(fileURLWithPath: store).appendingPathComponent("spool").path
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
        try server.stop(SIGTERM)
        #expect(server.process.terminationStatus == 0)
    }
}
