// Several consecutive records of a log in one message, the unit log shipping sends: one message per
// record would cap shipping at the cluster's message rate, far below the rate a log is appended at.

/// Consecutive records of a log, as stored (envelope, payload, checksum), in one byte string.
///
/// Layout (big-endian integers): `format u8 (1) | first sequence u64 | count u32`, then for each
/// record, in sequence order from `first`: `length u32 | stored record (length bytes)`. Nothing
/// follows the last record. Decoding checks the structure only; each record's own checks (checksum
/// over its sequence number, envelope, type) are the log's, made when it is appended or read.
public struct RecordBatch: Sendable, Equatable {
    /// The format this binary writes and reads.
    public static let formatVersion: UInt8 = 1
    /// Bytes before the first record.
    public static let headerSize = 1 + 8 + 4
    /// The smallest stored record: an envelope with an empty payload.
    static let minimumRecordSize = Envelope.headerSize + Envelope.trailerSize

    /// The sequence number of the first record.
    public let first: UInt64
    /// The encoded batch.
    public let bytes: [UInt8]
    /// Where each record's stored bytes lie in `bytes`.
    private let spans: [Range<Int>]

    /// Records in the batch (at least one).
    public var count: Int { spans.count }
    /// The sequence number of the last record.
    public var last: UInt64 { first + (UInt64(spans.count) - 1) }
    /// The sequence numbers the batch holds.
    public var sequences: ClosedRange<UInt64> { first...last }

