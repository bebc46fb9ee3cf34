public import EventLog
public import Foundation
public import SiglogCore

/// A job run started. Its id (`job_run_id`) is this record's sequence number; `started_at` is
/// the record's append time.
public struct JobRunStarted: SiglogRecord, Hashable {
    public static let recordType = RecordType.jobRunStarted
    public var jobType: String
    public var workspaceID: UUID?
    public var pack: UUID?
    public var idempotencyKey: String?
    /// The daily-aggregation run this stage runs inside, if any.
    public var parentJobRunID: UInt64?
    /// The `as_of` date the run works for, when it has one.
    public var asOf: Day?

    public init(jobType: String, workspaceID: UUID?, pack: UUID?, idempotencyKey: String?,
                parentJobRunID: UInt64?, asOf: Day?) {
        self.jobType = jobType
        self.workspaceID = workspaceID
        self.pack = pack
        self.idempotencyKey = idempotencyKey
        self.parentJobRunID = parentJobRunID
        self.asOf = asOf
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, jobType)
        w.write(2, workspaceID)
        w.write(3, pack)
        w.write(4, idempotencyKey)
        if let parentJobRunID { w.write(5, parentJobRunID) }
        if let asOf { w.write(6, asOf) }
    }

    public init(from r: inout PayloadReader) throws {
        jobType = ""
        while let f = try r.next() {
            switch f.number {
            case 1: jobType = try f.string()
            case 2: workspaceID = try f.uuid()
            case 3: pack = try f.uuid()
            case 4: idempotencyKey = try f.string()
            case 5: parentJobRunID = try f.uint64()
            case 6: asOf = try f.day()
            default: break
            }
        }
    }
}

/// A job run ended (`completed`, `failed` or `skipped`); `finished_at` is the record's append time.
public struct JobRunFinished: SiglogRecord, Hashable {
    public static let recordType = RecordType.jobRunFinished
    public var jobRunID: UInt64
    public var status: String
    public var companiesProcessed: Int?
    public var companiesESLSuppressed: Int?
    public var errorMessage: String?
    /// The stage's full result object, returned as is when the same idempotency key comes again.
    public var result: JSONValue

    public init(jobRunID: UInt64, status: String, companiesProcessed: Int?, companiesESLSuppressed: Int?,
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
        w.write(2, status)
        w.write(3, companiesProcessed)
        w.write(4, companiesESLSuppressed)
        w.write(5, errorMessage)
        w.write(6, json: result)
    }

    public init(from r: inout PayloadReader) throws {
        jobRunID = 0; status = ""; result = .null
        while let f = try r.next() {
            switch f.number {
            case 1: jobRunID = try f.uint64()
            case 2: status = try f.string()
            case 3: companiesProcessed = try f.int()
            case 4: companiesESLSuppressed = try f.int()
            case 5: errorMessage = try f.string()
            case 6: result = try f.json()
            default: break
            }
        }
    }
}
