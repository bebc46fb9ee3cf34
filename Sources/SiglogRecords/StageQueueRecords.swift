public import EventLog
import Foundation
public import SiglogCore
public import StageQueue

/// A record of the stage queue: one status change of `(workspace, company, stage)`. Every such
/// record is the content of one `StageTransition`, which the projector folds with
/// `StageMachine.apply` — the same function the writer consulted before appending it.
///
/// Fields 1–3 of every stage-queue record are the subject: workspace (UUID), company id, stage.
public protocol StageQueueRecord: SiglogRecord {
    /// Which company's stage changed.
    var subject: StageSubject { get }
    /// The change.
    var transition: StageTransition { get }
}

extension PayloadWriter {
    /// The subject as fields 1–3.
    mutating func write(subject: StageSubject) {
        write(1, subject.workspace)
        write(2, subject.company)
        write(3, subject.stage)
    }
}

/// Reads fields 1–3 of a stage-queue record; `other` gets every other field.
func readStageRecord(_ r: inout PayloadReader, name: String,
                     _ other: (PayloadReader.Field) throws -> Void) throws -> StageSubject {
    var workspace: UUID?
    var company: Int64?
    var stage: String?
    while let f = try r.next() {
        switch f.number {
        case 1: workspace = try f.uuid()
        case 2: company = try f.int64()
        case 3: stage = try f.string()
        default: try other(f)
        }
    }
    guard let workspace else { throw missingField("workspace_id", in: name) }
    guard let company else { throw missingField("company_id", in: name) }
    guard let stage else { throw missingField("stage", in: name) }
    return StageSubject(workspace: workspace, company: company, stage: stage)
}

/// `StageQueued`: the stage was queued by a request, by the chain (the previous stage completed)
/// or by the band trigger.
public struct StageQueued: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageQueued
    /// The company's stage queued.
    public var subject: StageSubject
    /// Why it was queued.
    public var reason: EnqueueReason

    /// Creates the record.
    public init(subject: StageSubject, reason: EnqueueReason) {
        self.subject = subject
        self.reason = reason
    }

    public var transition: StageTransition { .enqueue(reason) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        w.write(4, reason.rawValue)
    }

    public init(from r: inout PayloadReader) throws {
        var reason = EnqueueReason.request
        subject = try readStageRecord(&r, name: "stage_queued") { f in
            if f.number == 4 {
                let text = try f.string()
                guard let value = EnqueueReason(rawValue: text) else { throw PayloadError("stage_queued: unknown reason '\(text)'") }
                reason = value
            }
        }
        self.reason = reason
    }
}

/// `StageStarted`: a worker claimed the queued stage. The record's sequence number is the claim
/// (the worker's fencing token); `started_at` is its append time.
public struct StageStarted: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageStarted
    /// The company's stage claimed.
    public var subject: StageSubject
    /// The claiming worker's id (`host:pid:n`).
    public var worker: String

    /// Creates the record.
    public init(subject: StageSubject, worker: String) {
        self.subject = subject
        self.worker = worker
    }

    public var transition: StageTransition { .claim(worker: worker) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        w.write(4, worker)
    }

    public init(from r: inout PayloadReader) throws {
        var worker = ""
        subject = try readStageRecord(&r, name: "stage_started") { f in
            if f.number == 4 { worker = try f.string() }
        }
        self.worker = worker
    }
}

/// `StageJobAccepted`: the service accepted the claimed work under a job id.
public struct StageJobAccepted: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageJobAccepted
    /// The company's stage whose work was accepted.
    public var subject: StageSubject
    /// The claim the work was sent under.
    public var claim: UInt64
    /// The service's job id.
    public var jobID: String

    /// Creates the record.
    public init(subject: StageSubject, claim: UInt64, jobID: String) {
        self.subject = subject
        self.claim = claim
        self.jobID = jobID
    }

    public var transition: StageTransition { .accept(claim: claim, jobID: jobID) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        w.write(4, claim)
        w.write(5, jobID)
    }

    public init(from r: inout PayloadReader) throws {
        var claim: UInt64 = 0
        var jobID = ""
        subject = try readStageRecord(&r, name: "stage_job_accepted") { f in
            if f.number == 4 { claim = try f.uint64() } else if f.number == 5 { jobID = try f.string() }
        }
        self.claim = claim
        self.jobID = jobID
    }
}

/// The token fields shared by completion and failure: field 4 the claim, field 5 the job id.
extension StageToken {
    func encode(into w: inout PayloadWriter) {
        switch self {
        case .claim(let claim): w.write(4, claim)
        case .job(let id): w.write(5, id)
        }
    }
}

/// `StageCompleted`: the work completed with a result (`completed_at` is the append time).
public struct StageCompleted: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageCompleted
    /// The company's stage completed.
    public var subject: StageSubject
    /// The claim or job the result belongs to.
    public var token: StageToken
    /// The handler's result.
    public var result: JSONValue

    /// Creates the record.
    public init(subject: StageSubject, token: StageToken, result: JSONValue) {
        self.subject = subject
        self.token = token
        self.result = result
    }

    public var transition: StageTransition { .complete(token, result: result) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        token.encode(into: &w)
        w.write(6, json: result)
    }

    public init(from r: inout PayloadReader) throws {
        var token: StageToken?
        var result = JSONValue.null
        subject = try readStageRecord(&r, name: "stage_completed") { f in
            switch f.number {
            case 4: token = .claim(try f.uint64())
            case 5: token = .job(try f.string())
            case 6: result = try f.json()
            default: break
            }
        }
        guard let token else { throw missingField("claim or job_id", in: "stage_completed") }
        self.token = token
        self.result = result
    }
}

