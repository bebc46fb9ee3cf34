public import Foundation
public import Projections
public import SiglogCore
import EventLog
import SiglogRecords

/// How a stage body ended: its status, the counts its job run records, and its result object.
public struct StageOutcome: Sendable {
    public var status: String
    public var companiesProcessed: Int?
    public var companiesESLSuppressed: Int?
    public var errorMessage: String?
    /// The result object without `job_run_id` (inserted in its place when the run is recorded).
    public var result: JSONObject

    public init(status: String = "completed", companiesProcessed: Int?, companiesESLSuppressed: Int? = nil,
                errorMessage: String? = nil, result: JSONObject) {
        self.status = status
        self.companiesProcessed = companiesProcessed
        self.companiesESLSuppressed = companiesESLSuppressed
        self.errorMessage = errorMessage
        self.result = result
    }
}

/// Identifies one run request: what, where, under which key, inside which parent run.
public struct JobRequest: Sendable {
    public var jobType: String
    public var workspace: UUID
    public var pack: UUID?
    public var idempotencyKey: String?
    public var parentJobRunID: UInt64?
    public var asOf: Day?

    public init(jobType: String, workspace: UUID, pack: UUID?, idempotencyKey: String? = nil,
                parentJobRunID: UInt64? = nil, asOf: Day? = nil) {
        self.jobType = jobType
        self.workspace = workspace
        self.pack = pack
        self.idempotencyKey = idempotencyKey
        self.parentJobRunID = parentJobRunID
        self.asOf = asOf
    }

    var ledgerKey: String? { idempotencyKey.map { "\(jobType)\u{0}\($0)" } }
}

extension JSONObject {
    /// A copy with `job_run_id` set right after `status` (the field order of every stage result).
    func withJobRunID(_ id: UInt64?) -> JSONObject {
        var members: [JSONObject.Member] = []
        for member in self.members where member.key != "job_run_id" {
            members.append(member)
            if member.key == "status" {
                members.append(.init(key: "job_run_id", value: id.map { .int(Int64($0)) } ?? .null))
            }
        }
        if !members.contains(where: { $0.key == "job_run_id" }) {
            members.insert(.init(key: "job_run_id", value: id.map { .int(Int64($0)) } ?? .null), at: 0)
        }
        return JSONObject(members)
    }
}

extension Pipeline {
    /// The recorded result of a completed run with the same `(idempotency key, job type, workspace)`
    /// (D5), completed with the job type's §9.1 cached-shape members it lacks
    /// (`StageRegistry.cachedResult(of:)`), or nil.
    public func cachedResult(for request: JobRequest) throws -> JSONObject? {
        guard let key = request.ledgerKey,
            let bytes = try store.log.idempotentResult(workspace: request.workspace, key: key), bytes.count == 8
        else { return nil }
        let runID = bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard let row = try store.read({ try $0.job(runID) }), row.status == "completed" else { return nil }
        return StageRegistry.cachedResult(of: row)
    }

    /// §9.1 step 3: refuses when the workspace already started `limit` runs of this type in the last hour.
    /// A child run of a batch (`parentJobRunID` set) is not checked: the parent was admitted for the
    /// whole batch, which must not stop half-way. Child runs are still recorded, so they count
    /// against later runs of their type.
    public func checkRateLimit(_ request: JobRequest) throws {
        guard rateLimitPerHour > 0, request.parentJobRunID == nil else { return }
        let since = Timestamp(microseconds: clock.now().microseconds - 3_600 * Timestamp.microsecondsPerSecond)
        let count = try store.read { try $0.jobCount(workspace: request.workspace, jobType: request.jobType, since: since) }
        if count >= rateLimitPerHour { throw PipelineError.rateLimitExceeded }
    }

    /// Runs a one-transaction stage: idempotency cache (before the rate limit, D5), rate limit, then
    /// the job-run start record, the stage's records and the finish record in one write transaction —
    /// an interrupted stage leaves nothing. When the body throws, nothing it wrote is kept and a
    /// `failed` run is recorded with the error. Returns the stage result with its `job_run_id`.
    public func runJob(_ request: JobRequest, body: (StoreWriter, UInt64) throws -> StageOutcome) throws -> JSONObject {
        if let cached = try cachedResult(for: request) { return cached }
        try checkRateLimit(request)
        let started = JobRunStarted(jobType: request.jobType, workspaceID: request.workspace, pack: request.pack,
                                    idempotencyKey: request.idempotencyKey, parentJobRunID: request.parentJobRunID,
                                    asOf: request.asOf)
        do {
            return try store.write { writer in
                let runID = try writer.append(started, at: clock.now(), workspace: request.workspace)
                let outcome = try body(writer, runID)
                return try finish(runID, request, outcome, writer)
            }
        } catch let error as PipelineError where error.kind == .usage || error.kind == .notFound {
            throw error
        } catch {
            let message = "\(error)"
            return try store.write { writer in
                let runID = try writer.append(started, at: clock.now(), workspace: request.workspace)
                let outcome = StageOutcome(status: "failed", companiesProcessed: nil, errorMessage: message,
                                           result: ["status": "failed", "error": .string(message)])
                return try finish(runID, request, outcome, writer)
            }
        }
    }

    /// Appends the job-run start record on its own (for multi-transaction stages such as ingest).
    public func startJob(_ request: JobRequest, in writer: StoreWriter) throws -> UInt64 {
        let started = JobRunStarted(jobType: request.jobType, workspaceID: request.workspace, pack: request.pack,
                                    idempotencyKey: request.idempotencyKey, parentJobRunID: request.parentJobRunID,
                                    asOf: request.asOf)
        return try writer.append(started, at: clock.now(), workspace: request.workspace)
    }

    /// Appends the finish record and, for a completed run with a key, the idempotency-ledger entry.
    @discardableResult
    public func finish(_ runID: UInt64, _ request: JobRequest, _ outcome: StageOutcome, _ writer: StoreWriter) throws -> JSONObject {
        let result = outcome.result.withJobRunID(runID)
        let finished = JobRunFinished(jobRunID: runID, status: outcome.status, companiesProcessed: outcome.companiesProcessed,
                                      companiesESLSuppressed: outcome.companiesESLSuppressed,
                                      errorMessage: outcome.errorMessage, result: .object(result))
        try writer.append(finished, at: clock.now(), workspace: request.workspace)
        if outcome.status == "completed", let key = request.ledgerKey {
            try writer.writer.recordIdempotentResult(workspace: request.workspace, key: key,
                                                     result: withUnsafeBytes(of: runID.bigEndian) { Array($0) })
        }
        return result
    }
}
