import ArgumentParser
import EventLog
import Foundation
import NATSClient
import Replication
import SiglogCLI
import SiglogCore
import Synchronization

@main
struct SiglogReplicate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-replicate",
        abstract: "Ship a store's log through a NATS JetStream cluster: publish, follow into replicas, promote, status.",
        discussion: """
            A writer publishes its records to the subject siglog.<store id> of a replicated stream; each \
            replica follows the stream through a durable consumer and appends the same records at the \
            same sequence numbers, folding them into its views. A replica is read-only for siglog-append \
            until it is promoted. Exit codes: 0 success, 64 bad option, 66 no store, 67 refused \
            (a gap, a different record, an incomplete replica, another writer), 70 storage or cluster error.
            """,
        subcommands: [Publish.self, Follow.self, Promote.self, Status.self])
}

/// `--nats URL[,URL…]`.
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("nats"), help: "NATS server URLs, comma-separated (nats://127.0.0.1:4222,…).")
    var nats: String?

    var servers: [String]? {
        nats.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    func required() throws -> [String] {
        guard let servers, !servers.isEmpty else { throw ValidationError("--nats URL[,URL…] is required") }
        return servers
    }
}

/// Stops a `--follow` run on SIGINT or SIGTERM after the work in hand.
enum StopSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
            sigaddset(&signals, signalNumber)
        }
        // A parent may have started this process with them blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}

/// Runs a replication command, turning its refusals into exit code 67 and cluster errors into 70.
func runReplicating(_ body: () throws -> Void) throws {
    try runReportingErrors {
        do {
            try body()
        } catch let error as ReplicationError {
            printError("siglog-replicate: \(error.message)")
            throw ExitCode(SiglogExit.conflict)
        } catch let error as ReplicaAppendError {
            printError("siglog-replicate: \(error.description); nothing of it was written")
            throw ExitCode(SiglogExit.conflict)
        } catch let error as NATSError {
            printError("siglog-replicate: \(error)")
            throw ExitCode(SiglogExit.internalError)
        }
    }
}

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the log from the last acknowledged position (creates the stream when missing).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Stream name.")
    var stream = LogStream.defaultStreamName

    @Option(help: "Replicas of the stream when this creates it.")
    var replicas = 3

    @Flag(help: "Keep tailing the log after its head (until SIGINT/SIGTERM).")
    var follow = false

    @Option(name: .customLong("max-in-flight"), help: "Messages (record batches) awaiting acknowledgement at most.")
    var maxInFlight = PublishOptions().maxInFlight

    @Option(name: .customLong("batch-records"), help: "Records per message at most (batches never cross a multiple of it).")
    var batchRecords = RecordBatchLimits().maxRecords

    @Option(name: .customLong("batch-bytes"), help: "Bytes per message at most (a larger record goes alone).")
    var batchBytes = RecordBatchLimits().maxBytes

    func validate() throws {
        if replicas < 1 || replicas > 5 { throw ValidationError("--replicas must be 1…5") }
        if maxInFlight < 1 { throw ValidationError("--max-in-flight must be positive") }
        if batchRecords < 1 || batchRecords > 65_536 { throw ValidationError("--batch-records must be 1…65536") }
        if batchBytes < 1 || batchBytes > 1 << 20 { throw ValidationError("--batch-bytes must be 1…1048576 (the servers' default largest message)") }
    }

    func run() throws {
        try runReplicating {
            let servers = try cluster.required()
            let log = try EventLog(path: store.path, mode: .readWrite, options: EventLog.Options())
            if let marker = try log.replicaMarker() {
                throw ReplicationError(
                    "the store at \(store.path) is a replica of \(ReplicaMarker(bytes: marker)?.stream ?? "a stream"): only a writer publishes (promote it first: siglog-replicate promote --store \(store.path))")
            }
            var options = PublishOptions()
            options.stream = stream
            options.replicas = replicas
            options.follow = follow
            options.maxInFlight = maxInFlight
            options.batchLimits = RecordBatchLimits(maxRecords: batchRecords, maxBytes: batchBytes)
            if follow { StopSignal.install() }
            let started = Date()
            let summary = try LogPublisher(log: log, servers: servers, options: options)
                .run { StopSignal.requested.load(ordering: .relaxed) }
            let seconds = Date().timeIntervalSince(started)
            printJSON([
                "stream": .string(summary.stream.stream), "subject": .string(summary.stream.subject),
                "store_id": .string(summary.stream.storeID.uuidString.lowercased()), "created_stream": .bool(summary.createdStream),
                "started_after": .int(Int64(summary.startedAfter)), "acknowledged_through": .int(Int64(summary.acknowledgedThrough)),
                "messages_sent": .int(Int64(summary.messagesSent)), "records_sent": .int(Int64(summary.recordsSent)),
                "duplicates": .int(Int64(summary.duplicates)),
                "restarts": .int(Int64(summary.restarts)), "seconds": .double(seconds),
                "publishing_seconds": .double(summary.publishingSeconds),
            ])
        }
    }
}

