import Foundation

/// A bounded first-in first-out hand-off from one producing thread to one consumer: ingest parses
/// on one thread while another writes, and at most `capacity` parsed batches wait, so memory stays
/// bounded whatever the input size.
public final class BoundedChannel<Item: Sendable>: @unchecked Sendable {
    // @unchecked: every field is read and written under `condition`.
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var cancelled = false
    private var failure: (any Error)?
    private let capacity: Int

    /// A channel holding at most `capacity` items.
    public init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false when the consumer gave up (the producer should stop).
    public func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item; nil once the producer closed the channel and everything was taken.
    public func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        if items.isEmpty {
            if let failure { throw failure }
            return nil
        }
        condition.broadcast()
        return items.removeFirst()
    }

    /// Ends the stream; the consumer sees `failure` (if any) once it has taken what is queued.
    public func close(failure: (any Error)? = nil) {
        condition.lock()
        self.failure = failure
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer gives up: a waiting or later `put` returns false.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

extension BoundedChannel {
    /// Runs `produce` on a thread of its own (named `threadName`) and hands each item it puts to
    /// `consume` on the calling thread, in order. The producer ends the stream by returning (the
    /// channel is closed) or by throwing (closed with that failure, which is rethrown here after the
    /// items put before it); a `put` that returns false means the consumer has gone, and the producer
    /// should return. Whatever ends this call, the channel is cancelled and the thread has ended
    /// before it returns, so the producer never outlives it (it may hold a read transaction).
    public static func stream(
        threadName: String, capacity: Int, produce: @escaping @Sendable (BoundedChannel<Item>) throws -> Void,
        consume: (Item) throws -> Void
    ) throws {
        let channel = BoundedChannel<Item>(capacity: capacity)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            do {
                try produce(channel)
                channel.close()
            } catch {
                channel.close(failure: error)
            }
        }
        thread.name = threadName
        thread.start()
        defer {
            channel.cancel()
            finished.wait()
        }
        while let item = try channel.take() { try consume(item) }
    }
}
