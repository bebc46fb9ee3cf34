import Foundation
import SiglogCore

/// The fixed ids and sizes the Python baselines use (tools/bench/baseline.py), so both write the same rows.
enum Bench {
    /// Rows (input lines, for ingest) per write transaction.
    static let batch = 50_000
    static let corePack = "00000000-0000-0000-0000-00000000c0de"
    static let pack = "00000000-0000-0000-0000-0000000000f1"
    static let workspace = "00000000-0000-0000-0000-000000000001"
    /// The confidence the baselines store for every event.
    static let storedConfidence = 0.7
}

/// A failure of the benchmark tool itself (bad arguments, unreadable input).
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the baselines' `now_text()`.
func nowText() -> String {
    let micros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    return Timestamp(microseconds: micros).description
}

/// Monotonic seconds, for phase timings inside the process.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Reads a file in 1 MiB chunks into one reused buffer and hands each chunk to `body`.
func forEachChunk(ofFile path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw BenchFailure("\(path): cannot open (errno \(errno))") }
    defer { close(descriptor) }
    let capacity = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = read(descriptor, buffer.baseAddress, capacity)
        if count < 0 {
            if errno == EINTR { continue }
            throw BenchFailure("\(path): read failed (errno \(errno))")
        }
        if count == 0 { return }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}

/// Event types seen in a run, interned so per-row work compares a few bytes instead of building a
/// String: index `i` names `names[i]`.
struct EventTypeTable {
    private(set) var names: [String] = []
    private var bytes: [[UInt8]] = []

    /// The index of the type spelled by `text`, adding it when new.
    mutating func index(of text: UnsafeRawBufferPointer) -> Int {
        for (index, known) in bytes.enumerated() where known.count == text.count {
            let same = text.isEmpty || known.withUnsafeBytes { memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }
            if same { return index }
        }
        bytes.append(Array(text))
        names.append(String(decoding: text, as: UTF8.self))
        return names.count - 1
    }
}
