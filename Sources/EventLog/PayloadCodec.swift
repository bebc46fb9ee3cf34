/// The binary payload encoding of log records: a sequence of tagged fields, in the spirit of
/// Protocol Buffers' wire format. Each field is `varint(number << 3 | wireType)` followed by its
/// value. Readers skip fields they do not know and default fields that are absent, which is what
/// makes old records decode after a field is added (and new records decode in old readers).
///
/// Written by hand rather than generated with swift-protobuf: the record set is small and owned by
/// this project, decoding is the replay hot path (no intermediate message objects, no reflection),
/// and it keeps a code generator out of the build.
public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case bytes = 2
}

/// Appends tagged fields to a byte buffer.
public struct PayloadWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }

    /// A writer over `storage`'s memory (its contents dropped, its capacity kept) whose first
    /// `reserved` bytes are zeros for the caller to fill in later: the log writes a record's envelope
    /// header there and reuses one buffer for every record it appends.
    /// `storage` is taken over: another reference to it would make `removeAll(keepingCapacity:)`
    /// allocate a new buffer instead of emptying this one.
    init(reusing storage: consuming [UInt8], reserved: Int) {
        bytes = consume storage
        bytes.removeAll(keepingCapacity: true)
        // Zeros from the stack in one copy: `repeatElement` went through the generic sequence copy,
        // an element at a time, for every appended record.
        let zeros: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        guard reserved <= MemoryLayout.size(ofValue: zeros) else {
            bytes.append(contentsOf: repeatElement(0, count: reserved))
            return
        }
        withUnsafeBytes(of: zeros) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<reserved])) }
    }

    /// Lends the bytes written so far to `body`, which may change them.
    mutating func withBytes<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R { try body(&bytes) }

    /// A writer that continues `fields`, bytes another writer produced: fields written next follow
    /// them, as if one writer had written everything.
    public init(continuing fields: UnsafeRawBufferPointer, extraCapacity: Int = 32) {
        bytes.reserveCapacity(fields.count + extraCapacity)
        bytes.append(contentsOf: fields)
    }

    /// Appends fields another writer wrote (tags and values, as that writer's `bytes` hold them):
    /// what follows continues as if this writer had written them.
    public mutating func append(fields: UnsafeRawBufferPointer) { bytes.append(contentsOf: fields) }

    /// Runs `body` with a writer whose fields go on the end of `buffer`, in place (what `buffer`
    /// holds is not copied): many payloads' fields written into one buffer.
    public static func appending(to buffer: inout [UInt8], _ body: (inout PayloadWriter) -> Void) {
        var writer = PayloadWriter(capacity: 0)
        swap(&writer.bytes, &buffer)
        body(&writer)
        swap(&writer.bytes, &buffer)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    @inline(__always)
    mutating func tag(_ field: Int, _ wire: WireType) { varint(UInt64(field) << 3 | UInt64(wire.rawValue)) }

    /// An unsigned integer field.
    public mutating func write(_ field: Int, _ value: UInt64) {
        tag(field, .varint)
        varint(value)
    }

    /// A signed integer field (zig-zag encoded so small negatives stay small).
    public mutating func write(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func write(_ field: Int, _ value: Int) { write(field, Int64(value)) }

    public mutating func write(_ field: Int, _ value: Bool) { write(field, UInt64(value ? 1 : 0)) }

    /// A double field, bit-exact.
    public mutating func write(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ field: Int, _ value: String) {
        // A native string lends its UTF-8 in place; only other strings are copied to get it.
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { write(field, bytes: UnsafeRawBufferPointer($0)) }
        if done != nil { return }
        var value = value
        value.withUTF8 { write(field, bytes: UnsafeRawBufferPointer($0)) }
    }

    public mutating func write(_ field: Int, bytes value: UnsafeRawBufferPointer) {
        tag(field, .bytes)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(_ field: Int, bytes value: [UInt8]) {
        value.withUnsafeBytes { write(field, bytes: $0) }
    }

    /// A nested message written by `body`.
    public mutating func write(_ field: Int, message body: (inout PayloadWriter) -> Void) {
        var nested = PayloadWriter()
        body(&nested)
        write(field, bytes: nested.bytes)
    }

    // Optional conveniences: absent values write nothing, so they read back as absent.
    public mutating func write(_ field: Int, _ value: String?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Int64?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Int?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Double?) { if let value { write(field, value) } }
    public mutating func write(_ field: Int, _ value: Bool?) { if let value { write(field, value) } }
}

/// Why a payload could not be decoded.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed payload: \(reason)" }
}

/// Reads tagged fields from a payload. Typical use:
/// `while let field = try reader.next() { switch field.number { case 1: x = try field.int64() … default: break } }`
/// — unknown fields are skipped by simply not reading them.
public struct PayloadReader {
    /// One field as it appears on the wire.
    public struct Field {
        public let number: Int
        public let wireType: WireType
        let scalar: UInt64
        let slice: UnsafeRawBufferPointer

        public func uint64() throws(PayloadError) -> UInt64 {
            guard wireType == .varint else { throw PayloadError("field \(number) is not an integer") }
            return scalar
        }

        public func int64() throws(PayloadError) -> Int64 {
            let raw = try uint64()
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }

        public func int() throws(PayloadError) -> Int { Int(try int64()) }

        public func bool() throws(PayloadError) -> Bool { try uint64() != 0 }

        public func double() throws(PayloadError) -> Double {
            guard wireType == .fixed64 else { throw PayloadError("field \(number) is not a double") }
            return Double(bitPattern: scalar)
        }

        public func string() throws(PayloadError) -> String {
            guard wireType == .bytes else { throw PayloadError("field \(number) is not a string") }
            return String(decoding: slice, as: UTF8.self)
        }

        /// The bytes of a length-delimited field in place (valid while the payload buffer is), so
        /// a caller can compare or intern them without allocating.
        public func rawBytes() throws(PayloadError) -> UnsafeRawBufferPointer {
            guard wireType == .bytes else { throw PayloadError("field \(number) is not bytes") }
            return slice
        }

        public func bytes() throws(PayloadError) -> [UInt8] {
            guard wireType == .bytes else { throw PayloadError("field \(number) is not bytes") }
            return Array(slice)
        }

        /// A reader over a nested message; valid while the outer buffer is.
        public func message() throws(PayloadError) -> PayloadReader {
            guard wireType == .bytes else { throw PayloadError("field \(number) is not a message") }
            return PayloadReader(slice)
        }
    }

    let buffer: UnsafeRawBufferPointer
    var index = 0

    /// A reader over `buffer`, which must stay valid while fields are read.
    public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    @inline(__always)
    mutating func varint() throws(PayloadError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < buffer.count {
            let byte = buffer[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw PayloadError("varint too long") }
        }
        throw PayloadError("truncated varint")
    }

    /// The next field, or nil at the end of the payload.
    public mutating func next() throws(PayloadError) -> Field? {
        guard index < buffer.count else { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: UInt8(key & 7)) else {
            throw PayloadError("unknown wire type \(key & 7)")
        }
        let number = Int(key >> 3)
        switch wire {
        case .varint:
            return Field(number: number, wireType: wire, scalar: try varint(), slice: UnsafeRawBufferPointer(start: nil, count: 0))
        case .fixed64:
            guard index + 8 <= buffer.count else { throw PayloadError("truncated double") }
            let bits = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
            return Field(number: number, wireType: wire, scalar: bits, slice: UnsafeRawBufferPointer(start: nil, count: 0))
        case .bytes:
            // Checked as the unsigned wire value: a damaged or hostile length up to 2^64 - 1 must be
            // an error, not a trap in the conversion to Int or in `index + length`.
            let wireLength = try varint()
            guard wireLength <= UInt64(buffer.count - index) else { throw PayloadError("truncated bytes field") }
            let length = Int(wireLength)
            let slice = UnsafeRawBufferPointer(rebasing: buffer[index..<(index + length)])
            index += length
            return Field(number: number, wireType: wire, scalar: 0, slice: slice)
        }
    }
}
