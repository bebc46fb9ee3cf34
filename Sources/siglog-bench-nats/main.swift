// The ceiling of tools/bench-replicate: the same messages siglog-replicate publishes (each record's
// stored bytes, message id `<id>:<sequence>`), loaded into memory first and published with the bare
// client — asynchronous publishes, the same in-flight bound, every acknowledgement awaited — to a
// fresh stream with the given replicas. Prints one JSON line with the rate.
//
// Usage: siglog-bench-nats --store PATH --nats URL[,URL…] [--stream NAME] [--replicas 3] [--max-in-flight 4096]
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
    FileHandle.standardError.write(Data("usage: siglog-bench-nats --store PATH --nats URL[,URL…] [--stream NAME] [--replicas N] [--max-in-flight N]\n".utf8))
    exit(64)
}
let stream = argument("--stream", default: "bare")!
let replicas = Int(argument("--replicas", default: "3")!) ?? 3
let maxInFlight = Int(argument("--max-in-flight", default: "4096")!) ?? 4096

do {
    let log = try EventLog(path: store, mode: .readOnly)
    var messages: [[UInt8]] = []
    try log.forEach { record in record.withStoredBytes { messages.append(Array($0)) } }
    let subject = "bare.\(UUID().uuidString.lowercased())"
    let failures = Atomic<Int>(0)
    let acknowledged = Atomic<Int>(0)
    let connection = try NATSConnection(servers: nats.split(separator: ",").map(String.init), name: "siglog-bench-nats")
    let jetStream = try JetStream(connection: connection, maxPendingPublishes: maxInFlight) { outcome in
        if outcome.failure != nil { failures.add(1, ordering: .relaxed) } else { acknowledged.add(1, ordering: .relaxed) }
    }
    _ = try jetStream.addStreamIfMissing(StreamSettings(name: stream, subjects: [subject], replicas: replicas))
    let started = ContinuousClock.now
    for (index, message) in messages.enumerated() {
        try message.withUnsafeBytes { try jetStream.publishAsync(subject: subject, data: $0, messageID: "\(subject):\(index + 1)") }
    }
    try jetStream.waitForPublishes(timeoutMilliseconds: 120_000)
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let bytes = messages.reduce(0) { $0 + $1.count }
    print("{\"messages\":\(messages.count),\"bytes\":\(bytes),\"seconds\":\(seconds),\"per_second\":\(Double(messages.count) / seconds),\"acknowledged\":\(acknowledged.load(ordering: .relaxed)),\"failures\":\(failures.load(ordering: .relaxed))}")
} catch {
    FileHandle.standardError.write(Data("siglog-bench-nats: \(error)\n".utf8))
    exit(70)
}
