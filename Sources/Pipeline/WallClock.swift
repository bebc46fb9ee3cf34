import Foundation
public import SiglogCore

/// Where the stages get "now": the append time of the records they write. Views copy their times
/// from records (D14), so only appends read the clock; tests inject a fixed one.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The system clock, UTC, microsecond precision.
public struct SystemClock: WallClock {
    /// The system clock.
    public init() {}
    public func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }
}

/// A clock that always answers the same instant.
public struct FixedClock: WallClock {
    /// The instant it answers.
    public let instant: Timestamp
    /// A clock stopped at `instant`.
    public init(_ instant: Timestamp) { self.instant = instant }
    public func now() -> Timestamp { instant }
}
