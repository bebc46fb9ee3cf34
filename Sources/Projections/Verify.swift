import EventLog
import Foundation
import LMDB

/// The outcome of `--verify` for one view.
public struct ViewCheck: Sendable {
    /// How the live view compares with the one rebuilt from the log.
    public enum Status: Sendable {
        /// Same keys and values as the rebuild, and the stored fingerprint matches.
        case ok
        /// The first key (in key order) whose value differs or that only one side has.
        case differs(key: [UInt8], live: [UInt8]?, rebuilt: [UInt8]?)
        /// Contents agree but the fingerprint stored with the live view does not.
        case fingerprintMismatch(stored: Fingerprint, rebuilt: Fingerprint)
    }

    /// The view checked.
    public var view: View
    /// How it compares with the rebuild.
    public var status: Status
    /// The fingerprint stored with the live view, and the rebuilt one.
    public var stored: Fingerprint
    /// The fingerprint of the view rebuilt from the log.
    public var rebuilt: Fingerprint

    /// Whether the view matches its rebuild in content and fingerprint.
    public var isOK: Bool { if case .ok = status { return true } else { return false } }
}

/// What `--verify` found.
public struct VerifyResult: Sendable {
    /// One check per view, in slot order.
    public var checks: [ViewCheck]
    /// Records folded into the scratch rebuild (up to the live checkpoint).
    public var recordsReplayed: UInt64
    /// Wall-clock seconds of the whole check.
    public var elapsed: Double
    /// The live checkpoint the rebuild was taken to.
    public var appliedSequence: UInt64
    /// Whether every view matches its rebuild.
    public var isOK: Bool { checks.allSatisfy(\.isOK) }
    /// Records folded per wall-clock second (0 when nothing was timed).
    public var recordsPerSecond: Double { elapsed > 0 ? Double(recordsReplayed) / elapsed : 0 }
}

extension Replayer {
    /// Rebuilds every view from the log into a scratch environment (deleted afterwards) up to the
    /// live views' checkpoint and compares: view contents entry by entry (so a row changed behind
    /// the projector's back is found even though its fingerprint was not updated), then the stored
    /// fingerprints. Changes nothing in the live store.
    public func verify(options: ReplayOptions = ReplayOptions()) throws -> VerifyResult {
        try mappingStorageErrors { try verifyViews(options: options) }
    }

    private func verifyViews(options: ReplayOptions) throws -> VerifyResult {
        let log = store.log
        let scratchPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("siglog-verify-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratchPath) }
        var envOptions = Environment.Options()
        envOptions.durable = false
        envOptions.initialMapSize = 256 << 20
        let scratch = try Environment(path: scratchPath, options: envOptions)
        let rebuiltViews = try ViewSet(environment: scratch, generation: 1, create: true)

        let live = try store.read { $0.views }
        let applied = try store.read { try $0.appliedSequence() }
        var counter = ReplayCounter()
        counter.total = applied
        // The rebuild's fast path: the scratch views start empty, so the log is read and decoded on
        // other threads and the events index and timeline are bulk-loaded, as `rebuild` does.
        let bulk = BulkLoad(rebuilding: .all, budget: options.bulkLoadBudget, holdingCompanyIndexes: options.holdsCompanyIndexes)
        var folding = options
        folding.transactionSize = min(options.transactionSize, options.verifyTransactionSize)
        try Replayer.fold(log, 1, applied, into: rebuiltViews, environment: scratch, options: folding, bulk: bulk,
                          counter: &counter)
        try bulk.flushCommitting(into: rebuiltViews, environment: scratch)
        try bulk.flushInstanceRows(into: rebuiltViews, environment: scratch)

        let storedPrints = try store.read { try $0.fingerprints() }
        let rebuiltPrints = try scratch.read { try rebuiltViews.fingerprints(in: $0) }
        var checks: [ViewCheck] = []
        for view in View.allCases {
            let difference = try Replayer.firstDifference(
                live: live[view], in: log.environment, rebuilt: rebuiltViews[view], in: scratch)
            let stored = storedPrints[view] ?? Fingerprint()
            let rebuilt = rebuiltPrints[view] ?? Fingerprint()
            let status: ViewCheck.Status
            if let difference {
                status = .differs(key: difference.key, live: difference.live, rebuilt: difference.rebuilt)
            } else if stored != rebuilt {
                status = .fingerprintMismatch(stored: stored, rebuilt: rebuilt)
            } else {
                status = .ok
            }
            checks.append(ViewCheck(view: view, status: status, stored: stored, rebuilt: rebuilt))
        }
        let appliedAfter = try store.read { try $0.appliedSequence() }
        guard appliedAfter == applied else {
            throw ReplayError("the store changed during --verify (records \(applied + 1)…\(appliedAfter) were appended); run it again")
        }
        return VerifyResult(checks: checks, recordsReplayed: counter.done, elapsed: counter.elapsed, appliedSequence: applied)
    }

    /// Walks both databases in key order, in chunks of short read transactions, and returns the
    /// first key whose value differs or that only one side has.
    static func firstDifference(live: Database, in liveEnvironment: Environment, rebuilt: Database, in rebuiltEnvironment: Environment)
        throws -> (key: [UInt8], live: [UInt8]?, rebuilt: [UInt8]?)?
    {
        var left = ChunkedScan(database: live, environment: liveEnvironment)
        var right = ChunkedScan(database: rebuilt, environment: rebuiltEnvironment)
        var a = try left.next()
        var b = try right.next()
        while true {
            switch (a, b) {
            case (nil, nil):
                return nil
            case (let x?, nil):
                return (x.0, x.1, nil)
            case (nil, let y?):
                return (y.0, nil, y.1)
            case (let x?, let y?):
                if x.0 == y.0 {
                    if x.1 != y.1 { return (x.0, x.1, y.1) }
                    a = try left.next()
                    b = try right.next()
                } else if x.0.lexicographicallyPrecedes(y.0) {
                    return (x.0, x.1, nil)
                } else {
                    return (y.0, nil, y.1)
                }
            }
        }
    }
}

/// Entries of one database in key order, fetched in chunks so no read transaction stays open long.
struct ChunkedScan {
    let database: Database
    let environment: Environment
    var buffer: [([UInt8], [UInt8])] = []
    var index = 0
    var finished = false
    static let chunk = 20_000

    init(database: Database, environment: Environment) {
        self.database = database
        self.environment = environment
    }

    mutating func next() throws -> ([UInt8], [UInt8])? {
        if index == buffer.count {
            if finished { return nil }
            let after = buffer.last?.0
            buffer = try Replayer.readChunk(database, in: environment, after: after, limit: ChunkedScan.chunk)
            index = 0
            if buffer.count < ChunkedScan.chunk { finished = true }
            if buffer.isEmpty { return nil }
        }
        defer { index += 1 }
        return buffer[index]
    }
}

extension ViewSet {
    /// Test-only: overwrites one row of a view directly, bypassing the projector and its
    /// fingerprint, as on-disk corruption or a projection bug would.
    func corruptRowForTesting(view: View, key: [UInt8], value: [UInt8], in environment: Environment) throws {
        try environment.write { try $0.put(self[view], key: key, value: value) }
    }
}
