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

    @Test("stream: a producer thread's items reach the consumer in order, then its failure")
    func streamOrderThenFailure() throws {
        var seen: [Int] = []
        #expect(throws: ReadFailed()) {
            try BoundedChannel<Int>.stream(threadName: "test-producer", capacity: 2, produce: { channel in
                for n in 1...50 { _ = channel.put(n) }
                throw ReadFailed()
            }, consume: { seen.append($0) })
        }
        #expect(seen == Array(1...50))
        try BoundedChannel<Int>.stream(threadName: "test-producer", capacity: 2, produce: { channel in
            for n in 1...5 { _ = channel.put(n) }
        }, consume: { seen.append($0) })
        #expect(seen == Array(1...50) + Array(1...5))
    }

    @Test("stream: when the consumer throws, the producer is stopped and has ended before stream returns")
    func streamConsumerFailureJoinsProducer() throws {
        let produced = Produced()
        #expect(throws: ReadFailed()) {
            try BoundedChannel<Int>.stream(threadName: "test-producer", capacity: 1, produce: { channel in
                for n in 1...1_000 {
                    guard channel.put(n) else { break }
                    produced.add(n)
                }
                produced.finish()
            }, consume: { n in if n == 3 { throw ReadFailed() } })
        }
        // Joined: the producer finished before `stream` returned, and stopped soon after the consumer left.
        #expect(produced.isFinished)
        #expect(produced.values.count < 10)
    }
}

/// What the producer thread put, observed by the test.
private final class Produced: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var items: [Int] = []
    private var finished = false

    var values: [Int] { condition.lock(); defer { condition.unlock() }; return items }
    var isFinished: Bool { condition.lock(); defer { condition.unlock() }; return finished }

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
