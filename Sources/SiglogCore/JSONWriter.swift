/// Serializes `JSONValue` deterministically: the same value always gives the same bytes.
///
/// Floating-point numbers are written as the shortest decimal that reads back to the same double
/// (`0.3`, `24.0`, `1e-05`), integers as integers. Non-finite doubles are not JSON and are written as
/// `null`; callers reject them earlier (bad input).
public struct JSONWriter: Sendable {
    /// Sort object keys by Unicode code points instead of keeping member order (canonical form).
    public var sortedKeys: Bool
    /// Escape every non-ASCII character as `\uXXXX` (UTF-16 units), as the canonical form requires.
    public var asciiOnly: Bool

    public init(sortedKeys: Bool = false, asciiOnly: Bool = false) {
        self.sortedKeys = sortedKeys
        self.asciiOnly = asciiOnly
    }

    /// The compact canonical form used for checksums: sorted keys, ASCII only, no spaces.
    public static let canonical = JSONWriter(sortedKeys: true, asciiOnly: true)

    public func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// `value` as UTF-8 bytes.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends `value` to `out`.
    public func write(_ value: JSONValue, into out: inout String) {
        out += string(value)
    }

    /// Appends `value` to `out` as UTF-8. Bytes, not a `String`: appending to an array is a copy,
    /// where growing a string checks and re-counts its contents (the lead feed's JSON is written
    /// per request).
    public func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONWriter.writeInteger(i, into: &out)
        case .double(let d): out.append(contentsOf: JSONWriter.format(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = sortedKeys
                ? object.members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : object.members
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Decimal digits of `value`, without building a string.
    private static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of any UInt64, written backwards
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: buffer[index...])
        }
    }

    /// Shortest round-trip decimal; always carries a `.` or an exponent so it reads back as a float.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        return d.description
    }

    private func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (ids, labels, times) need no escaping: their bytes go in as they are.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C || (asciiOnly && byte >= 0x7F) { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain != true { writeEscaped(s, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    private func writeEscaped(_ s: String, into out: inout [UInt8]) {
        for unit in s.unicodeScalars {
            switch unit {
            case "\"": out.append(contentsOf: "\\\"".utf8)
            case "\\": out.append(contentsOf: "\\\\".utf8)
            case "\n": out.append(contentsOf: "\\n".utf8)
            case "\r": out.append(contentsOf: "\\r".utf8)
            case "\t": out.append(contentsOf: "\\t".utf8)
            case "\u{08}": out.append(contentsOf: "\\b".utf8)
            case "\u{0C}": out.append(contentsOf: "\\f".utf8)
            default:
                if unit.value < 0x20 {
                    out.append(contentsOf: JSONWriter.escape(UInt16(unit.value)).utf8)
                } else if asciiOnly && unit.value > 0x7E {
                    for codeUnit in String(unit).utf16 { out.append(contentsOf: JSONWriter.escape(codeUnit).utf8) }
                } else {
                    UTF8.encode(unit) { out.append($0) }
                }
            }
        }
    }

    private static func escape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON in member order.
    public var description: String { JSONWriter().string(self) }
}
