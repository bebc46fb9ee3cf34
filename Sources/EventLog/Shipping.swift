public import Foundation
import LMDB

// Log shipping: what the log needs so that its records can be copied to other machines and
// appended there unchanged — a stable store id, a replica marker, a small database of shipping
// state kept outside the log, and appending already-encoded records at their own sequence.

/// Why a replicated record was refused; nothing of the write transaction is kept.
public enum ReplicaAppendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record does not follow the replica's head: records `head + 1 ..< found` are missing.
    case gap(head: UInt64, found: UInt64)
    /// The replica holds other bytes at this sequence: it is not a copy of the same log.
    case differentRecord(sequence: UInt64)

    public var description: String {
        switch self {
        case .gap(let head, let found):
            return "replicated record \(found) does not follow the replica's last record \(head): records \(head + 1)…\(found - 1) are missing"
        case .differentRecord(let sequence):
            return "replicated record \(sequence) differs from the replica's record \(sequence): the replica does not copy this log"
        }
    }
}

/// What appending a replicated record did.
package enum ReplicatedAppend: Sendable, Equatable {
    /// The record was appended at its sequence (and projected).
    case appended
    /// The replica already held exactly these bytes at this sequence; nothing was written.
    case alreadyPresent
}

/// A position of the log recorded by a shipper: the last sequence shipped (acknowledged) and when.
public struct ShippedPosition: Sendable, Equatable {
    /// The last sequence number acknowledged, every record up to it included.
    public var sequence: UInt64
    /// When it was recorded (UTC microseconds).
    public var recordedAt: Int64

    /// A position.
    public init(sequence: UInt64, recordedAt: Int64) {
        self.sequence = sequence
        self.recordedAt = recordedAt
    }

    var bytes: [UInt8] {
        withUnsafeBytes(of: sequence.bigEndian) { Array($0) } + withUnsafeBytes(of: recordedAt.bigEndian) { Array($0) }
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        let fields = bytes.withUnsafeBytes {
            (UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)), Int64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: Int64.self)))
        }
        sequence = fields.0
        recordedAt = fields.1
    }
}

extension EventLog {
    /// The named database of shipping state (never part of the log, never shipped itself).
    public static let shippingDatabase = "log.shipping"
    /// Metadata key of the store's id.
    public static let storeIDKey = "store.id"
    /// Metadata key of the replica marker (its value names the replica's source).
    public static let replicaKey = "replica.source"

    /// The store's id: a UUID created at first use and kept in the metadata, nil before that.
    /// A replica carries its source's id: the id names the log, not the copy.
    public func storeID() throws -> UUID? {
        guard let bytes = try metadata(EventLog.storeIDKey), bytes.count == 16 else { return nil }
        return UUID(uuid: bytes.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) })
    }

    /// The store's id, created (in a write transaction of its own) when it has none yet.
    public func ensureStoreID() throws -> UUID {
        if let existing = try storeID() { return existing }
        return try write { writer in
            if let bytes = try writer.transaction.value(meta, key: Array(EventLog.storeIDKey.utf8)), bytes.count == 16 {
                return UUID(uuid: bytes.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) })
            }
            let id = UUID()
            try writer.setMetadata(EventLog.storeIDKey, withUnsafeBytes(of: id.uuid) { Array($0) })
            return id
        }
    }

    /// The replica marker's value when this store is a replica (appending is refused), else nil.
    public func replicaMarker() throws -> [UInt8]? { try metadata(EventLog.replicaKey) }

    /// A shipping-state value, nil when absent.
    public func shippingValue(_ key: String) throws -> [UInt8]? {
        guard let shipping else { return nil }
        return try read { try $0.value(shipping, key: Array(key.utf8)) }
    }

    /// Stores a shipping-state value in a write transaction of its own (not a log record).
    public func setShippingValue(_ key: String, _ value: [UInt8]) throws {
        try write { try $0.setShippingValue(key, value) }
    }

    /// The position recorded under `key` in the shipping state, nil when none was.
    public func shippedPosition(_ key: String) throws -> ShippedPosition? {
        try shippingValue(key).flatMap(ShippedPosition.init(bytes:))
    }

    /// Records `position` under `key` in the shipping state, in a write transaction of its own.
    public func recordShippedPosition(_ key: String, _ position: ShippedPosition) throws {
        try setShippingValue(key, position.bytes)
    }
}

extension LogWriter {
    /// Removes a metadata value of the store.
    public func removeMetadata(_ key: String) throws {
        _ = try transaction.delete(log.meta, key: Array(key.utf8))
    }

    /// Stores a shipping-state value in this transaction.
    public func setShippingValue(_ key: String, _ value: [UInt8]) throws {
        guard let shipping = log.shipping else { throw LogError.readOnly(path: log.path) }
        try transaction.put(shipping, key: Array(key.utf8), value: value)
    }

    /// Records `position` under `key` in the shipping state, in this transaction.
    public func recordShippedPosition(_ key: String, _ position: ShippedPosition) throws {
        try setShippingValue(key, position.bytes)
    }

