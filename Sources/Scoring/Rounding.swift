import Foundation

/// Rounding and clamping exactly as the reference computes them (spec §0.1).
public enum Rounding {
    /// Round to the nearest integer, ties to even, on the exact binary value (24.5 → 24, 31.5 → 32).
    @inlinable
    public static func roundInt(_ x: Double) -> Int { Int(x.rounded(.toNearestOrEven)) }

    /// Round to `places` decimals using the exact decimal expansion of the double, ties to even only
    /// on exact ties: 0.35499999… → 0.35, 0.6049999999999999 → 0.6. Not `roundInt(x * 10^n) / 10^n`.
    /// `%.*f` is correctly rounded by the C library, so formatting and reading back is exact.
    public static func roundDec(_ x: Double, _ places: Int) -> Double {
        guard x.isFinite, (0...17).contains(places) else { return x }
        if places <= 3, let rounded = roundDecBinary(x, places) { return rounded }
        // snprintf/strtod straight into a stack buffer: the same correctly rounded C conversion as
        // `String(format:)`, without Foundation's formatting machinery on the scoring hot path.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer -> Double in
            let written = withVaList([Int32(places), x]) { vsnprintf(buffer.baseAddress!, 352, "%.*f", $0) }
            guard written > 0, written < 352 else { return Double(String(format: "%.\(places)f", x)) ?? x }
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// `roundDec` for 0–3 places on the double's exact binary value, with integers only (the
    /// scoring hot path: no formatting, no allocation); nil where it does not apply (subnormals, or a
    /// result beyond 2^53 units), which the formatting path then handles.
    ///
    /// `|x| = m · 2^-s` exactly with an integer `m < 2^53`, so `|x| · 10^places = N · 2^-s` with
    /// `N = m · 10^places < 2^63`: its integer part and the remainder against one half decide the
    /// rounding exactly (ties to even only on exact ties), and `k / 10^places` of two exact doubles is
    /// correctly rounded, i.e. the double `strtod` reads from the printed digits.
    static func roundDecBinary(_ x: Double, _ places: Int) -> Double? {
        let magnitude = x.magnitude
        if magnitude == 0 { return x }
        guard magnitude.isNormal else { return nil }
        let exponent = Int(magnitude.exponent)
        if exponent >= 52 { return x }  // already an integer
        let scale: UInt64 = places == 0 ? 1 : places == 1 ? 10 : places == 2 ? 100 : 1000
        let n = ((1 << 52) | magnitude.significandBitPattern) * scale
        let shift = 52 - exponent
        var units: UInt64 = 0
        if shift < 64 {
            units = n >> UInt64(shift)
            let remainder = n & ((1 << UInt64(shift)) - 1)
            let half: UInt64 = 1 << UInt64(shift - 1)
            if remainder > half || (remainder == half && units & 1 == 1) { units += 1 }
        }  // else |x| · 10^places < 2^63 / 2^64: below one half, rounds to 0
        guard units < 1 << 53 else { return nil }
        let rounded = Double(units) / Double(scale)
        return x.sign == .minus ? -rounded : rounded
    }

    /// `max(lo, min(hi, x))`.
    @inlinable
    public static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { max(lo, min(hi, x)) }
}
