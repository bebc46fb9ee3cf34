import CPrefetch
import Foundation

/// Makes memory present ahead of the thread that will fill it, on a thread of its own at the lowest
/// priority. A rebuild's writer fills large held buffers (the bulk load's lists and values, the
/// held instance rows' blocks), and the first write to each page of them is a page fault on the
/// writer (≈ 3 µs a page on a VM; 13 % of the writer's time in the first fold, where the decoders
/// wait for the writer and a core is idle). The warmer takes those faults on that idle time; where
/// no core is idle it mostly waits, and the writer takes the faults itself as before.
///
/// Warming changes no byte (`siglog_populate_write`), so it is harmless to warm memory another
/// thread is writing, or even memory freed meanwhile; all the same, an owner calls `cancel` before
/// it frees memory it handed over, so no work is spent on it.
final class PageWarmer: @unchecked Sendable {
    // @unchecked: `pending`, `working` and `stopped` are read and written only under `condition`.
    private let condition = NSCondition()
    /// Ranges still to warm, oldest first (addresses as numbers: nothing reads through them here).
    private var pending: [(start: UInt, count: Int)] = []
    /// Whether the thread is warming a step now (outside the lock).
    private var working = false
    private var stopped = false

    /// Bytes per `madvise` call: each holds the address space's lock (for reading) that `mmap` and
    /// `munmap` of the other threads wait for.
    static let step = 256 << 10

    init() {
        let thread = Thread { [self] in run() }
        thread.name = "siglog-replay-warm"
        thread.start()
    }

    /// Asks for the pages of the `count` bytes at `start` to be made present (in the order asked).
    func warm(_ start: UnsafeMutableRawPointer, count: Int) {
        guard count > 0 else { return }
        condition.lock()
        pending.append((UInt(bitPattern: start), count))
        condition.signal()
        condition.unlock()
    }

    /// Drops every range not warmed yet and waits for the step in progress: memory handed over may
    /// be freed after this returns.
    func cancel() {
        condition.lock()
        pending.removeAll()
        while working { condition.wait() }
        condition.unlock()
    }

    /// Waits until every range asked for is warmed (for tests).
    func drain() {
        condition.lock()
        while working || !pending.isEmpty { condition.wait() }
        condition.unlock()
    }

    /// Drops what is pending and ends the thread (after its step in progress).
    func stop() {
        condition.lock()
        stopped = true
        pending.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        _ = siglog_lower_thread_priority()
        condition.lock()
        while true {
            while pending.isEmpty && !stopped { condition.wait() }
            if stopped { break }
            // One step at a time, the rest of its range put back first: `cancel` waits for one step at most.
            let range = pending.removeFirst()
            let count = min(range.count, PageWarmer.step)
            if range.count > count { pending.insert((range.start + UInt(count), range.count - count), at: 0) }
            working = true
            condition.unlock()
            _ = siglog_populate_write(UnsafeMutableRawPointer(bitPattern: range.start), UInt(count))
            condition.lock()
            working = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
