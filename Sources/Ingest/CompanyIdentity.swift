/// The two keys companies are matched on (spec §2.6): a normalized name and a domain taken from a URL.
public enum CompanyIdentity {
    /// Legal-form words stripped from the end of a name.
    static let suffixes: Set<String> = ["inc", "llc", "ltd", "corp", "corporation", "co", "company"]

    /// Normalizes a company name for matching: trim and lower-case; every character that is neither
    /// a word character (Unicode letter, number or `_`) nor whitespace becomes a space; whitespace
    /// runs collapse to one space; then trailing legal suffixes (`inc`, `llc`, `ltd`, `corp`,
    /// `corporation`, `co`, `company`) are stripped while a word precedes them.
    ///
    /// `"Acme, Inc."` → `"acme"`, `"Beta Corp, LLC"` → `"beta"`, `"Café Inc."` → `"café"`,
    /// `"Co"` → `"co"` (a lone suffix stays), blank → `""`.
    public static func normalizeName(_ name: String) -> String {
        normalizedASCIIName(name) ?? normalizeNameByScalars(name)
    }

    /// `normalizeName` of a name made of ASCII bytes only (nil for any other), in one pass over its
    /// bytes into one buffer: no string per word. Company creation normalizes every new company's
    /// name on ingest's writing thread.
    static func normalizedASCIIName(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { utf8 -> String? in
            guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count + 1) { out -> String in
                // Words separated by single spaces: a word byte after a separator starts a word.
                var count = 0
                var inWord = false
                for byte in utf8 {
                    var value = byte
                    if value >= 0x41 && value <= 0x5A { value += 32 }
                    let isWord = (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) || value == 0x5F
                    if isWord {
                        if !inWord && count > 0 {
                            out[count] = 0x20
                            count += 1
                        }
                        out[count] = value
                        count += 1
                    }
                    inWord = isWord
                }
                // Trailing legal suffixes go while a word precedes them.
                while let space = out[0..<count].lastIndex(of: 0x20),
                    asciiSuffixes.contains(where: { $0.elementsEqual(out[(space + 1)..<count]) })
                {
                    count = space
                }
                return String(decoding: UnsafeBufferPointer(rebasing: out[0..<count]), as: UTF8.self)
            }
        }
    }

    /// `suffixes` as bytes.
    private static let asciiSuffixes: [[UInt8]] = suffixes.map { Array($0.utf8) }

    /// `normalizeName` of any name, scalar by scalar.
    static func normalizeNameByScalars(_ name: String) -> String {
        // Words separated by single spaces, collected as we scan: this does the replace, collapse and
        // trim steps in one pass.
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func endWord() {
            if !current.isEmpty {
                words.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        let isASCII = name.utf8.allSatisfy { $0 < 0x80 }
        let lowered = isASCII ? name : name.lowercased()
        for scalar in lowered.unicodeScalars {
            if isASCII {
                var value = scalar.value
                if value >= 0x41 && value <= 0x5A { value += 32 }
                let isWord = (value >= 0x61 && value <= 0x7A) || (value >= 0x30 && value <= 0x39) || value == 0x5F
                if isWord { current.append(Unicode.Scalar(UInt8(value))) } else { endWord() }
            } else if isWordCharacter(scalar) {
                current.append(scalar)
            } else {
                endWord()
            }
        }
        endWord()
        while words.count > 1, let last = words.last, suffixes.contains(last) {
            words.removeLast()
        }
        return words.joined(separator: " ")
    }

    /// A word character as the reference's regex `\w` sees it: letters, numbers and `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// The domain of a URL for matching: the network location (the part after `//`, up to the
    /// first `/`, `?` or `#`), lower-cased, without a leading `www.` and without a trailing `:443`
    /// or `:80` (other ports are kept). Nil when the URL has no network location (`"not-a-url"`,
    /// `"foo.com/path"`) or nothing is left.
    ///
    /// Splitting follows the reference's URL parser: an optional scheme (`letter (letter | digit |
    /// + | - | .)*` before the first `:`), then `//` introduces the network location.
    public static func extractDomain(_ url: String) -> String? {
        var text = url
        return text.withUTF8 { extractDomain(utf8: $0) }
    }

    private static func extractDomain(utf8 raw: UnsafeBufferPointer<UInt8>) -> String? {
        // The reference's parser drops leading C0 controls/spaces and every tab, CR and LF.
        guard let first = raw.firstIndex(where: { $0 > 0x20 }) else { return nil }
        var bytes = UnsafeBufferPointer(rebasing: raw[first...])
        var cleaned: [UInt8] = []
        if bytes.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            cleaned = bytes.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        }
        return cleaned.withUnsafeBufferPointer { cleanedBuffer -> String? in
            if !cleaned.isEmpty { bytes = cleanedBuffer }
            var index = 0
            if let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, isASCIILetter(bytes[0]),
                bytes[0..<colon].allSatisfy(isSchemeByte)
            {
                index = colon + 1
            }
            guard bytes.count >= index + 2, bytes[index] == UInt8(ascii: "/"), bytes[index + 1] == UInt8(ascii: "/")
            else { return nil }
            var start = index + 2
            var end = start
            var isASCII = true
            var openBracket = false
            var closeBracket = false
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
                if byte >= 0x80 { isASCII = false }
                if byte == UInt8(ascii: "[") { openBracket = true }
                if byte == UInt8(ascii: "]") { closeBracket = true }
                end += 1
            }
            // An unbalanced IPv6 bracket makes the reference's parser raise: no domain.
            if openBracket != closeBracket { return nil }
            guard isASCII else { return finishDomain(String(decoding: bytes[start..<end], as: UTF8.self).lowercased()) }
            // ASCII: lower-case, `www.` and port handling on bytes, one String at the end.
            if end - start >= 4, lowerASCII(bytes[start]) == UInt8(ascii: "w"), lowerASCII(bytes[start + 1]) == UInt8(ascii: "w"),
                lowerASCII(bytes[start + 2]) == UInt8(ascii: "w"), bytes[start + 3] == UInt8(ascii: ".")
            {
                start += 4
            }
            if end - start >= 4, bytes[end - 4] == UInt8(ascii: ":"), bytes[end - 3] == UInt8(ascii: "4"),
                bytes[end - 2] == UInt8(ascii: "4"), bytes[end - 1] == UInt8(ascii: "3")
            {
                end -= 4
            } else if end - start >= 3, bytes[end - 3] == UInt8(ascii: ":"), bytes[end - 2] == UInt8(ascii: "8"),
                bytes[end - 1] == UInt8(ascii: "0")
            {
                end -= 3
            }
            guard end > start else { return nil }
            return String(unsafeUninitializedCapacity: end - start) { buffer in
                for offset in 0..<(end - start) { buffer[offset] = lowerASCII(bytes[start + offset]) }
                return end - start
            }
        }
    }

    /// The `www.` and port rules on an already lower-cased network location.
    private static func finishDomain(_ lowered: String) -> String? {
        var host = lowered
        if host.hasPrefix("www.") { host.removeFirst(4) }
        if host.hasSuffix(":443") {
            host.removeLast(4)
        } else if host.hasSuffix(":80") {
            host.removeLast(3)
        }
        return host.isEmpty ? nil : host
    }

    @inline(__always)
    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
