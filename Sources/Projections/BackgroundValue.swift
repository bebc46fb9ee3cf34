import Foundation

/// A value computed on a thread of its own, started at once: a rebuild sorts what it holds while
/// its last transaction commits. `take()` waits for the value and hands it over (once).
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is written by the computing thread before `done` is signalled and read
    // only after `wait` returns.
    private var value: Value?
    private let done = DispatchSemaphore(value: 0)

    init(threadName: String, _ compute: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            value = compute()
            done.signal()
        }
        thread.name = threadName
        thread.start()
    }

    /// Waits for the computation and hands its value over.
    func take() -> Value {
        done.wait()
        defer { value = nil }
        return value!
    }
}