struct Follow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow a log stream into a replica store (created when missing) through a durable consumer.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Stream name (default: the replica's, else siglog).")
    var stream: String?

    @Option(help: "Durable consumer name (default: the replica's, else a new replica-… name).")
    var consumer: String?

    @Flag(help: "Keep following after catching up (until SIGINT/SIGTERM).")
    var follow = false

    @Option(name: .customLong("lag-samples"), help: .hidden)
    var lagSamples: String?

    @Option(name: .customLong("fetch-messages"), help: "Messages (record batches) per fetch, applied in one write transaction.")
    var fetchMessages = FollowOptions().fetchBatch

    func validate() throws {
        if fetchMessages < 1 || fetchMessages > 4_096 { throw ValidationError("--fetch-messages must be 1…4096") }
    }

    func run() throws {
        try runReplicating {
            let marker = try? EventLog(path: store.path, mode: .readOnly).replicaMarker().flatMap(ReplicaMarker.init(bytes:))
            guard let servers = cluster.servers ?? marker?.servers, !servers.isEmpty else {
                throw ValidationError("--nats URL[,URL…] is required")
            }
            var options = FollowOptions()
            options.stream = stream
            options.consumer = consumer
            options.follow = follow
            options.fetchBatch = fetchMessages
            if let lagSamples {
                // appended sequence, its append time and the apply time (µs), one line per commit.
                _ = FileManager.default.createFile(atPath: lagSamples, contents: nil)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: lagSamples))
                options.onApplied = { sequence, appendedAt, appliedAt in
                    handle.write(Data("\(sequence) \(appendedAt) \(appliedAt)\n".utf8))
                }
            }
            if follow { StopSignal.install() }
            let started = Date()
            let summary = try LogFollower(replicaPath: store.path, servers: servers, options: options)
                .run { StopSignal.requested.load(ordering: .relaxed) }
            printJSON([
                "stream": .string(summary.stream.stream), "store_id": .string(summary.stream.storeID.uuidString.lowercased()),
                "consumer": .string(summary.consumer), "applied_through": .int(Int64(summary.appliedThrough)),
                "records_applied": .int(Int64(summary.recordsApplied)), "duplicates_skipped": .int(Int64(summary.duplicatesSkipped)),
                "seconds": .double(Date().timeIntervalSince(started)),
            ])
        }
    }
}

struct Promote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a caught-up replica the writer of its log (refused, with the missing range, when it is not caught up).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        try runReplicating {
            let summary = try Promotion.promote(replicaPath: store.path, servers: cluster.servers)
            printError("promoted \(store.path): it is the writer of \(summary.stream.subject); publish it with siglog-replicate publish")
            printJSON([
                "store": .string(store.path), "stream": .string(summary.stream.stream),
                "store_id": .string(summary.stream.storeID.uuidString.lowercased()),
                "stream_last_record": .int(Int64(summary.streamLastRecord)), "head": .int(Int64(summary.head)),
            ])
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The stream's last record, each follower's position and lag, and (with --store of the writer) the publisher's.")

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Stream name (default: the store's, else siglog).")
    var stream: String?

    @Option(help: "A store of this log: the writer adds the publisher's position; a replica gives the stream and servers.")
    var store: String?

    func run() throws {
        try runReplicating {
            let log = try store.map { try EventLog(path: $0, mode: .readOnly) }
            let marker = try log?.replicaMarker().flatMap(ReplicaMarker.init(bytes:))
            guard let servers = cluster.servers ?? marker?.servers, !servers.isEmpty else {
                throw ValidationError("--nats URL[,URL…] is required")
            }
            let figures = try ReplicationStatus.figures(
                servers: servers, stream: stream ?? marker?.stream ?? LogStream.defaultStreamName, writer: marker == nil ? log : nil)
            printJSON(figures.json)
        }
    }
}
