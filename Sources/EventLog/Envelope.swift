public import Foundation

/// The numeric type of a log record. The log itself only checks that a type is known; the record
/// module gives the numbers their meaning.
public struct RecordType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static func < (a: RecordType, b: RecordType) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "type \(rawValue)" }
}

/// A set of record types as one bit per type: the check every record read makes (a log reads
/// millions of them in a rebuild) without hashing the type into a `Set`.
struct RecordTypeTable: Sendable {
    private let words: [UInt64]

    /// The table holding exactly `types`.
    init(_ types: Set<RecordType>) {
        var words = [UInt64](repeating: 0, count: 1 << 10)
        for type in types { words[Int(type.rawValue >> 6)] |= 1 << UInt64(type.rawValue & 63) }
        self.words = words
    }

    /// Whether `type` is in the table.
    func contains(_ type: RecordType) -> Bool {
        words.withUnsafeBufferPointer { $0[Int(type.rawValue >> 6)] & (1 << UInt64(type.rawValue & 63)) != 0 }
    }
}

/// A record as stored: a versioned envelope around the payload.
///
/// Byte layout (big-endian integers), followed by the payload and a CRC-32C:
/// `format u8 | type u16 | appendedAt i64 (µs since epoch, UTC) | workspace 16 bytes (zero = none)
///  | payload length u32 | payload | crc32c u32`.
/// The checksum covers the record's sequence number too, so a record found under the wrong key
/// fails its check just like a flipped byte does.
public struct Envelope: Sendable, Hashable {
    /// The envelope format this binary writes and the newest it can read.
    public static let currentFormatVersion: UInt8 = 1
    static let headerSize = 1 + 2 + 8 + 16 + 4
    static let trailerSize = 4

    public var formatVersion: UInt8
    public var type: RecordType
    /// When the record was appended (UTC microseconds). Views copy times from records, never
    /// from the clock, so replay reproduces them.
    public var appendedAt: Int64
    /// The workspace the record belongs to, if any.
    public var workspace: UUID?
    public var payload: [UInt8]

    public init(type: RecordType, appendedAt: Int64, workspace: UUID?, payload: [UInt8],
                formatVersion: UInt8 = Envelope.currentFormatVersion) {
        self.formatVersion = formatVersion
        self.type = type
        self.appendedAt = appendedAt
        self.workspace = workspace
        self.payload = payload
    }

    /// Bytes this envelope takes in the log.
    public var encodedSize: Int { Envelope.headerSize + payload.count + Envelope.trailerSize }

    /// Writes the envelope for `sequence` into `out`, which must be `encodedSize` bytes.
    public func encode(sequence: UInt64, into out: UnsafeMutableRawBufferPointer) {
        precondition(out.count == encodedSize)
        Envelope.writeHeader(formatVersion: formatVersion, type: type, appendedAt: appendedAt, workspace: workspace,
                             payloadCount: payload.count, into: out)
        payload.withUnsafeBytes { p in
            if p.count > 0 { out.baseAddress!.advanced(by: Envelope.headerSize).copyMemory(from: p.baseAddress!, byteCount: p.count) }
        }
        let body = UnsafeRawBufferPointer(rebasing: out[0..<(out.count - Envelope.trailerSize)])
        let crc = Envelope.checksum(sequence: sequence, body: body)
        out.storeBytes(of: crc.bigEndian, toByteOffset: out.count - Envelope.trailerSize, as: UInt32.self)
    }

    /// Writes the header (format, type, time, workspace, payload length) into the first
    /// `headerSize` bytes of `out`: the one layout every append uses.
    static func writeHeader(formatVersion: UInt8, type: RecordType, appendedAt: Int64, workspace: UUID?, payloadCount: Int,
                            into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: formatVersion, toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: type.rawValue.bigEndian, toByteOffset: 1, as: UInt16.self)
        out.storeBytes(of: appendedAt.bigEndian, toByteOffset: 3, as: Int64.self)
        var uuid = workspace?.uuid ?? UUID.nilBytes
        withUnsafeBytes(of: &uuid) { out.baseAddress!.advanced(by: 11).copyMemory(from: $0.baseAddress!, byteCount: 16) }
        out.storeBytes(of: UInt32(payloadCount).bigEndian, toByteOffset: 27, as: UInt32.self)
    }

    /// The envelope for `sequence` as a new byte array.
    public func encoded(sequence: UInt64) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedSize) { buffer, count in
            encode(sequence: sequence, into: UnsafeMutableRawBufferPointer(buffer))
            count = encodedSize
        }
    }

    static func checksum(sequence: UInt64, body: UnsafeRawBufferPointer) -> UInt32 {
        var seq = sequence.bigEndian
        let seeded = withUnsafeBytes(of: &seq) { CRC32C.update(0, $0) }
        return CRC32C.update(seeded, body)
    }
}

