import Foundation
import NATSClient

/// Fetches a consumer's next messages on a thread of its own while the follower applies the ones
/// before (a fetch is a round trip to the cluster; applying is local work — the two overlap). It
/// keeps at most `capacity` messages fetched and not yet taken; they are acknowledged by whoever
/// applies them, and a message taken by nobody is delivered again after the consumer's ack wait.
final class MessagePrefetcher: @unchecked Sendable {
    private let subscription: PullSubscription
    private let fetchLimit: Int
    private let fetchTimeoutMilliseconds: Int64
    private let capacity: Int
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [ConsumedMessage] = []
    private var failure: (any Error)?
    private var stopping = false
    private var finished = false

    /// Starts fetching up to `fetchLimit` messages at a time, each fetch waiting at most
    /// `fetchTimeoutMilliseconds`, while fewer than `capacity` wait to be taken.
    init(subscription: PullSubscription, fetchLimit: Int, fetchTimeoutMilliseconds: Int64, capacity: Int) {
        self.subscription = subscription
        self.fetchLimit = fetchLimit
        self.fetchTimeoutMilliseconds = fetchTimeoutMilliseconds
        self.capacity = max(capacity, fetchLimit)
        let thread = Thread { [self] in fetchLoop() }
        thread.name = "siglog.follower.fetch"
        thread.start()
    }

    private func fetchLoop() {
        while true {
            condition.lock()
            while queue.count >= capacity && !stopping { condition.wait() }
            let room = min(fetchLimit, capacity - queue.count)
            if stopping {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            do {
                let messages = try subscription.fetch(limit: room, timeoutMilliseconds: fetchTimeoutMilliseconds)
                condition.lock()
                queue.append(contentsOf: messages)
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                failure = error
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// The next messages fetched, up to `limit`, waiting at most `timeoutMilliseconds` for the
    /// first; empty when none came in time. A failed fetch is thrown once its messages are taken.
    func next(limit: Int, timeoutMilliseconds: Int64) throws -> [ConsumedMessage] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Double(timeoutMilliseconds) / 1_000)
        while queue.isEmpty && failure == nil && condition.wait(until: deadline) {}
        if queue.isEmpty, let failure { throw failure }
        let taken = Array(queue.prefix(limit))
        queue.removeFirst(taken.count)
        condition.broadcast()
        return taken
    }

    /// Stops fetching (after the fetch in progress) and waits for the thread to end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
