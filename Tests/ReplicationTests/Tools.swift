import BoundedWait
import EventLog
import Foundation
import SiglogCore

/// Runs the built tools (found next to the test bundle) in a temporary directory.
final class ToolBox: @unchecked Sendable {
    static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The test tier: `full` (tools/test --full) or the short CI tier.
    static var isFullTier: Bool { ProcessInfo.processInfo.environment["SIGLOG_TEST_TIER"] == "full" }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: JSONValue? { try? JSONParser.parse(stdout.split(separator: "\n").last.map(String.init) ?? "") }
    }

    struct Failed: Error, CustomStringConvertible { var description: String }

    let directory: URL
    private var started: [Process] = []
    private let lock = NSLock()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Kills every process this box started that still runs, then removes the directory.
    func cleanUp() {
        for process in lock.withLock({ started }) where process.isRunning { try? BoundedWait.kill(process) }
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A process of `tool` with output to files (started by `start`, waited for by `finish`).
    final class Running: @unchecked Sendable {
        let process: Process
        let out: URL
        let err: URL
        init(process: Process, out: URL, err: URL) {
            self.process = process
            self.out = out
            self.err = err
        }

        func finish() throws -> Run {
            try BoundedWait.untilExit(process)
            return Run(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
        }

        /// SIGTERM: a `--follow` run finishes the work in hand and exits.
        func stop() { process.terminate() }

        func kill() throws { try BoundedWait.kill(process) }

        var isRunning: Bool { process.isRunning }
    }

    func start(_ tool: String, _ arguments: [String]) throws -> Running {
        let process = Process()
        process.executableURL = Self.binaries.appendingPathComponent(tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SIGLOG_PACKS_DIR"] = Self.root.appendingPathComponent("Fixtures/packs").path
        environment.removeValue(forKey: "WORKSPACE_JOB_RATE_LIMIT_PER_HOUR")
        process.environment = environment
        let out = directory.appendingPathComponent("\(UUID().uuidString).out")
        let err = directory.appendingPathComponent("\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        lock.withLock { started.append(process) }
        return Running(process: process, out: out, err: err)
    }

    @discardableResult
    func run(_ tool: String, _ arguments: [String]) throws -> Run {
        try start(tool, arguments).finish()
    }

    /// Runs and fails unless the tool exits 0.
    @discardableResult
    func must(_ tool: String, _ arguments: [String]) throws -> Run {
        let run = try run(tool, arguments)
        guard run.status == 0 else {
            throw Failed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(run.status): \(run.stderr)")
        }
        return run
    }

    /// Writes `count` generated events (tools/bench/generate-events) to a file and returns its path.
    func events(_ count: Int, seed: Int, name: String) throws -> String {
        let output = path(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("tools/bench/generate-events").path,
                             "--events", "\(count)", "--companies", "\(max(count / 10, 50))", "--seed", "\(seed)"]
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        try BoundedWait.untilExit(process, "generate-events --events \(count)")
        guard process.terminationStatus == 0 else { throw Failed(description: "generate-events exited \(process.terminationStatus)") }
        return output
    }

    /// Creates a store with `count` generated events ingested.
    func primary(_ name: String, events count: Int, seed: Int = 1) throws -> String {
        let store = path(name)
        try must("siglog-append", ["init", "--store", store])
        if count > 0 { try must("siglog-append", ["events", try events(count, seed: seed, name: "\(name)-\(seed).ndjson"), "--store", store]) }
        return store
    }

    /// The view fingerprints and head of a store, from `siglog-query stats --format json`.
    func fingerprints(_ store: String) throws -> (head: Int64, views: JSONValue) {
        let stats = try must("siglog-query", ["stats", "--store", store, "--format", "json"])
        let json = try stats.json.unwrap("stats JSON of \(store)")
        return (Int64(try (json["head"]?.numberValue).unwrap("head")), try json["view_fingerprints"].unwrap("view_fingerprints"))
    }

    /// Every stored record of a log, in order, checked (no gap, every checksum).
    static func records(_ store: String) throws -> [[UInt8]] {
        let log = try EventLog(path: store, mode: .readOnly)
        var records: [[UInt8]] = []
        try log.forEach { record in record.withStoredBytes { records.append(Array($0)) } }
        return records
    }
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw ToolBox.Failed(description: "missing \(what)") }
        return self
    }
}
