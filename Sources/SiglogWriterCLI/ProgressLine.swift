public import Foundation
public import Pipeline
import SiglogCore

/// The lines the tools print on stderr for a person watching: progress while reading, a summary at
/// the end.
public enum ProgressLine {
    /// `read 120,000 lines (42%, 61k lines/s, ETA 3s)`; the percentage and ETA only when the input
    /// size is known.
    public static func ingest(_ progress: IngestProgress, size: Int?, since start: Date) -> String {
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let rate = Double(progress.lines) / elapsed
        var line = "read \(groupedDigits(progress.lines)) lines (\(compact(rate)) lines/s"
        if let size, size > 0, progress.bytes > 0 {
            let fraction = min(1, Double(progress.bytes) / Double(size))
            let remaining = elapsed / fraction - elapsed
            line += String(format: ", %.0f%%, ETA %.0fs", fraction * 100, remaining)
        }
        return line + ")"
    }

    /// `stored 296,991 events, 3,009 duplicates, 0 bad lines in 4.9 s (61k/s)`.
    public static func ingestSummary(_ result: IngestResult, seconds: Double) -> String {
        let lines = result.inserted + result.skippedDuplicate + result.skippedInvalid + result.errorsCount
        var text = "stored \(groupedDigits(result.inserted)) events, \(groupedDigits(result.skippedDuplicate)) duplicates, "
            + "\(groupedDigits(result.errorsCount)) bad lines"
        if result.skippedInvalid > 0 { text += ", \(groupedDigits(result.skippedInvalid)) of types the pack does not accept" }
        text += String(format: " in %.1f s", seconds)
        if seconds > 0 { text += " (\(compact(Double(lines) / seconds))/s)" }
        return text
    }

    /// 61k, 1.2M, 950.
    static func compact(_ value: Double) -> String {
        switch value {
        case 1_000_000...: String(format: "%.1fM", value / 1_000_000)
        case 10_000...: String(format: "%.0fk", value / 1_000)
        case 1_000...: String(format: "%.1fk", value / 1_000)
        default: String(format: "%.0f", value)
        }
    }
}
