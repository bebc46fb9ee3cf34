import Foundation
import LMDB
import Pipeline
@testable import Projections
import SiglogCore
import Synchronization
import Testing

/// `--verify` rebuilds into scratch through the rebuild's fast path (the reader thread, the bulk
/// load of the events index and timeline). These hold it to finding what the one-by-one fold found:
/// a changed, a missing and an extra entry in the bulk-loaded views as in the others, and a stored
/// fingerprint that does not describe the content.
@Suite("VerifyFastPath")
struct VerifyFastPathTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    func fixtureStore() throws -> Store {
        let (store, pipeline) = try initializedStore(now: VerifyFastPathTests.now)
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/events/sample.ndjson"), encoding: .utf8)
        _ = try ingest(text, into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: VerifyFastPathTests.now.day)
        _ = try pipeline.runUpdateLeadFeed(asOf: VerifyFastPathTests.now.day)
        return store
    }

    /// The first entry of `view` in the live store, and the one at the middle.
    func entries(_ view: View, of store: Store) throws -> [([UInt8], [UInt8])] {
        try store.read { reader in
            var all: [([UInt8], [UInt8])] = []
            try reader.transaction.forEach(reader.views[view]) { key, value in
                all.append((Array(key), Array(value)))
                return true
            }
            return all
        }
    }

    /// The one view that differs, and its reported difference.
    func onlyDifference(_ result: VerifyResult) throws -> (View, [UInt8], [UInt8]?, [UInt8]?) {
        let bad = result.checks.filter { !$0.isOK }
        try #require(bad.count == 1, "exactly one view differs: \(bad.map(\.view))")
        guard case .differs(let key, let live, let rebuilt) = bad[0].status else {
            Issue.record("expected a difference, got \(bad[0].status)")
            throw CancellationError()
        }
        return (bad[0].view, key, live, rebuilt)
    }

    @Test("A changed entry of a bulk-loaded view (events index, timeline) or of the instances is found with its key and both values",
          arguments: [View.eventsByCompany, .timeline, .instances])
    func changedEntry(view: View) throws {
        let store = try fixtureStore()
        #expect(try Replayer(store: store).verify().isOK)
        let all = try entries(view, of: store)
        try #require(all.count > 2)
        let (key, original) = all[all.count / 2]
        let bad: [UInt8] = original + [0x7F]
        try store.views.corruptRowForTesting(view: view, key: key, value: bad, in: store.log.environment)
        let (found, reportedKey, live, rebuilt) = try onlyDifference(try Replayer(store: store).verify())
        #expect(found == view)
        #expect(reportedKey == key)
        #expect(live == bad)
        #expect(rebuilt == original)
    }

    @Test("A missing and an extra entry of the events index are found, each as the side that lacks it",
          arguments: [false, true])
    func missingOrExtra(extra: Bool) throws {
        let store = try fixtureStore()
        let all = try entries(.eventsByCompany, of: store)
        let (key, value) = all[all.count / 3]
        var changed = key
        if extra {
            // A key between two stored ones: the same company, sequence + 0 with a byte appended.
            changed.append(0x00)
            try store.views.corruptRowForTesting(view: .eventsByCompany, key: changed, value: value, in: store.log.environment)
        } else {
            try store.log.environment.write { _ = try $0.delete(store.views[.eventsByCompany], key: key) }
        }
        let (found, reportedKey, live, rebuilt) = try onlyDifference(try Replayer(store: store).verify())
        #expect(found == .eventsByCompany)
        #expect(reportedKey == (extra ? changed : key))
        #expect(live == (extra ? value : nil))
        #expect(rebuilt == (extra ? nil : value))
    }

    @Test("A stored fingerprint that does not describe the content is reported, whatever the fold's transaction size")
    func fingerprintMismatch() throws {
        let store = try fixtureStore()
        let stored = try storedFingerprints(store)
        for size in [1_000_000, 97, 5] {
            var options = ReplayOptions()
            options.transactionSize = size
            options.chunkSize = 31
            let result = try Replayer(store: store).verify(options: options)
            #expect(result.isOK, "transaction size \(size)")
            #expect(Dictionary(uniqueKeysWithValues: result.checks.map { ($0.view, $0.rebuilt) }) == stored)
        }
        // Change the timeline's stored fingerprint (the checkpoint row), not its content.
        try store.log.environment.write { txn in
            var row = try #require(try txn.value(store.views.checkpoint, key: ViewSet.checkpointKey))
            let offset = ViewSet.fingerprintOffset(.timeline)
            row[offset] ^= 0x01
            try txn.put(store.views.checkpoint, key: ViewSet.checkpointKey, value: row)
        }
        let result = try Replayer(store: store).verify()
        let bad = result.checks.filter { !$0.isOK }
        #expect(bad.map(\.view) == [.timeline])
        guard case .fingerprintMismatch(let storedPrint, let rebuilt) = bad.first?.status else {
            Issue.record("expected a fingerprint mismatch"); return
        }
        #expect(rebuilt == stored[.timeline])
        #expect(storedPrint != rebuilt)
    }

    @Test("Verify folds at most verifyTransactionSize records per scratch transaction, and a smaller transactionSize still wins")
    func verifyTransactionSize() throws {
        let store = try fixtureStore()
        let applied = try store.read { try $0.appliedSequence() }
        try #require(applied > 40)
        /// The write transactions of a verify, which must find nothing (progress is reported after each).
        func transactions(transactionSize: Int, verifyTransactionSize: Int) throws -> Int {
            let commits = Mutex(0)
            var options = ReplayOptions()
            options.transactionSize = transactionSize
            options.verifyTransactionSize = verifyTransactionSize
            options.progress = { _ in commits.withLock { $0 += 1 } }
            #expect(try Replayer(store: store).verify(options: options).isOK)
            return commits.withLock { $0 }
        }
        let perTransaction = { (size: Int) in Int((applied + UInt64(size) - 1) / UInt64(size)) }
        #expect(try transactions(transactionSize: 1_000_000, verifyTransactionSize: 1_000_000) == 1)
        #expect(try transactions(transactionSize: 1_000_000, verifyTransactionSize: 20) == perTransaction(20))
        #expect(try transactions(transactionSize: 13, verifyTransactionSize: 20) == perTransaction(13))
    }
}
