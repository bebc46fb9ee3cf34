public import Foundation
public import Projections
import ReadModel
public import SiglogCore
import SiglogRecords

/// How a stage body ended: its result and the counts its job run records.
public struct StageOutcome<Result: StageResult>: Sendable {
    /// The result, without its `job_run_id` (set when the run is recorded).
    public var result: Result
    /// `companies_processed` of the job run (§9.2: its meaning depends on the job).
    public var companiesProcessed: Int?
    /// `companies_esl_suppressed` (score runs).
    public var companiesESLSuppressed: Int?
    /// `error_message`: the first ten errors joined with `"; "`, or the failure.
    public var errorMessage: String?

    /// Creates an outcome.
    public init(_ result: Result, companiesProcessed: Int?, companiesESLSuppressed: Int? = nil, errorMessage: String? = nil) {
        self.result = result
        self.companiesProcessed = companiesProcessed
        self.companiesESLSuppressed = companiesESLSuppressed
        self.errorMessage = errorMessage
    }
}

/// Identifies one run request: what, where, under which key, inside which parent run.
public struct JobRequest: Sendable {
    public var jobType: JobType
    public var workspace: UUID
    public var pack: UUID?
    public var idempotencyKey: String?
    public var parentJobRunID: UInt64?
    public var asOf: Day?

    /// Creates a request.
    public init(jobType: JobType, workspace: UUID, pack: UUID?, idempotencyKey: String? = nil,
                parentJobRunID: UInt64? = nil, asOf: Day? = nil) {
        self.jobType = jobType
        self.workspace = workspace
        self.pack = pack
        self.idempotencyKey = idempotencyKey
        self.parentJobRunID = parentJobRunID
        self.asOf = asOf
    }

    /// The idempotency ledger's key: job type and key, scoped to the workspace by the ledger.
    var ledgerKey: String? { idempotencyKey.map { LogIndexes.ledgerKey(jobType: jobType, idempotencyKey: $0) } }

    /// The start record of this request's run.
    var started: JobRunStarted {
        JobRunStarted(jobType: jobType, workspaceID: workspace, pack: pack, idempotencyKey: idempotencyKey,
                      parentJobRunID: parentJobRunID, asOf: asOf)
    }
}

/// The first ten messages joined with `"; "` (a job run's `error_message`), or nil.
func errorMessage(_ errors: [String]) -> String? {
    errors.isEmpty ? nil : errors.prefix(10).joined(separator: "; ")
}

extension StageRunner {
    /// The recorded result of a completed run with the same `(idempotency key, job type, workspace)`
    /// (D5), or nil.
    public func cachedResult<R: StageResult>(for request: JobRequest, as _: R.Type = R.self) throws -> R? {
        guard let key = request.ledgerKey,
            let bytes = try store.log.idempotentResult(workspace: request.workspace, key: key), bytes.count == 8
        else { return nil }
        let runID = bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard let row = try store.read({ try $0.job(runID) }), row.status == .completed else { return nil }
        return R(cached: row)
    }

    /// §9.1 step 3: refuses when the workspace already started `limit` runs of this type in the last hour.
    /// A child run of a batch (`parentJobRunID` set) is not checked: the parent was admitted for the
    /// whole batch, which must not stop half-way. Child runs are still recorded, so they count
    /// against later runs of their type.
    public func checkRateLimit(_ request: JobRequest) throws {
        guard rateLimitPerHour > 0, request.parentJobRunID == nil else { return }
        let since = Timestamp(microseconds: clock.now().microseconds - 3_600 * Timestamp.microsecondsPerSecond)
        let (count, oldest) = try store.read { reader in
            (try reader.jobCount(workspace: request.workspace, jobType: request.jobType, since: since),
             try reader.firstJobStart(workspace: request.workspace, jobType: request.jobType, since: since))
        }
        if count >= rateLimitPerHour {
            throw SiglogError.rateLimited(limit: rateLimitPerHour, freesAt: (oldest ?? since).adding(seconds: 3_600))
        }
    }

