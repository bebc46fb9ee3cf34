/// A strict JSON parser over UTF-8 bytes producing `JSONValue`.
///
/// Written here rather than using Foundation's `JSONSerialization` because the ingest path needs
/// what that API cannot give: member order, integers kept apart from doubles and booleans,
/// invalid UTF-8 reported instead of replaced, and an error that says where parsing stopped.
/// It is also on the ingest hot path, where a byte-level scanner is several times faster.
public struct JSONParser {
    /// Why a document is not valid JSON, with the byte offset (0-based) where parsing stopped.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "\(reason) at byte \(offset + 1)" }
    }

    public static let maxDepth = 256

    /// Parses one complete JSON document; trailing non-whitespace is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(Failure) -> JSONValue in
            var parser = Cursor(bytes: buffer)
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            if parser.index != buffer.count { throw parser.fail("unexpected trailing characters") }
            return value
        }
    }

    /// Parses one complete JSON document exactly as `parse` does (same grammar, same failures at
    /// the same offsets), but when it is an object hands each member to `member` in document order —
    /// the key's UTF-8 bytes (escapes decoded) and the parsed value — instead of building the object;
    /// a repeated key is handed over each time. Returns nil for an object, else the document.
    /// This is what a reader that wants a few known members of a flat object uses (the ingest line
    /// parser): no member list, no key strings.
    public static func parseMembers(
        _ bytes: UnsafeBufferPointer<UInt8>, _ member: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void
    ) throws(Failure) -> JSONValue? {
        var parser = Cursor(bytes: bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else {
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            if parser.index != bytes.count { throw parser.fail("unexpected trailing characters") }
            return value
        }
        try parser.objectMembers(depth: 1, member)
        parser.skipWhitespace()
        if parser.index != bytes.count { throw parser.fail("unexpected trailing characters") }
        return nil
    }

    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail("invalid literal") }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                throw fail("invalid literal")
            }
            index += count
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            var collected: [JSONObject.Member] = []
            try members(depth: depth) { key, value in
                switch key {
                case .bytes(let slice): collected.append(JSONObject.Member(key: String(decoding: slice, as: UTF8.self), value: value))
                case .decoded(let text): collected.append(JSONObject.Member(key: text, value: value))
                }
            }
            return .object(JSONObject(collected))
        }

        /// `object(depth:)` handing each member to `body` instead of collecting them.
        mutating func objectMembers(depth: Int, _ body: (UnsafeBufferPointer<UInt8>, JSONValue) -> Void) throws(Failure) {
            try members(depth: depth) { key, value in
                switch key {
                case .bytes(let slice): body(slice, value)
                case .decoded(var text): text.withUTF8 { body($0, value) }
                }
            }
        }

        /// The object grammar (the cursor on its `{`): each member's name and value to `body`, in order.
        private mutating func members(depth: Int, _ body: (Key, JSONValue) -> Void) throws(Failure) {
            if depth > JSONParser.maxDepth { throw fail("nesting too deep") }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw fail("expected a member name")
                }
                let key = try keyText()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                body(key, try value(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                throw fail("expected ',' or '}'")
            }
        }

        /// A member name as `string()` reads it: the input's own bytes when they are plain ASCII
        /// without escapes (what `string()` would copy unchanged), else the decoded string.
        enum Key {
            case bytes(UnsafeBufferPointer<UInt8>)
            case decoded(String)
        }

        mutating func keyText() throws(Failure) -> Key {
            let quote = index
            var end = index + 1
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") {
                    index = end + 1
                    return .bytes(UnsafeBufferPointer(rebasing: bytes[(quote + 1)..<end]))
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                end += 1
            }
            index = quote
            return .decoded(try string())
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            if depth > JSONParser.maxDepth { throw fail("nesting too deep") }
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                throw fail("expected ',' or ']'")
            }
            return .array(items)
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            var isInteger = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .int(integer) }
            guard let double = Double(text), double.isFinite else {
                index = start
                throw fail("number out of range")
            }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func string() throws(Failure) -> String {
            index += 1  // opening quote
            let start = index
            // Fast path: no escapes, all ASCII or valid UTF-8 validated by String(validating:).
            // ASCII-only text (the common case) is valid by construction and skips the generic
            // validating initializer, which dominated parse time on the ingest path.
            var sawNonASCII = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    if !sawNonASCII {
                        index += 1
                        return String(decoding: slice, as: UTF8.self)
                    }
                    guard let text = String(validating: slice, as: UTF8.self) else {
                        index = start
                        throw fail("invalid UTF-8 in string")
                    }
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw fail("control character in string") }
                if byte >= 0x80 { sawNonASCII = true }
                index += 1
            }
            // Slow path with escapes.
            var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    guard let text = String(validating: scalars, as: UTF8.self) else {
                        throw fail("invalid UTF-8 in string")
                    }
                    return text
                }
                if byte < 0x20 { throw fail("control character in string") }
                if byte != UInt8(ascii: "\\") {
                    scalars.append(byte)
                    index += 1
                    continue
                }
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("unpaired surrogate") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw fail("unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid escape") }
                    scalars.append(contentsOf: Array(String(scalar).utf8))
                default:
                    throw fail("invalid escape")
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("invalid \\u escape") }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                code = code << 4 | digit
                index += 1
            }
            return code
        }
    }
}
