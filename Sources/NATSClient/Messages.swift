import CNATS
import Foundation

/// The header JetStream de-duplicates publishes by.
public let messageIDHeader = "Nats-Msg-Id"

/// A message read from a stream (by sequence or as a subject's last message), copied out of the
/// library's buffer.
public struct StoredMessage: Sendable, Equatable {
    /// The message's position in the stream.
    public var streamSequence: UInt64
    /// When the stream stored it (nanoseconds since the epoch, server clock).
    public var storedAtNanoseconds: Int64
    /// The publisher's message id, when it gave one.
    public var messageID: String?
    /// The payload.
    public var data: [UInt8]
}

/// Copies the payload of a library message.
func payload(of message: OpaquePointer) -> [UInt8] {
    let length = Int(natsMsg_GetDataLength(message))
    guard length > 0, let data = natsMsg_GetData(message) else { return [] }
    return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
}

/// The value of header `name` of a library message, or nil.
func header(_ name: String, of message: OpaquePointer) -> String? {
    var value: UnsafePointer<CChar>?
    guard natsMsgHeader_Get(message, name, &value) == NATS_OK, let value else { return nil }
    return String(cString: value)
}

/// A message fetched by a pull consumer. It must be acknowledged (`ack`) once the consumer has
/// durably handled it; an unacknowledged message is delivered again after the consumer's ack wait.
public final class ConsumedMessage: @unchecked Sendable {
    private let handle: OpaquePointer
    /// The payload.
    public let data: [UInt8]
    /// The publisher's message id, when it gave one.
    public let messageID: String?
    /// The message's position in the stream.
    public let streamSequence: UInt64
    /// Messages of the consumer still waiting after this one (as the server counted at delivery).
    public let pending: UInt64
    /// When the stream stored it (nanoseconds since the epoch, server clock).
    public let storedAtNanoseconds: Int64
    /// How many times it was delivered (more than 1 after a redelivery).
    public let deliveries: UInt64

    init(handle: OpaquePointer) {
        self.handle = handle
        data = payload(of: handle)
        messageID = header(messageIDHeader, of: handle)
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&meta, handle) == NATS_OK, let meta {
            streamSequence = meta.pointee.Sequence.Stream
            pending = meta.pointee.NumPending
            storedAtNanoseconds = meta.pointee.Timestamp
            deliveries = meta.pointee.NumDelivered
            jsMsgMetaData_Destroy(meta)
        } else {
            streamSequence = 0
            pending = 0
            storedAtNanoseconds = 0
            deliveries = 0
        }
    }

    /// Acknowledges the message (explicit ack): the consumer will not deliver it again.
    public func ack() throws {
        try check(natsMsg_Ack(handle, nil), "natsMsg_Ack")
    }

    deinit { natsMsg_Destroy(handle) }
}
