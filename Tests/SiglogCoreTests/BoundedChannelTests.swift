import Foundation
import SiglogCore
import Testing

@Suite("Bounded channel: ingest's parse-to-write hand-off")
struct BoundedChannelTests {
    struct ReadFailed: Error, Equatable {}

    @Test("items come out in order; nil after the producer closed and everything was taken")
    func order() throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        for n in 1...3 { #expect(channel.put(n)) }
        channel.close()
        #expect(try channel.take() == 1)
        #expect(try channel.take() == 2)
        #expect(try channel.take() == 3)
        #expect(try channel.take() == nil)
        #expect(try channel.take() == nil)
    }

    @Test("a producer's failure comes after what it had queued: nothing parsed is lost")
    func failureAfterQueuedItems() throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        #expect(channel.put(1))
        #expect(channel.put(2))
        channel.close(failure: ReadFailed())
        #expect(try channel.take() == 1)
        #expect(try channel.take() == 2)
        #expect(throws: ReadFailed()) { try channel.take() }
    }

    @Test("at most `capacity` items wait: a put beyond it waits for a take; cancel releases the producer")
    func capacityAndCancel() throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let produced = Produced()
        let producer = Thread {
            for n in 1...5 {
                guard channel.put(n) else { break }
                produced.add(n)
            }
            produced.finish()
        }
        producer.start()
        // The producer can queue two items and then waits for room.
        try produced.waitUntil { $0.count == 2 }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(produced.values == [1, 2], "a third item waited for room")
        #expect(try channel.take() == 1)
        try produced.waitUntil { $0.count == 3 }
        // The consumer gives up: the waiting put returns false and the producer stops.
        channel.cancel()
        try produced.waitUntilFinished()
        #expect(produced.values == [1, 2, 3])
    }
}

/// What the producer thread put, observed by the test.
private final class Produced: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var items: [Int] = []
    private var finished = false

    var values: [Int] { condition.lock(); defer { condition.unlock() }; return items }

    func add(_ n: Int) { condition.lock(); items.append(n); condition.broadcast(); condition.unlock() }
    func finish() { condition.lock(); finished = true; condition.broadcast(); condition.unlock() }

    struct TimedOut: Error {}

    /// Waits (up to a minute: a busy machine can be slow) until `done` holds for the items.
    func waitUntil(_ done: ([Int]) -> Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(60)
        while !done(items) { guard condition.wait(until: deadline) else { throw TimedOut() } }
    }

    func waitUntilFinished() throws {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(60)
        while !finished { guard condition.wait(until: deadline) else { throw TimedOut() } }
    }
}
