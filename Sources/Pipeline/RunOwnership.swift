import Foundation
import Glibc
public import Projections
import ReadModel
import SiglogCore
public import SiglogRecords
import Synchronization

extension RunOwner {
    /// This process: the host name, the process id and the process's start time.
    public static let current = RunOwner(host: hostName(), processID: getpid(), processStart: processStartTime(getpid()) ?? 0)

    /// Whether the process that owns a run is known to be gone: it ran on this host and no process
    /// with its id and start time exists. A run of another host is never judged from here.
    public var isGoneFromThisHost: Bool {
        guard host == RunOwner.current.host else { return false }
        guard let start = RunOwner.processStartTime(processID) else { return true }
        return start != processStart
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Field 22 of `/proc/PID/stat` (start time in clock ticks since boot), or nil when there is no
    /// such process or only its zombie is left (killed, not yet reaped by its parent: it will never
    /// write again).
    static func processStartTime(_ pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces) start with field 3, the state.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard let state = fields.first, state != "Z", state != "X" else { return nil }
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

/// A request to stop, set when the process receives SIGINT or SIGTERM. Long stages check it between
/// transactions (and inside single-transaction stages, so the transaction aborts cleanly) and end
/// with `SiglogError.interrupted`; the run is recorded as failed.
public final class Interruption: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A flag nobody has raised yet.
    public init() {}

    /// Raises the flag.
    public func request() { requested.store(true, ordering: .sequentiallyConsistent) }

    /// Whether the flag is raised.
    public var isRequested: Bool { requested.load(ordering: .sequentiallyConsistent) }

    /// Throws `SiglogError.interrupted` when the flag is raised.
    public func check() throws {
        if isRequested { throw SiglogError.interrupted }
    }
}

extension StageRunner {
    /// Runs left `running` by a process of this host that is gone (killed, crashed) are closed as
    /// `failed` with the error `interrupted`, in one write transaction; runs of other hosts are left
    /// alone (`closeRun` closes one by hand). Returns the runs closed.
    @discardableResult
    public func closeInterruptedRuns() throws -> [JobRow] {
        let stale = try store.read { reader in
            try reader.runningJobs().filter { $0.started.owner?.isGoneFromThisHost == true }
        }
        guard !stale.isEmpty else { return [] }
        return try store.write { writer in
            var closed: [JobRow] = []
            for job in stale where try writer.reader.job(job.id)?.status == .running {
                try appendFailure(of: job, message: "interrupted", writer: writer)
                closed.append(job)
            }
            return closed
        }
    }

    /// Closes a `running` run by hand as `failed` with `message` (for a run of another host, or one
    /// known to be dead). A run that is not running is `SiglogError.conflict`.
    @discardableResult
    public func closeRun(_ id: UInt64, message: String = "closed by hand") throws -> JobRow {
        try store.write { writer in
            guard let job = try writer.reader.job(id) else {
                throw SiglogError.usage("job run \(id) does not exist")
            }
            guard job.status == .running else {
                throw SiglogError.conflict("job run \(id) is not running (status \(job.status)); nothing was written")
            }
            try appendFailure(of: job, message: message, writer: writer)
            return job
        }
    }

    /// Appends the finish record of a failed run with the job type's failed answer.
    func appendFailure(of job: JobRow, message: String, writer: StoreWriter) throws {
        let answer: JSONObject = switch job.started.jobType {
        case .ingest: IngestResult.failed(message).json
        case .derive: DeriveResult.failed(message).json
        case .score: ScoreResult.failed(message).json
        case .updateLeadFeed: LeadFeedResult.failed(message).json
        case .dailyAggregation: DailyAggregationResult.failed(message).json
        case .watchlistSeed: ["status": "failed", "error": .string(message)]
        }
        var result = answer
        result["job_run_id"] = .int(Int64(job.id))
        try writer.append(JobRunFinished(jobRunID: job.id, status: .failed, companiesProcessed: nil, companiesESLSuppressed: nil,
                                         errorMessage: message, result: .object(result)),
                          at: clock.now(), workspace: job.started.workspaceID)
    }
}
