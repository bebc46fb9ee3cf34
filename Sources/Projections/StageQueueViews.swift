import EventLog
public import Foundation
import LMDB
public import SiglogCore
import SiglogRecords
public import StageQueue

// The stage queue's views: each company's state per stage, the queued and started items of a
// stage in order, and counts per stage and status — all folded from the stage-queue records by
// `StageMachine.apply`, the function the writer consulted before appending them.

/// The stored form of a `StageState` (the `stage.states` value): tagged fields, so fields added
/// later still decode from older rows.
public enum StageStateCodec {
    /// The row's bytes.
    public static func encode(_ s: StageState) -> [UInt8] {
        var w = PayloadWriter()
        w.write(1, s.status.rawValue)
        w.write(2, s.jobID)
        if let result = s.result { w.write(3, json: result) }
        w.write(4, s.error)
        w.write(5, s.failureKind?.rawValue)
        w.write(6, s.retryCount)
        w.write(7, s.attempts)
        w.write(8, s.queuedAt)
        if let sequence = s.queuedSequence { w.write(9, sequence) }
        w.write(10, s.startedAt)
        if let claim = s.claim { w.write(11, claim) }
        w.write(12, s.worker)
        w.write(13, s.completedAt)
        w.write(14, s.updatedAt)
        return w.bytes
    }

    /// Reads a row written by `encode`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> StageState {
        var r = PayloadReader(bytes)
        var s = StageState()
        while let f = try r.next() {
            switch f.number {
            case 1:
                let text = try f.string()
                guard let status = StageStatus(rawValue: text) else { throw PayloadError("stage state: unknown status '\(text)'") }
                s.status = status
            case 2: s.jobID = try f.string()
            case 3: s.result = try f.json()
            case 4: s.error = try f.string()
            case 5: s.failureKind = StageFailureKind(rawValue: try f.string())
            case 6: s.retryCount = try f.int()
            case 7: s.attempts = try f.int()
            case 8: s.queuedAt = try f.timestamp()
            case 9: s.queuedSequence = try f.uint64()
            case 10: s.startedAt = try f.timestamp()
            case 11: s.claim = try f.uint64()
            case 12: s.worker = try f.string()
            case 13: s.completedAt = try f.timestamp()
            case 14: s.updatedAt = try f.timestamp()
            default: break
            }
        }
        return s
    }
}

/// The keys of the stage-queue views.
enum StageKeys {
    static func state(_ s: StageSubject) -> ViewKey {
        ViewKey().appending(s.workspace).appending(s.company).appending(s.stage)
    }

    /// `(stage, workspace)`: the prefix of one stage's queued or started items in a workspace.
    static func order(stage: String, workspace: UUID) -> ViewKey {
        ViewKey().appending(stage).appending(workspace)
    }

    static func queued(_ s: StageSubject, _ state: StageState) -> ViewKey? {
        guard let at = state.queuedAt, let sequence = state.queuedSequence else { return nil }
        return order(stage: s.stage, workspace: s.workspace).appending(at.microseconds).appending(sequence)
    }

    static func started(_ s: StageSubject, _ state: StageState) -> ViewKey? {
        guard let at = state.startedAt, let claim = state.claim else { return nil }
        return order(stage: s.stage, workspace: s.workspace).appending(at.microseconds).appending(claim)
    }

    static func count(workspace: UUID, stage: String, status: StageStatus) -> ViewKey {
        ViewKey().appending(workspace).appending(stage).appending(status.rawValue)
    }

    /// The count of companies with a state in any stage of the workspace (stage names are never empty).
    static func companies(workspace: UUID) -> ViewKey {
        ViewKey().appending(workspace).appending("").appending("companies")
    }

    static func companyBytes(_ id: Int64) -> [UInt8] { ViewKey().appending(id).bytes }
}

extension ViewProjector {
    /// Folds one stage-queue record: the new state replaces the old, the queue indexes follow the
    /// status, the counts move from the old status to the new. A transition that does not apply
    /// changes nothing (the writer never appends one, but a fold must not depend on that).
    func applyStage(_ record: some StageQueueRecord, seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        let subject = record.subject
        let key = StageKeys.state(subject)
        let stored = try w.transaction.withValue(views[.stageStates], key: key.bytes, StageStateCodec.decode)
        let old = stored ?? StageState()
        guard let new = StageMachine.apply(record.transition, to: old, at: StageStamp(sequence: seq, time: at)) else { return }
        if stored == nil {
            // The company's first state in this workspace's queue, unless another stage has one.
            var known = false
            try w.transaction.forEach(views[.stageStates], from: ViewKey().appending(subject.workspace).appending(subject.company).bytes) { k, _ in
                known = ViewKey().appending(subject.workspace).appending(subject.company).isPrefix(of: k)
                return false
            }
            if !known { try addCount(StageKeys.companies(workspace: subject.workspace), 1, w) }
        } else {
            try addCount(StageKeys.count(workspace: subject.workspace, stage: subject.stage, status: old.status), -1, w)
        }
        try addCount(StageKeys.count(workspace: subject.workspace, stage: subject.stage, status: new.status), 1, w)
        if old.status == .queued, let k = StageKeys.queued(subject, old) { try w.delete(.stageQueued, k) }
        if old.status == .started, let k = StageKeys.started(subject, old) { try w.delete(.stageStarted, k) }
        if new.status == .queued, let k = StageKeys.queued(subject, new) { try w.put(.stageQueued, k, StageKeys.companyBytes(subject.company)) }
        if new.status == .started, let k = StageKeys.started(subject, new) { try w.put(.stageStarted, k, StageKeys.companyBytes(subject.company)) }
        try w.put(.stageStates, key, StageStateCodec.encode(new))
    }

