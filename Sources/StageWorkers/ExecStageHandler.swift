import Dispatch
import Foundation
import SiglogCore
public import StageQueue

/// `exec`: runs a command (argv, no shell) with the entity JSON on stdin and reads a JSON result
/// from stdout. Exit 0 completes, 75 (`EX_TEMPFAIL`) is retriable, any other exit (or a signal) is
/// hard; past `timeout` the process gets SIGTERM, then SIGKILL two seconds later, and the attempt
/// is retriable. A command that cannot be started is a hard failure.
///
/// The child inherits the worker's environment plus `SIGLOG_STAGE`, `SIGLOG_COMPANY_ID`,
/// `SIGLOG_WORKSPACE_ID`, `SIGLOG_ATTEMPT` and `SIGLOG_WORKER_ID`.
///
/// The child runs in a process group of its own with default signal handling, so a timeout stops
/// the command and everything it started (see `ChildProcess`).
public struct ExecStageHandler: ExternalStageHandler {
    /// The program and its arguments.
    public let command: [String]
    /// The longest one attempt may run.
    public let timeout: Duration
    /// The worker's id, passed to the child.
    public let workerID: String
    /// The most stdout bytes kept (a larger result is a hard failure).
    public var maxOutputBytes = 16 << 20

    /// A handler running `command`.
    public init(command: [String], timeout: Duration, workerID: String) {
        precondition(!command.isEmpty, "an exec handler needs a command")
        self.command = command
        self.timeout = timeout
        self.workerID = workerID
        // A child that exits without reading its stdin must not take the worker down with SIGPIPE:
        // the write fails with EPIPE instead.
        _ = Self.ignoreBrokenPipes
    }

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public func perform(_ work: StageWork) async -> HandlerOutcome {
        let subject = work.item.subject
        var environment = ProcessInfo.processInfo.environment
        environment["SIGLOG_STAGE"] = subject.stage
        environment["SIGLOG_COMPANY_ID"] = String(subject.company)
        environment["SIGLOG_WORKSPACE_ID"] = subject.workspace.uuidString.lowercased()
        environment["SIGLOG_ATTEMPT"] = String(work.item.attempt)
        environment["SIGLOG_WORKER_ID"] = workerID
        guard let executable = Self.locate(command[0], path: environment["PATH"]) else {
            return .failed(.hard, "\(command[0]) could not be run: no such executable")
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable: executable.path, arguments: Array(command.dropFirst()), environment: environment,
                                     input: work.entityBytes, outputLimit: maxOutputBytes)
        } catch {
            return .failed(.hard, "\(command[0]) could not be run: \(error)")
        }
        let (ended, timedOut) = await child.wait(timeout: timeout)
        if timedOut { return OutcomeRules.timedOut(after: Double(timeout.milliseconds) / 1000) }
        if ended.outputOverLimit { return .failed(.hard, "stdout is over \(maxOutputBytes) bytes") }
        if let signal = ended.signal { return OutcomeRules.execSignalled(signal) }
        return OutcomeRules.exec(exitStatus: ended.exitStatus, stdout: ended.stdout, stderr: ended.stderr)
    }

    /// `program` when it names a path, else the first executable of that name on `path`.
    static func locate(_ program: String, path: String?) -> URL? {
        if program.contains("/") { return URL(fileURLWithPath: program) }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") where directory.hasPrefix("/") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

