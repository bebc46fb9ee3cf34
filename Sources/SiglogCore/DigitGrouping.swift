/// 296,991: an integer's digits in groups of three with commas, as English text writes them — the
/// same text as `formatted()` in an English locale, without loading ICU's locale data (≈ 8 ms).
public func groupedDigits<Integer: BinaryInteger>(_ value: Integer) -> String {
    (value < 0 ? "-" : "") + groupedDigits(digits: String(value.magnitude))
}

/// A string of decimal digits in groups of three with commas (for magnitudes beyond the integer types).
public func groupedDigits(digits: String) -> String {
    let digits = Array(digits.utf8)
    var text: [UInt8] = []
    text.reserveCapacity(digits.count + digits.count / 3)
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { text.append(UInt8(ascii: ",")) }
        text.append(digit)
    }
    return String(decoding: text, as: UTF8.self)
}
