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
        var out = ""
        out.reserveCapacity(64)
        write(value, into: &out)
        return out
    }

    public func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONWriter.format(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let members = sortedKeys
                ? object.members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : object.members
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                writeString(member.key, into: &out)
                out += ":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }

    /// Shortest round-trip decimal; always carries a `.` or an exponent so it reads back as a float.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        return d.description
    }

    private func writeString(_ s: String, into out: inout String) {
        // Fast path: most strings (ids, labels, times) need no escaping and go in whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && (!asciiOnly || $0 < 0x7F) }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for unit in s.unicodeScalars {
            switch unit {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if unit.value < 0x20 {
                    out += JSONWriter.escape(UInt16(unit.value))
                } else if asciiOnly && unit.value > 0x7E {
                    for codeUnit in String(unit).utf16 { out += JSONWriter.escape(codeUnit) }
                } else {
                    out.unicodeScalars.append(unit)
                }
            }
        }
        out += "\""
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
