import EventLog
import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Synchronization
import Testing

/// A rebuild's reader thread builds the writes of a new signal instance (`PreparedInstance`) and
/// reads the log in committed reads of the fold's write transaction. Held to the views of the
/// append path byte for byte, with instance records that create rows (the prepared bytes) and that
/// merge into stored ones (the general path), fully and partially, and under a map that grows.
@Suite("Replay prepared instances")
struct ReplayPreparedInstanceTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// A store derived twice over the same companies, so the second derive's instance records
    /// upsert rows the first one created, then scored.
    func store(initialMapSize: Int = 64 << 20) throws -> Store {
        let store = try Store(path: temporaryPath("prepared"), mode: .create, durable: false, initialMapSize: initialMapSize)
        let pipeline = StageRunner(store: store, clock: FixedClock(ReplayPreparedInstanceTests.now), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
        var generator = SeededGenerator(seed: 20_261_201)
        let day = ReplayPreparedInstanceTests.now.day
        try ingest(randomEvents(3_000, companies: 300, before: day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        try ingest(randomEvents(2_000, companies: 300, before: day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: day)
        return store
    }

    /// The number of `signal_instance_derived` records in the log.
    func instanceRecords(_ store: Store) throws -> Int64 {
        var count: Int64 = 0
        try store.log.forEach { record in if record.type == .signalInstanceDerived { count += 1 } }
        return count
    }

    @Test("A full rebuild gives the append path's views byte for byte, new and merged instance rows alike",
          arguments: [1_000_000, 2_000, 97])
    func fullRebuild(transactionSize: Int) throws {
        let store = try store()
        // Some instance records merge into a row an earlier one created (the general path)…
        let rows = try storedFingerprints(store)[.instances]!.count
        #expect(rows > 100)
        #expect(try instanceRecords(store) > rows)
        var options = ReplayOptions()
        options.transactionSize = transactionSize
        try expectRebuildKeepsViews(store, options: options)
    }

    @Test("A partial rebuild of the instances (timeline copied: the general path) gives the same views")
    func partialRebuild() throws {
        try expectPartialRebuildsKeepViews(try store(), viewSets: [[.instances], [.timeline]], transactionSize: 1_000)
    }

    @Test("A rebuild into a map that must grow meanwhile writes each instance once")
    func mapGrowth() throws {
        let store = try store(initialMapSize: 1 << 20)
        let incremental = try storedFingerprints(store)
        let appended = try viewContents(store)
        // One fold transaction of the whole log (the reader thread's path: a log shorter than a tenth
        // of a transaction would be applied in the switch transaction itself)…
        var options = ReplayOptions()
        options.transactionSize = 50_000
        #expect(try store.log.head() > 5_000)
        // …into a map filled to just under the mark at which a write grows it first, so the fold
        // transaction itself runs out of room and runs again in a larger map.
        let environment = store.log.environment
        let filler = try environment.database("test.filler", create: true)
        var index: UInt64 = 0
        while environment.mapBytesUsed < environment.mapSize / 100 * 73 {
            try environment.write { txn in
                try txn.put(filler, key: withUnsafeBytes(of: index.bigEndian) { Array($0) }, value: [UInt8](repeating: 7, count: 16_000))
            }
            index += 1
        }
        let before = environment.mapSize
        try Replayer(store: store).rebuild(options: options)
        #expect(environment.mapSize > before)
        #expect(try storedFingerprints(store) == incremental)
        let rebuilt = try viewContents(store)
        for view in View.allCases { #expect(rebuilt[view] == appended[view], "\(view) differs") }
    }

    @Test("A rebuild finishes while another thread keeps asking to grow the map (the gate's exclusive side)")
    func growthRequestsDuringRebuild() throws {
        let store = try store()
        let incremental = try storedFingerprints(store)
        let environment = store.log.environment
        final class Flag: Sendable { let raised = Mutex(false) }
        let done = Flag()
        let grower = Thread {
            while !done.raised.withLock({ $0 }) {
                try? environment.growMap(minimum: environment.mapSize + (1 << 20))
                usleep(200)
            }
        }
        grower.start()
        defer { done.raised.withLock { $0 = true } }
        var options = ReplayOptions()
        options.transactionSize = 500
        options.chunkSize = 64
        let result = try Replayer(store: store).rebuild(options: options)
        #expect(result.fingerprints == incremental)
    }

    @Test("The log read in committed reads of a write transaction gives the records of its own short reads")
    func committedLogReads() throws {
        let store = try store()
        let log = store.log
        var direct: [UInt64] = []
        try log.forEach(in: 5...UInt64.max, chunkSize: 7) { direct.append($0.sequence) }
        #expect(direct.count > 1_000)
        let committed: [UInt64] = try log.environment.write { txn in
            try txn.withCommittedReads { reads in
                var seen: [UInt64] = []
                try log.forEach(in: 5...UInt64.max, chunkSize: 7, reading: { try reads.read($0) }) { seen.append($0.sequence) }
                return seen
            }
        }
        #expect(committed == direct)
    }
}
