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
        // snprintf/strtod straight into a stack buffer: the same correctly rounded C conversion as
        // `String(format:)`, without Foundation's formatting machinery on the scoring hot path.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer -> Double in
            let written = withVaList([Int32(places), x]) { vsnprintf(buffer.baseAddress!, 352, "%.*f", $0) }
            guard written > 0, written < 352 else { return Double(String(format: "%.\(places)f", x)) ?? x }
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// `max(lo, min(hi, x))`.
    @inlinable
    public static func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { max(lo, min(hi, x)) }
}
