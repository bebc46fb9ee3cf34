import BoundedWait
import Foundation
import Pipeline
import Projections
import ReadModel
import SignalPacks
import SiglogCore
import SiglogRecords
import StageQueue
import Synchronization

let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let defaultWorkspace = WellKnownIDs.defaultWorkspace

/// The directory holding the test bundle, where SwiftPM also puts the package's executables.
let binaries: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

/// Whether `tools/test --full` asked for the full sizes (`SIGLOG_TEST_TIER=full`).
let fullSizes: Bool = ProcessInfo.processInfo.environment["SIGLOG_TEST_TIER"] == "full"

/// A fresh directory per test, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let url: URL
    init(_ tag: String = "queue") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// A clock the test moves by hand.
final class TestClock: WallClock {
    private let instant: Mutex<Timestamp>
    init(_ start: Timestamp) { instant = Mutex(start) }
    func now() -> Timestamp { instant.withLock { $0 } }
    func advance(seconds: Double) { instant.withLock { $0 = Timestamp(microseconds: $0.microseconds + Int64(seconds * 1e6)) } }
}

/// A chain of stages `a → b → …` with noop handlers and the given limits.
func chain(_ names: [String], maxRetries: Int = 3, stuckTimeout: Duration = .seconds(600),
           handler: StageHandlerSpec = .noop) -> StageChain {
    StageChain(stages: names.enumerated().map { index, name in
        StageDefinition(name: name, next: index + 1 < names.count ? names[index + 1] : nil, handler: handler,
                        maxRetries: maxRetries, stuckTimeout: stuckTimeout, pollInterval: .milliseconds(20),
                        completionPollInterval: .milliseconds(50), batchSize: 5)
    })
}

/// An initialized store (default workspace and pack) with `companies` companies (ids 1…n) and a
/// runner whose clock the test controls.
struct QueueFixture {
    let directory: TemporaryDirectory
    let store: Store
    let clock: TestClock
    let runner: StageRunner

    static let start = Timestamp(day: Day(year: 2026, month: 3, day: 2)!, hour: 9)

    init(companies: Int, chain stageChain: StageChain? = nil, durable: Bool = false) throws {
        directory = try TemporaryDirectory("queue-store")
        store = try Store(path: directory.path("store"), mode: .create, durable: durable)
        clock = TestClock(Self.start)
        runner = StageRunner(store: store, clock: clock, rateLimitPerHour: 0, stageChain: stageChain)
        let pack = try PackLoader.load(directory: packageRoot.appendingPathComponent("Fixtures/packs/fractional_cto_v1"))
        _ = try runner.initialize(bundledPack: pack)
        try addCompanies(companies, to: store, at: Self.start)
    }

    /// The runner with another chain (same store and clock).
    func runner(chain: StageChain) -> StageRunner {
        StageRunner(store: store, clock: clock, rateLimitPerHour: 0, stageChain: chain)
    }

    var storePath: String { directory.path("store") }

    func state(_ company: Int64, _ stage: String, workspace: UUID = defaultWorkspace) throws -> StageState {
        try store.read { try $0.stageState(StageSubject(workspace: workspace, company: company, stage: stage)) }
    }

    func head() throws -> UInt64 { try store.log.head() }
}

/// Appends companies `1…count` (named `Company N`, domain `companyN.example`) in one transaction.
func addCompanies(_ count: Int, to store: Store, at time: Timestamp) throws {
    guard count > 0 else { return }
    try store.write { writer in
        let first = try writer.reader.lastCompanyID() + 1
        for id in first..<(first + Int64(count)) {
            try writer.append(CompanyCreated(companyID: id, name: "Company \(id)", domain: "company\(id).example",
                                             websiteURL: "https://company\(id).example", linkedinURL: nil, source: "research",
                                             normalizedName: "company \(id)", websiteDomain: "company\(id).example", aliases: [],
                                             jobRunID: nil), at: time)
        }
    }
}

/// Every entry of `view`, as bytes, in key order: what "byte for byte" compares.
func dump(_ view: View, of store: Store) throws -> [[UInt8]] {
    try store.read { reader in
        var entries: [[UInt8]] = []
        try reader.scan(view, prefix: ViewKey()) { key, value in
            entries.append(Array(key) + [0xFF, 0xFE] + Array(value))
            return true
        }
        return entries
    }
}

/// The stage views of the queue.
let stageViews: [View] = [.stageStates, .stageQueued, .stageStarted, .stageCounts]

/// Writes an executable shell script and returns its path.
/// The file is written through a close-on-exec descriptor: a child another test starts meanwhile
/// must not inherit it open for writing, or running the script fails with "Text file busy".
func writeScript(_ text: String, in directory: TemporaryDirectory, name: String = "handler.sh") throws -> String {
    let path = directory.path(name)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    let bytes = Array(("#!/bin/sh\n" + text).utf8)
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
    close(descriptor)
    guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    return path
}

/// One run of a built tool.
struct ToolRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Starts a built tool with `arguments` (and `environment` added); output goes to files.
final class RunningTool: @unchecked Sendable {
    // @unchecked: `Process` is used from the test's task only; the files are read after it exits.
    let process: Process
    let out: URL
    let err: URL

    init(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = binaries.appendingPathComponent(tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let tmp = FileManager.default.temporaryDirectory
        out = tmp.appendingPathComponent("siglog-tool-\(UUID().uuidString).out")
        err = tmp.appendingPathComponent("siglog-tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits (up to a minute) until the tool's stderr contains `text`.
    func waitForStderr(_ text: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let written = try? String(contentsOf: err, encoding: .utf8), written.contains(text) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the exit and reads the output.
    func finish() throws -> ToolRun {
        try BoundedWait.untilExit(process)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return ToolRun(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

/// Runs a built tool to completion.
func runTool(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ToolRun {
    try RunningTool(tool, arguments, environment: environment).finish()
}