    /// Reads an encoded batch: the format, a first sequence of 1 or more, at least one record, each
    /// record's length within the bytes and no shorter than an envelope, nothing after the last one.
    public init(decoding bytes: [UInt8]) throws(RecordBatchError) {
        guard bytes.count >= RecordBatch.headerSize else {
            throw RecordBatchError(offset: 0, reason: "\(bytes.count) bytes are shorter than the \(RecordBatch.headerSize)-byte header")
        }
        let (format, first, count) = bytes.withUnsafeBytes { raw in
            (raw[0], UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt64.self)),
             Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 9, as: UInt32.self))))
        }
        guard format == RecordBatch.formatVersion else {
            throw RecordBatchError(offset: 0, reason: "unknown batch format \(format) (this version reads \(RecordBatch.formatVersion))")
        }
        guard first >= 1 else { throw RecordBatchError(offset: 1, reason: "first sequence 0 (sequences start at 1)") }
        guard count >= 1 else { throw RecordBatchError(offset: 9, reason: "no records") }
        // Checked before anything is reserved: a forged count cannot make the decoder allocate.
        let room = (bytes.count - RecordBatch.headerSize) / (4 + RecordBatch.minimumRecordSize)
        guard count <= room else {
            throw RecordBatchError(offset: 9, reason: "\(count) records cannot fit in \(bytes.count) bytes")
        }
        guard first <= UInt64.max - UInt64(count - 1) else {
            throw RecordBatchError(offset: 1, reason: "sequences \(first)+\(count) overflow")
        }
        var spans: [Range<Int>] = []
        spans.reserveCapacity(count)
        var offset = RecordBatch.headerSize
        for index in 0..<count {
            guard bytes.count - offset >= 4 else {
                throw RecordBatchError(offset: offset, reason: "record \(first + UInt64(index)): length cut off")
            }
            let length = Int(bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) })
            guard length >= RecordBatch.minimumRecordSize else {
                throw RecordBatchError(
                    offset: offset, reason: "record \(first + UInt64(index)): \(length) bytes, shorter than an envelope (\(RecordBatch.minimumRecordSize))")
            }
            offset += 4
            guard bytes.count - offset >= length else {
                throw RecordBatchError(
                    offset: offset, reason: "record \(first + UInt64(index)): \(length) bytes announced, \(bytes.count - offset) left")
            }
            spans.append(offset..<(offset + length))
            offset += length
        }
        guard offset == bytes.count else {
            throw RecordBatchError(offset: offset, reason: "\(bytes.count - offset) bytes after the last record")
        }
        self.first = first
        self.bytes = bytes
        self.spans = spans
    }

    /// Lends the stored bytes of the `index`-th record (sequence `first + index`) to `body`.
    public func withRecord<R, E: Error>(at index: Int, _ body: (_ sequence: UInt64, _ stored: UnsafeRawBufferPointer) throws(E) -> R)
        throws(E) -> R
    {
        let span = spans[index]
        // `Array.withUnsafeBytes` rethrows untyped errors: the buffer is taken out and used here.
        let result: Result<R, E> = bytes.withUnsafeBytes { raw in
            do throws(E) {
                return .success(try body(first + UInt64(index), UnsafeRawBufferPointer(rebasing: raw[span])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Why bytes are not a record batch.
public struct RecordBatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the batch the problem lies.
    public var offset: Int
    /// What is wrong.
    public var reason: String

    /// An error.
    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "unreadable record batch at byte \(offset): \(reason)" }
}

/// How records are grouped into batches. The log is cut into cells of `maxRecords` sequence numbers
/// (1…256, 257…512, … by default) and a batch never crosses a cell's end; within a cell a batch also
/// ends before `maxBytes` would be exceeded (a record larger than that goes alone). So a batch is
/// determined by its first record and the log's content — the same log grouped again from the same
/// record gives the same batches — unless the grouping stopped early at the log's head then.
public struct RecordBatchLimits: Sendable, Equatable {
    /// Records per batch at most (the cell width).
    public var maxRecords: Int
    /// Encoded bytes per batch at most (header and lengths included), unless one record alone is larger.
    public var maxBytes: Int

    /// Limits; `maxRecords` must be at least 1.
    public init(maxRecords: Int = 256, maxBytes: Int = 256 << 10) {
        precondition(maxRecords >= 1, "a batch holds at least one record")
        self.maxRecords = maxRecords
        self.maxBytes = maxBytes
    }

    /// Whether `sequence` starts a cell, so no batch continues into it.
    public func startsCell(_ sequence: UInt64) -> Bool { (sequence - 1) % UInt64(maxRecords) == 0 }

    /// The last sequence of the cell holding `sequence`.
    public func cellEnd(of sequence: UInt64) -> UInt64 {
        let width = UInt64(maxRecords)
        let (end, overflow) = ((sequence - 1) / width + 1).multipliedReportingOverflow(by: width)
        return overflow ? UInt64.max : end
    }
}

/// Groups consecutive records into batches under `RecordBatchLimits`: offer each record in order;
/// when `append` returns a finished batch, send it; at the end (or the head), `finish` gives the rest.
public struct RecordBatchBuilder: Sendable {
    /// The limits it groups by.
    public let limits: RecordBatchLimits
    private var buffer: [UInt8] = []
    private var first: UInt64 = 0
    private var count = 0

    /// A builder with nothing in it.
    public init(limits: RecordBatchLimits = RecordBatchLimits()) { self.limits = limits }

    /// Records in the batch being built.
    public var pendingRecords: Int { count }

    /// Adds the record at `sequence` (the one after the last added, or any when empty). When it does
    /// not belong with the records before it (a new cell, or `maxBytes` would be exceeded), the batch
    /// of those records is returned finished and the new record starts the next.
    public mutating func append(sequence: UInt64, stored: UnsafeRawBufferPointer) -> (first: UInt64, last: UInt64, bytes: [UInt8])? {
        precondition(count == 0 || (sequence > first && sequence - first == UInt64(count)), "records of a batch are consecutive")
        var finished: (first: UInt64, last: UInt64, bytes: [UInt8])?
        if count > 0 && (limits.startsCell(sequence) || buffer.count + 4 + stored.count > limits.maxBytes) {
            finished = finish()
        }
        if count == 0 {
            first = sequence
            buffer.removeAll(keepingCapacity: true)
            buffer.append(RecordBatch.formatVersion)
            withUnsafeBytes(of: sequence.bigEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: [0, 0, 0, 0])
        }
        withUnsafeBytes(of: UInt32(stored.count).bigEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: stored)
        count += 1
        return finished
    }

    /// The batch of the records added since the last one returned, nil when there are none.
    public mutating func finish() -> (first: UInt64, last: UInt64, bytes: [UInt8])? {
        guard count > 0 else { return nil }
        withUnsafeBytes(of: UInt32(count).bigEndian) { raw in
            for index in 0..<4 { buffer[9 + index] = raw[index] }
        }
        let batch = (first: first, last: first + (UInt64(count) - 1), bytes: buffer)
        count = 0
        return batch
    }
}
