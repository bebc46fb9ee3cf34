import EventLog
import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import Testing

/// A rebuild decodes the first chunks of its next fold transaction while the writer thread ends,
/// commits and flushes the one before (`ReplayReader.DecodedAhead`): the fold then applies them
/// before what its own decoders read. Held to the records one read of the range gives (up to the
/// same gap or damaged record), and to the views of a rebuild that decodes nothing ahead.
@Suite("Replay decoded ahead")
struct ReplayDecodedAheadTests {
    /// The sequences `ReplayReader.forEach` hands over for `range` when its first `chunks` chunks
    /// were decoded ahead (an events run counts each of its events), and the error it ends with.
    static func decodedAhead(_ log: EventLog, _ range: ClosedRange<UInt64>, chunkSize: Int, chunks: Int)
        -> ([UInt64], LogError?)
    {
        var seen: [UInt64] = []
        let runs = ReplayReader.EventRuns(bulkLoaded: true, partialThrough: 0, partialWritesEvents: false)
        let ahead = ReplayReader.DecodedAhead(log, in: range, chunkSize: chunkSize, chunks: chunks, eventRuns: runs)
        defer { ahead.cancel() }
        ahead.wait()
        do {
            try ReplayReader.forEach(log, in: range, chunkSize: chunkSize, eventRuns: runs, committed: nil, ahead: ahead) { item in
                if case .events(let run) = item { seen += run.entries.map(\.sequence) } else { seen.append(item.sequence) }
            }
        } catch {
            return (seen, error as? LogError)
        }
        return (seen, nil)
    }