/// `StageFailed`: an attempt failed, with its error, its kind and the `max_retries` in force
/// (which decides between queued-again and failed).
public struct StageFailed: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageFailed
    /// The company's stage that failed.
    public var subject: StageSubject
    /// The claim or job that failed.
    public var token: StageToken
    /// `hard` or `retriable`.
    public var kind: StageFailureKind
    /// The error text.
    public var error: String
    /// The stage's `max_retries` when the failure was recorded.
    public var maxRetries: Int

    /// Creates the record.
    public init(subject: StageSubject, token: StageToken, kind: StageFailureKind, error: String, maxRetries: Int) {
        self.subject = subject
        self.token = token
        self.kind = kind
        self.error = error
        self.maxRetries = maxRetries
    }

    public var transition: StageTransition { .fail(token, kind: kind, error: error, maxRetries: maxRetries) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        token.encode(into: &w)
        w.write(6, kind.rawValue)
        w.write(7, error)
        w.write(8, maxRetries)
    }

    public init(from r: inout PayloadReader) throws {
        var token: StageToken?
        var kind = StageFailureKind.hard
        var error = ""
        var maxRetries = 0
        subject = try readStageRecord(&r, name: "stage_failed") { f in
            switch f.number {
            case 4: token = .claim(try f.uint64())
            case 5: token = .job(try f.string())
            case 6:
                let text = try f.string()
                guard let value = StageFailureKind(rawValue: text) else { throw PayloadError("stage_failed: unknown kind '\(text)'") }
                kind = value
            case 7: error = try f.string()
            case 8: maxRetries = try f.int()
            default: break
            }
        }
        guard let token else { throw missingField("claim or job_id", in: "stage_failed") }
        self.token = token
        self.kind = kind
        self.error = error
        self.maxRetries = maxRetries
    }
}

/// `StageStuckReset`: the stage stayed started past its stuck cutoff and was reset.
public struct StageStuckReset: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageStuckReset
    /// The company's stage reset.
    public var subject: StageSubject
    /// Claims started before this instant were stuck (`now − stuck_timeout` when recorded).
    public var startedBefore: Timestamp
    /// The stage's `max_retries` when the reset was recorded.
    public var maxRetries: Int

    /// Creates the record.
    public init(subject: StageSubject, startedBefore: Timestamp, maxRetries: Int) {
        self.subject = subject
        self.startedBefore = startedBefore
        self.maxRetries = maxRetries
    }

    public var transition: StageTransition { .resetStuck(startedBefore: startedBefore, maxRetries: maxRetries) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        w.write(4, startedBefore)
        w.write(5, maxRetries)
    }

    public init(from r: inout PayloadReader) throws {
        var cutoff = Timestamp(microseconds: 0)
        var maxRetries = 0
        subject = try readStageRecord(&r, name: "stage_stuck_reset") { f in
            if f.number == 4 { cutoff = try f.timestamp() } else if f.number == 5 { maxRetries = try f.int() }
        }
        startedBefore = cutoff
        self.maxRetries = maxRetries
    }
}

/// `StageRetried`: a failed stage queued again by hand.
public struct StageRetried: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageRetried
    /// The company's stage queued again.
    public var subject: StageSubject

    /// Creates the record.
    public init(subject: StageSubject) { self.subject = subject }

    public var transition: StageTransition { .retry }

    public func encode(into w: inout PayloadWriter) { w.write(subject: subject) }

    public init(from r: inout PayloadReader) throws {
        subject = try readStageRecord(&r, name: "stage_retried") { _ in }
    }
}

/// `StageReleased`: a worker shutting down gave an unstarted claim back.
public struct StageReleased: StageQueueRecord, Hashable {
    public static let recordType = RecordType.stageReleased
    /// The company's stage given back.
    public var subject: StageSubject
    /// The claim given back.
    public var claim: UInt64

    /// Creates the record.
    public init(subject: StageSubject, claim: UInt64) {
        self.subject = subject
        self.claim = claim
    }

    public var transition: StageTransition { .release(claim: claim) }

    public func encode(into w: inout PayloadWriter) {
        w.write(subject: subject)
        w.write(4, claim)
    }

    public init(from r: inout PayloadReader) throws {
        var claim: UInt64 = 0
        subject = try readStageRecord(&r, name: "stage_released") { f in
            if f.number == 4 { claim = try f.uint64() }
        }
        self.claim = claim
    }
}

extension RecordType {
    /// `StageQueued` (9x: the stage queue).
    public static let stageQueued = RecordType(rawValue: 90)
    /// `StageStarted`: a claim; its sequence number is the claim token.
    public static let stageStarted = RecordType(rawValue: 91)
    /// `StageJobAccepted`.
    public static let stageJobAccepted = RecordType(rawValue: 92)
    /// `StageCompleted`.
    public static let stageCompleted = RecordType(rawValue: 93)
    /// `StageFailed`.
    public static let stageFailed = RecordType(rawValue: 94)
    /// `StageStuckReset`.
    public static let stageStuckReset = RecordType(rawValue: 95)
    /// `StageRetried`.
    public static let stageRetried = RecordType(rawValue: 96)
    /// `StageReleased`.
    public static let stageReleased = RecordType(rawValue: 97)

    /// The stage-queue record types.
    public static let stageQueueTypes: Set<RecordType> = [
        .stageQueued, .stageStarted, .stageJobAccepted, .stageCompleted, .stageFailed, .stageStuckReset, .stageRetried,
        .stageReleased,
    ]
}
