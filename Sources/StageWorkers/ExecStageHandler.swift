import Foundation
import SiglogCore
public import StageQueue
import Subprocess

/// `exec`: runs a command (argv, no shell) with the entity JSON on stdin and reads a JSON result
/// from stdout. Exit 0 completes, 75 (`EX_TEMPFAIL`) is retriable, any other exit (or a signal) is
/// hard; past `timeout` the process gets SIGTERM, then SIGKILL two seconds later, and the attempt
/// is retriable. A command that cannot be started is a hard failure.
///
/// The child inherits the worker's environment plus `SIGLOG_STAGE`, `SIGLOG_COMPANY_ID`,
/// `SIGLOG_WORKSPACE_ID`, `SIGLOG_ATTEMPT` and `SIGLOG_WORKER_ID`.
public struct ExecStageHandler: ExternalStageHandler {
    /// The program and its arguments.
    public let command: [String]
    /// The longest one attempt may run.
    public let timeout: Duration
    /// The worker's id, passed to the child.
    public let workerID: String
    /// The most stdout bytes read (a larger result is a hard failure).
    public var maxOutputBytes = 16 << 20

    /// A handler running `command`.
    public init(command: [String], timeout: Duration, workerID: String) {
        precondition(!command.isEmpty, "an exec handler needs a command")
        self.command = command
        self.timeout = timeout
        self.workerID = workerID
    }

    /// On a timeout: SIGTERM, then SIGKILL two seconds later.
    static var platformOptions: PlatformOptions {
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        return options
    }

    public func perform(_ work: StageWork) async -> HandlerOutcome {
        let subject = work.item.subject
        let environment: [Environment.Key: String?] = [
            "SIGLOG_STAGE": subject.stage, "SIGLOG_COMPANY_ID": String(subject.company),
            "SIGLOG_WORKSPACE_ID": subject.workspace.uuidString.lowercased(), "SIGLOG_ATTEMPT": String(work.item.attempt),
            "SIGLOG_WORKER_ID": workerID,
        ]
        let program = command[0]
        let executable: Executable = program.contains("/") ? .path(.init(program)) : .name(program)
        let options = Self.platformOptions
        let input = work.entityBytes
        let limit = maxOutputBytes
        let arguments = Arguments(Array(command.dropFirst()))
        let timeout = self.timeout
        return await withTaskGroup(of: HandlerOutcome?.self) { group in
            group.addTask {
                do {
                    let result = try await run(
                        executable, arguments: arguments, environment: .inherit.updating(environment),
                        platformOptions: options, input: .array(input), output: .bytes(limit: limit),
                        error: .string(limit: 64 << 10))
                    switch result.terminationStatus {
                    case .exited(let status):
                        return OutcomeRules.exec(exitStatus: status, stdout: result.standardOutput,
                                                 stderr: result.standardError)
                    case .signaled(let signal):
                        return OutcomeRules.execSignalled(signal)
                    }
                } catch is CancellationError {
                    return nil
                } catch {
                    if Task.isCancelled { return nil }
                    return .failed(.hard, "\(program) could not be run: \(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            // The first to finish decides: the process's outcome, or the timer (nil).
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            return OutcomeRules.timedOut(after: Double(timeout.milliseconds) / 1000)
        }
    }
}
