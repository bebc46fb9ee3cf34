import Foundation
import Testing
@testable import LMDB

/// `WriteTransaction.withLastKey` reads a database's last key through its kept write cursor; the
/// writes after it, appends above that key and inserts below it, must go in as without it.
@Suite("The last key through the kept cursor")
struct LastKeyTests {
    @Test("withLastKey gives nil for an empty database, then the highest key, and appends after it go in")
    func lastKey() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { txn in
            #expect(try txn.withLastKey(db) { Array($0) } == nil)
            for n in [5, 1, 9, 3] { try txn.put(db, key: KeptWriteCursorTests.key(n), value: [UInt8(n)]) }
            #expect(try txn.withLastKey(db) { Array($0) } == KeptWriteCursorTests.key(9))
            for n in 10..<2_000 {
                try txn.put(db, key: KeptWriteCursorTests.key(n), value: Array(repeating: 7, count: 40), options: .append)
            }
            #expect(try txn.withLastKey(db) { Array($0) } == KeptWriteCursorTests.key(1_999))
            // An insert below the last key after the cursor stood on the last page.
            let inserted = try KeptWriteCursorTests.key(2).withUnsafeBytes { k in
                try txn.insert(db, key: k, value: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            #expect(inserted)
        }
        let (entries, two) = try env.read { txn in
            (try txn.statistics(of: db).entries, try txn.value(db, key: KeptWriteCursorTests.key(2)))
        }
        #expect(entries == 2_000 - 10 + 5)
        #expect(two == [])
    }
}
