import Dispatch
import Foundation
import Synchronization

/// Asks running workers to stop: they stop claiming, release what they claimed but did not
/// start, finish what is running and return. Hosts call `stop()` on SIGTERM.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A signal not yet given.
    public init() {}

    /// Asks every worker holding this signal to stop.
    public func stop() { flag.store(true, ordering: .sequentiallyConsistent) }

    /// Whether `stop()` was called.
    public var isStopped: Bool { flag.load(ordering: .sequentiallyConsistent) }

    /// Sleeps for `duration`, waking early (within 20 ms) once stopped.
    func sleep(for duration: Duration) async {
        let end = ContinuousClock.now.advanced(by: duration)
        while !isStopped {
            let left = ContinuousClock.now.duration(to: end)
            if left <= .zero { return }
            try? await Task.sleep(for: min(left, .milliseconds(20)))
        }
    }
}

/// Runs the store's blocking calls (LMDB transactions, which may wait for another process's write
/// lock) on a thread of their own, so they never hold a thread of the concurrency pool.
final class StoreQueue: Sendable {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Group commit: items submitted while a commit is running are written together by the next
/// one, so many concurrent completions cost few durable commits. Each `submit` returns once its
/// item is committed (or the commit failed).
final class GroupCommitter<Item: Sendable, Answer: Sendable>: Sendable {
    private typealias Waiter = CheckedContinuation<Answer, any Error>
    private struct State {
        var pending: [(Item, Waiter)] = []
        var flushing = false
    }

    private let state = Mutex(State())
    private let queue: StoreQueue
    private let commit: @Sendable ([Item]) throws -> [Answer]

    /// `commit` writes a batch in one transaction and answers each item, in order.
    init(queue: StoreQueue, commit: @escaping @Sendable ([Item]) throws -> [Answer]) {
        self.queue = queue
        self.commit = commit
    }

    func submit(_ item: Item) async throws -> Answer {
        try await withCheckedThrowingContinuation { (waiter: Waiter) in
            let start = state.withLock { s -> Bool in
                s.pending.append((item, waiter))
                if s.flushing { return false }
                s.flushing = true
                return true
            }
            if start { Task { try? await self.queue.run { self.flush() } } }
        }
    }

    /// Commits batches until nothing is pending (runs on the store queue).
    private func flush() {
        while true {
            let batch = state.withLock { s -> [(Item, Waiter)] in
                let taken = s.pending
                s.pending = []
                if taken.isEmpty { s.flushing = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                let answers = try commit(batch.map(\.0))
                for (index, entry) in batch.enumerated() { entry.1.resume(returning: answers[index]) }
            } catch {
                for entry in batch { entry.1.resume(throwing: error) }
            }
        }
    }
}

/// A worker id that names the host, the process and the worker within it: `host:pid:n`.
public func defaultWorkerID(index: Int = 0) -> String {
    "\(ProcessInfo.processInfo.hostName):\(getpid()):\(index)"
}
