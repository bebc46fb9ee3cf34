import Foundation
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// A rebuild's reader threads build the writes of a `company_created` record (`PreparedCompany`):
/// held to the one-by-one definitions byte for byte, and a rebuild through them to the append
/// path's views — with companies whose index keys an earlier company took, texts long enough to be
/// stored hashed, and folds that end among the companies.
@Suite("Replay prepared companies")
struct ReplayPreparedCompanyTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)

    /// A text from a small pool (so keys repeat across companies), or empty, non-ASCII, or longer
    /// than a key's inline limit.
    static func text(_ generator: inout SeededGenerator) -> String {
        let pool = ["acme", "acme.io", "Ünïcode GmbH", "日本語", "", "x", String(repeating: "long-name-", count: 40),
                    "beta", "gamma.example", String(repeating: "é", count: 200)]
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return "c\(Int.random(in: 0..<1_000_000, using: &generator))"
        default: return pool.randomElement(using: &generator)!
        }
    }

    static func company(_ id: Int64, _ generator: inout SeededGenerator) -> CompanyCreated {
        func maybe(_ generator: inout SeededGenerator) -> String? { Bool.random(using: &generator) ? text(&generator) : nil }
        let aliases = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
            CompanyAliasEntry(type: ["name", "domain", "url", "social"].randomElement(using: &generator)!, value: text(&generator))
        }
        return CompanyCreated(
            companyID: id, name: text(&generator), domain: maybe(&generator), websiteURL: maybe(&generator),
            linkedinURL: maybe(&generator), source: "research", normalizedName: text(&generator),
            websiteDomain: maybe(&generator), aliases: aliases,
            jobRunID: Bool.random(using: &generator) ? nil : UInt64.random(in: 0 ... .max, using: &generator))
    }

    @Test("A prepared company's row, index keys, timeline entry and hashes are the one-by-one definitions")
    func preparedBytes() {
        var generator = SeededGenerator(seed: 2_026_120_1)
        for _ in 0..<20_000 {
            let record = Self.company(Int64.random(in: .min ... .max, using: &generator), &generator)
            let at = Timestamp(microseconds: Int64.random(in: -1 << 60 ... 1 << 60, using: &generator))
            let sequence = UInt64.random(in: 1 ... .max, using: &generator)
            let prepared = PreparedCompany(record, sequence: sequence, at: at)
            #expect(prepared.record == record)
            let id = ViewKey().appending(record.companyID).bytes
            let row = CompanyRow(created: record, version: 1, alignmentOK: nil, status: nil, createdAt: at, updatedAt: at).encoded()
            // The definition before: the detail by string interpolation, the entry through its value.
            let entry = TimelineEntry(companyID: record.companyID, sequence: sequence, at: at, kind: "company_created",
                                      detail: "\(record.name)\(record.domain.map { " (\($0))" } ?? "")", jobRunID: record.jobRunID)
            let timelineKey = ViewKey().appending(record.companyID).appending(sequence).bytes
            prepared.withParts { k, v, tk, tv in
                #expect(Array(k) == id)
                #expect(Array(v) == row)
                #expect(Array(tk) == timelineKey)
                #expect(Array(tv) == entry.encoded())
                #expect(prepared.rowHash == Fingerprint.entryHash(key: k, value: v))
                #expect(prepared.timelineHash == Fingerprint.entryHash(key: tk, value: tv))
            }
            // The index keys in the order `putCompanyIndexes` puts them.
            var expected: [(View, [UInt8])] = []
            if let domain = record.domain { expected.append((.companiesByDomain, ViewKey().appending(domain).bytes)) }
            for alias in record.aliases {
                expected.append((.companiesByAlias, ViewKey().appending(alias.type).appending(alias.value).bytes))
            }
            if let domain = record.websiteDomain { expected.append((.companiesByWebsiteDomain, ViewKey().appending(domain).bytes)) }
            if let linkedin = record.linkedinURL { expected.append((.companiesByLinkedIn, ViewKey().appending(linkedin).bytes)) }
            if !record.normalizedName.isEmpty { expected.append((.companiesByName, ViewKey().appending(record.normalizedName).bytes)) }
            var found: [(View, [UInt8], UInt128)] = []
            prepared.forEachIndexKey { view, key, hash in found.append((view, Array(key), hash)) }
            #expect(found.count == expected.count)
            for (e, f) in zip(expected, found) {
                #expect(e.0 == f.0)
                #expect(e.1 == f.1)
                let hash = e.1.withUnsafeBytes { k in id.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } }
                #expect(f.2 == hash)
            }
        }
    }

    /// A store whose log holds `count` companies (many sharing index keys: the first one wins),
    /// appended through the append path in transactions of `perTransaction`.
    func store(companies count: Int, perTransaction: Int) throws -> Store {
        let store = try Store(path: temporaryPath("prepared-companies"), mode: .create, durable: false)
        var generator = SeededGenerator(seed: 61_203)
        var id: Int64 = 0
        while id < Int64(count) {
            try store.write { writer in
                for _ in 0..<perTransaction where id < Int64(count) {
                    id += 1
                    try writer.append(Self.company(id, &generator), at: Timestamp(microseconds: Self.now.microseconds + id))
                }
            }
        }
        return store
    }

    @Test("A rebuild through prepared companies gives the append path's views byte for byte",
          arguments: [2_000, 97, 7])
    func fullRebuild(transactionSize: Int) throws {
        let store = try store(companies: 3_000, perTransaction: 250)
        // Some index keys were taken by an earlier company: those entries are not inserted again.
        let fingerprints = try storedFingerprints(store)
        #expect(fingerprints[.companies]!.count == 3_000)
        #expect(fingerprints[.companiesByAlias]!.count < 3_000 * 5 / 2)
        #expect(fingerprints[.companiesByName]!.count < 3_000)
        var options = ReplayOptions()
        options.transactionSize = transactionSize
        options.chunkSize = 64
        try expectRebuildKeepsViews(store, options: options)
    }

    @Test("A partial rebuild of the companies or the timeline (the one-by-one path for what is not written) gives the same views")
    func partialRebuild() throws {
        let store = try store(companies: 1_500, perTransaction: 1_500)
        let incremental = try storedFingerprints(store)
        let appended = try viewContents(store)
        for views in [[View.companies], [.timeline], [.companiesByAlias]] {
            var options = ReplayOptions()
            options.views = views
            options.transactionSize = 400
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == incremental, "partial rebuild of \(views)")
            let rebuilt = try viewContents(store)
            for view in View.allCases { #expect(rebuilt[view] == appended[view], "\(view) differs after \(views)") }
        }
    }
}
