import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// Ingest holds the company matching indexes' entries of the companies it creates back and inserts
/// them in key order before each commit (`StoreWriter.holdCompanyIndexInserts`); the resolver finds
/// them through the transaction's reader. A company created earlier in the same transaction or in
/// an earlier one must match by domain, LinkedIn URL and name exactly as when every entry was
/// inserted at once (what a one-line transaction does), the first company per key must win, and a
/// transaction that is abandoned or runs again must leave nothing held.
@Suite("Held company-index inserts")
struct HeldCompanyIndexTests {
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)

    /// 10,000 lines over 240 companies in random order. Each company has a fixed way to appear: by
    /// domain, by website, by LinkedIn URL, by both (then later lines show one or the other), or by
    /// name alone; some companies share a name with another that has a domain (name-only lines match
    /// the lowest id with that name).
    static func lines() -> [String] {
        var random = SeededGenerator(seed: 20_261_201)
        var lines: [String] = []
        for index in 0..<10_000 {
            let company = random.below(240)
            let name = company % 11 == 0 ? "Shared Name \(company % 3)" : "Company \(company)"
            var fields = ["\"company_name\":\"\(name)\""]
            switch company % 5 {
            case 0: fields.append("\"domain\":\"c\(company).example.com\"")
            case 1: fields.append("\"website_url\":\"https://www.w\(company).example.org/about\"")
            case 2: fields.append("\"company_profile_url\":\"https://www.linkedin.com/company/c\(company)\"")
            case 3:
                // Both keys on some lines, one of them on the others.
                let shown = random.below(3)
                if shown != 1 { fields.append("\"domain\":\"b\(company).example.com\"") }
                if shown != 0 { fields.append("\"company_profile_url\":\"https://www.linkedin.com/company/b\(company)\"") }
            default: break  // by name alone
            }
            fields.append("\"source\":\"feed\",\"source_event_id\":\"e-\(index)\"")
            fields.append("\"event_type\":\"repo_activity\",\"event_time\":\"2026-01-\(10 + random.below(18))T09:00:00Z\"")
            lines.append("{" + fields.joined(separator: ",") + "}")
        }
        return lines
    }

    /// Ingests `lines` in transactions of `batchSize` lines into a new store (a 1 MiB map when
    /// `smallMap`, so transactions run again as it grows).
    func ingested(_ lines: [String], batchSize: Int, smallMap: Bool = false) throws -> (Store, IngestResult) {
        let path = temporaryPath("held-companies")
        let store = try smallMap
            ? Store(path: path, mode: .create, durable: false, initialMapSize: 1 << 20)
            : Store(path: path, mode: .create, durable: false)
        let pipeline = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
        let file = temporaryPath("input") + ".ndjson"
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        var options = IngestOptions(inputName: file)
        options.batchSize = batchSize
        return (store, try pipeline.ingest(from: handle, options: options))
    }

    /// Every company (id, name, domain, website, LinkedIn) and every stored event's company, in log order.
    func resolution(_ store: Store) throws -> (companies: [String], eventCompanies: [Int64]) {
        let companies = try store.read { reader in
            try reader.allCompanies().map { row in
                let c = row.created
                return "\(c.companyID) \(c.name) \(c.domain ?? "-") \(c.websiteURL ?? "-") \(c.linkedinURL ?? "-")"
            }
        }
        var eventCompanies: [Int64] = []
        try store.log.forEach { record in
            guard record.type == .eventStored else { return }
            eventCompanies.append(try record.withPayload { try EventStored.companyID(inPayload: $0) })
        }
        return (companies, eventCompanies)
    }

    /// Every key and value of the five company indexes.
    func companyIndexes(_ store: Store) throws -> [[String]] {
        try store.log.read { txn in
            try HeldCompanyIndexes.views.map { view in
                var entries: [String] = []
                try txn.forEach(store.views[view]) { key, value in
                    entries.append(Array(key).description + " " + Array(value).description)
                    return true
                }
                return entries
            }
        }
    }

    @Test("companies matched by domain, LinkedIn and name as with one-line transactions; views, fingerprints and a rebuild agree",
          arguments: [(50_000, false), (333, false), (7, false), (50_000, true)])
    func sameResolution(batchSize: Int, smallMap: Bool) throws {
        let lines = Self.lines()
        // One line per transaction: every company's entries are in the views before the next line
        // is resolved, so nothing held is ever read.
        let (plain, plainResult) = try ingested(lines, batchSize: 1)
        let (held, heldResult) = try ingested(lines, batchSize: batchSize, smallMap: smallMap)
        #expect(heldResult.inserted == plainResult.inserted && heldResult.inserted == lines.count)
        let expected = try resolution(plain)
        let found = try resolution(held)
        #expect(found.companies == expected.companies)
        #expect(found.eventCompanies == expected.eventCompanies)
        // 240 companies, less the name-only ones that matched a shared name's first company, plus a
        // second company for some of those with both keys (a line with the LinkedIn URL alone, then
        // one with the domain alone, match nothing the other created).
        #expect(expected.companies.count > 200, "\(expected.companies.count) companies")
        #expect(try companyIndexes(held) == (try companyIndexes(plain)))
        let stored = try storedFingerprints(held)
        #expect(stored == (try contentFingerprints(held)))
        #expect(stored == (try storedFingerprints(plain)))
        if smallMap { #expect(held.log.environment.mapSize > 1 << 20) }  // it grew: transactions ran again
        let verify = try Replayer(store: held).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }

    /// The leaf pages `view` of `store` takes, and the leaf pages its entries take when appended in
    /// key order into an empty database (every page filled before the next starts).
    func leafPages(_ view: View, of store: Store) throws -> (stored: Int, appended: Int) {
        var entries: [([UInt8], [UInt8])] = []
        let stored = try store.log.read { txn in
            try txn.forEach(store.views[view]) { key, value in
                entries.append((Array(key), Array(value)))
                return true
            }
            return try txn.statistics(of: store.views[view]).leafPages
        }
        let environment = try LMDB.Environment(path: temporaryPath("appended"))
        let db = try environment.database("appended")
        try environment.write { txn in
            for (key, value) in entries { try txn.put(db, key: key, value: value, options: .append) }
        }
        return (stored, try environment.read { try $0.statistics(of: db).leafPages })
    }

    @Test("a store's first batch appends the company rows and the held index entries: their pages are as full as appended ones")
    func firstBatchAppends() throws {
        let (store, result) = try ingested(Self.lines(), batchSize: 50_000)
        #expect(result.inserted == 10_000)
        // A put at a view's end leaves the page it splits partly empty; an append fills it.
        for view in [View.companies, .companiesByAlias, .companiesByName, .eventsByCompany, .timeline] {
            let pages = try leafPages(view, of: store)
            #expect(pages.stored == pages.appended, "\(view.name): \(pages.stored) leaf pages, \(pages.appended) appended")
        }
    }

    static func company(_ id: Int64, name: String, domain: String?, linkedin: String? = nil) -> CompanyCreated {
        let normalized = name.lowercased()
        var aliases = [CompanyAliasEntry(type: "name", value: normalized)]
        if let domain { aliases.append(CompanyAliasEntry(type: "domain", value: domain)) }
        if let linkedin { aliases.append(CompanyAliasEntry(type: "social", value: linkedin)) }
        return CompanyCreated(companyID: id, name: name, domain: domain, websiteURL: nil, linkedinURL: linkedin,
                              source: "research", normalizedName: normalized, websiteDomain: nil, aliases: aliases, jobRunID: 1)
    }

    @Test("inside the transaction: held entries found, the view's older entry and the first held one win; an abandoned transaction leaves nothing")
    func readsAndAbandonedTransaction() throws {
        let store = try Store(path: temporaryPath("held-companies"), mode: .create, durable: false)
        _ = try store.write { writer in
            try writer.append(Self.company(1, name: "Shared", domain: "one.example"), at: Self.now)
        }
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try store.write { writer in
                writer.holdCompanyIndexInserts()
                try writer.append(Self.company(2, name: "Shared", domain: "two.example", linkedin: "https://l/two"), at: Self.now)
                try writer.append(Self.company(3, name: "Third", domain: "two.example"), at: Self.now)
                let reader = writer.reader
                #expect(try reader.companyID(withDomain: "two.example") == 2)  // held; the first held wins
                #expect(try reader.companyID(withDomain: "one.example") == 1)  // the view's
                #expect(try reader.companyID(withLinkedInURL: "https://l/two") == 2)
                #expect(try reader.companyID(aliasType: "social", value: "https://l/two") == 2)
                #expect(try reader.companyID(withNormalizedName: "shared") == 1)  // the view's entry is older
                #expect(try reader.companyID(withNormalizedName: "third") == 3)
                throw Abandon()
            }
        }
        let afterAbandon = try store.read { reader in
            (try reader.companyID(withDomain: "two.example"), try reader.companyID(withNormalizedName: "third"))
        }
        #expect(afterAbandon.0 == nil && afterAbandon.1 == nil)
        // A new transaction holds again from nothing: the abandoned one's entries are gone.
        let inNext = try store.write { writer in
            writer.holdCompanyIndexInserts()
            let before = try writer.reader.companyID(withDomain: "two.example")
            try writer.append(Self.company(2, name: "Other", domain: "other.example"), at: Self.now)
            return (before, try writer.reader.companyID(withDomain: "other.example"),
                    try writer.reader.companyID(withDomain: "two.example"))
        }
        #expect(inNext.0 == nil && inNext.1 == 2 && inNext.2 == nil)
        let committed = try store.read { reader in
            (try reader.companyID(withDomain: "other.example"), try reader.companyID(withDomain: "two.example"),
             try reader.companyID(withNormalizedName: "shared"))
        }
        #expect(committed.0 == 2 && committed.1 == nil && committed.2 == 1)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }

    @Test("indexes that store nothing when holding begins are answered by the held entries alone, the others by the view first")
    func emptyIndexesAskOnlyHeld() throws {
        let store = try Store(path: temporaryPath("held-companies"), mode: .create, durable: false)
        // Only the name and alias indexes store something: the domain and LinkedIn indexes are empty.
        _ = try store.write { writer in
            try writer.append(Self.company(1, name: "Shared", domain: nil), at: Self.now)
        }
        let long = String(repeating: "very long name ", count: 20)  // hashed in its key
        #expect(ViewKey.hashes(long.lowercased()))
        let found = try store.write { writer in
            writer.holdCompanyIndexInserts()
            let reader = writer.reader
            let before = (try reader.companyID(withDomain: "two.example"), try reader.companyID(withLinkedInURL: "https://l/two"))
            try writer.append(Self.company(2, name: "Shared", domain: "two.example", linkedin: "https://l/two"), at: Self.now)
            try writer.append(Self.company(3, name: long, domain: "three.example"), at: Self.now)
            return (before,
                    try reader.companyID(withDomain: "two.example"), try reader.companyID(withDomain: "three.example"),
                    try reader.companyID(withLinkedInURL: "https://l/two"),
                    try reader.companyID(aliasType: "social", value: "https://l/two"),
                    try reader.companyID(aliasType: "domain", value: "three.example"),
                    try reader.companyID(withNormalizedName: "shared"), try reader.companyID(withNormalizedName: long.lowercased()))
        }
        #expect(found.0.0 == nil && found.0.1 == nil)
        #expect(found.1 == 2 && found.2 == 3 && found.3 == 2 && found.4 == 2 && found.5 == 3)
        #expect(found.6 == 1)  // the view's older entry wins over the held one
        #expect(found.7 == 3)
        // The next transaction's indexes are not empty: what the first held is found in the views.
        let next = try store.write { writer in
            writer.holdCompanyIndexInserts()
            let reader = writer.reader
            return (try reader.companyID(withDomain: "two.example"), try reader.companyID(withLinkedInURL: "https://l/two"),
                    try reader.companyID(withNormalizedName: long.lowercased()))
        }
        #expect(next.0 == 2 && next.1 == 2 && next.2 == 3)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }
}