    /// Appends a record copied from another log, as stored there (envelope, payload, checksum), at
    /// its own `sequence`, and applies the projections to it — so a replica holds the same
    /// sequence numbers and checksums as its source. The checksum, the envelope and the record type
    /// are checked first. A record at or below the head must be byte for byte the one stored
    /// (`.alreadyPresent`, nothing written); otherwise `ReplicaAppendError.differentRecord`.
    /// A record beyond `head + 1` is `ReplicaAppendError.gap`. An error aborts the whole transaction.
    package func appendReplicated(_ bytes: UnsafeRawBufferPointer, sequence: UInt64) throws -> ReplicatedAppend {
        let view = try RecordView(sequence: sequence, bytes: bytes, knownTypeTable: log.knownTypeTable)
        var key = sequence.bigEndian
        if sequence < nextSequence {
            let same = try withUnsafeBytes(of: &key) { k in
                try transaction.withValue(log.records, key: k) { $0.elementsEqual(bytes) }
            }
            guard same == true else { throw ReplicaAppendError.differentRecord(sequence: sequence) }
            _ = consume view
            return .alreadyPresent
        }
        guard sequence == nextSequence else { throw ReplicaAppendError.gap(head: head, found: sequence) }
        try withUnsafeBytes(of: &key) { k in
            try transaction.put(log.records, key: k, value: bytes, options: .append)
        }
        for projection in projections { try projection.apply(view, in: transaction) }
        _ = consume view
        nextSequence += 1
        return .appended
    }
}

/// What the replica marker says: where the replica's records come from. Stored as text lines
/// (`stream=…`, `consumer=…`, `servers=…`) so an operator can read it with any LMDB tool.
public struct ReplicaMarker: Sendable, Equatable {
    /// The stream the replica follows.
    public var stream: String
    /// The durable consumer that keeps the replica's position in the stream.
    public var consumer: String
    /// The NATS servers it was last followed from.
    public var servers: [String]

    /// A marker.
    public init(stream: String, consumer: String, servers: [String]) {
        self.stream = stream
        self.consumer = consumer
        self.servers = servers
    }

    /// The stored form.
    public var bytes: [UInt8] {
        Array("stream=\(stream)\nconsumer=\(consumer)\nservers=\(servers.joined(separator: ","))\n".utf8)
    }

    /// Reads the stored form; nil when it is not one.
    public init?(bytes: [UInt8]) {
        guard let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let stream = fields["stream"], let consumer = fields["consumer"] else { return nil }
        self.init(stream: stream, consumer: consumer,
                  servers: (fields["servers"] ?? "").split(separator: ",").map(String.init))
    }
}

/// Shipping-state keys.
public enum ShippingKey {
    /// A writer's publisher: the last sequence the stream acknowledged, every earlier one included.
    public static let published = "publisher.acknowledged"
    /// A replica: its last applied sequence and when it was applied.
    public static let applied = "follower.applied"
    /// A replica: the last sequence it knew the stream to hold, as of its last apply.
    public static let streamEnd = "follower.stream_end"
    /// A replica: when it last held every record it knew of.
    public static let caughtUp = "follower.caught_up"
}

/// The shipping figures a store knows by itself, without asking the cluster (what
/// `siglog-query stats` shows; `siglog-replicate status` adds the cluster's view).
public struct ShippingFigures: Sendable, Equatable {
    /// The store's id (nil before it was first shipped or followed).
    public var storeID: UUID?
    /// The replica marker, nil for a writer.
    public var replica: ReplicaMarker?
    /// The log's last sequence.
    public var head: UInt64
    /// Writer: the publisher's acknowledged position, nil when it never published.
    public var published: ShippedPosition?
    /// Replica: the last sequence the stream was known to hold.
    public var streamEnd: UInt64?
    /// Records not yet shipped (writer: head − acknowledged) or not yet applied (replica: stream end − head).
    public var lagRecords: UInt64
    /// Writer: seconds since the oldest unshipped record was appended. Replica: seconds since it
    /// last held every record it knew of. 0 when nothing lags.
    public var lagSeconds: Double
}

extension EventLog {
    /// The shipping figures as of `now` (UTC microseconds).
    public func shippingFigures(now: Int64) throws -> ShippingFigures {
        let head = try head()
        let marker = try replicaMarker().flatMap(ReplicaMarker.init(bytes:))
        var figures = ShippingFigures(storeID: try storeID(), replica: marker, head: head, published: nil, streamEnd: nil,
                                      lagRecords: 0, lagSeconds: 0)
        if marker != nil {
            let end = max(try shippedPosition(ShippingKey.streamEnd)?.sequence ?? head, head)
            figures.streamEnd = end
            figures.lagRecords = end - head
            if end > head, let caughtUp = try shippedPosition(ShippingKey.caughtUp) {
                figures.lagSeconds = max(0, Double(now - caughtUp.recordedAt) / 1e6)
            }
        } else if let published = try shippedPosition(ShippingKey.published) {
            figures.published = published
            figures.lagRecords = head > published.sequence ? head - published.sequence : 0
            if figures.lagRecords > 0, let oldest = try record(at: published.sequence + 1) {
                figures.lagSeconds = max(0, Double(now - oldest.appendedAt) / 1e6)
            }
        }
        return figures
    }
}
