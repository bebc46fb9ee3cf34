import Foundation
import LMDB
@testable import Projections
import SiglogCore
import SiglogRecords
import Testing

/// A run of append transactions (a file's ingest) keeps the company index entries each one flushed
/// for the next (`StoreWriter.holdCompanyIndexInserts(keeping:)`): on a store whose company indexes
/// were empty when the run began, the next transaction answers from them alone. That holds only
/// while nothing else commits between the run's transactions, and only for entries that committed.
@Suite("Kept company-index entries")
struct KeptCompanyIndexesTests {
    static let now = HeldCompanyIndexTests.now

    static func company(_ id: Int64, _ domain: String, linkedin: String? = nil) -> CompanyCreated {
        HeldCompanyIndexTests.company(id, name: "Company \(id)", domain: domain, linkedin: linkedin)
    }

    /// One of the run's transactions: holds with `kept`, returns `body`'s result and whether the
    /// domain index was answered by the held (and kept) entries alone.
    func runTransaction<T>(_ store: Store, _ kept: KeptCompanyIndexes, _ body: (StoreWriter) throws -> T) throws
        -> (result: T, heldOnly: Bool)
    {
        try store.write { writer in
            writer.holdCompanyIndexInserts(keeping: kept)
            let heldOnly = writer.held.storesNoCompanyIndexEntry(.companiesByDomain)
            return (try body(writer), heldOnly)
        }
    }

    @Test("kept from one transaction to the next; dropped when another writer commits between them")
    func droppedAfterAnotherWriter() throws {
        let store = try Store(path: temporaryPath("kept-companies"), mode: .create, durable: false)
        let kept = KeptCompanyIndexes()
        let first = try runTransaction(store, kept) { writer in
            try writer.append(Self.company(1, "one.example", linkedin: "https://l/one"), at: Self.now)
        }
        #expect(first.heldOnly)  // the store's first batch
        #expect(kept.isKeeping)
        let second = try runTransaction(store, kept) { writer in
            let found = (try writer.reader.companyID(withDomain: "one.example"),
                         try writer.reader.companyID(withLinkedInURL: "https://l/one"),
                         try writer.reader.companyID(withDomain: "two.example"))
            try writer.append(Self.company(2, "two.example"), at: Self.now)
            return found
        }
        // The views store only what the run flushed: the kept entries answer for them.
        #expect(second.heldOnly)
        #expect(second.result.0 == 1 && second.result.1 == 1 && second.result.2 == nil)
        // Another writer (no holding, no keeping) commits between the run's transactions.
        _ = try store.write { writer in try writer.append(Self.company(3, "three.example"), at: Self.now) }
        let third = try runTransaction(store, kept) { writer in
            (try writer.reader.companyID(withDomain: "three.example"), try writer.reader.companyID(withDomain: "two.example"),
             try writer.reader.companyID(withDomain: "one.example"))
        }
        // Kept entries would have answered "none" for the other writer's company.
        #expect(!third.heldOnly)
        #expect(third.result.0 == 3 && third.result.1 == 2 && third.result.2 == 1)
        // The run keeps again from here.
        #expect(kept.isKeeping)
        let fourth = try runTransaction(store, kept) { writer in try writer.reader.companyID(withDomain: "three.example") }
        #expect(fourth.result == 3 && !fourth.heldOnly)  // the views now store another writer's entries
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }

    @Test("a transaction that does not commit leaves nothing kept, and its entries are found nowhere")
    func nothingKeptAfterAbort() throws {
        let store = try Store(path: temporaryPath("kept-companies"), mode: .create, durable: false)
        let kept = KeptCompanyIndexes()
        _ = try runTransaction(store, kept) { writer in try writer.append(Self.company(1, "one.example"), at: Self.now) }
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            _ = try runTransaction(store, kept) { writer in
                try writer.append(Self.company(2, "two.example"), at: Self.now)
                throw Abandon()
            }
        }
        #expect(!kept.isKeeping)
        let next = try runTransaction(store, kept) { writer in
            (try writer.reader.companyID(withDomain: "two.example"), try writer.reader.companyID(withDomain: "one.example"))
        }
        #expect(!next.heldOnly)
        #expect(next.result.0 == nil && next.result.1 == 1)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }

    @Test("each batch finds the companies the batches before it created; the views and fingerprints agree")
    func flushedOnce() throws {
        let store = try Store(path: temporaryPath("kept-companies"), mode: .create, durable: false)
        let kept = KeptCompanyIndexes()
        for batch in 0..<4 {
            _ = try runTransaction(store, kept) { writer in
                for index in 0..<50 {
                    let id = Int64(batch * 50 + index + 1)
                    // Every batch also asks for the companies of the batches before.
                    if batch > 0 { #expect(try writer.reader.companyID(withDomain: "c\(id - 50).example") == id - 50) }
                    try writer.append(Self.company(id, "c\(id).example"), at: Self.now)
                }
            }
        }
        let domains = try store.log.read { txn in try txn.statistics(of: store.views[.companiesByDomain]).entries }
        #expect(domains == 200)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }

    @Test("the run's first transaction makes room for all the run keeps: later transactions add to the kept entries in place")
    func roomForTheRun() throws {
        let store = try Store(path: temporaryPath("kept-companies"), mode: .create, durable: false)
        let kept = KeptCompanyIndexes(limit: 1 << 20)
        for batch in 0..<3 {
            _ = try runTransaction(store, kept) { writer in
                for index in 0..<100 {
                    let id = Int64(batch * 100 + index + 1)
                    try writer.append(Self.company(id, "c\(id).example", linkedin: "https://l/c\(id)"), at: Self.now)
                }
            }
            // Had the entries' buffer grown by appends, it would hold a few KiB: each growth a copy.
            #expect(kept.isKeeping && kept.keptByteCapacity >= kept.limit)
        }
        let last = try runTransaction(store, kept) { writer in
            (try writer.reader.companyID(withDomain: "c1.example"), try writer.reader.companyID(withLinkedInURL: "https://l/c300"))
        }
        #expect(last.heldOnly && last.result.0 == 1 && last.result.1 == 300)
        #expect(try storedFingerprints(store) == (try contentFingerprints(store)))
    }

    @Test("over the memory limit nothing is kept")
    func overLimit() throws {
        let store = try Store(path: temporaryPath("kept-companies"), mode: .create, durable: false)
        let kept = KeptCompanyIndexes(limit: 0)
        _ = try runTransaction(store, kept) { writer in try writer.append(Self.company(1, "one.example"), at: Self.now) }
        #expect(!kept.isKeeping)
        let next = try runTransaction(store, kept) { writer in try writer.reader.companyID(withDomain: "one.example") }
        #expect(!next.heldOnly && next.result == 1)
    }
}
