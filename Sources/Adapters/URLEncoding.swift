/// Query strings and path segments as the reference's HTTP client writes them (§0.4): query
/// values form-encoded (space → `+`, everything but letters, digits and `_.-~` as `%XX` of UTF-8),
/// path text percent-encoded where a path may not hold it.
enum URLEncoding {
    /// `k1=v1&k2=v2`, each key and value form-encoded, in the given order.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { formComponent($0.0) + "=" + formComponent($0.1) }.joined(separator: "&")
    }

    /// One form-encoded component (Python's `quote_plus`).
    static func formComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") {
                out.append("+")
            } else if isUnreserved(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out.append(percent(byte))
            }
        }
        return out
    }

    /// Text for a URL path: kept where RFC 3986 allows it in a path (`/` included, so
    /// `owner/repo/more` stays a path), percent-encoded elsewhere.
    static func path(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if isUnreserved(byte) || "!$&'()*+,;=:@/".utf8.contains(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out.append(percent(byte))
            }
        }
        return out
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func percent(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
