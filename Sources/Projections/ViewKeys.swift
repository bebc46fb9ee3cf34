import Crypto
public import Foundation
public import SiglogCore

/// Builds view keys whose byte order is the order the views are read in: big-endian integers,
/// 16-byte UUIDs, and strings terminated by a zero byte so a shorter string sorts first.
/// The `appending` methods consume the key: a key being built (`ViewKey().appending(a).appending(b)`)
/// grows its one buffer instead of copying it at every part.
public struct ViewKey: Sendable, Hashable {
    /// The key built so far: the bytes LMDB stores and compares.
    public private(set) var bytes: [UInt8] = []

    /// An empty key, to append components to.
    public init() { bytes.reserveCapacity(48) }

    /// An empty key with room for `capacity` bytes (a longer key grows its buffer once or more).
    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends 8 big-endian bytes, so keys sort by the number.
    public consuming func appending(_ value: UInt64) -> ViewKey {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        return self
    }

    /// Appends 8 big-endian bytes with the sign bit flipped, so negative numbers sort before positive ones.
    public consuming func appending(_ value: Int64) -> ViewKey { appending(ViewKey.orderedBits(value)) }

    /// The bits a signed key part is stored as (big-endian): the sign bit flipped, so byte order is
    /// numeric order.
    @inline(__always)
    public static func orderedBits(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }

    /// The signed number whose `orderedBits` are `bits`.
    public static func signed(fromOrderedBits bits: UInt64) -> Int64 { Int64(bitPattern: bits ^ (1 << 63)) }

    /// Appends 4 big-endian bytes (e.g. `1000 − composite` in the feed ranking, so higher scores sort first).
    public consuming func appending(_ value: UInt32) -> ViewKey {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        return self
    }

    /// Appends the day as 4 big-endian bytes with the sign bit flipped, so days before 1970 sort first.
    public consuming func appending(_ day: Day) -> ViewKey { appending(UInt32(bitPattern: day.daysSinceEpoch) ^ (1 << 31)) }

    /// Appends the UUID's 16 raw bytes.
    public consuming func appending(_ uuid: UUID) -> ViewKey {
        withUnsafeBytes(of: uuid.uuid) { bytes.append(contentsOf: $0) }
        return self
    }

    /// Appends the UTF-8 bytes and a terminating zero byte, so a shorter string sorts before its extensions.
    /// Text parts longer than this many UTF-8 bytes are stored hashed: LMDB keys stop at 511
    /// bytes, and names, domains and URLs within the spec's limits can be longer in UTF-8.
    public static let inlineTextLimit = 255

    /// Whether `text` is stored hashed in keys (see `appending(_:)`).
    public static func hashes(_ text: String) -> Bool { text.utf8.count > inlineTextLimit }

    /// Appends a text part: its UTF-8 and a zero byte, so a shorter text sorts first. A text over
    /// `inlineTextLimit` bytes is replaced by `0xFF` and the hex SHA-256 of its UTF-8 (0xFF never
    /// occurs in UTF-8, so a hashed part never equals an inline one); readers of such keys compare
    /// the full value held by the row they lead to.
    public consuming func appending(_ text: String) -> ViewKey {
        if ViewKey.hashes(text) {
            bytes.append(0xFF)
            for byte in SHA256.hash(data: Array(text.utf8)) {
                bytes.append(ViewKey.hexDigits[Int(byte >> 4)])
                bytes.append(ViewKey.hexDigits[Int(byte & 0x0F)])
            }
        } else {
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(0)
        return self
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The first key after every key that starts with these bytes (the prefix incremented as a big
    /// number), or nil when there is none (an empty prefix, or only 0xFF bytes).
    public var successor: [UInt8]? {
        var upper = bytes
        guard let carry = upper.lastIndex(where: { $0 != 0xFF }) else { return nil }
        upper[carry] += 1
        upper.removeSubrange((carry + 1)...)
        return upper
    }

    /// Whether `key` starts with these bytes.
    public func isPrefix(of key: UnsafeRawBufferPointer) -> Bool {
        guard key.count >= bytes.count else { return false }
        for i in 0..<bytes.count where key[i] != bytes[i] { return false }
        return true
    }
}

extension ViewKey {
    /// The all-zero UUID that stands for "no workspace" in keys.
    static let noWorkspace = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// `(workspace_id, job_type)`: the prefix of the `jobs.by_workspace` keys the rate limiter counts.
    public static func jobsByWorkspace(_ workspace: UUID?, _ jobType: JobType) -> ViewKey {
        ViewKey().appending(workspace ?? noWorkspace).appending(jobType.rawValue)
    }
}

/// Reads the components of a view key back, in the order they were appended.
public struct ViewKeyReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    /// A reader of the key bytes `bytes`, from the first component.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// The next 8 bytes as a big-endian `UInt64`.
    public mutating func uint64() -> UInt64 {
        defer { index += 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
    }

    /// The next 8 bytes as an `Int64` written by `appending(_: Int64)`.
    public mutating func int64() -> Int64 { ViewKey.signed(fromOrderedBits: uint64()) }

    /// The next 4 bytes as a big-endian `UInt32`.
    public mutating func uint32() -> UInt32 {
        defer { index += 4 }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
    }

    /// The next 4 bytes as a day written by `appending(_: Day)`.
    public mutating func day() -> Day { Day(daysSinceEpoch: Int32(bitPattern: uint32() ^ (1 << 31))) }

    /// The next 16 bytes as a UUID.
    public mutating func uuid() -> UUID {
        defer { index += 16 }
        return UUID(uuid: bytes.loadUnaligned(fromByteOffset: index, as: uuid_t.self))
    }

    /// Passes over the next 16 bytes, a UUID the caller does not need (building it costs more than
    /// reading the rest of an index key).
    public mutating func skipUUID() { index += 16 }

    /// Passes over the next 4 bytes, a day the caller does not need.
    public mutating func skipDay() { index += 4 }

    /// The bytes up to the next zero byte (or the end) as UTF-8 text; the zero byte is skipped.
    public mutating func string() -> String {
        var end = index
        while end < bytes.count && bytes[end] != 0 { end += 1 }
        defer { index = end + 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
    }
}