    @Test("Chunks decoded ahead, then the decoders' own, hand over what one read of the range gives, up to the same gap or end")
    func sameRecords() throws {
        let (store, pipeline) = try initializedStore(now: ReplayReaderTests.now)
        var generator = SeededGenerator(seed: 41)
        try ingest(randomEvents(2_000, companies: 60, before: ReplayReaderTests.now.day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        let log = store.log
        let head = try log.head()
        #expect(head > 2_000)
        // Ranges longer and shorter than the chunks decoded ahead, ending inside or at the end of
        // one of them, past the log's end, and wholly past it.
        let cases: [(ClosedRange<UInt64>, Int, Int)] = [
            (1...head, 100, 2), (1...head, 100, 8), (1...head, 7, 4), (1...head, 4_096, 2), (1...head, 5_000, 8),
            (17...(head + 500), 64, 6), (1...1_000, 250, 4), (1...1_000, 250, 2), (1...999, 250, 8), (5...5, 3, 2),
            ((head + 1)...(head + 10), 4, 2),
        ]
        func compare(_ label: String) {
            for (range, chunkSize, chunks) in cases {
                let expected = ReplayReaderTests.read(log, range, chunkSize: chunkSize)
                let got = Self.decodedAhead(log, range, chunkSize: chunkSize, chunks: chunks)
                #expect(got.0 == expected.0, "\(label): \(range), chunks of \(chunkSize), \(chunks) ahead")
                #expect(got.1 == expected.1, "\(label): \(range), chunks of \(chunkSize), \(chunks) ahead")
            }
        }
        compare("whole log")
        // Gaps inside the chunks decoded ahead (the first chunk, the first record of another), at
        // the edge between them and the decoders' own (record 801 for 8 chunks of 100), after
        // them, across both, and at the log's end.
        let db = try log.environment.database("log")
        for deleted in [[UInt64(50)], [301], [801], [1_500], Array(455...1_020), Array((head - 3)...head)] {
            var kept: [([UInt8], [UInt8])] = []
            try log.environment.write { txn in
                for sequence in deleted {
                    let key = withUnsafeBytes(of: sequence.bigEndian) { Array($0) }
                    kept.append((key, try #require(try txn.value(db, key: key))))
                    _ = try txn.delete(db, key: key)
                }
            }
            compare("without \(deleted.first!)…\(deleted.last!)")
            try log.environment.write { txn in
                for (key, value) in kept { try txn.put(db, key: key, value: value) }
            }
        }
        // A damaged record inside the chunks decoded ahead: the records before it, then its error.
        let damaged: UInt64 = 260
        let key = withUnsafeBytes(of: damaged.bigEndian) { Array($0) }
        let original = try log.environment.write { txn in
            let bytes = try #require(try txn.value(db, key: key))
            var changed = bytes
            changed[changed.count - 6] ^= 0x20
            try txn.put(db, key: key, value: changed)
            return bytes
        }
        let got = Self.decodedAhead(log, 1...head, chunkSize: 100, chunks: 8)
        #expect(got.0 == Array(1..<damaged))
        #expect(got.1 == LogError.checksumMismatch(sequence: damaged))
        compare("damaged \(damaged)")
        try log.environment.write { txn in try txn.put(db, key: key, value: original) }
        compare("restored")
    }

    @Test("A rebuild that decodes its folds' first chunks ahead gives the views and fingerprints of one that does not",
          arguments: [(700, 100), (2_500, 300), (97, 16), (20_000, 8_192)])
    func rebuildMatches(transactionSize: Int, chunkSize: Int) throws {
        let store = try BulkLoadBudgetTests().store(initialMapSize: 64 << 20)
        let incremental = try storedFingerprints(store)
        func rebuild(chunksAhead: Int) throws -> [View: [[UInt8]]] {
            var options = BulkLoadBudgetTests().options(budget: 16 << 10, transactionSize: transactionSize)
            options.chunkSize = chunkSize
            options.chunksDecodedAhead = chunksAhead
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == incremental)
            #expect(try contentFingerprints(store) == incremental)
            var verifying = options
            verifying.verifyTransactionSize = transactionSize
            #expect(try Replayer(store: store).verify(options: verifying).isOK)
            return try viewContents(store)
        }
        let plain = try rebuild(chunksAhead: 0)
        for chunksAhead in [2, 8] {
            let ahead = try rebuild(chunksAhead: chunksAhead)
            for view in View.allCases { #expect(ahead[view] == plain[view], "\(view) differs, \(chunksAhead) chunks ahead") }
        }
    }

    @Test("Fold transactions that run again after the map grew apply what was decoded ahead once")
    func mapGrowth() throws {
        let store = try BulkLoadBudgetTests().store(initialMapSize: 64 << 20)
        let head = try store.log.head()
        let expected = try storedFingerprints(store)
        /// The log folded into a fresh map of 1 MiB — far too small: fold transactions fail with a full
        /// map after applying records and run again in a larger one — and the views' entries.
        func fold(chunksAhead: Int) throws -> ([View: Fingerprint], [View: [[UInt8]]]) {
            var environmentOptions = LMDB.Environment.Options()
            environmentOptions.durable = false
            environmentOptions.initialMapSize = 1 << 20
            let scratch = try LMDB.Environment(path: temporaryPath("decoded-ahead-scratch"), options: environmentOptions)
            let views = try ViewSet(environment: scratch, generation: 1, create: true)
            var options = BulkLoadBudgetTests().options(budget: 16 << 10, transactionSize: 900)
            options.chunkSize = 128
            options.chunksDecodedAhead = chunksAhead
            let bulk = BulkLoad(rebuilding: .all, budget: options.bulkLoadBudget)
            var counter = ReplayCounter()
            try Replayer.fold(store.log, 1, head, into: views, environment: scratch, options: options, bulk: bulk, counter: &counter)
            #expect(scratch.mapSize > 1 << 20, "the map grew: fold transactions ran again")
            try bulk.flushCommitting(into: views, environment: scratch)
            try bulk.flushInstanceRows(into: views, environment: scratch)
            return try scratch.read { txn in
                var entries: [View: [[UInt8]]] = [:]
                var computed: [View: Fingerprint] = [:]
                for view in View.allCases {
                    var rows: [[UInt8]] = []
                    try txn.forEach(views[view]) { key, value in
                        rows.append(Array(key))
                        rows.append(Array(value))
                        return true
                    }
                    entries[view] = rows
                    computed[view] = try views.computeFingerprint(of: view, in: txn)
                }
                #expect(try views.fingerprints(in: txn) == computed)
                return (computed, entries)
            }
        }
        let (plainPrints, plain) = try fold(chunksAhead: 0)
        let (aheadPrints, ahead) = try fold(chunksAhead: 4)
        #expect(plainPrints == expected)
        #expect(aheadPrints == expected)
        for view in View.allCases { #expect(ahead[view] == plain[view], "\(view) differs") }
    }

    @Test("A damaged record in the chunks decoded ahead stops the rebuild with its error; the views in use stay as they were")
    func damagedRecord() throws {
        let store = try BulkLoadBudgetTests().store(initialMapSize: 64 << 20)
        let before = try storedFingerprints(store)
        let generation = store.views.generation
        // In the second fold transaction's first chunks (folds of 700 records, chunks of 100).
        let damaged: UInt64 = 760
        let db = try store.log.environment.database("log")
        let key = withUnsafeBytes(of: damaged.bigEndian) { Array($0) }
        try store.log.environment.write { txn in
            var bytes = try #require(try txn.value(db, key: key))
            bytes[bytes.count - 6] ^= 0x20
            try txn.put(db, key: key, value: bytes)
        }
        var options = BulkLoadBudgetTests().options(budget: 16 << 10, transactionSize: 700)
        options.chunkSize = 100
        options.eventRunReach = 0
        options.chunksDecodedAhead = 4
        #expect(throws: LogError.checksumMismatch(sequence: damaged)) { try Replayer(store: store).rebuild(options: options) }
        #expect(store.views.generation == generation)
        #expect(try storedFingerprints(store) == before)
        #expect(try contentFingerprints(store) == before)
    }
}
