import Foundation
import Ingest
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// Ingest's parsing thread hashes the three company-index keys a domain is matched on
/// (`ViewReader.heldDomainHashes`: the domain's own key, its `("domain", domain)` alias key, its
/// website-domain key); the writer finds held entries by those hashes and asks memory for their
/// places ahead. Every lookup given the hashes must answer exactly as the one that builds and
/// hashes its key itself, whether the view, the held entries or neither hold the key.
@Suite("Held domain hashes")
struct HeldDomainHashesTests {
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)

    @Test("the hashes computed ahead are the held table's hashes of the domain's three keys; none for a domain stored hashed")
    func hashesOfTheKeys() {
        #expect(HeldDomainHashes.aliasType == CompanyAliasType.domain.rawValue)
        for domain in ["example.com", "", "a.b.c.example.org", "ünïcode.example", String(repeating: "d", count: ViewKey.inlineTextLimit)] {
            guard let hashes = ViewReader.heldDomainHashes(domain) else {
                Issue.record("no hashes for \(domain)")
                continue
            }
            func hash(_ view: View, _ key: ViewKey) -> UInt32 {
                key.bytes.withUnsafeBytes { HeldCompanyIndexes.hash(slot: HeldCompanyIndexes.slot(view)!, $0) }
            }
            #expect(hashes.domain == hash(.companiesByDomain, ViewKey().appending(domain)))
            #expect(hashes.alias == hash(.companiesByAlias, ViewKey().appending("domain").appending(domain)))
            #expect(hashes.websiteDomain == hash(.companiesByWebsiteDomain, ViewKey().appending(domain)))
        }
        #expect(ViewReader.heldDomainHashes(String(repeating: "d", count: ViewKey.inlineTextLimit + 1)) == nil)
    }

    /// A company whose domain, domain alias and website domain are three different texts, so each
    /// lookup can only be answered by its own index.
    static func company(_ id: Int64, domain: String, alias: String, website: String) -> CompanyCreated {
        let name = "company \(id)"
        return CompanyCreated(
            companyID: id, name: name, domain: domain, websiteURL: "https://\(website)/", linkedinURL: nil, source: "research",
            normalizedName: name, websiteDomain: website,
            aliases: [CompanyAliasEntry(type: "name", value: name), CompanyAliasEntry(type: "domain", value: alias)], jobRunID: 1)
    }

    /// Each domain looked up by the plain lookups and by those given its hashes (with the prefetch
    /// hints in between): the same answers.
    func compare(_ reader: ViewReader, _ domains: [String]) throws -> Int {
        var found = 0
        for domain in domains {
            let plain = (try reader.companyID(withDomain: domain), try reader.companyID(aliasType: "domain", value: domain),
                         try reader.companyID(withWebsiteDomain: domain))
            guard let hashes = ViewReader.heldDomainHashes(domain) else {
                #expect(ViewKey.hashes(domain))
                continue
            }
            reader.prefetchCompanyID(withDomainHashes: hashes, entry: false)
            reader.prefetchCompanyID(withDomainHashes: hashes, entry: true)
            reader.prefetchCompanyIDAfterDomainMiss(hashes)
            let ahead = (try reader.companyID(withDomain: domain, heldHash: hashes.domain),
                         try reader.companyID(withDomainAlias: domain, heldHash: hashes.alias),
                         try reader.companyID(withWebsiteDomain: domain, heldHash: hashes.websiteDomain))
            #expect(ahead == plain, "\(domain)")
            found += [plain.0, plain.1, plain.2].compactMap { $0 }.count
        }
        return found
    }

    @Test("lookups by the hashes computed ahead answer as the plain ones: in a store's first batch, a later one and after it")
    func lookupsByHashesAhead() throws {
        var random = SeededGenerator(seed: 20_261_215)
        let store = try Store(path: temporaryPath("held-domain-hashes"), mode: .create, durable: false)
        // Texts shared between the three roles, so one text is a domain of one company, the alias or
        // the website domain of another, and two companies can claim the same key (the first wins).
        func text() -> String { "t\(random.below(900)).example" }
        let long = String(repeating: "long", count: 70) + ".example"  // stored hashed in keys
        var asked = [long, "never.example"]
        var id: Int64 = 0
        func batch(_ companies: Int) throws -> Int {
            try store.write { writer in
                writer.holdCompanyIndexInserts()
                var found = 0
                for _ in 0..<companies {
                    id += 1
                    let (domain, alias, website) = (random.below(40) == 0 ? long : text(), text(), text())
                    asked += [domain, alias, website]
                    try writer.append(Self.company(id, domain: domain, alias: alias, website: website), at: Self.now)
                    // Asked while entries are held (and, after the first batch, some are in the views).
                    if random.below(10) == 0 { found += try compare(writer.reader, Array(asked.suffix(30)) + [text()]) }
                }
                return found + (try compare(writer.reader, asked))
            }
        }
        let first = try batch(400)  // the views store nothing yet: the held entries alone answer
        let second = try batch(400)  // the views answer first, then the held entries
        let after = try store.read { try compare($0, asked) }  // nothing held
        #expect(first > 0 && second > first && after > 0)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }
}
