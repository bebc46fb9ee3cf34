import Foundation

/// §10.2 step 5: a deriver regex must be short, free of the nested quantifiers that make a
/// backtracking engine take exponential time, and compilable.
enum RegexSafety {
    static let maximumLength = 500

    /// The nested-quantifier substrings the spec lists, in its order.
    static let nestedQuantifiers = [
        "(.+)+", "(.*)+", "(.+)*", "(.*)*", "(\\w+)+", "(\\w+)*", "(\\w*)+", "(\\w*)*",
        "(\\s+)+", "(\\s+)*", "(\\s*)+", "(\\s*)*", "(\\d+)+", "(\\d+)*", "(\\d*)+", "(\\d*)*",
    ]

    /// Why `pattern` is rejected, or nil when it is acceptable.
    static func problem(in pattern: String) -> String? {
        let length = pattern.unicodeScalars.count
        if length > maximumLength {
            return "regex is too long (\(length) characters, maximum \(maximumLength))"
        }
        if let nested = nestedQuantifiers.first(where: { pattern.contains($0) }) {
            return "regex contains the nested quantifier '\(nested)', which is unsafe (catastrophic backtracking)"
        }
        do {
            _ = try NSRegularExpression(pattern: pattern)
        } catch {
            return "regex does not compile: '\(pattern)'"
        }
        return nil
    }
}
