import Foundation
import SiglogCore
import Synchronization
import Testing

/// `SpentItems` lets go of what one thread handed over on the thread that calls `release`.
@Suite("SpentItems")
struct SpentItemsTests {
    /// The threads (`pthread_self`) on which items were freed, in order.
    final class Log: Sendable {
        let entries = Mutex<[UInt]>([])
        let releaser = Mutex<UInt>(0)
    }

    static func currentThread() -> UInt { UInt(pthread_self()) }

    final class Item: Sendable {
        let log: Log
        init(log: Log) { self.log = log }
        deinit { log.entries.withLock { $0.append(SpentItemsTests.currentThread()) } }
    }

    @Test("Items added on one thread are kept until release, and freed on the releasing thread")
    func freedOnReleasingThread() throws {
        let log = Log()
        let spent = SpentItems<Item>()
        let added = DispatchSemaphore(value: 0)
        let adder = Thread {
            for _ in 0..<5 { spent.add(Item(log: log)) }
            added.signal()
        }
        adder.start()
        added.wait()
        #expect(log.entries.withLock { $0 }.isEmpty)
        let released = DispatchSemaphore(value: 0)
        let releaser = Thread {
            log.releaser.withLock { $0 = SpentItemsTests.currentThread() }
            spent.release()
            released.signal()
        }
        releaser.start()
        released.wait()
        let expected = log.releaser.withLock { $0 }
        #expect(expected != 0 && expected != SpentItemsTests.currentThread())
        #expect(log.entries.withLock { $0 } == Array(repeating: expected, count: 5))
        spent.release()
        #expect(log.entries.withLock { $0 }.count == 5)
    }

    @Test("Items added several at a time are all kept until release, then all freed")
    func addedSeveralAtATime() {
        let log = Log()
        let spent = SpentItems<[Item]>()
        spent.add(contentsOf: [[Item(log: log), Item(log: log)], [Item(log: log)]])
        spent.add([Item(log: log)])
        #expect(log.entries.withLock { $0 }.isEmpty)
        spent.release()
        #expect(log.entries.withLock { $0 }.count == 4)
    }
}
