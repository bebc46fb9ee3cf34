import Dispatch
import Synchronization

/// The store's one writer: stage requests run one at a time, in arrival order, on a thread of
/// their own (the stages are synchronous LMDB write transactions; running them on the server's
/// event loops or on the concurrency pool would stall other requests).
///
/// At most `limit` requests wait behind the running one; past that `submit` refuses at once
/// (`Refusal.busy`: the route answers 503 with `Retry-After`). After `close()` (graceful
/// shutdown) the running body still finishes and is recorded, and every request still waiting is
/// refused with `Refusal.shuttingDown`. A caller that goes away does not stop its body: a stage
/// that started always finishes.
public final class WriteQueue: Sendable {
    /// Why a body was not run.
    public enum Refusal: Error, Sendable, Hashable {
        /// `limit` requests are already waiting.
        case busy(waiting: Int)
        /// The server is shutting down.
        case shuttingDown
    }

    private struct State {
        /// Submitted bodies not finished yet (waiting or running).
        var pending = 0
        var closed = false
    }

    /// How many requests may wait behind the running one.
    public let limit: Int
    private let queue = DispatchQueue(label: "siglog.writer", qos: .userInitiated)
    private let state = Mutex(State())

    /// A queue that lets `limit` requests wait.
    public init(limit: Int) { self.limit = max(0, limit) }

    /// Runs `body` on the writer once every body submitted before it has finished; returns what it
    /// returns or throws what it throws.
    public func submit<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try state.withLock { state in
            if state.closed { throw Refusal.shuttingDown }
            // The running body is pending too: `limit` waiting means `limit + 1` pending.
            if state.pending > limit { throw Refusal.busy(waiting: state.pending - 1) }
            state.pending += 1
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let refused = self.state.withLock { $0.closed }
                let result: Result<T, any Error> = refused ? .failure(Refusal.shuttingDown) : Result { try body() }
                self.state.withLock { $0.pending -= 1 }
                continuation.resume(with: result)
            }
        }
    }

    /// The number of requests waiting when no more may wait (`submit` would refuse now), else nil.
    public var waitingWhenFull: Int? {
        state.withLock { $0.pending > limit ? $0.pending - 1 : nil }
    }

    /// Requests waiting or running.
    public var pending: Int { state.withLock { $0.pending } }

    /// Refuses new and waiting requests from now on (the running body goes on).
    public func beginClosing() {
        state.withLock { $0.closed = true }
    }

    /// Refuses new and waiting requests, and returns once the running body (if any) has finished.
    public func close() async {
        beginClosing()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { continuation.resume() }
        }
    }
}
