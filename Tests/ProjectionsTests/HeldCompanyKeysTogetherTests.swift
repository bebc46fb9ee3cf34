@testable import Projections
import SeededRandom
import Testing

/// A new company's index entries are held together (`HeldCompanyIndexes.hold(_:in:value:)`: every
/// table place fetched before the first is held), and ingest finds a held domain by the hash its
/// parsing thread computed (`ViewReader.heldDomainHashes`). Both must answer exactly as one hold per
/// key and a lookup that hashes the key itself.
@Suite("Held company-index keys held together")
struct HeldCompanyKeysTogetherTests {
    /// A key of `slot` drawn from a small set, so keys repeat within and across companies.
    static func key(_ random: inout SeededGenerator, slot: Int) -> [UInt8] {
        let text = "k\(slot)-\(random.below(3_000))" + String(repeating: "x", count: random.below(40))
        return Array(text.utf8) + [0]
    }

    @Test("keys held in groups answer as keys held one by one, the first value per key winning, across table growth")
    func groupsEqualSingles() {
        var random = SeededGenerator(seed: 20_261_214)
        var together = HeldCompanyIndexes()
        var single = HeldCompanyIndexes()
        var asked: [(slot: Int, key: [UInt8])] = []
        for company in 0..<3_000 {  // ≈ 13,000 keys: the table grows from 8,192 places twice
            var bytes: [UInt8] = []
            var keys: [HeldCompanyIndexes.Key] = []
            for _ in 0..<(1 + random.below(8)) {
                let slot = random.below(HeldCompanyIndexes.views.count)
                let key = Self.key(&random, slot: slot)
                keys.append(HeldCompanyIndexes.Key(slot: slot, start: bytes.count, count: key.count))
                bytes += key
                asked.append((slot, key))
            }
            let value = UInt64(company + 1)
            withUnsafeBytes(of: value) { value in
                bytes.withUnsafeBytes { held in
                    keys.withUnsafeBufferPointer { together.hold($0, in: held, value: value) }
                    for key in keys {
                        single.hold(slot: key.slot, key: UnsafeRawBufferPointer(rebasing: held[key.start..<key.start + key.count]),
                                    value: value)
                    }
                }
            }
        }
        var found = 0
        for (slot, key) in asked {
            key.withUnsafeBytes { key in
                let expected = single.withValue(slot: slot, key: key) { $0.loadUnaligned(as: UInt64.self) }
                let byGroup = together.withValue(slot: slot, key: key) { $0.loadUnaligned(as: UInt64.self) }
                let byHash = together.withValue(slot: slot, key: key, hash: HeldCompanyIndexes.hash(slot: slot, key)) {
                    $0.loadUnaligned(as: UInt64.self)
                }
                #expect(expected != nil)
                #expect(byGroup == expected)
                #expect(byHash == expected)
                if byGroup == expected { found += 1 }
            }
        }
        #expect(found == asked.count)
        // A key never held is absent from both, in every index.
        for slot in HeldCompanyIndexes.views.indices {
            Array("absent\(slot)\u{0}".utf8).withUnsafeBytes { key in
                #expect(together.withValue(slot: slot, key: key) { _ in true } == nil)
            }
        }
    }

    @Test("the domain hash computed ahead is the held table's hash of the domain's key; none for a domain stored hashed")
    func domainHash() {
        for domain in ["example.com", "", "a.b.c.example.org", "ünïcode.example"] {
            let key = Array(domain.utf8) + [0]
            let expected = key.withUnsafeBytes { HeldCompanyIndexes.hash(slot: HeldCompanyIndexes.domainSlot, $0) }
            #expect(ViewReader.heldDomainHashes(domain)?.domain == expected)
        }
        #expect(ViewReader.heldDomainHashes(String(repeating: "d", count: ViewKey.inlineTextLimit + 1))?.domain == nil)
        #expect(ViewReader.heldDomainHashes(String(repeating: "d", count: ViewKey.inlineTextLimit))?.domain != nil)
    }
}
