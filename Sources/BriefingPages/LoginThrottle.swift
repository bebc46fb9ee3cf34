import Synchronization

/// The login form's limit on guessing tokens: a client address that gave `limit` wrong tokens
/// within `window` is refused (429, without checking the token) until the oldest of those
/// failures is `window` old. A correct token clears the address's failures. Kept in memory, for at
/// most `capacity` addresses (the ones whose last failure is oldest go first).
final class LoginThrottle: Sendable {
    /// Wrong tokens an address may give within `window`.
    let limit: Int
    /// How long a failure counts.
    let window: Duration
    /// The most addresses counted at once.
    let capacity: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    /// Failure times per address, oldest first (at most `limit` each).
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    /// A throttle allowing `limit` wrong tokens per `window` per address, reading time from `now`.
    init(limit: Int = 10, window: Duration = .seconds(15 * 60), capacity: Int = 10_000,
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self.now = now
    }

    /// How long `address` must wait before it may try a token again; nil when it may now.
    func wait(for address: String) -> Duration? {
        let now = now()
        return failures.withLock { failures in
            guard var times = failures[address] else { return nil }
            times.removeAll { now - $0 >= window }
            failures[address] = times.isEmpty ? nil : times
            guard times.count >= limit, let oldest = times.first else { return nil }
            return window - (now - oldest)
        }
    }

    /// Counts a wrong token from `address`.
    func failed(_ address: String) {
        let now = now()
        failures.withLock { failures in
            if failures[address] == nil, failures.count >= capacity {
                failures = failures.filter { $0.value.last.map { now - $0 < window } ?? false }
                while failures.count >= capacity, let stale = failures.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) }) {
                    failures.removeValue(forKey: stale.key)
                }
            }
            var times = failures[address, default: []]
            times.removeAll { now - $0 >= window }
            times.append(now)
            failures[address] = Array(times.suffix(limit))
        }
    }

    /// Clears `address`'s failures (it gave a correct token).
    func succeeded(_ address: String) {
        _ = failures.withLock { $0.removeValue(forKey: address) }
    }

    /// How many addresses have failures counted.
    var count: Int { failures.withLock { $0.count } }
}
