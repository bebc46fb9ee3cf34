import Foundation
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// `StoreWriter.holdTimelineInserts()` holds a transaction's timeline entries back and inserts them
/// sorted before the commit. The views must be what the one-by-one inserts give: same rows, same
/// stored fingerprints, the fingerprints of the contents, and a rebuild that agrees.
@Suite("Held timeline inserts")
struct HeldTimelineTests {
    static let pack = UUID(uuidString: "7e57ca5e-0000-4000-8000-0000000000a1")!
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 1)!, hour: 9)

    /// Companies, then instances for companies in random order (some twice, so some merge), then
    /// companies created after the instances; with `hold`, the instances' transaction holds its
    /// timeline entries back from its start or from its middle.
    func store(hold: Bool, holdFrom: Int) throws -> Store {
        let store = try Store(path: temporaryPath("held"), mode: .create, durable: false)
        var random = SeededGenerator(seed: 20_261_130)
        let companies = 60
        try store.write { writer in
            for id in 1...companies {
                try writer.append(Self.company(Int64(id)), at: Self.now)
            }
        }
        for round in 0..<2 {
            try store.write { writer in
                for index in 0..<400 {
                    if hold && index == holdFrom { writer.holdTimelineInserts() }
                    let company = Int64(1 + random.below(companies + 5))  // some without a company row
                    let signal = ["funding_raised", "cto_role_posted", "hiring_ü"][random.below(3)]
                    let first = Int64(random.below(1_000))
                    let instance = SignalInstanceDerived(
                        entityID: company, signalID: signal, pack: Self.pack, confidence: random.chance(30) ? nil : 0.5,
                        firstSeen: Timestamp(microseconds: first), lastSeen: Timestamp(microseconds: first + Int64(random.below(500))),
                        evidence: (0..<Int64(1 + random.below(4))).map { $0 * 7 + Int64(round) }, jobRunID: 3)
                    try writer.append(instance, at: Timestamp(microseconds: Self.now.microseconds + Int64(index)))
                }
                try writer.append(Self.company(Int64(companies + 10 + round)), at: Self.now)
            }
        }
        return store
    }

    static func company(_ id: Int64) -> CompanyCreated {
        CompanyCreated(companyID: id, name: "Company \(id)", domain: "c\(id).example", websiteURL: nil, linkedinURL: nil,
                       source: "research", normalizedName: "company \(id)", websiteDomain: nil, aliases: [], jobRunID: 1)
    }

    func timelines(_ store: Store) throws -> [[TimelineEntry]] {
        try store.read { reader in try (1...80).map { try reader.timeline(ofCompany: Int64($0)) } }
    }

    @Test("same timeline, instances and fingerprints as inserting one by one; a rebuild agrees", arguments: [0, 137])
    func sameViews(holdFrom: Int) throws {
        let plain = try store(hold: false, holdFrom: 0)
        let held = try store(hold: true, holdFrom: holdFrom)
        let heldTimelines = try timelines(held)
        #expect(heldTimelines == (try timelines(plain)))
        #expect(heldTimelines.joined().count > 400)
        let instances = { (store: Store) in try store.read { reader in
            var rows: [InstanceRow] = []
            try reader.forEachInstance { rows.append($0); return true }
            return rows
        } }
        #expect(try instances(held) == (try instances(plain)))
        let stored = try storedFingerprints(held)
        #expect(stored == (try storedFingerprints(plain)))
        #expect(stored == (try contentFingerprints(held)))
        let verify = try Replayer(store: held).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }
}
