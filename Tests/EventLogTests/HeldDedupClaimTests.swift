import Foundation
import LMDB
import Testing

@testable import EventLog

/// One step of a claim script: a claim (lent bytes or an array), a record or a lookup.
private enum DedupStep {
    case claimBytes([UInt8])
    case claimArray([UInt8])
    case record([UInt8])
    case lookup([UInt8])
}

/// A deterministic generator (SplitMix64), so every run checks the same script.
private struct SeededNumbers {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Claims like ingest's: ascending ids per source with the sources interleaved, some random keys,
/// repeats of keys seen in this batch and in earlier ones, long (hashed) keys and keys that start
/// with the hash marker; now and then a lookup or a record.
private func claimScript(steps: Int, seed: UInt64) -> [DedupStep] {
    var numbers = SeededNumbers(state: seed)
    let sources = ["alpha", "beta", "delta", "gamma", "kappa", "lambda", "omega", "sigma", "theta", "zeta"]
    var nextID = Array(repeating: 0, count: sources.count)
    var seen: [[UInt8]] = []
    var script: [DedupStep] = []
    for _ in 0..<steps {
        let key: [UInt8]
        switch numbers.below(100) {
        case 0..<70:
            let source = numbers.below(sources.count)
            nextID[source] += 1 + numbers.below(3)
            key = Array("\(sources[source])\u{0}\(sources[source])-\(String(format: "%08d", nextID[source]))".utf8)
        case 70..<78:
            // Random ids under a hundred prefixes: out of order within a prefix, more prefixes than runs.
            key = Array("r\(numbers.below(100))\u{0}\(numbers.next())".utf8)
        case 78..<92 where !seen.isEmpty:
            key = seen[numbers.below(seen.count)]
        case 92..<96:
            let base = "long\u{0}" + String(repeating: "owner/repo:PushEvent:", count: 7)
            key = Array((base + "\(numbers.below(max(1, seen.count / 4 + 1)))").utf8)
        default:
            key = [0xFF] + Array("marked-\(numbers.below(max(1, seen.count / 4 + 1)))".utf8)
        }
        seen.append(key)
        switch numbers.below(20) {
        case 0: script.append(.lookup(key))
        case 1: script.append(.record(key))
        case 2, 3: script.append(.claimArray(key))
        default: script.append(.claimBytes(key))
        }
    }
    return script
}

/// Runs `script` in transactions of `batchSize` steps, holding the claims of each or not; returns
/// every step's answer and the dedup index's entries afterwards.
private func run(_ script: [DedupStep], batchSize: Int, holding: Bool, mapSize: Int = 64 << 20) throws
    -> (answers: [String], entries: [[UInt8]])
{
    var options = EventLog.Options()
    options.durable = false
    options.initialMapSize = mapSize
    let log = try EventLog(path: temporaryStorePath(), mode: .create, options: options)
    var answers: [String] = []
    var start = 0
    var firstSequence: UInt64 = 1
    while start < script.count {
        let end = min(start + batchSize, script.count)
        let (batchAnswers, next) = try log.write { writer -> ([String], UInt64) in
            if holding { writer.holdDedupClaims() }
            var answers: [String] = []
            var sequence = firstSequence
            for step in script[start..<end] {
                switch step {
                case .claimBytes(let key):
                    answers.append("\(try key.withUnsafeBytes { try writer.claimDedup($0, sequence: sequence) })")
                case .claimArray(let key):
                    answers.append("\(try writer.claimDedup(key, sequence: sequence))")
                case .record(let key):
                    answers.append("\(try writer.recordDedup(key, sequence: sequence))")
                case .lookup(let key):
                    answers.append("\(String(describing: try writer.dedupSequence(for: key)))")
                }
                sequence += 1
            }
            return (answers, sequence)
        }
        answers += batchAnswers
        firstSequence = next
        start = end
    }
    let entries = try log.read { txn in
        var entries: [[UInt8]] = []
        try txn.forEach(log.dedup) { key, value in
            entries.append(Array(key) + [0xAA] + Array(value))
            return true
        }
        return entries
    }
    return (answers, entries)
}

@Suite("Held dedup claims")
struct HeldDedupClaimTests {
    @Test("held claims answer as the plain claims and leave the same entries, in batches of 1, 7, 333 and 50,000",
          arguments: [1, 7, 333, 50_000])
    func heldEqualsPlain(batchSize: Int) throws {
        let script = claimScript(steps: batchSize >= 333 ? 60_000 : 2_000, seed: UInt64(batchSize))
        let plain = try run(script, batchSize: batchSize, holding: false)
        let held = try run(script, batchSize: batchSize, holding: true)
        #expect(plain.answers.count == script.count)
        #expect(held.answers == plain.answers)
        #expect(held.entries == plain.entries)
        // The script repeats keys inside a batch and across batches, and stores hashed ones.
        #expect(plain.answers.filter { $0 == "false" }.count > script.count / 20)
        #expect(plain.entries.contains { $0.first == 0xFF })
    }

