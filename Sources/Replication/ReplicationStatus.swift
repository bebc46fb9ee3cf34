public import EventLog
import Foundation
import NATSClient
public import SiglogCore

/// One follower (durable consumer) of a log stream as the cluster sees it.
public struct FollowerFigures: Sendable, Equatable {
    /// The consumer's name.
    public var name: String
    /// The last record it applied (every earlier one included), by the ack floor.
    public var appliedThrough: UInt64
    /// Records of the stream it has not applied yet (the stream's last record minus its applied
    /// position; 0 when every message is delivered and acknowledged).
    public var lagRecords: UInt64
    /// Log time between the stream's last record and the last record it applied (0 when caught up).
    public var lagSeconds: Double
}

/// The cluster's view of a log stream: its last record, each follower's position and lag, and —
/// when the writer's store is at hand — the publisher's acknowledged position and lag.
public struct ReplicationFigures: Sendable, Equatable {
    /// The stream and log id.
    public var stream: LogStream
    /// Copies the cluster keeps of the stream.
    public var replicas: Int
    /// Messages in the stream (re-publishes after the de-duplication window included).
    public var messages: UInt64
    /// The last record in the stream (0 when empty) and its append time (UTC µs).
    public var lastRecord: UInt64
    /// The append time of the last record (UTC µs), nil when the stream is empty.
    public var lastRecordAppendedAt: Int64?
    /// The writer's own figures (acknowledged position, lag), when its store was given.
    public var writer: ShippingFigures?
    /// Every follower of the stream.
    public var followers: [FollowerFigures]

    /// The figures as JSON (what `siglog-replicate status` prints).
    public var json: JSONObject {
        var object: JSONObject = [
            "stream": .string(stream.stream), "subject": .string(stream.subject),
            "store_id": .string(stream.storeID.uuidString.lowercased()), "replicas": .int(Int64(replicas)),
            "messages": .int(Int64(messages)), "last_record": .int(Int64(lastRecord)),
            "last_record_appended_at": lastRecordAppendedAt.map { .string(Timestamp(microseconds: $0).isoUTC) } ?? .null,
            "followers": .array(followers.map { follower in
                .object([
                    "name": .string(follower.name), "applied_through": .int(Int64(follower.appliedThrough)),
                    "lag_records": .int(Int64(follower.lagRecords)), "lag_seconds": .double(follower.lagSeconds),
                ])
            }),
        ]
        if let writer {
            object["publisher"] = .object([
                "head": .int(Int64(writer.head)),
                "acknowledged_through": writer.published.map { .int(Int64($0.sequence)) } ?? .null,
                "lag_records": .int(Int64(writer.lagRecords)), "lag_seconds": .double(writer.lagSeconds),
            ])
        }
        return object
    }
}

/// Reads the replication figures of a log from the cluster.
public enum ReplicationStatus {
    /// The figures of the log in `stream` on the cluster at `servers`; `writer` (the writer's log,
    /// optional) adds the publisher's acknowledged position and lag.
    public static func figures(servers: [String], stream: String, writer: EventLog?) throws -> ReplicationFigures {
        let connection = try NATSConnection(servers: servers, name: "siglog-replicate status")
        let jetStream = try JetStream(connection: connection)
        guard let state = try jetStream.streamState(stream) else {
            throw ReplicationError("no stream \(stream) in the cluster at \(redactedServerList(servers))")
        }
        guard state.subjects.count == 1, let storeID = LogStream.storeID(ofSubject: state.subjects[0]) else {
            throw ReplicationError("stream \(stream) is not a siglog log stream (subjects: \(state.subjects.joined(separator: ", ")))")
        }
        let layout = LogStream(stream: stream, storeID: storeID)
        /// The first or last record (sequence, append time) of a stored message's batch.
        func record(of message: StoredMessage?, last: Bool) -> (sequence: UInt64, appendedAt: Int64?)? {
            guard let message, let batch = try? layout.batch(ofMessageID: message.messageID, data: message.data) else { return nil }
            let index = last ? batch.count - 1 : 0
            return batch.withRecord(at: index) { sequence, bytes in (sequence, appendedAt(ofStoredRecord: bytes, sequence: sequence)) }
        }
        /// The first or last record held by stream message `streamSequence`.
        func record(atStreamSequence streamSequence: UInt64, last: Bool) throws -> (sequence: UInt64, appendedAt: Int64?)? {
            guard streamSequence > 0 else { return nil }
            return record(of: try jetStream.message(stream: stream, sequence: streamSequence), last: last)
        }
        let last = record(of: try jetStream.lastMessage(stream: stream, subject: layout.subject), last: true)
        var followers: [FollowerFigures] = []
        for consumer in try jetStream.consumers(stream: stream).sorted(by: { $0.name < $1.name }) {
            let floor = try record(atStreamSequence: consumer.ackFloorStreamSequence, last: true)
            let behind = consumer.pending + UInt64(max(consumer.ackPending, 0)) > 0
            let applied = floor?.sequence ?? 0
            let lag = behind ? (last?.sequence ?? 0) - min(applied, last?.sequence ?? 0) : 0
            var seconds = 0.0
            if behind, let lastTime = last?.appendedAt {
                let first = try record(atStreamSequence: state.firstSequence, last: false)
                let floorTime = floor?.appendedAt ?? first?.appendedAt ?? lastTime
                seconds = max(0, Double(lastTime - floorTime) / 1e6)
            }
            followers.append(FollowerFigures(name: consumer.name, appliedThrough: floor?.sequence ?? 0, lagRecords: lag,
                                             lagSeconds: seconds))
        }
        var figures: ShippingFigures?
        if let writer {
            guard try writer.storeID() == storeID else {
                throw ReplicationError("the store at \(writer.path) does not hold log \(storeID.uuidString.lowercased()) of stream \(stream)")
            }
            figures = try writer.shippingFigures(now: nowMicroseconds())
        }
        return ReplicationFigures(stream: layout, replicas: state.replicas, messages: state.messages, lastRecord: last?.sequence ?? 0,
                                  lastRecordAppendedAt: last?.appendedAt, writer: figures, followers: followers)
    }
}
