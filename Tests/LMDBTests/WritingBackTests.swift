import Dispatch
import Foundation
import Synchronization
import Testing
@testable import LMDB

/// `Environment.writingBack`: a thread starts the data file's write-out while the body (and its
/// commits) run, and is gone when it returns.
@Suite("Write-out during commits")
struct WritingBackTests {
    private static func fill(_ env: Environment, _ db: Database, from start: Int, count: Int) throws {
        try env.write { txn in
            for index in start..<start + count {
                try txn.put(db, key: Array("key-\(index)".utf8), value: Array(repeating: UInt8(index & 0xff), count: 200))
            }
        }
    }

    @Test("passes run while the body commits; the body's value comes back, the thread has stopped, and the data is committed")
    func passesDuringBody() throws {
        let env = try Environment(path: temporaryStorePath())
        let db = try env.database("items")
        let passes = Mutex(0)
        let passedAfterReturn = Mutex(false)
        let returned = Mutex(false)
        let firstPass = DispatchSemaphore(value: 0)
        let value = try env.writingBack(every: .milliseconds(1), pass: {
            if returned.withLock({ $0 }) { passedAfterReturn.withLock { $0 = true } }
            if passes.withLock({ count in
                count += 1
                return count
            }) == 1 { firstPass.signal() }
        }) {
            try Self.fill(env, db, from: 0, count: 5_000)
            // The thread runs beside the body: the body waits for its first pass.
            #expect(firstPass.wait(timeout: .now() + 30) == .success)
            try Self.fill(env, db, from: 5_000, count: 5_000)
            return 42
        }
        returned.withLock { $0 = true }
        #expect(value == 42)
        #expect(passes.withLock { $0 } >= 1)
        let counted = passes.withLock { $0 }
        Thread.sleep(forTimeInterval: 0.05)  // room for a pass that should not come
        #expect(passes.withLock { $0 } == counted)
        #expect(!passedAfterReturn.withLock { $0 })
        #expect(try env.read { try $0.statistics(of: db).entries } == 10_000)
    }

    @Test("an error of the body is rethrown after the thread stopped; a non-durable environment runs the body without it")
    func errorsAndNonDurable() throws {
        struct Failure: Error {}
        let env = try Environment(path: temporaryStorePath())
        let passes = Mutex(0)
        #expect(throws: Failure.self) {
            try env.writingBack(every: .milliseconds(1), pass: { passes.withLock { $0 += 1 } }) { throw Failure() }
        }
        let counted = passes.withLock { $0 }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(passes.withLock { $0 } == counted)

        var options = Environment.Options()
        options.durable = false
        let scratch = try Environment(path: temporaryStorePath(), options: options)
        let db = try scratch.database("items")
        let scratchPasses = Mutex(0)
        try scratch.writingBack(every: .milliseconds(1), pass: { scratchPasses.withLock { $0 += 1 } }) {
            try Self.fill(scratch, db, from: 0, count: 1_000)
            Thread.sleep(forTimeInterval: 0.02)
        }
        #expect(scratchPasses.withLock { $0 } == 0)
    }
}
