import Foundation
public import Scoring

/// How a stage's work is done.
public enum StageHandlerSpec: Sendable, Hashable {
    /// Run `command` (argv, no shell) with the entity JSON on stdin; JSON result on stdout; exit 0
    /// completed, 75 retriable, anything else hard; past `timeout` the process is stopped and the
    /// attempt is retriable.
    case exec(command: [String], timeout: Duration)
    /// POST the entity JSON to `url`; a 2xx with a result completes, a 202 with `job_id` is
    /// accepted (completion by polling `GET {url}/{job_id}` or by webhook); 429, 5xx and
    /// timeouts retriable; other 4xx hard. `headers` are sent with every request.
    case http(url: String, timeout: Duration, headers: [String: String])
    /// Siglog's own work for one company: score it now for today and refresh its lead-feed row.
    case rescore
    /// Built-in work that does nothing and completes with `{}` (benchmarks, plumbing tests).
    case noop

    /// The handler's type name as the chain file spells it.
    public var typeName: String {
        switch self {
        case .exec: "exec"
        case .http: "http"
        case .rescore: "rescore"
        case .noop: "noop"
        }
    }

    /// Whether the work runs inside siglog's own write transaction (no job id, no polling).
    public var isBuiltIn: Bool {
        switch self {
        case .rescore, .noop: true
        case .exec, .http: false
        }
    }
}

/// One stage of a chain with its limits.
public struct StageDefinition: Sendable, Hashable {
    /// The stage's name (lower-case letters, digits, `_` and `-`).
    public var name: String
    /// The stage queued when this one completes; nil ends the chain.
    public var next: String?
    /// The work.
    public var handler: StageHandlerSpec
    /// Retriable failures and stuck resets allowed before the stage fails (so at most
    /// `maxRetries + 1` attempts).
    public var maxRetries: Int
    /// A `started` stage older than this is reset by the stuck rule.
    public var stuckTimeout: Duration
    /// `QUEUE_POLL_INTERVAL`: how long an idle worker waits before claiming again.
    public var pollInterval: Duration
    /// `COMPLETION_POLL_INTERVAL`: how often accepted jobs are polled for completion.
    public var completionPollInterval: Duration
    /// `QUEUE_BATCH_SIZE`: the most queued items one claim takes.
    public var batchSize: Int

    /// A stage; the limits default to STAGE-QUEUE.md's examples.
    public init(name: String, next: String? = nil, handler: StageHandlerSpec, maxRetries: Int = 3,
                stuckTimeout: Duration = .seconds(600), pollInterval: Duration = .milliseconds(500),
                completionPollInterval: Duration = .milliseconds(2000), batchSize: Int = 5) {
        self.name = name
        self.next = next
        self.handler = handler
        self.maxRetries = maxRetries
        self.stuckTimeout = stuckTimeout
        self.pollInterval = pollInterval
        self.completionPollInterval = completionPollInterval
        self.batchSize = batchSize
    }
}

/// Enqueue a company when its lead-feed band changes into `bands` (from a band outside it, or from
/// no row at all).
public struct BandTrigger: Sendable, Hashable {
    /// The bands that trigger.
    public var bands: Set<RecommendationBand>
    /// The stage queued (the chain's first stage unless the file says otherwise).
    public var stage: String

    /// A trigger queueing `stage` when the band enters `bands`.
    public init(bands: Set<RecommendationBand>, stage: String) {
        self.bands = bands
        self.stage = stage
    }

    /// Whether a band change from `previous` to `current` enters the set.
    public func fires(from previous: RecommendationBand?, to current: RecommendationBand?) -> Bool {
        guard let current, bands.contains(current) else { return false }
        return previous.map { !bands.contains($0) } ?? true
    }
}

/// A validated stage chain: the stages in file order (the first one starts the chain), each
/// `next` naming a stage of the chain, no cycles.
public struct StageChain: Sendable, Hashable {
    /// The stages in file order.
    public let stages: [StageDefinition]
    /// The automatic trigger, if the file has one.
    public let trigger: BandTrigger?

    /// A chain of `stages` (validated by `StageChainLoader`; tests may build one directly).
    public init(stages: [StageDefinition], trigger: BandTrigger? = nil) {
        self.stages = stages
        self.trigger = trigger
    }

    /// The stage named `name`, or nil.
    public func stage(_ name: String) -> StageDefinition? { stages.first { $0.name == name } }

    /// The stage queued when `name` completes, or nil.
    public func next(after name: String) -> String? { stage(name)?.next }

    /// The stage names in file order.
    public var names: [String] { stages.map(\.name) }

    /// The stages before `name` along `next` links (every stage whose chain leads to `name`), in
    /// chain order: their results are handed to `name`'s handler.
    public func predecessors(of name: String) -> [String] {
        var result: [String] = []
        var current = name
        while let previous = stages.first(where: { $0.next == current }), !result.contains(previous.name), previous.name != name {
            result.insert(previous.name, at: 0)
            current = previous.name
        }
        return result
    }
}
