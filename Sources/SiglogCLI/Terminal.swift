import Foundation
import Glibc

/// The width of the terminal standard output is, or nil when it is not a terminal (then tables are
/// not fitted: a pipe or a file gets every cell). `COLUMNS` overrides the terminal's own report.
public func terminalWidth() -> Int? {
    guard isatty(STDOUT_FILENO) != 0 else { return nil }
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}

/// `--limit N` as a count: 0 means no limit, the same in every tool.
public func limitCount(_ limit: Int) -> Int { limit == 0 ? .max : max(0, limit) }

/// `--limit N` of a list that says when it was cut: read one row more than is shown, to know
/// whether there were more.
public struct ListLimit: Sendable {
    /// The option's value (0: no limit).
    public let limit: Int
    /// How many rows are shown.
    public var shown: Int { limitCount(limit) }
    /// How many rows to read.
    public var read: Int { shown == .max ? .max : shown + 1 }

    /// The limit given as `--limit`.
    public init(_ limit: Int) { self.limit = limit }

    /// `showing the first N <noun> (--limit 0 shows all)` when `found` rows were more than shown.
    public func cutNote(found: Int, noun: String) -> String? {
        found > shown ? "showing the first \(limit) \(noun) (--limit 0 shows all)" : nil
    }
}
