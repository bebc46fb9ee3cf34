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
        let text = String(format: "%.\(places)f", x)
        return Double(text) ?? x
    }

    /// `max(lo, min(hi, x))`.
    @inlinable
    public static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { max(lo, min(hi, x)) }
}