    /// Adds `delta` to the count under `key`; a count that reaches zero is removed.
    private func addCount(_ key: ViewKey, _ delta: Int64, _ w: ViewWriter) throws {
        let current = try w.transaction.withValue(views[.stageCounts], key: key.bytes) { bytes -> Int64 in
            bytes.count == 8 ? Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))) : 0
        } ?? 0
        let value = current + delta
        if value <= 0 {
            try w.delete(.stageCounts, key)
        } else {
            try w.put(.stageCounts, key, withUnsafeBytes(of: UInt64(bitPattern: value).bigEndian) { Array($0) })
        }
    }
}

/// One item of a stage's queue (queued or started), as the order indexes hold it.
public struct StageQueueEntry: Sendable, Hashable {
    /// The company's stage.
    public var subject: StageSubject
    /// `queued_at` for a queued item, `started_at` for a started one.
    public var at: Timestamp
    /// The log position that placed it there (queue tie-breaker; the claim for a started item).
    public var sequence: UInt64

    /// An entry.
    public init(subject: StageSubject, at: Timestamp, sequence: UInt64) {
        self.subject = subject
        self.at = at
        self.sequence = sequence
    }
}

extension ViewReader {
    /// The company's state in `subject`'s stage; `pending` (the initial state) when it has none.
    public func stageState(_ subject: StageSubject) throws -> StageState {
        try row(.stageStates, StageKeys.state(subject), StageStateCodec.decode) ?? StageState()
    }

    /// The company's recorded stages in the workspace (stage → state), by stage name.
    public func stageStates(workspace: UUID, company: Int64) throws -> [(stage: String, state: StageState)] {
        var result: [(stage: String, state: StageState)] = []
        try scan(.stageStates, prefix: ViewKey().appending(workspace).appending(company)) { key, value in
            var reader = ViewKeyReader(key)
            reader.skipUUID()
            _ = reader.int64()
            result.append((reader.string(), try StageStateCodec.decode(value)))
            return true
        }
        return result
    }

    /// Every recorded stage state of the workspace, by company then stage; `body` returns false to stop.
    public func forEachStageState(workspace: UUID, _ body: (StageSubject, StageState) throws -> Bool) throws {
        try scan(.stageStates, prefix: ViewKey().appending(workspace)) { key, value in
            var reader = ViewKeyReader(key)
            reader.skipUUID()
            let company = reader.int64()
            let subject = StageSubject(workspace: workspace, company: company, stage: reader.string())
            return try body(subject, try StageStateCodec.decode(value))
        }
    }

    /// The queued items of `stage` in `workspace`, oldest first; `body` returns false to stop.
    public func forEachQueued(stage: String, workspace: UUID, _ body: (StageQueueEntry) throws -> Bool) throws {
        try forEachOrdered(.stageQueued, stage: stage, workspace: workspace, before: nil, body)
    }

    /// The started items of `stage` in `workspace`, earliest start first, started before `before`
    /// when given; `body` returns false to stop.
    public func forEachStarted(stage: String, workspace: UUID, before: Timestamp? = nil,
                               _ body: (StageQueueEntry) throws -> Bool) throws {
        try forEachOrdered(.stageStarted, stage: stage, workspace: workspace, before: before, body)
    }

    private func forEachOrdered(_ view: View, stage: String, workspace: UUID, before: Timestamp?,
                                _ body: (StageQueueEntry) throws -> Bool) throws {
        let prefix = StageKeys.order(stage: stage, workspace: workspace)
        let skip = prefix.bytes.count
        try scan(view, prefix: prefix) { key, value in
            var reader = ViewKeyReader(UnsafeRawBufferPointer(rebasing: key[skip...]))
            let at = Timestamp(microseconds: reader.int64())
            if let before, at >= before { return false }
            let sequence = reader.uint64()
            var companyReader = ViewKeyReader(value)
            let subject = StageSubject(workspace: workspace, company: companyReader.int64(), stage: stage)
            return try body(StageQueueEntry(subject: subject, at: at, sequence: sequence))
        }
    }

    /// How many of the workspace's companies are in `status` in `stage` (a counts-view lookup).
    public func stageCount(workspace: UUID, stage: String, status: StageStatus) throws -> Int {
        try count(StageKeys.count(workspace: workspace, stage: stage, status: status))
    }

    /// How many of the workspace's companies have a state in any stage (the companies in the chain).
    public func stageCompanies(workspace: UUID) throws -> Int {
        try count(StageKeys.companies(workspace: workspace))
    }

    /// The stage names with a recorded state in the workspace, by name (from the counts view).
    public func stageNames(workspace: UUID) throws -> [String] {
        var names: [String] = []
        try scan(.stageCounts, prefix: ViewKey().appending(workspace)) { key, _ in
            var reader = ViewKeyReader(key)
            reader.skipUUID()
            let name = reader.string()
            if !name.isEmpty && names.last != name { names.append(name) }
            return true
        }
        return names
    }

    private func count(_ key: ViewKey) throws -> Int {
        try row(.stageCounts, key) { bytes -> Int in
            bytes.count == 8 ? Int(UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))) : 0
        } ?? 0
    }
}
