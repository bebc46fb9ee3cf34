import Dispatch
import Foundation
public import Pipeline
public import Projections
import Synchronization

/// Asks running workers to stop: they stop claiming, release what they claimed but did not
/// start, finish what is running and return. Hosts call `stop()` on SIGTERM.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    private let interruption: Interruption?

    /// A signal not yet given; it is given too once `interruption` (the runner's, raised by the
    /// tools' SIGINT/SIGTERM handlers) is raised.
    public init(following interruption: Interruption? = nil) { self.interruption = interruption }

    /// Asks every worker holding this signal to stop.
    public func stop() { flag.store(true, ordering: .sequentiallyConsistent) }

    /// Whether `stop()` was called (or the interruption followed was raised).
    public var isStopped: Bool {
        flag.load(ordering: .sequentiallyConsistent) || interruption?.isRequested == true
    }

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

/// Every store access of the workers that share it: writes are funnelled into few write
/// transactions — operations submitted while a transaction commits run together in the next one
/// (group commit), so concurrent claims, completions and resets cost few durable commits. All of
/// it runs on one thread of its own: LMDB transactions may wait for another process's write lock,
/// so none of this holds a thread of the concurrency pool or of the dispatch pool (where a busy
/// process would also delay it).
///
/// One coalescer per store and process: a host running several workers (a server, the benchmark)
/// gives them the same one.
public final class WriteCoalescer: Sendable {
    /// The store written to.
    public let store: Store
    private let thread: StoreThread
    private let state = Mutex(State())
    private let committed = Atomic<Int>(0)

    private struct State {
        var pending: [Operation] = []
        var flushing = false
    }

    /// One submitted write: `execute` runs inside a transaction (maybe more than once: the map may
    /// grow, or the batch may be retried alone), `finish` reports the final outcome once.
    private struct Operation: Sendable {
        let execute: @Sendable (StoreWriter) throws -> Void
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// A coalescer of `store`'s writes.
    public init(store: Store) {
        self.store = store
        thread = StoreThread(name: "siglog.store")
    }

    /// Write transactions committed that appended at least one record (durable commits).
    public var commits: Int { committed.load(ordering: .relaxed) }

    /// Runs `operation` inside a write transaction, possibly shared with other operations; returns
    /// once that transaction committed. When a shared transaction fails, each of its operations is
    /// run again alone, so one operation's error never takes the others down.
    public func write<T: Sendable>(_ operation: @escaping @Sendable (StoreWriter) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let pending = Operation(
                execute: { writer in box.value = try operation(writer) },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                })
            let start = state.withLock { s -> Bool in
                s.pending.append(pending)
                if s.flushing { return false }
                s.flushing = true
                return true
            }
            if start { thread.run { self.flush() } }
        }
        return box.value!
    }

    /// Runs `body` with a read transaction on the store thread (reads are short; they wait behind
    /// a write at most).
    public func read<T: Sendable>(_ body: @escaping @Sendable (ViewReader) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            thread.run { [store] in continuation.resume(with: Result { try store.read(body) }) }
        }
    }

    /// Commits batches until nothing is pending (on the writer thread).
    private func flush() {
        while true {
            let batch = state.withLock { s -> [Operation] in
                let taken = s.pending
                s.pending = []
                if taken.isEmpty { s.flushing = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                try commit(batch)
                for operation in batch { operation.finish(nil) }
            } catch {
                guard batch.count > 1 else {
                    batch[0].finish(error)
                    continue
                }
                for operation in batch {
                    do {
                        try commit([operation])
                        operation.finish(nil)
                    } catch {
                        operation.finish(error)
                    }
                }
            }
        }
    }

    private func commit(_ operations: [Operation]) throws {
        let appended = try store.write { writer -> Bool in
            let before = writer.writer.nextSequence
            for operation in operations { try operation.execute(writer) }
            return writer.writer.nextSequence > before
        }
        if appended { committed.add(1, ordering: .relaxed) }
    }
}

/// A thread that runs submitted closures one after another, for as long as its owner lives.
final class StoreThread: Sendable {
    /// The closures waiting, shared with the thread.
    private final class Inbox: Sendable {
        let work = Mutex<[@Sendable () -> Void]>([])
        let ready = DispatchSemaphore(value: 0)
        let closed = Atomic<Bool>(false)
    }

    private let inbox = Inbox()

    init(name: String) {
        let inbox = self.inbox
        let thread = Thread {
            while true {
                inbox.ready.wait()
                let next = inbox.work.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                if let next { next() } else if inbox.closed.load(ordering: .sequentiallyConsistent) { return }
            }
        }
        thread.name = name
        thread.start()
    }

    deinit {
        inbox.closed.store(true, ordering: .sequentiallyConsistent)
        inbox.ready.signal()
    }

    /// Runs `body` on the thread after what was submitted before it.
    func run(_ body: @escaping @Sendable () -> Void) {
        inbox.work.withLock { $0.append(body) }
        inbox.ready.signal()
    }
}

/// Carries an operation's value from the writer thread to its caller.
private final class ResultBox<T>: @unchecked Sendable {
    // @unchecked: written on the writer thread before the continuation resumes, read by the
    // caller after it resumed; the continuation orders the two.
    var value: T?
}

/// A worker id that names the host, the process and the worker within it: `host:pid:n`.
public func defaultWorkerID(index: Int = 0) -> String {
    "\(ProcessInfo.processInfo.hostName):\(getpid()):\(index)"
}