    @Test("a transaction whose map must grow runs again and holds its claims afresh")
    func mapGrows() throws {
        let script = claimScript(steps: 30_000, seed: 99)
        let plain = try run(script, batchSize: 10_000, holding: false)
        let held = try run(script, batchSize: 10_000, holding: true, mapSize: 1 << 20)
        #expect(held.answers == plain.answers)
        #expect(held.entries == plain.entries)
    }

    @Test("held claims see the stored entries and the held ones; a stored hashed entry of another natural key is an error")
    func storedAndHashed() throws {
        let log = try scratchLog()
        let short = Array("crunchbase\u{0}round-1".utf8)
        let long = Array(("github\u{0}" + String(repeating: "owner/repo:123:PushEvent", count: 10)).utf8)
        var otherLong = long
        otherLong[otherLong.count - 1] = UInt8(ascii: "X")
        try log.write { writer in
            #expect(try writer.claimDedup(short, sequence: 1))
            #expect(try writer.claimDedup(long, sequence: 2))
        }
        try log.write { writer in
            writer.holdDedupClaims()
            #expect(try writer.claimDedup(short, sequence: 3) == false)
            #expect(try writer.claimDedup(long, sequence: 3) == false)
            #expect(try writer.claimDedup(otherLong, sequence: 3))
            #expect(try writer.claimDedup(otherLong, sequence: 4) == false)
            #expect(try writer.dedupSequence(for: otherLong) == 3)
            #expect(try writer.dedupSequence(for: long) == 2)
            let fresh = Array("crunchbase\u{0}round-0".utf8)
            #expect(try fresh.withUnsafeBytes { try writer.claimDedup($0, sequence: 4) })
            #expect(try writer.dedupSequence(for: fresh) == 4)
        }
        #expect(try log.dedupSequence(for: otherLong) == 3)
        #expect(try log.dedupSequence(for: Array("crunchbase\u{0}round-0".utf8)) == 4)
        // A stored entry under `long`'s hash that names another natural key: both ways refuse it.
        let hashedKey = DedupIndex.indexKey(long).key
        try log.environment.write { txn in
            try txn.put(log.dedup, key: hashedKey, value: withUnsafeBytes(of: UInt64(2).bigEndian) { Array($0) } + otherLong)
        }
        for holding in [false, true] {
            #expect(throws: LogError.self) {
                try log.write { writer in
                    if holding { writer.holdDedupClaims() }
                    _ = try writer.claimDedup(long, sequence: 9)
                }
            }
        }
    }

    @Test("an abandoned transaction's held claims are gone: the next one claims the same keys")
    func abandoned() throws {
        let log = try scratchLog()
        let keys = (0..<500).map { Array("source\u{0}id-\($0)".utf8) }
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try log.write { writer in
                writer.holdDedupClaims()
                for (index, key) in keys.enumerated() { #expect(try writer.claimDedup(key, sequence: UInt64(index + 1))) }
                throw Abandon()
            }
        }
        #expect(try log.dedupSequence(for: keys[0]) == nil)
        try log.write { writer in
            writer.holdDedupClaims()
            for (index, key) in keys.enumerated() { #expect(try writer.claimDedup(key, sequence: UInt64(index + 10))) }
        }
        #expect(try log.dedupSequence(for: keys[499]) == 509)
    }

    @Test("known absent ranges: a key between two stored neighbours is absent, a stored one is found")
    func absentRanges() throws {
        let log = try scratchLog()
        let stored = stride(from: 0, to: 1_000, by: 10).map { Array(String(format: "k%05d", $0).utf8) }
        try log.write { writer in for (i, key) in stored.enumerated() { _ = try writer.recordDedup(key, sequence: UInt64(i + 1)) } }
        try log.read { txn in
            var ranges = AbsentKeyRanges()
            for n in [995, 5, 3, 7, 1_500, 500, 505, 0, 990, 501] {
                let key = Array(String(format: "k%05d", n).utf8)
                let answer = try key.withUnsafeBytes { try ranges.stores($0, in: log.dedup, transaction: txn) }
                #expect(answer == (n % 10 == 0 && n < 1_000), "k\(n)")
                // Asked again: the remembered range answers the same.
                #expect(try key.withUnsafeBytes { try ranges.stores($0, in: log.dedup, transaction: txn) } == answer)
            }
            let below = Array("a".utf8)
            #expect(try below.withUnsafeBytes { try ranges.stores($0, in: log.dedup, transaction: txn) } == false)
            #expect(below.withUnsafeBytes { ranges.contains($0) })
        }
    }
}
