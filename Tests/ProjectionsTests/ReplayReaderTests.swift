import EventLog
import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import Testing

/// The rebuild reads and decodes the log on a second thread (`ReplayReader`): held to the same
/// views as the append path, across hand-over, chunk and transaction boundaries, and to failing at
/// the first damaged record.
@Suite("Replay reader")
struct ReplayReaderTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// A store with more events than one hand-over holds, derived, scored and with a lead feed.
    func largeStore(seed: UInt64) throws -> Store {
        let (store, pipeline) = try initializedStore(now: ReplayReaderTests.now)
        var generator = SeededGenerator(seed: seed)
        let events = ReplayReader.batchSize * 2 + 1500
        try ingest(randomEvents(events, companies: 400, before: ReplayReaderTests.now.day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: ReplayReaderTests.now.day)
        _ = try pipeline.runUpdateLeadFeed(asOf: ReplayReaderTests.now.day)
        return store
    }

    @Test("Rebuilds in small transactions and chunks give the incremental fingerprints, fully and partially")
    func boundaries() throws {
        let store = try largeStore(seed: 17)
        let incremental = try storedFingerprints(store)
        #expect(incremental[.eventsByCompany]!.count > Int64(ReplayReader.batchSize * 2))
        #expect(incremental[.instances]!.count > 0 && incremental[.leadFeed]!.count > 0)
        for (transactionSize, chunkSize) in [(1_000_000, 8192), (2_500, 700), (4_096, 4_096), (977, 10_000)] {
            var options = ReplayOptions()
            options.transactionSize = transactionSize
            options.chunkSize = chunkSize
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == incremental, "transactions of \(transactionSize), chunks of \(chunkSize)")
            #expect(try contentFingerprints(store) == incremental)
        }
        // Partial rebuilds: the events index rebuilt (its runs applied) or copied (no runs).
        for views in [[View.eventsByCompany], [.companies], [.timeline]] {
            var options = ReplayOptions()
            options.views = views
            options.transactionSize = 3_000
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == incremental, "partial rebuild of \(views)")
            #expect(try contentFingerprints(store) == incremental)
        }
        #expect(try Replayer(store: store).verify().isOK)
    }

    @Test("A damaged record stops the rebuild with its error; the views in use stay as they were")
    func damagedRecord() throws {
        let store = try largeStore(seed: 23)
        let before = try storedFingerprints(store)
        let generation = store.views.generation
        // Past the first hand-over and the first write transaction, so earlier records were applied.
        let damaged = UInt64(ReplayReader.batchSize + 700)
        let db = try store.log.environment.database("log")
        let key = withUnsafeBytes(of: damaged.bigEndian) { Array($0) }
        try store.log.environment.write { txn in
            var bytes = try #require(try txn.value(db, key: key))
            bytes[bytes.count - 6] ^= 0x20
            try txn.put(db, key: key, value: bytes)
        }
        var options = ReplayOptions()
        options.transactionSize = 3_000
        #expect(throws: LogError.checksumMismatch(sequence: damaged)) { try Replayer(store: store).rebuild(options: options) }
        #expect(store.views.generation == generation)
        #expect(try storedFingerprints(store) == before)
        #expect(try contentFingerprints(store) == before)
    }

    /// The sequences `ReplayReader` hands over for `range` (an events run counts each of its
    /// events), and the error it ends with.
    static func decoded(_ log: EventLog, _ range: ClosedRange<UInt64>, chunkSize: Int) -> ([UInt64], LogError?) {
        var seen: [UInt64] = []
        let runs = ReplayReader.EventRuns(bulkLoaded: true, partialThrough: 0, partialWritesEvents: false)
        do {
            try ReplayReader.forEach(log, in: range, chunkSize: chunkSize, eventRuns: runs, committed: nil) { item in
                if case .events(let run) = item { seen += run.entries.map(\.sequence) } else { seen.append(item.sequence) }
            }
        } catch {
            return (seen, error as? LogError)
        }
        return (seen, nil)
    }

    /// The same from one `EventLog.forEach` over `range`.
    static func read(_ log: EventLog, _ range: ClosedRange<UInt64>, chunkSize: Int) -> ([UInt64], LogError?) {
        var seen: [UInt64] = []
        do {
            try log.forEach(in: range, chunkSize: chunkSize) { seen.append($0.sequence) }
        } catch {
            return (seen, error as? LogError)
        }
        return (seen, nil)
    }

    @Test("The decoders taking chunks in turn hand over what one read of the range gives, up to the same gap or end")
    func chunksInTurn() throws {
        let (store, pipeline) = try initializedStore(now: ReplayReaderTests.now)
        var generator = SeededGenerator(seed: 31)
        try ingest(randomEvents(2_000, companies: 60, before: ReplayReaderTests.now.day, using: &generator), into: pipeline)
        _ = try pipeline.runDerive()
        let log = store.log
        let head = try log.head()
        #expect(head > 2_000)
        let cases: [(ClosedRange<UInt64>, Int)] = [
            (1...head, 100), (1...head, 7), (1...head, 4_096), (1...head, 0), (17...(head + 500), 64), (1...1_000, 250),
            (5...5, 3), ((head + 1)...(head + 10), 4),
        ]
        func compare(_ label: String) {
            for (range, chunkSize) in cases {
                let expected = Self.read(log, range, chunkSize: chunkSize)
                let got = Self.decoded(log, range, chunkSize: chunkSize)
                #expect(got.0 == expected.0, "\(label): \(range), chunks of \(chunkSize)")
                #expect(got.1 == expected.1, "\(label): \(range), chunks of \(chunkSize)")
            }
        }
        compare("whole log")
        #expect(Self.read(log, 1...head, chunkSize: 100).0 == Array(1...head))
        // Gaps: one record inside a chunk, the first record of a chunk (301 for chunks of 100), a
        // stretch over several chunks of either decoder, and the log's last records.
        let db = try log.environment.database("log")
        for deleted in [[UInt64(150)], [301], Array(455...1_020), Array((head - 3)...head)] {
            var kept: [([UInt8], [UInt8])] = []
            try log.environment.write { txn in
                for sequence in deleted {
                    let key = withUnsafeBytes(of: sequence.bigEndian) { Array($0) }
                    kept.append((key, try #require(try txn.value(db, key: key))))
                    _ = try txn.delete(db, key: key)
                }
            }
            // Read whole, the log stops at the first missing record: with its gap, or at its new end.
            let first = deleted.first!, last = deleted.last!
            let whole = Self.decoded(log, 1...head, chunkSize: 100)
            #expect(whole.0 == Array(1..<first))
            #expect(whole.1 == (last == head ? nil : LogError.gap(after: first - 1, found: last + 1)))
            compare("without \(deleted.first!)…\(deleted.last!)")
            try log.environment.write { txn in
                for (key, value) in kept { try txn.put(db, key: key, value: value) }
            }
        }
        compare("restored")
    }
}
