/// Text helpers shared by the ingest rules. Whitespace follows the reference's Python `str.strip()`
/// and regex `\s`: the Unicode `White_Space` property plus U+001C…U+001F.
enum Text {
    /// Whether a scalar counts as whitespace for trimming and collapsing.
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            return value == 0x20 || (0x09...0x0D).contains(value) || (0x1C...0x1F).contains(value)
        }
        return scalar.properties.isWhitespace
    }

    /// `s` without leading and trailing whitespace. Returns `s` itself when there is nothing to trim,
    /// which is the common case on the ingest path.
    static func trimmed(_ s: String) -> String {
        // Fast path: an ASCII first and last byte that is not whitespace (a byte below 0x80 is a
        // whole scalar in UTF-8) means there is nothing to trim, with no walk over scalars.
        let utf8 = s.utf8
        if let first = utf8.first, let last = utf8.last, first < 0x80, last < 0x80,
            !isWhitespace(Unicode.Scalar(first)), !isWhitespace(Unicode.Scalar(last))
        {
            return s
        }
        let scalars = s.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return s }
        if !isWhitespace(first) && !isWhitespace(last) { return s }
        guard let start = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let end = scalars.lastIndex(where: { !isWhitespace($0) })!
        return String(scalars[start...end])
    }

    /// The trimmed text, or nil when `s` is nil or blank.
    static func nonBlank(_ s: String?) -> String? {
        guard let s else { return nil }
        let t = trimmed(s)
        return t.isEmpty ? nil : t
    }

    /// Length as the reference counts it (Unicode code points), without walking ASCII-only text twice.
    static func length(_ s: String) -> Int {
        let bytes = s.utf8.count
        return s.utf8.allSatisfy { $0 < 0x80 } ? bytes : s.unicodeScalars.count
    }

    /// Case-insensitive (ASCII) test for `needle` inside `haystack`; `needle` must be lower-case ASCII.
    static func containsASCIICaseInsensitive(_ haystack: String, _ needle: StaticString) -> Bool {
        var haystack = haystack
        return haystack.withUTF8 { containsASCIICaseInsensitive($0, needle) }
    }

    /// `containsASCIICaseInsensitive` of UTF-8 bytes.
    static func containsASCIICaseInsensitive(_ h: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard n.count <= h.count else { return false }
        if n.isEmpty { return true }
        for start in 0...(h.count - n.count) {
            var matched = true
            for offset in 0..<n.count {
                var byte = h[start + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                if byte != n[offset] { matched = false; break }
            }
            if matched { return true }
        }
        return false
    }

    /// Whether `s` starts with `prefix` (ASCII, compared as written).
    static func hasPrefix(_ s: String, _ prefix: String) -> Bool { s.utf8.starts(with: prefix.utf8) }
}
