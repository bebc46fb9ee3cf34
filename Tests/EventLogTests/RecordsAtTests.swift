import Foundation
import LMDB
import Testing
@testable import EventLog

/// `EventLog.withRecords(at:in:)`: one cursor over ascending sequences, stepping to near ones and
/// seeking far ones, gives what a lookup per sequence gives.
@Suite("Records at several sequences")
struct RecordsAtTests {
    /// Each sequence's sample number, read one lookup at a time; nil from the first one missing.
    static func oneByOne(_ log: EventLog, _ sequences: [UInt64]) throws -> [Int]? {
        try log.read { txn in
            var result: [Int] = []
            for sequence in sequences {
                guard let n = try log.withRecord(at: sequence, in: txn, { try $0.withPayload(decodeSample).0 }) else { return nil }
                result.append(n)
            }
            return result
        }
    }

    /// The same through `withRecords`, with the index each record was lent with.
    static func together(_ log: EventLog, _ sequences: [UInt64]) throws -> (numbers: [Int], indexes: [Int], missing: UInt64?) {
        try log.read { txn in
            var numbers: [Int] = []
            var indexes: [Int] = []
            let missing = try log.withRecords(at: sequences, in: txn) { index, record in
                #expect(record.sequence == sequences[index])
                numbers.append(try record.withPayload(decodeSample).0)
                indexes.append(index)
            }
            return (numbers, indexes, missing)
        }
    }

    @Test("near and far sequences, repeats and every stride give each record as a single lookup does")
    func sameAsOneByOne() throws {
        let log = try scratchLog()
        let count = 3_000
        try log.append((0..<count).map { Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload($0)) })
        var lists: [[UInt64]] = []
        for stride in [1, 2, 3, 7, 23, 24, 25, 26, 40, 97, 500] {
            lists.append(Array(Swift.stride(from: UInt64(1 + stride / 2), through: UInt64(count), by: stride)))
        }
        var state: UInt64 = 20261130
        // A fixed linear congruential sequence: the same lists on every run.
        func nextRandom() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for _ in 0..<20 {
            // Gaps from 0 (a repeat) to far beyond the step limit, mixed.
            var sequence = UInt64(1 + nextRandom() % 5)
            var list: [UInt64] = []
            while sequence <= UInt64(count) {
                list.append(sequence)
                sequence += [0, 1, 5, 24, 25, 60][Int(nextRandom() % 6)]
            }
            lists.append(list)
        }
        for list in lists {
            let expected = try #require(try Self.oneByOne(log, list))
            let read = try Self.together(log, list)
            #expect(read.missing == nil)
            #expect(read.numbers == expected)
            #expect(read.indexes == Array(list.indices))
        }
    }

    @Test("the first sequence without a record is returned, near or far, and nothing after it is lent")
    func missingRecord() throws {
        let log = try scratchLog()
        try log.append((0..<100).map { Envelope(type: sampleType, appendedAt: 0, workspace: nil, payload: samplePayload($0)) })
        for list: [UInt64] in [[98, 100, 101], [50, 100, 103, 104], [90, 140], [0, 5], [1, 2, 200]] {
            let read = try Self.together(log, list)
            let firstMissing = list.first { $0 == 0 || $0 > 100 }
            #expect(read.missing == firstMissing)
            #expect(read.numbers == list.prefix { $0 != firstMissing }.map { Int($0) - 1 })
        }
    }
}