extension UUID {
    static let nilBytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

/// A stored record seen in place, without copying. It is lent to a closure (`EventLog.forEach`,
/// `EventLog.withRecord`) and cannot be copied, so it cannot be kept past that closure; its bytes
/// are lent onwards the same way (`withPayload`). What must outlive the closure is copied
/// (`envelope`, or a decoded record).
public struct RecordView: ~Copyable {
    /// The record's position in the log.
    public let sequence: UInt64
    /// The envelope format it was written with.
    public let formatVersion: UInt8
    /// The record type.
    public let type: RecordType
    /// When it was appended (UTC microseconds).
    public let appendedAt: Int64
    /// The workspace it belongs to, if any.
    public let workspace: UUID?
    private let payload: UnsafeRawBufferPointer
    private let stored: UnsafeRawBufferPointer

    /// Parses and checks the stored bytes of the record at `sequence`: size, checksum, format version
    /// and (when `knownTypes` is given) the record type. `bytes` must stay valid while the view is used.
    public init(sequence: UInt64, bytes: UnsafeRawBufferPointer, knownTypes: Set<RecordType>?) throws(LogError) {
        try self.init(sequence: sequence, bytes: bytes, knownTypes: knownTypes, verifyChecksum: true)
    }

    /// `verifyChecksum: false` is for bytes this process just encoded (the append path hands the
    /// record it is writing to the projections); everything read from storage is verified.
    init(sequence: UInt64, bytes: UnsafeRawBufferPointer, knownTypes: Set<RecordType>?, verifyChecksum: Bool) throws(LogError) {
        try self.init(sequence: sequence, bytes: bytes, knownTypes: knownTypes, table: nil, verifyChecksum: verifyChecksum)
    }

    /// The checked init of a log's own reads: its known types as a table (see `RecordTypeTable`).
    init(sequence: UInt64, bytes: UnsafeRawBufferPointer, knownTypeTable: RecordTypeTable?) throws(LogError) {
        try self.init(sequence: sequence, bytes: bytes, knownTypes: nil, table: knownTypeTable, verifyChecksum: true)
    }

    private init(
        sequence: UInt64, bytes: UnsafeRawBufferPointer, knownTypes: Set<RecordType>?, table: RecordTypeTable?, verifyChecksum: Bool
    ) throws(LogError) {
        guard bytes.count >= Envelope.headerSize + Envelope.trailerSize else {
            throw LogError.truncatedRecord(sequence: sequence)
        }
        let bodyEnd = bytes.count - Envelope.trailerSize
        if verifyChecksum {
            let stored = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: bodyEnd, as: UInt32.self))
            let computed = Envelope.checksum(sequence: sequence, body: UnsafeRawBufferPointer(rebasing: bytes[0..<bodyEnd]))
            guard stored == computed else { throw LogError.checksumMismatch(sequence: sequence) }
        }
        let version = bytes[0]
        guard version <= Envelope.currentFormatVersion, version > 0 else {
            throw LogError.unsupportedFormat(sequence: sequence, version: version)
        }
        let type = RecordType(rawValue: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 1, as: UInt16.self)))
        if let table, !table.contains(type) {
            throw LogError.unknownRecordType(sequence: sequence, type: type.rawValue)
        }
        if let knownTypes, !knownTypes.contains(type) {
            throw LogError.unknownRecordType(sequence: sequence, type: type.rawValue)
        }
        let length = Int(UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 27, as: UInt32.self)))
        guard Envelope.headerSize + length == bodyEnd else { throw LogError.truncatedRecord(sequence: sequence) }
        var uuid = UUID.nilBytes
        withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[11..<27])) }
        let workspace = UUID(uuid: uuid)
        self.sequence = sequence
        self.formatVersion = version
        self.type = type
        self.appendedAt = Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 3, as: Int64.self))
        self.workspace = workspace == UUID(uuid: UUID.nilBytes) ? nil : workspace
        self.payload = UnsafeRawBufferPointer(rebasing: bytes[Envelope.headerSize..<bodyEnd])
        self.stored = bytes
    }

    /// Lends the payload bytes to `body` (valid only inside it).
    @inline(__always)
    public func withPayload<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(payload)
    }

    /// Lends the whole stored record (envelope, payload and checksum) to `body`, e.g. to copy it to
    /// another log.
    public func withStoredBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(stored)
    }

    /// Size of the stored record in bytes.
    public var storedSize: Int { stored.count }

    /// A copy that outlives the view.
    public var envelope: Envelope {
        Envelope(type: type, appendedAt: appendedAt, workspace: workspace, payload: Array(payload), formatVersion: formatVersion)
    }
}
