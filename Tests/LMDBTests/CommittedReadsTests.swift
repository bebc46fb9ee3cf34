import Dispatch
import Foundation
import Synchronization
import Testing
@testable import LMDB

/// Read transactions other threads open beside a write transaction, on its starting snapshot.
@Suite("Committed reads beside a write transaction")
struct CommittedReadsTests {
    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Runs `body` on a new thread and waits for it (at most `seconds`); false when it did not end.
    private static func onAnotherThread(within seconds: Double = 10, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test("a committed read on another thread sees the last commit, not the open write's changes")
    func seesLastCommitOnly() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: Self.bytes("a"), value: Self.bytes("1")) }
        let seen = Mutex<[[UInt8]?]>([])
        try env.write { txn in
            try txn.put(db, key: Self.bytes("a"), value: Self.bytes("2"))
            try txn.put(db, key: Self.bytes("b"), value: Self.bytes("3"))
            txn.withCommittedReads { reads in
                let ended = Self.onAnotherThread {
                    let values = try? reads.read { read in
                        [try read.value(db, key: Self.bytes("a")), try read.value(db, key: Self.bytes("b"))]
                    }
                    seen.withLock { $0 = values ?? [] }
                }
                #expect(ended)
            }
            #expect(try txn.value(db, key: Self.bytes("a")) == Self.bytes("2"))
        }
        #expect(seen.withLock { $0 } == [Self.bytes("1"), nil])
        #expect(try env.read { try $0.value(db, key: Self.bytes("a")) } == Self.bytes("2"))
    }

    @Test("a committed read whose snapshot is not the one the write started from fails loudly")
    func otherSnapshotFails() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: Self.bytes("a"), value: Self.bytes("1")) }
        try env.write { txn in
            let expected = try txn.withCommittedReads { reads in
                try reads.read { _ in reads.snapshot }
            }
            // Reads expecting an older snapshot: what a commit between the write's start and the
            // read would look like to them.
            let stale = CommittedReads(environment: env, snapshot: expected - 1)
            defer { stale.close() }
            let error = #expect(throws: LMDBError.self) { try stale.read { _ in 0 } }
            #expect(error?.name == "MDB_BAD_TXN")
            #expect(error?.description.contains("started from \(expected - 1)") == true)
        }
    }

    @Test("the reads end with withCommittedReads: a read in progress is waited for, a later one fails")
    func closeWaitsAndLaterReadsFail() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: Self.bytes("a"), value: Self.bytes("1")) }
        let readStarted = DispatchSemaphore(value: 0)
        let readEnded = Atomic<Bool>(false)
        let kept = Mutex<CommittedReads?>(nil)
        try env.write { txn in
            txn.withCommittedReads { reads in
                kept.withLock { $0 = reads }
                Thread {
                    _ = try? reads.read { read in
                        readStarted.signal()
                        Thread.sleep(forTimeInterval: 0.3)
                        readEnded.store(true, ordering: .releasing)
                        return try read.value(db, key: Self.bytes("a"))
                    }
                }.start()
                readStarted.wait()
            }
            // withCommittedReads returned: the read it lent had ended by then.
            let ended = readEnded.load(ordering: .acquiring)
            #expect(ended)
        }
        let reads = try #require(kept.withLock { $0 })
        let error = #expect(throws: LMDBError.self) { try reads.read { _ in 0 } }
        #expect(error?.name == "MDB_BAD_TXN")
    }

    @Test("a committed read opens while another thread waits to resize the map; the resize runs after the write")
    func readsWhileResizeWaits() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        try env.write { try $0.put(db, key: Self.bytes("a"), value: Self.bytes("1")) }
        let sizeBefore = env.mapSize
        let resized = DispatchSemaphore(value: 0)
        let resizeError = Mutex<String?>(nil)
        try env.write { txn in
            try txn.put(db, key: Self.bytes("a"), value: Self.bytes("2"))
            txn.withCommittedReads { reads in
                // A resize needs the gate's exclusive side, so it waits for this write to end.
                Thread {
                    do { try env.growMap(minimum: sizeBefore * 2) } catch { resizeError.withLock { $0 = "\(error)" } }
                    resized.signal()
                }.start()
                Thread.sleep(forTimeInterval: 0.2)
                #expect(resized.wait(timeout: .now()) == .timedOut, "the resize waits for the open write")
                let value = Mutex<[UInt8]?>(nil)
                let ended = Self.onAnotherThread {
                    value.withLock { $0 = try? reads.read { try $0.value(db, key: Self.bytes("a")) } }
                }
                #expect(ended, "the committed read does not wait behind the resize")
                #expect(value.withLock { $0 } == Self.bytes("1"))
            }
        }
        #expect(resized.wait(timeout: .now() + 10) == .success)
        #expect(resizeError.withLock { $0 } == nil)
        #expect(env.mapSize >= sizeBefore * 2)
    }
}
