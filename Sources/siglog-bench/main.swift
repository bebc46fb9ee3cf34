// Benchmarks of the storage layer (not part of the test suite). Run through `tools/bench-log`.
//
//   siglog-bench log [--dir DIR] [--runs N]
//
// Measures, with durable commits (fsync on every commit):
// - raw append throughput at 1, 100 and 10,000 records per transaction, ~300-byte payloads,
//   payload encoding included;
// - full-scan read throughput (checksum verified, payload decoded).
// Prints the median, min and max of N runs for each figure.
import EventLog
import Foundation

struct Figures {
    var samples: [Double] = []
    var median: Double { let s = samples.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
    var line: String {
        let s = samples.sorted()
        return String(format: "%12.0f  (min %.0f, max %.0f, %d runs)", median, s.first ?? 0, s.last ?? 0, s.count)
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Field values for payloads shaped like stored signal events, generated before timing starts so
/// the figures measure encoding and storage, not string formatting.
struct EventFields {
    let company: Int64
    let sourceEventID: String
    let title: String
    let summary: String
    let url: String
}

let fieldPool: [EventFields] = (0..<4096).map { i in
    EventFields(
        company: Int64(i * 7 % 20_000),
        sourceEventID: "round-\(i)-5f0c9e2a-1b7d-4c7a-9a55-\(i)",
        title: "Series A funding round announced for company number \(i)",
        summary: "Raised $12.5M led by a well-known venture firm to expand engineering and go-to-market teams.",
        url: "https://news.example.com/articles/\(i)/company-raises-series-a")
}

/// Encodes a ~300-byte payload (the encoding is part of what is measured).
func eventPayload(_ i: Int) -> [UInt8] {
    let f = fieldPool[i & 4095]
    var w = PayloadWriter(capacity: 320)
    w.write(1, f.company)
    w.write(2, "crunchbase")
    w.write(3, f.sourceEventID)
    w.write(4, "funding_raised")
    w.write(5, Int64(1_740_000_000_000_000 + i))
    w.write(6, f.title)
    w.write(7, f.summary)
    w.write(8, f.url)
    w.write(9, 0.85)
    return w.bytes
}

let type = RecordType(rawValue: 1)

func appendRun(directory: String, total: Int, batch: Int) throws -> Double {
    let path = directory + "/append-\(batch)-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let log = try EventLog(path: path, mode: .create)
    let start = now()
    var written = 0
    while written < total {
        let n = min(batch, total - written)
        try log.write { writer in
            for i in written..<(written + n) {
                try writer.append(type: type, appendedAt: Int64(i), workspace: nil, payload: eventPayload(i))
            }
        }
        written += n
    }
    return Double(total) / (now() - start)
}

func scanRun(log: EventLog) throws -> (Double, UInt64) {
    let start = now()
    var count: UInt64 = 0
    var checksum: Int64 = 0
    try log.forEach { record in
        try record.withPayload { payload in
            var reader = PayloadReader(payload)
            while let field = try reader.next() { if field.number == 1 { checksum &+= try field.int64() } }
        }
        count += 1
    }
    precondition(checksum != 0)
    return (Double(count) / (now() - start), count)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "log" else {
    print("usage: siglog-bench log [--dir DIR] [--runs N]")
    exit(2)
}
var directory = FileManager.default.temporaryDirectory.path
var runs = 3
var index = 1
while index < arguments.count {
    switch arguments[index] {
    case "--dir": directory = arguments[index + 1]; index += 2
    case "--runs": runs = Int(arguments[index + 1]) ?? 3; index += 2
    default: print("unknown option \(arguments[index])"); exit(2)
    }
}
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
print("siglog log benchmark: durable commits, ~\(eventPayload(123_456).count + 35)-byte records, \(runs) runs each")
for (batch, total) in [(1, 3_000), (100, 200_000), (10_000, 1_000_000)] {
    var figures = Figures()
    for _ in 0..<runs { figures.samples.append(try appendRun(directory: directory, total: total, batch: batch)) }
    print(String(format: "append, %6d per transaction: ", batch) + figures.line + " records/s")
}
let scanPath = directory + "/scan-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: scanPath) }
let scanLog = try EventLog(path: scanPath, mode: .create)
var loaded = 0
while loaded < 2_000_000 {
    try scanLog.write { writer in
        for i in loaded..<(loaded + 100_000) { try writer.append(type: type, appendedAt: 0, workspace: nil, payload: eventPayload(i)) }
    }
    loaded += 100_000
}
var scan = Figures()
for _ in 0..<runs { scan.samples.append(try scanRun(log: scanLog).0) }
print("full scan (checksum + decode), 2,000,000 records: " + scan.line + " records/s")
