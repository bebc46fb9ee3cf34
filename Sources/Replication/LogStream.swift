public import EventLog
public import Foundation
import NATSClient
import Pipeline

/// How a store's log is laid out in JetStream: one subject per store, `siglog.<store id>`; each
/// message carries a batch of consecutive records (`RecordBatch`: each record's stored bytes —
/// envelope, payload, checksum) with the message id `<store id>:<first>-<last>`, so the stream
/// drops a re-publish of the same batch. Streams written before batching hold one record's stored
/// bytes per message under the id `<store id>:<sequence>`; both are read.
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

    /// The message id of the batch of records `first…last`.
    public func messageID(first: UInt64, last: UInt64) -> String { "\(storeID.uuidString.lowercased()):\(first)-\(last)" }

    /// The records a message id of this store names (`<id>:<first>-<last>`, or `<id>:<sequence>`
    /// of a one-record message), nil when it names none.
    public func records(ofMessageID id: String?) -> ClosedRange<UInt64>? {
        guard let id, let colon = id.lastIndex(of: ":"),
            id[..<colon] == storeID.uuidString.lowercased()
        else { return nil }
        let range = id[id.index(after: colon)...]
        guard let dash = range.firstIndex(of: "-") else {
            return UInt64(range).flatMap { $0 >= 1 ? $0...$0 : nil }
        }
        guard let first = UInt64(range[..<dash]), let last = UInt64(range[range.index(after: dash)...]), first >= 1, first <= last
        else { return nil }
        return first...last
    }

    /// The records a message of this store carries, read from its id and payload: a record batch
    /// whose sequences are the id's, or (a one-record id) the payload as one stored record. The
    /// records' own checks (checksums) are made when they are appended.
    public func batch(ofMessageID id: String?, data: [UInt8]) throws -> RecordBatch {
        guard let records = records(ofMessageID: id) else {
            throw ReplicationError("the message id \(id ?? "(none)") names no records of log \(storeID.uuidString.lowercased())")
        }
        let batch: RecordBatch
        do {
            // `<id>:<first>-<last>` (the store id has dashes of its own, the part after the colon names the records).
            if id?.split(separator: ":").last?.contains("-") == true {
                batch = try RecordBatch(decoding: data)
            } else {
                var builder = RecordBatchBuilder(limits: RecordBatchLimits(maxRecords: 1))
                _ = data.withUnsafeBytes { builder.append(sequence: records.lowerBound, stored: $0) }
                batch = try RecordBatch(decoding: builder.finish()!.bytes)
            }
        } catch {
            throw ReplicationError("message \(id ?? "") of log \(storeID.uuidString.lowercased()): \(error)")
        }
        guard batch.sequences == records else {
            throw ReplicationError(
                "message \(id ?? "") of log \(storeID.uuidString.lowercased()) holds records \(batch.first)…\(batch.last), not the \(records.lowerBound)…\(records.upperBound) its id names")
        }
        return batch
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
func appendedAt(ofStoredRecord bytes: UnsafeRawBufferPointer, sequence: UInt64) -> Int64? {
    do {
        let view = try RecordView(sequence: sequence, bytes: bytes, knownTypes: nil)
        return view.appendedAt
    } catch {
        return nil
    }
}

/// The current time in UTC microseconds.
func nowMicroseconds() -> Int64 { SystemClock().now().microseconds }

/// Runs `body`, again while it times out (the cluster electing a stream leader, a node catching up
/// after a restart), for at most `limit`; the last time-out is thrown after that.
func retryingTimeouts<T>(for limit: Duration = .seconds(30), _ body: () throws -> T) throws -> T {
    let deadline = ContinuousClock.now + limit
    while true {
        do {
            return try body()
        } catch let error as NATSError where error.isTimeout && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