    /// Runs a one-transaction stage: idempotency cache (before the rate limit, D5), rate limit, then
    /// the job-run start record, the stage's records and the finish record in one write transaction —
    /// an interrupted stage leaves nothing. When the body throws, nothing it wrote is kept and a
    /// `failed` run is recorded with the error. Returns the stage result with its `job_run_id`.
    public func runJob<R: StageResult>(_ request: JobRequest, body: (StoreWriter, UInt64) throws -> StageOutcome<R>) throws -> R {
        if let cached = try cachedResult(for: request, as: R.self) { return cached }
        try checkRateLimit(request)
        do {
            // A stage's one commit can write hundreds of MiB: the disk starts on them while they
            // are copied, so the commit's sync waits for less.
            return try store.writingBack {
                try store.write { writer in
                    let runID = try startJob(request, in: writer)
                    return try finish(runID, request, try body(writer, runID), writer)
                }
            }
        } catch let error as SiglogError where error.kind == .usage || error.kind == .notFound {
            throw error
        } catch {
            let message = "\(error)"
            if let failure = SiglogError.spaceFailure(in: error) {
                // Nothing of the stage was kept; the failed run is recorded if it still fits.
                _ = try? store.write { writer in
                    try finish(try startJob(request, in: writer), request,
                               StageOutcome(R.failed(message), companiesProcessed: nil, errorMessage: message), writer)
                }
                throw SiglogError.noSpace(failure, store: store.path, .stage(request.jobType.rawValue))
            }
            let failed = try store.write { writer in
                let runID = try startJob(request, in: writer)
                return try finish(runID, request, StageOutcome(R.failed(message), companiesProcessed: nil, errorMessage: message),
                                  writer)
            }
            // A stop request ends the process: the run is recorded, the caller learns why.
            if case SiglogError.interrupted = error { throw error }
            return failed
        }
    }

    /// Appends the job-run start record on its own (for multi-transaction stages such as ingest).
    public func startJob(_ request: JobRequest, in writer: StoreWriter) throws -> UInt64 {
        var started = request.started
        started.owner = owner
        started.retryCount = try retryCount(of: request, in: writer.reader)
        return try writer.append(started, at: clock.now(), workspace: request.workspace)
    }

    /// `retry_count` (§1.8) of a new run: the earlier runs with the same idempotency key, job type
    /// and workspace that failed (a completed one would have answered instead); 0 without a key.
    func retryCount(of request: JobRequest, in reader: ViewReader) throws -> Int {
        guard let key = request.idempotencyKey else { return 0 }
        var ids: [UInt64] = []
        try reader.scan(.jobsByWorkspace, prefix: ViewKey.jobsByWorkspace(request.workspace, request.jobType)) { index, _ in
            ids.append(UInt64(bigEndian: index.loadUnaligned(fromByteOffset: index.count - 8, as: UInt64.self)))
            return true
        }
        return try ids.reduce(0) { count, id in
            guard let job = try reader.job(id), job.started.idempotencyKey == key, job.status == .failed else { return count }
            return count + 1
        }
    }

    /// Appends the finish record and, for a completed run with a key, the idempotency-ledger entry.
    @discardableResult
    public func finish<R: StageResult>(_ runID: UInt64, _ request: JobRequest, _ outcome: StageOutcome<R>,
                                       _ writer: StoreWriter) throws -> R {
        var result = outcome.result
        result.jobRunID = runID
        let status: JobStatus = switch result.status {
        case .completed: .completed
        case .failed: .failed
        case .skipped: .skipped
        }
        let finished = JobRunFinished(jobRunID: runID, status: status, companiesProcessed: outcome.companiesProcessed,
                                      companiesESLSuppressed: outcome.companiesESLSuppressed,
                                      errorMessage: outcome.errorMessage, result: .object(result.json))
        try writer.append(finished, at: clock.now(), workspace: request.workspace)
        if status == .completed, let key = request.ledgerKey {
            try writer.recordIdempotentResult(workspace: request.workspace, key: key,
                                              result: withUnsafeBytes(of: runID.bigEndian) { Array($0) })
        }
        return result
    }
}
