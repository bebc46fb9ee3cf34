import BoundedWait
import Foundation
import Testing

/// The suites' bounded wait for the tools they start: a hang ends as a failure that says where.
@Suite("Bounded waits for started tools")
struct BoundedWaitTests {
    func sleeper(_ seconds: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["\(seconds)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("a process past its deadline is killed; the error names it, its state and its threads' stacks")
    func timedOut() throws {
        let process = try sleeper(60)
        let error = #expect(throws: BoundedWait.TimedOut.self) {
            try BoundedWait.untilExit(process, within: .milliseconds(300))
        }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        let text = error?.description ?? ""
        #expect(text.hasPrefix("sleep 60 (pid \(process.processIdentifier)) did not exit within 0.3 seconds and was killed; state: S (sleep)"), "\(text)")
        // gdb is part of this machine class's image; without it the stacks are left out.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") {
            #expect(text.contains("its threads:\n") && text.contains("#0 "), "\(text)")
        }
    }

    @Test("a process that ends in time is waited for and leaves its status")
    func inTime() throws {
        let process = try sleeper(0)
        try BoundedWait.untilExit(process, within: .seconds(60), "sleep 0")
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let killed = try sleeper(60)
        try BoundedWait.kill(killed)
        #expect(!killed.isRunning && killed.terminationStatus == SIGKILL)
    }

    @Test("tools/unfinished-tests names the tests a stopped run's log shows started and never finished")
    func unfinishedTests() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-unfinished-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        try """
            ◇ Test "a \"quoted\" one" started.
            ◇ Test "parameterized" started.
            ◇ Test case passing 1 argument x → 1 to "parameterized" started.
            ◇ Test "hangs" started.
            ✔ Test "a \"quoted\" one" passed after 0.1 seconds.
            ✘ Test "parameterized" with 2 test cases failed after 0.2 seconds with 1 issue.
            ◇ Test "hangs too" started.

            """.write(to: log, atomically: true, encoding: .utf8)
        let run = try Tools.run("unfinished-tests", ["python3", Tools.root.appendingPathComponent("tools/unfinished-tests").path, log.path],
                                executable: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(run.status == 0)
        #expect(run.stdout == "  line 4: hangs\n  line 7: hangs too\n")
    }
}
