import EventLog
import Foundation
import NATSClient
import Projections

/// What a promotion did.
public struct PromotionSummary: Sendable, Equatable {
    /// The log's stream and id (unchanged: the promoted store goes on writing the same log).
    public var stream: LogStream
    /// The last record the stream holds, and the promoted store's head (equal or beyond).
    public var streamLastRecord: UInt64
    /// The promoted store's last sequence; its next append gets the one after.
    public var head: UInt64
}

/// Turns a replica into the writer of its log after the writer was lost.
public enum Promotion {
    /// Promotes the replica at `path` when it holds every record of the stream (checked against the
    /// stream's last message on the cluster at `servers`, default: the servers in its marker).
    /// Refused, naming the missing range, when it does not. The replica marker is removed, the
    /// publisher's acknowledged position set to the head (every record it holds came from the
    /// stream) and its durable consumer deleted; the store keeps the log's id, so its publishes
    /// continue the same subject and the other replicas follow it as before.
    public static func promote(replicaPath path: String, servers given: [String]?) throws -> PromotionSummary {
        let store = try Store(path: path, mode: .readWrite)
        let log = store.log
        guard let bytes = try log.replicaMarker() else {
            throw ReplicationError("the store at \(path) is not a replica (it is a writer already)")
        }
        guard let marker = ReplicaMarker(bytes: bytes), let storeID = try log.storeID() else {
            throw ReplicationError("the store at \(path) has an unreadable replica marker")
        }
        let servers = given ?? marker.servers
        let layout = LogStream(stream: marker.stream, storeID: storeID)
        let connection = try NATSConnection(servers: servers, name: "siglog-replicate promote")
        let jetStream = try JetStream(connection: connection)
        guard try jetStream.streamState(layout.stream) != nil else {
            throw ReplicationError("no stream \(layout.stream) in the cluster at \(redactedServerList(servers)): cannot check the replica is complete")
        }
        var last: UInt64 = 0
        if let message = try jetStream.lastMessage(stream: layout.stream, subject: layout.subject) {
            guard let records = layout.records(ofMessageID: message.messageID) else {
                throw ReplicationError("the last message of \(layout.subject) carries no record id")
            }
            last = records.upperBound
        }
        let head = try log.head()
        guard head >= last else {
            throw ReplicationError(
                "the replica at \(path) holds records 1…\(head) but the stream holds records up to \(last): records \(head + 1)…\(last) are missing; run `siglog-replicate follow --store \(path)` until it is caught up, then promote")
        }
        try log.write { writer in
            try writer.removeMetadata(EventLog.replicaKey)
            try writer.recordShippedPosition(ShippingKey.published, ShippedPosition(sequence: head, recordedAt: nowMicroseconds()))
        }
        try? jetStream.deleteConsumer(stream: layout.stream, name: marker.consumer)
        return PromotionSummary(stream: layout, streamLastRecord: last, head: head)
    }
}
