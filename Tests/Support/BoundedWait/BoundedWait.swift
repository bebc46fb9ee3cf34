public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test's wait for a process it started, bounded: a tool that hangs fails the test that started
/// it, naming the command and what the process was doing, instead of stalling the whole run (CI
/// gives the suite a fixed time, and a stalled run reports nothing about where it stopped).
public enum BoundedWait {
    /// How long a test waits for one tool run. Tool runs in the suites take seconds; the whole
    /// suite takes minutes on this machine class, so this only ever ends a hang.
    public static let toolRun: Duration = .seconds(600)

    /// A process that did not exit in time (killed by now).
    public struct TimedOut: Error, CustomStringConvertible {
        public var description: String
    }

    /// Waits until `process` exits, at most `limit`. Past it, the process's state and threads'
    /// stacks (by gdb, when installed) are taken, it is killed (SIGKILL), and `TimedOut` is thrown.
    public static func untilExit(_ process: Process, within limit: Duration = toolRun, _ what: @autoclosure () -> String? = nil) throws {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                let pid = process.processIdentifier
                let state = processState(pid)
                let stacks = threadStacks(pid)
                Glibc.kill(pid, SIGKILL)
                waitBriefly(process)
                throw TimedOut(description: "\(what() ?? commandLine(process)) (pid \(pid)) did not exit within \(limit) and was killed; "
                    + "state: \(state)\(stacks.isEmpty ? "" : "\nits threads:\n\(stacks)")")
            }
            usleep(5_000)
        }
        process.waitUntilExit()
    }

    /// Sends `signal` and waits for the exit, at most `limit` (then as `untilExit`).
    public static func stop(_ process: Process, signal: Int32, within limit: Duration) throws {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        try untilExit(process, within: limit, "\(commandLine(process)) after signal \(signal)")
    }

    /// Sends SIGKILL and waits for the exit, at most 30 s (a process the kernel cannot end yet,
    /// say in uninterruptible I/O, is left behind rather than stalling the test).
    public static func kill(_ process: Process) throws {
        try stop(process, signal: SIGKILL, within: .seconds(30))
    }

    /// The program's name and its arguments, for messages.
    public static func commandLine(_ process: Process) -> String {
        ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
    }

    private static func waitBriefly(_ process: Process) {
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
    }

    /// The process's state letter and name from /proc (R running, S sleeping, D in I/O, Z exited
    /// and not yet reaped), or why it could not be read.
    private static func processState(_ pid: Int32) -> String {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return "gone from /proc" }
        guard let close = stat.lastIndex(of: ")") else { return stat }
        let name = stat[stat.startIndex..<close].split(separator: "(", maxSplits: 1).last.map(String.init) ?? "?"
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return "\(fields.first.map(String.init) ?? "?") (\(name))"
    }

    /// Every thread's stack of `pid` by gdb in batch mode (at most 65 s: SIGTERM at 60, SIGKILL 5 s
    /// later), empty without gdb.
    private static func threadStacks(_ pid: Int32) -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") else { return "" }
        let gdb = Process()
        gdb.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        gdb.arguments = ["-k", "5", "60", "/usr/bin/gdb", "-p", "\(pid)", "-batch", "-nx", "-ex", "thread apply all bt"]
        let output = Pipe()
        gdb.standardOutput = output
        gdb.standardError = FileHandle.nullDevice
        gdb.standardInput = FileHandle.nullDevice
        guard (try? gdb.run()) != nil else { return "" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        gdb.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("#") || $0.hasPrefix("Thread ") }
        return lines.prefix(400).joined(separator: "\n")
    }
}
