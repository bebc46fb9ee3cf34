import Foundation
import Yams

/// The implicit scalar rules of PyYAML's `SafeLoader` (YAML 1.1), so that a pack file yields the
/// same values here as in the reference: `0.30` is a float, `35` an int, `yes`/`on` booleans, `~`
/// and the empty scalar null, and `1e5` (no dot) a string. Yams' default resolver differs on
/// exactly such cases, which is why these rules are spelled out.
enum PyYAMLScalars {
    /// A resolver with PyYAML's rules, in PyYAML's order (bool, float, int, merge, null,
    /// timestamp, value). Quoted scalars never reach it: the parser tags them `str`.
    static let resolver: Resolver = {
        // The patterns are constants; failing to compile one is a programming error.
        // swiftlint:disable force_try
        let float = try! Resolver.Rule(.float, """
            ^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?\
            |\\.[0-9_]+(?:[eE][-+][0-9]+)?\
            |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*\
            |[-+]?\\.(?:inf|Inf|INF)\
            |\\.(?:nan|NaN|NAN))$
            """)
        let int = try! Resolver.Rule(.int, """
            ^(?:[-+]?0b[0-1_]+\
            |[-+]?0[0-7_]+\
            |[-+]?(?:0|[1-9][0-9_]*)\
            |[-+]?0x[0-9a-fA-F_]+\
            |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$
            """)
        // swiftlint:enable force_try
        return Resolver.basic
            .appending(.bool).appending(float).appending(int).appending(.merge)
            .appending(.null).appending(.timestamp).appending(.value)
    }()

    /// `yes`, `true`, `on` in any of PyYAML's spellings; everything else the bool rule accepts is false.
    static func bool(_ text: String) -> Bool {
        ["yes", "true", "on"].contains(text.lowercased())
    }

    /// PyYAML's `construct_yaml_int`: underscores dropped, `0b` binary, `0x` hex, a leading `0`
    /// octal, `a:b:c` base 60. Returns nil when the value does not fit in 64 bits.
    static func int(_ text: String) -> Int64? {
        var value = text.replacingOccurrences(of: "_", with: "")
        var sign: Int64 = 1
        if value.hasPrefix("-") { sign = -1 }
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        let magnitude: Int64?
        if value == "0" {
            magnitude = 0
        } else if value.hasPrefix("0b") {
            magnitude = Int64(value.dropFirst(2), radix: 2)
        } else if value.hasPrefix("0x") {
            magnitude = Int64(value.dropFirst(2), radix: 16)
        } else if value.hasPrefix("0") {
            magnitude = Int64(value, radix: 8)
        } else if value.contains(":") {
            magnitude = sexagesimal(value.split(separator: ":").map { Int64($0) })
        } else {
            magnitude = Int64(value)
        }
        guard let magnitude else { return nil }
        let (result, overflow) = magnitude.multipliedReportingOverflow(by: sign)
        return overflow ? nil : result
    }

    /// PyYAML's `construct_yaml_float`: underscores dropped, case ignored, `.inf`/`.nan`, base 60.
    static func double(_ text: String) -> Double? {
        var value = text.replacingOccurrences(of: "_", with: "").lowercased()
        var sign = 1.0
        if value.hasPrefix("-") { sign = -1 }
        if value.hasPrefix("-") || value.hasPrefix("+") { value.removeFirst() }
        if value == ".inf" { return sign * .infinity }
        if value == ".nan" { return .nan }
        if value.contains(":") {
            var result = 0.0
            for part in value.split(separator: ":", omittingEmptySubsequences: false) {
                guard let digit = Double(part) else { return nil }
                result = result * 60 + digit
            }
            return sign * result
        }
        // Swift's parser wants a digit on both sides of the dot ("1." and ".5" are valid YAML floats).
        if value.hasPrefix(".") { value = "0" + value }
        if let dot = value.firstIndex(of: "."),
            value.index(after: dot) == value.endIndex || !value[value.index(after: dot)].isNumber
        {
            value.insert("0", at: value.index(after: dot))
        }
        guard let parsed = Double(value) else { return nil }
        return sign * parsed
    }

    private static func sexagesimal(_ digits: [Int64?]) -> Int64? {
        var result: Int64 = 0
        for digit in digits {
            guard let digit else { return nil }
            let (shifted, o1) = result.multipliedReportingOverflow(by: 60)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            result = sum
        }
        return result
    }
}
