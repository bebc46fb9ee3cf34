public import Pipeline
public import Projections
public import SiglogCore
public import StageQueue

/// A handler whose work happens outside siglog (a process, a service): it gets the entity JSON
/// and answers with an outcome; accepted jobs are polled for completion when it can.
public protocol ExternalStageHandler: Sendable {
    /// One attempt at `work`.
    func perform(_ work: StageWork) async -> HandlerOutcome
    /// Whether accepted jobs can be polled (`poll` is called every `COMPLETION_POLL_INTERVAL`).
    var pollsCompletion: Bool { get }
    /// Asks the service how the accepted job `jobID` of `subject` stands.
    func poll(jobID: String, subject: StageSubject) async -> PollOutcome
}

extension ExternalStageHandler {
    /// Handlers that never accept jobs do not poll.
    public var pollsCompletion: Bool { false }
    /// Without polling, a job stays pending until its webhook comes (or the stuck rule resets it).
    public func poll(jobID: String, subject: StageSubject) async -> PollOutcome { .pending }
}

/// A handler that is siglog's own work: it runs inside the write transaction that records its
/// completion, so the work and the stage's completion commit together (and are not job runs).
public protocol BuiltInStageHandler: Sendable {
    /// Does the work for `item` through `writer`; returns the stage's result. A throw fails the
    /// stage (hard) and nothing the work appended is kept.
    func perform(_ item: ClaimedStage, writer: StoreWriter, runner: StageRunner) throws -> JSONValue
}

/// How a stage's work is done, ready to run.
public enum StageHandler: Sendable {
    /// Work outside siglog.
    case external(any ExternalStageHandler)
    /// Work inside siglog's transaction.
    case builtIn(any BuiltInStageHandler)
}

/// `rescore`: scores the company now for today (incremental) and refreshes its lead-feed row.
public struct RescoreHandler: BuiltInStageHandler {
    /// The handler.
    public init() {}

    public func perform(_ item: ClaimedStage, writer: StoreWriter, runner: StageRunner) throws -> JSONValue {
        .object(try runner.rescoreCompany(item.subject.company, workspace: item.subject.workspace, writer: writer))
    }
}

/// `noop`: completes with `{}` and does nothing else (benchmarks and plumbing tests).
public struct NoopHandler: BuiltInStageHandler {
    /// The handler.
    public init() {}

    public func perform(_ item: ClaimedStage, writer: StoreWriter, runner: StageRunner) throws -> JSONValue { .object([:]) }
}
