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
