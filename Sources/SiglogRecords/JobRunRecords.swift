public import EventLog
public import Foundation
public import SiglogCore

/// A job run started. Its id (`job_run_id`) is this record's sequence number; `started_at` is
/// the record's append time.
public struct JobRunStarted: SiglogRecord, Hashable {
    public static let recordType = RecordType.jobRunStarted
    /// What kind of run.
    public var jobType: JobType
    /// `workspace_id`: the workspace the run works for, nil when none; part of the idempotency key (D5) and of the rate
    /// limiter's count.
    public var workspaceID: UUID?
    /// `pack_id`: the pack the run resolved, nil when it has none.
    public var pack: UUID?
    /// The caller's idempotency key: a completed run with the same `(idempotency_key, job_type, workspace_id)` is
    /// answered with its recorded result instead of running again (D5).
    public var idempotencyKey: String?
    /// The daily-aggregation run this stage runs inside, if any.
    public var parentJobRunID: UInt64?
    /// The `as_of` date the run works for, when it has one.
    public var asOf: Day?
    /// The process that runs it, so a later writer can tell a run whose process is gone (nil in
    /// records written before this was recorded).
    public var owner: RunOwner?
    /// `retry_count` (§1.8): how many earlier runs with the same idempotency key, job type and
    /// workspace failed before this one started (0 without a key).
    public var retryCount: Int = 0

    /// Creates the record; the run's id is the sequence number the log assigns when it is appended.
    public init(jobType: JobType, workspaceID: UUID?, pack: UUID?, idempotencyKey: String?,
                parentJobRunID: UInt64?, asOf: Day?, owner: RunOwner? = nil) {
        self.jobType = jobType
        self.workspaceID = workspaceID
        self.pack = pack
        self.idempotencyKey = idempotencyKey
        self.parentJobRunID = parentJobRunID
        self.asOf = asOf
        self.owner = owner
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, jobType.rawValue)
        w.write(2, workspaceID)
        w.write(3, pack)
        w.write(4, idempotencyKey)
        if let parentJobRunID { w.write(5, parentJobRunID) }
        if let asOf { w.write(6, asOf) }
        if let owner {
            w.write(7, owner.host)
            w.write(8, Int64(owner.processID))
            w.write(9, owner.processStart)
        }
        if retryCount != 0 { w.write(10, retryCount) }
    }

    public init(from r: inout PayloadReader) throws {
        var jobType: JobType?
        var host: String?
        var processID: Int32 = 0
        var processStart: UInt64 = 0
        while let f = try r.next() {
            switch f.number {
            case 1:
                let name = try f.string()
                guard let type = JobType(rawValue: name) else { throw PayloadError("job_run_started: unknown job type '\(name)'") }
                jobType = type
            case 2: workspaceID = try f.uuid()
            case 3: pack = try f.uuid()
            case 4: idempotencyKey = try f.string()
            case 5: parentJobRunID = try f.uint64()
            case 6: asOf = try f.day()
            case 7: host = try f.string()
            case 8: processID = Int32(truncatingIfNeeded: try f.int64())
            case 9: processStart = try f.uint64()
            case 10: retryCount = try f.int()
            default: break
            }
        }
        guard let jobType else { throw missingField("job_type", in: "job_run_started") }
        if let host { owner = RunOwner(host: host, processID: processID, processStart: processStart) }
        self.jobType = jobType
    }
}

/// The process a job run runs in: the host, the process id and the process's start time (so a
/// reused process id is not mistaken for the original process).
public struct RunOwner: Sendable, Hashable {
    /// The host name.
    public var host: String
    /// The process id.
    public var processID: Int32
    /// When the process started, in clock ticks since the host booted (`/proc/PID/stat` field 22).
    public var processStart: UInt64

    /// Creates an owner.
    public init(host: String, processID: Int32, processStart: UInt64) {
        self.host = host
        self.processID = processID
        self.processStart = processStart
    }
}

/// A job run ended (`completed`, `failed` or `skipped`); `finished_at` is the record's append time.
public struct JobRunFinished: SiglogRecord, Hashable {
    public static let recordType = RecordType.jobRunFinished
    /// The run that ended: the sequence number of its `JobRunStarted`.
    public var jobRunID: UInt64
    /// How the run ended.
    public var status: JobStatus
    /// `companies_processed`, whose meaning depends on the job (events inserted, instances upserted, companies scored,
    /// rows upserted; §9.2).
    public var companiesProcessed: Int?
    /// `companies_esl_suppressed`: companies whose ESL decision was `suppress` (score runs only).
    public var companiesESLSuppressed: Int?
    /// `error_message`: why the run failed, or the first errors of a run that completed with some; nil when none.
    public var errorMessage: String?
    /// The stage's full result object, returned as is when the same idempotency key comes again.
    public var result: JSONValue

    /// Creates the record.
    public init(jobRunID: UInt64, status: JobStatus, companiesProcessed: Int?, companiesESLSuppressed: Int?,
                errorMessage: String?, result: JSONValue) {
        self.jobRunID = jobRunID
        self.status = status
        self.companiesProcessed = companiesProcessed
        self.companiesESLSuppressed = companiesESLSuppressed
        self.errorMessage = errorMessage
        self.result = result
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, jobRunID)
        w.write(2, status.rawValue)
        w.write(3, companiesProcessed)
        w.write(4, companiesESLSuppressed)
        w.write(5, errorMessage)
        w.write(6, json: result)
    }

    public init(from r: inout PayloadReader) throws {
        jobRunID = 0; status = .failed; result = .null
        while let f = try r.next() {
            switch f.number {
            case 1: jobRunID = try f.uint64()
            case 2:
                let name = try f.string()
                guard let value = JobStatus(rawValue: name) else { throw PayloadError("job_run_finished: unknown status '\(name)'") }
                status = value
            case 3: companiesProcessed = try f.int()
            case 4: companiesESLSuppressed = try f.int()
            case 5: errorMessage = try f.string()
            case 6: result = try f.json()
            default: break
            }
        }
    }
}
