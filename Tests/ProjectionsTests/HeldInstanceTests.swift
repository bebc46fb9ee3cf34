import Foundation
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// `StoreWriter.holdInstanceInserts()` holds a transaction's instance rows back, merged with the
/// rows as stored, and puts them in key order before the commit (appended when every held key sorts
/// after the view's last one). The views must be what writing each row in place gives: same rows
/// (byte for byte), same timeline, same stored fingerprints, the fingerprints of the contents, and
/// a rebuild that agrees.
@Suite("Held instance inserts")
struct HeldInstanceTests {
    static let pack = UUID(uuidString: "7e57ca5e-0000-4000-8000-0000000000b2")!
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 3)!, hour: 9)
    static let signals = ["funding_raised", "cto_role_posted", "hiring_ü", "a", "api_launched_long_signal_name"]

    /// Four transactions of instances, each key at most once per transaction: into the empty view
    /// (appended), over the rows of the first (merges, some unchanged, new keys in between: puts),
    /// only keys after the last stored one (appended to a view that has rows), and a mix again.
    /// With `hold`, each transaction holds its instance rows back from index `holdFrom` on.
    func store(hold: Bool, holdFrom: Int) throws -> Store {
        let store = try Store(path: temporaryPath("held-instances"), mode: .create, durable: false)
        var random = SeededGenerator(seed: 20_261_201)
        try store.write { writer in
            for id in 1...40 { try writer.append(HeldTimelineTests.company(Int64(id)), at: Self.now) }
        }
        let rounds: [ClosedRange<Int64>] = [1...40, 1...45, 100...130, 1...130]
        for (round, companies) in rounds.enumerated() {
            var keys: [(Int64, String)] = []
            for company in companies {
                for signal in Self.signals where random.chance(55) { keys.append((company, signal)) }
            }
            // Not in key order: the order the aggregates come in.
            for index in keys.indices.reversed() { keys.swapAt(index, random.below(index + 1)) }
            try store.write { writer in
                for (index, (company, signal)) in keys.enumerated() {
                    if hold && index == holdFrom { writer.holdInstanceInserts() }
                    let first = Int64(random.below(1_000))
                    // Round 3 repeats some of round 1's values, so some merges change nothing.
                    let evidence: [Int64] = round == 3 && random.chance(30)
                        ? [Int64(company)] : (0..<Int64(1 + random.below(4))).map { $0 * 7 + Int64(round) + company }
                    let instance = SignalInstanceDerived(
                        entityID: company, signalID: signal, pack: Self.pack, confidence: random.chance(30) ? nil : 0.25 * Double(round),
                        firstSeen: Timestamp(microseconds: first), lastSeen: Timestamp(microseconds: first + Int64(random.below(500))),
                        evidence: evidence, jobRunID: UInt64(round + 2))
                    try writer.append(instance, at: Timestamp(microseconds: Self.now.microseconds + Int64(round * 1_000 + index % 3)))
                }
            }
        }
        return store
    }

    /// Every instance row's stored bytes, in key order.
    func instanceRows(_ store: Store) throws -> [[UInt8]] {
        try store.read { reader in
            var rows: [[UInt8]] = []
            try reader.scan(.instances, prefix: ViewKey()) { key, value in
                rows.append(Array(key) + [0xFF] + Array(value))
                return true
            }
            return rows
        }
    }

    @Test("same instance rows, timeline and fingerprints as writing in place; a rebuild agrees", arguments: [0, 29])
    func sameViews(holdFrom: Int) throws {
        let plain = try store(hold: false, holdFrom: 0)
        let held = try store(hold: true, holdFrom: holdFrom)
        let rows = try instanceRows(held)
        #expect(rows.count > 300)
        #expect(rows == (try instanceRows(plain)))
        let timelines = { (store: Store) in try store.read { reader in try (1...130).map { try reader.timeline(ofCompany: Int64($0)) } } }
        #expect(try timelines(held) == (try timelines(plain)))
        let stored = try storedFingerprints(held)
        #expect(stored == (try storedFingerprints(plain)))
        #expect(stored == (try contentFingerprints(held)))
        let verify = try Replayer(store: held).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }

    @Test("a transaction that runs again because the map grew holds its rows once")
    func heldRowsAfterMapGrowth() throws {
        let store = try Store(path: temporaryPath("held-instances-map"), mode: .create, durable: false, initialMapSize: 1 << 20)
        let before = store.log.environment.mapSize
        var attempts = 0
        // 6,000 rows with their records and timeline entries: more than the 1 MiB map holds, so the
        // body fails with a full map and runs again in a larger one. Rows held by the first attempt
        // and held again would be a key held twice.
        try store.write { writer in
            attempts += 1
            writer.holdInstanceInserts()
            for company in Int64(1)...6_000 {
                try writer.append(SignalInstanceDerived(
                    entityID: (company * 7_919) % 6_001, signalID: "funding_raised", pack: Self.pack, confidence: nil,
                    firstSeen: Self.now, lastSeen: Self.now, evidence: [company, company + 1], jobRunID: 1), at: Self.now)
            }
        }
        #expect(attempts > 1)
        #expect(store.log.environment.mapSize > before)
        // A later transaction without the hold writes in place and merges with the committed rows.
        _ = try store.write { writer in
            try writer.append(SignalInstanceDerived(
                entityID: 1_918, signalID: "funding_raised", pack: Self.pack, confidence: 0.5,
                firstSeen: Self.now, lastSeen: Self.now, evidence: [99], jobRunID: 2), at: Self.now)
        }
        let rows = try store.read { reader in
            var rows: [InstanceRow] = []
            try reader.forEachInstance { rows.append($0); return true }
            return rows
        }
        #expect(rows.count == 6_000)
        #expect(rows.first { $0.entityID == 1_918 }?.evidenceEventIDs == [1, 2, 99])
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
        #expect(try Replayer(store: store).verify().isOK)
    }
}
