import Foundation
import Scoring
import SeededRandom
import Testing

/// `roundDec` takes an integer path for 0–3 places; the C library's correctly rounded `%.Nf`,
/// read back with `strtod`, is the definition it must reproduce bit for bit (spec §0.1).
@Suite("roundDec against formatted rounding")
struct RoundDecOracleTests {
    /// `%.Nf` formatting and reading back: the reference's rounding.
    static func formatted(_ x: Double, _ places: Int) -> Double {
        Double(String(format: "%.\(places)f", x))!
    }

    /// Values of every kind the integer path must get right: random magnitudes from 2^-80 to 2^60,
    /// decimal midpoints and their neighbouring doubles, dyadic (exact) ties, products as the engines
    /// form them, values near the integer path's 2^53-unit limit, and both signs.
    static func samples() -> [Double] {
        var numbers = SeededGenerator(seed: 2026)
        var values: [Double] = []
        for _ in 0..<40_000 {
            let exponent = Int(numbers.next() % 140) - 80
            values.append(Double(sign: .plus, exponent: exponent, significand: 1 + numbers.unit()))
            values.append(numbers.unit())
            values.append(numbers.unit() * numbers.unit() * 0.5 * (numbers.next() % 2 == 0 ? 1 : 0.86))
        }
        for places in 0...3 {
            let scale = [1.0, 10, 100, 1000][places]
            for k in 0..<3_000 {
                let midpoint = (Double(k) + 0.5) / scale
                values += [midpoint, midpoint.nextUp, midpoint.nextDown]
            }
        }
        for q in 1...12 {
            for j in stride(from: 1, to: 1 << q, by: 1) where j % 2 == 1 { values.append(Double(j) / Double(1 << q)) }
        }
        for base in [Double(1 << 52) / 1000, Double(1 << 53) / 1000, Double(1 << 52) / 100, Double(1 << 52), 4.5e15] {
            var x = base
            for _ in 0..<50 {
                values += [x, x + 0.5, x - 0.25]
                x = x.nextUp
            }
        }
        values += [0.0, 0.5, 1.5, 2.5, 0.355, 0.605, 2.675, 1.005, 0.0005, 0.0015, 0.0025, 1e-300, .leastNonzeroMagnitude, .leastNormalMagnitude]
        return values + values.map { -$0 }
    }

    @Test("0 to 3 places: the same double, sign and zero sign included, as %.Nf read back")
    func sameAsFormatted() {
        var mismatches: [String] = []
        for x in Self.samples() {
            for places in 0...3 {
                let got = Rounding.roundDec(x, places)
                let expected = Self.formatted(x, places)
                if got.bitPattern != expected.bitPattern, mismatches.count < 10 {
                    mismatches.append("roundDec(\(x), \(places)) = \(got), formatted \(expected)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}
