import Ingest
import SiglogCore

/// Reading API JSON with the reference's (Python) semantics, where the outcome depends on them:
/// which values count as absent (`v or default`), how a value becomes text (`str(v)`), and which
/// values make a string or object operation throw (ADAPTERS.md §0.1 "Text").
enum PythonValue {
    /// Python truthiness: null, `false`, `0`, `0.0`, `""`, `[]` and `{}` are false; nil (missing) too.
    static func isTruthy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .int(let i)?: return i != 0
        case .double(let d)?: return d != 0
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        case .object(let o)?: return !o.isEmpty
        }
    }

    /// `value or {}` followed by member access: a falsy value is an empty object, an object is
    /// itself, anything else throws (the reference's `.get` on a non-dict).
    static func object(_ value: JSONValue?, _ field: String) throws(AdapterError) -> JSONObject {
        if case .object(let object)? = value { return object }
        if !isTruthy(value) { return JSONObject() }
        throw AdapterError.unexpectedType(field, expected: "an object", got: value)
    }

    /// `value or ""` followed by a string operation: a falsy value is empty text, text is itself,
    /// anything else throws.
    static func string(_ value: JSONValue?, _ field: String) throws(AdapterError) -> String {
        if case .string(let text)? = value { return text }
        if !isTruthy(value) { return "" }
        throw AdapterError.unexpectedType(field, expected: "text", got: value)
    }

    /// `str(value)` when `value` is truthy, else nil ("the text of X; null when missing or empty").
    static func textIfTruthy(_ value: JSONValue?) -> String? {
        guard let value, isTruthy(value) else { return nil }
        return text(value)
    }

    /// `str(value)`: text as is, integers in decimal, floats as Python's `repr`, `True`/`False`/`None`,
    /// arrays and objects as Python's `repr` of the list or dict.
    static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value { return s }
        return repr(value)
    }

    /// Python's `repr` of the value parsed from JSON.
    static func repr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return floatRepr(d)
        case .string(let s): return stringRepr(s)
        case .array(let items): return "[" + items.map(repr).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.map { stringRepr($0.key) + ": " + repr($0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// Python's `repr(float)`: the shortest round-trip digits, positional for decimal exponents in
    /// −4 < e ≤ 16, scientific (`1e+16`, `1e-05`) otherwise.
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        // Swift's description has the same shortest digits; only the layout differs.
        var text = "\(d.magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        var pointPosition = integerPart.count + exponent  // value = 0.digits × 10^pointPosition
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let sign = d.sign == .minus ? "-" : ""
        if digits == "0" { return sign + "0.0" }
        if pointPosition <= -4 || pointPosition > 16 {
            let e = pointPosition - 1
            let mantissa = digits.count > 1 ? String(digits.first!) + "." + digits.dropFirst() : digits
            let exponentDigits = String(e.magnitude)
            return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
        }
        if pointPosition <= 0 { return sign + "0." + String(repeating: "0", count: -pointPosition) + digits }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
    static func stringRepr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + String(quote)
    }

    /// The JSON type of a value, for messages.
    static func typeName(_ value: JSONValue?) -> String {
        switch value {
        case nil: return "nothing"
        case .null?: return "null"
        case .bool?: return "a boolean"
        case .int?, .double?: return "a number"
        case .string?: return "text"
        case .array?: return "an array"
        case .object?: return "an object"
        }
    }

    /// The first `count` characters (Unicode code points, Python's unit) of `text`.
    static func truncated(_ text: String, to count: Int) -> String {
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: count, limitedBy: scalars.endIndex) else {
            return text
        }
        return String(scalars[..<end])
    }

    /// `text.strip()`.
    static func trimmed(_ text: String) -> String { text.trimmingReferenceWhitespace }
}
