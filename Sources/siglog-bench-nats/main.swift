// The ceiling of tools/bench-replicate: the same messages siglog-replicate publishes (the store's
// records grouped into record batches by the same limits, message id `<id>:<first>-<last>`), built
// in memory first and published with the bare client — asynchronous publishes, the same in-flight
// bound, every acknowledgement awaited — to a fresh stream with the given replicas. Prints one JSON
// line with the rates (records/s and messages/s).
//
// Usage: siglog-bench-nats --store PATH --nats URL[,URL…] [--stream NAME] [--replicas 3]
//                          [--max-in-flight 64] [--batch-records 256] [--batch-bytes 262144]
import EventLog
import Foundation
import NATSClient
import Synchronization

func argument(_ name: String, default value: String? = nil) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

guard let store = argument("--store"), let nats = argument("--nats") else {
    FileHandle.standardError.write(Data(
        "usage: siglog-bench-nats --store PATH --nats URL[,URL…] [--stream NAME] [--replicas N] [--max-in-flight N] [--batch-records N] [--batch-bytes N]\n".utf8))
    exit(64)
}
let stream = argument("--stream", default: "bare")!
let replicas = Int(argument("--replicas", default: "3")!) ?? 3
let maxInFlight = Int(argument("--max-in-flight", default: "64")!) ?? 64
let limits = RecordBatchLimits(maxRecords: max(1, Int(argument("--batch-records", default: "256")!) ?? 256),
                               maxBytes: Int(argument("--batch-bytes", default: "262144")!) ?? 262_144)

do {
    let log = try EventLog(path: store, mode: .readOnly)
    var messages: [(first: UInt64, last: UInt64, bytes: [UInt8])] = []
    var builder = RecordBatchBuilder(limits: limits)
    try log.forEach { record in
        if let batch = record.withStoredBytes({ builder.append(sequence: record.sequence, stored: $0) }) { messages.append(batch) }
    }
    if let batch = builder.finish() { messages.append(batch) }
    let subject = "bare.\(UUID().uuidString.lowercased())"
    let failures = Atomic<Int>(0)
    let acknowledged = Atomic<Int>(0)
    let connection = try NATSConnection(servers: nats.split(separator: ",").map(String.init), name: "siglog-bench-nats")
    let jetStream = try JetStream(connection: connection, maxPendingPublishes: maxInFlight) { outcome in
        if outcome.failure != nil { failures.add(1, ordering: .relaxed) } else { acknowledged.add(1, ordering: .relaxed) }
    }
    _ = try jetStream.addStreamIfMissing(StreamSettings(name: stream, subjects: [subject], replicas: replicas))
    let started = ContinuousClock.now
    for message in messages {
        try message.bytes.withUnsafeBytes {
            try jetStream.publishAsync(subject: subject, data: $0, messageID: "\(subject):\(message.first)-\(message.last)")
        }
    }
    try jetStream.waitForPublishes(timeoutMilliseconds: 120_000)
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let bytes = messages.reduce(0) { $0 + $1.bytes.count }
    let records = messages.reduce(UInt64(0)) { $0 + $1.last - $1.first + 1 }
    print("{\"messages\":\(messages.count),\"records\":\(records),\"bytes\":\(bytes),\"seconds\":\(seconds),\"per_second\":\(Double(records) / seconds),\"messages_per_second\":\(Double(messages.count) / seconds),\"max_in_flight\":\(maxInFlight),\"batch_records\":\(limits.maxRecords),\"batch_bytes\":\(limits.maxBytes),\"acknowledged\":\(acknowledged.load(ordering: .relaxed)),\"failures\":\(failures.load(ordering: .relaxed))}")
} catch {
    FileHandle.standardError.write(Data("siglog-bench-nats: \(error)\n".utf8))
    exit(70)
}
