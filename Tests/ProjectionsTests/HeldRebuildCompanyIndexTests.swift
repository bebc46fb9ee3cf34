import Foundation
import LMDB
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// A rebuild holds the company indexes' entries of each fold transaction and inserts them in key
/// order before that transaction's checkpoint (`BulkLoad.flushCompanyIndexesReleasing`), instead of
/// putting each key where it falls. The indexes, their fingerprints and every other view must be
/// those of the one-by-one puts (the first company id per key wins, an entry a fold committed
/// earlier wins over a later fold's), also when a fold transaction runs again after the map grew.
@Suite("Held rebuild company indexes")
struct HeldRebuildCompanyIndexTests {
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)

    /// `count` companies, ids ascending, whose keys repeat across far-apart companies (shared
    /// names, domains, websites, LinkedIn URLs and aliases: the first id wins), with names too long
    /// to be stored inline (hashed key parts), non-ASCII names, empty names and missing keys.
    static func companies(_ count: Int) -> [CompanyCreated] {
        var random = SeededGenerator(seed: 20_261_202)
        return (1...count).map { index in
            let id = Int64(index)
            let name: String
            switch index % 17 {
            case 0: name = ""
            case 1: name = "Shared \(index % 5)"
            case 2: name = String(repeating: "Long name ", count: 30) + "\(index % 4)"
            case 3: name = "Café Ünïcode \(index % 9)"
            default: name = "Company \(index)"
            }
            let normalized = name.lowercased()
            let domain: String? = switch index % 6 {
            case 0: nil
            case 1: "d\(random.below(count / 3)).example"
            case 2: String(repeating: "sub.", count: 70) + "d\(index % 40).example"
            default: "c\(index).example"
            }
            let website: String? = index % 4 == 0 ? "w\(random.below(count / 4)).example.org" : nil
            let linkedin: String? = index % 5 == 0 ? "https://www.linkedin.com/company/l\(random.below(count / 5))" : nil
            var aliases: [CompanyAliasEntry] = []
            if !normalized.isEmpty { aliases.append(CompanyAliasEntry(type: "name", value: normalized)) }
            if let domain { aliases.append(CompanyAliasEntry(type: "domain", value: domain)) }
            if let linkedin { aliases.append(CompanyAliasEntry(type: "social", value: linkedin)) }
            if index % 11 == 0 { aliases.append(CompanyAliasEntry(type: "former", value: "old \(index % 50)")) }
            return CompanyCreated(companyID: id, name: name, domain: domain, websiteURL: website.map { "https://\($0)/" },
                                  linkedinURL: linkedin, source: "research", normalizedName: normalized,
                                  websiteDomain: website, aliases: aliases, jobRunID: 1)
        }
    }

    /// A store whose company indexes were written one put at a time (appends without
    /// `holdCompanyIndexInserts`), 150 companies per transaction.
    static func store(companies count: Int, initialMapSize: Int? = nil) throws -> Store {
        let path = temporaryPath("held-rebuild-companies")
        let store = try initialMapSize.map { try Store(path: path, mode: .create, durable: false, initialMapSize: $0) }
            ?? Store(path: path, mode: .create, durable: false)
        let all = companies(count)
        for start in stride(from: 0, to: all.count, by: 150) {
            try store.write { writer in
                for company in all[start..<min(start + 150, all.count)] { _ = try writer.append(company, at: Self.now) }
            }
        }
        return store
    }

    /// Every key and value of the five company indexes of `views`.
    static func companyIndexes(_ views: ViewSet, in environment: LMDB.Environment) throws -> [[[UInt8]]] {
        try environment.read { txn in
            try HeldCompanyIndexes.views.map { view in
                var entries: [[UInt8]] = []
                try txn.forEach(views[view]) { key, value in
                    entries.append(Array(key))
                    entries.append(Array(value))
                    return true
                }
                return entries
            }
        }
    }

    static func options(transactionSize: Int, budget: Int?, holding: Bool = true) -> ReplayOptions {
        var options = ReplayOptions()
        options.transactionSize = transactionSize
        options.bulkLoadBudget = budget
        options.holdsCompanyIndexes = holding
        return options
    }

    /// The store's log has about 3,000 records: 20,000-record folds take it in one transaction, 700
    /// and 97 in many (a later fold's keys meet the entries an earlier one committed). A 512-byte
    /// budget flushes the held company entries after nearly every company.
    @Test("a rebuild's held company indexes equal the one-by-one puts: views, fingerprints, --verify",
          arguments: [(20_000, 64 << 20), (20_000, nil), (700, 64 << 20), (97, 64 << 20), (700, 512)] as [(Int, Int?)])
    func sameAsOneByOne(transactionSize: Int, budget: Int?) throws {
        let store = try Self.store(companies: 3_000)
        #expect((2_001..<20_000).contains(try store.log.head()))
        let incremental = try storedFingerprints(store)
        let appended = try Self.companyIndexes(store.views, in: store.log.environment)
        #expect(appended.allSatisfy { $0.count > 200 }, "every index holds entries")

        // The reference: the same rebuild putting each key one by one.
        try Replayer(store: store).rebuild(options: Self.options(transactionSize: transactionSize, budget: budget, holding: false))
        let oneByOne = try viewContents(store)
        #expect(try Self.companyIndexes(store.views, in: store.log.environment) == appended)

        let result = try Replayer(store: store).rebuild(options: Self.options(transactionSize: transactionSize, budget: budget))
        #expect(result.fingerprints == incremental)
        #expect(try storedFingerprints(store) == incremental)
        #expect(try contentFingerprints(store) == incremental)
        #expect(try Self.companyIndexes(store.views, in: store.log.environment) == appended)
        let held = try viewContents(store)
        for view in View.allCases { #expect(held[view] == oneByOne[view], "\(view) differs") }
        #expect(try Replayer(store: store).verify(options: Self.options(transactionSize: transactionSize, budget: budget)).isOK)
    }

    @Test("a fold transaction that runs again after the map grew holds its company entries once")
    func foldRunsAgain() throws {
        let store = try Self.store(companies: 6_000)
        let head = try store.log.head()
        let expectedIndexes = try Self.companyIndexes(store.views, in: store.log.environment)
        let expectedPrints = try storedFingerprints(store)
        // Folded into a fresh 1 MiB map in one transaction: the views take several MiB, so the
        // transaction fails with a full map after holding entries and runs again in a larger one.
        var environmentOptions = LMDB.Environment.Options()
        environmentOptions.durable = false
        environmentOptions.initialMapSize = 1 << 20
        let scratch = try LMDB.Environment(path: temporaryPath("held-rebuild-scratch"), options: environmentOptions)
        let views = try ViewSet(environment: scratch, generation: 1, create: true)
        let bulk = BulkLoad(rebuilding: .all, budget: 64 << 20)
        var counter = ReplayCounter()
        try Replayer.fold(store.log, 1, head, into: views, environment: scratch,
                          options: Self.options(transactionSize: 1_000_000, budget: 64 << 20), bulk: bulk, counter: &counter)
        #expect(scratch.mapSize > 1 << 20, "the map grew: the fold transaction ran again")
        try bulk.flushCommitting(into: views, environment: scratch)
        try bulk.flushInstanceRows(into: views, environment: scratch)
        #expect(try Self.companyIndexes(views, in: scratch) == expectedIndexes)
        let prints = try scratch.read { try views.fingerprints(in: $0) }
        for view in HeldCompanyIndexes.views + [.companies, .timeline] {
            #expect(prints[view] == expectedPrints[view], "\(view.name)")
            #expect(try scratch.read { try views.computeFingerprint(of: view, in: $0) } == expectedPrints[view], "\(view.name) contents")
        }
    }

    /// Random index entries: keys of 1–40 bytes over few byte values (many repeat, in one index
    /// and across indexes), each with a company id.
    static func entries(_ count: Int, seed: UInt64) -> [(slot: Int, key: [UInt8], value: UInt64)] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let key = (0..<(1 + random.below(40))).map { _ in UInt8(97 + random.below(3)) }
            return (random.below(HeldCompanyIndexes.views.count), key, UInt64(index + 1))
        }
    }

    static func hold(_ entries: some Sequence<(slot: Int, key: [UInt8], value: UInt64)>, in held: inout HeldCompanyIndexes) {
        for entry in entries {
            entry.key.withUnsafeBytes { k in withUnsafeBytes(of: entry.value) { held.hold(slot: entry.slot, key: k, value: $0) } }
        }
    }

    /// The company indexes' entries and the checkpoint row after `held` is flushed into fresh views.
    static func flushed(_ held: HeldCompanyIndexes) throws -> ([[[UInt8]]], [UInt8]) {
        let environment = try LMDB.Environment(path: temporaryPath("held-rollback"))
        let views = try ViewSet(environment: environment, generation: 1, create: true)
        var row = [UInt8](repeating: 0, count: ViewSet.checkpointRowSize)
        try environment.write { txn in
            try row.withUnsafeMutableBytes { try held.flush(into: views, transaction: txn, row: $0) }
        }
        return (try companyIndexes(views, in: environment), row)
    }

    @Test("a roll-back drops what was held after the mark; holding it again gives what holding it once gives")
    func rollBackHeld() throws {
        let kept = Self.entries(3_000, seed: 1)
        let again = Self.entries(3_000, seed: 2)
        let abandoned = Self.entries(20_000, seed: 3).map { (slot: $0.slot, key: $0.key + [0x7A], value: $0.value + 100_000) }
        var once = HeldCompanyIndexes()
        Self.hold(kept + again, in: &once)

        var held = HeldCompanyIndexes()
        Self.hold(kept, in: &held)
        let mark = held.mark
        let keptValues = kept.map { entry in
            entry.key.withUnsafeBytes { k in held.withValue(slot: entry.slot, key: k) { $0.loadUnaligned(as: UInt64.self) } }
        }
        // An attempt that holds more than the table had room for (it grows), then is rolled back.
        Self.hold(again + abandoned, in: &held)
        held.rollBack(to: mark)
        #expect(held.mark == mark)
        for entry in abandoned {
            let found = entry.key.withUnsafeBytes { k in held.withValue(slot: entry.slot, key: k) { _ in true } }
            #expect(found == nil, "an abandoned key is held no more")
        }
        for (entry, value) in zip(kept, keptValues) {
            #expect(entry.key.withUnsafeBytes { k in held.withValue(slot: entry.slot, key: k) { $0.loadUnaligned(as: UInt64.self) } } == value)
        }
        Self.hold(again, in: &held)
        let (onceIndexes, onceRow) = try Self.flushed(once)
        let (heldIndexes, heldRow) = try Self.flushed(held)
        #expect(heldIndexes == onceIndexes)
        #expect(heldRow == onceRow)
        #expect(onceIndexes.reduce(0) { $0 + $1.count } > 1_000)

        // Back to nothing: nothing held, and holding starts afresh.
        held.rollBack(to: HeldCompanyIndexes().mark)
        #expect(held.isEmpty)
        Self.hold(kept + again, in: &held)
        let (afresh, afreshRow) = try Self.flushed(held)
        #expect(afresh == onceIndexes && afreshRow == onceRow)
    }
}
