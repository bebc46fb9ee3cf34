import EventLog
public import Foundation
import Pipeline

/// How a store's log is laid out in JetStream: one subject per store, `siglog.<store id>`, one
/// message per record carrying the record's stored bytes (envelope, payload, checksum), with the
/// message id `<store id>:<sequence>` — so the stream drops a re-publish of the same record.
public struct LogStream: Sendable, Equatable {
    /// The stream name used when none is given.
    public static let defaultStreamName = "siglog"

    /// The stream the log is published to.
    public var stream: String
    /// The store (log) id.
    public var storeID: UUID

    /// A layout.
    public init(stream: String, storeID: UUID) {
        self.stream = stream
        self.storeID = storeID
    }

    /// The store's subject.
    public var subject: String { LogStream.subject(of: storeID) }

    /// The subject of store `id`.
    public static func subject(of id: UUID) -> String { "siglog.\(id.uuidString.lowercased())" }

    /// The store id a subject names, nil when it is not a store's subject.
    public static func storeID(ofSubject subject: String) -> UUID? {
        guard subject.hasPrefix("siglog.") else { return nil }
        return UUID(uuidString: String(subject.dropFirst("siglog.".count)))
    }

    /// The message id of the record at `sequence`.
    public func messageID(_ sequence: UInt64) -> String { "\(storeID.uuidString.lowercased()):\(sequence)" }

    /// The record sequence a message id of this store names, nil when it names none.
    public func sequence(ofMessageID id: String?) -> UInt64? {
        guard let id, let colon = id.lastIndex(of: ":"),
            id[..<colon] == storeID.uuidString.lowercased()
        else { return nil }
        return UInt64(id[id.index(after: colon)...])
    }
}

/// A failure of log shipping a user can act on.
public struct ReplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String

    /// An error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The append time (UTC µs) of a record from its stored bytes, nil when they do not check out.
func appendedAt(ofStoredRecord bytes: [UInt8], sequence: UInt64) -> Int64? {
    bytes.withUnsafeBytes { raw -> Int64? in
        do {
            let view = try RecordView(sequence: sequence, bytes: raw, knownTypes: nil)
            return view.appendedAt
        } catch {
            return nil
        }
    }
}

/// The current time in UTC microseconds.
func nowMicroseconds() -> Int64 { SystemClock().now().microseconds }
