import Scoring
import Testing

/// Spec §0.1: `roundInt` ties to even on the binary value, `roundDec` on the exact decimal expansion,
/// clamp = `max(lo, min(hi, x))`.
@Suite("Rounding helpers (§0.1)")
struct RoundingTests {
    /// The reference's own list (§0.1): x.5 goes to the even neighbour, down or up.
    static let specTies: [(Double, Int)] = [
        (24.5, 24), (31.5, 32), (10.5, 10), (16.5, 16), (50.5, 50), (58.5, 58), (34.5, 34), (19.5, 20), (3.5, 4), (7.5, 8),
    ]

    @Test("roundInt: the spec's ties go to even", arguments: specTies)
    func specTiesToEven(_ x: Double, _ expected: Int) {
        #expect(Rounding.roundInt(x) == expected)
    }

    @Test("roundInt: negative ties go to even too, non-ties to the nearest")
    func negativesAndNonTies() {
        #expect(Rounding.roundInt(-0.5) == 0)
        #expect(Rounding.roundInt(-1.5) == -2)
        #expect(Rounding.roundInt(-2.5) == -2)
        #expect(Rounding.roundInt(-2.6) == -3)
        #expect(Rounding.roundInt(0.5) == 0)
        #expect(Rounding.roundInt(2.4) == 2)
        #expect(Rounding.roundInt(2.6) == 3)
        // The exact binary value decides: the largest double below 0.5 rounds down, the smallest above
        // 2.5 rounds up — neither is a tie.
        #expect(Rounding.roundInt(0.5.nextDown) == 0)
        #expect(Rounding.roundInt(2.5.nextUp) == 3)
        // 10^15 + 0.5 is exact (the spacing of doubles there is 0.125): a true tie, 10^15 is even.
        #expect(Rounding.roundInt(1e15 + 0.5) == 1_000_000_000_000_000)
    }

    @Test("roundDec: the spec's discriminating vectors")
    func specVectors() {
        // 0.4·1.0 + 0.35·0.7 + 0.25·0.0 evaluated left to right gives 0.645 and 1 minus it the double
        // nearest 0.355, whose exact expansion is 0.35499999999999998224…: below the midpoint, so 0.35
        // (rounding the printed 0.355 as a decimal tie would give 0.36).
        let first = 1 - (0.4 * 1.0 + 0.35 * 0.7 + 0.25 * 0.0)
        #expect(first == 0.355)
        #expect(Rounding.roundDec(first, 2) == 0.35)
        // 0.4·0.8 + 0.35·0.0 + 0.25·(1 − 0.7) = 0.32000000000000006 + 0.0 + 0.07500000000000001, and 1
        // minus it is the double nearest 0.605, exactly 0.60499999999999998224… (§0.1 quotes it as
        // 0.6049999999999999): below the midpoint, so 0.6 and not 0.61.
        let second = 1 - (0.4 * 0.8 + 0.35 * 0.0 + 0.25 * (1 - 0.7))
        #expect(second == 0.605)
        #expect(Rounding.roundDec(second, 2) == 0.6)
    }

    /// Dyadic fractions are exact in binary, so these are true decimal ties: the even last digit wins.
    static let exactTies: [(Double, Int, Double)] = [
        (0.125, 2, 0.12), (0.375, 2, 0.38), (0.625, 2, 0.62), (0.875, 2, 0.88),
        (2.5, 0, 2), (3.5, 0, 4), (0.5, 0, 0), (1.0625, 3, 1.062), (1.1875, 3, 1.188),
        (-0.125, 2, -0.12), (-0.375, 2, -0.38), (-2.5, 0, -2),
    ]

    @Test("roundDec: exact decimal ties go to the even digit", arguments: exactTies)
    func exactDecimalTies(_ x: Double, _ places: Int, _ expected: Double) {
        #expect(Rounding.roundDec(x, places) == expected)
    }

    @Test("roundDec: a decimal that only looks like a tie rounds by its binary value")
    func apparentTies() {
        // 2.675 is stored as 2.67499999999999982236431605997495353221893310546875 and 1.005 as
        // 1.00499999999999989341858963598497211933135986328125: both lie below the midpoint.
        #expect(Rounding.roundDec(2.675, 2) == 2.67)
        #expect(Rounding.roundDec(-2.675, 2) == -2.67)
        #expect(Rounding.roundDec(1.005, 2) == 1.0)
    }

    @Test("roundDec: ordinary values, signs and places")
    func ordinary() {
        #expect(Rounding.roundDec(0.0473, 3) == 0.047)
        #expect(Rounding.roundDec(0.86, 2) == 0.86)
        #expect(Rounding.roundDec(0.126, 2) == 0.13)
        #expect(Rounding.roundDec(-0.126, 2) == -0.13)
        #expect(Rounding.roundDec(123.456, 0) == 123)
        #expect(Rounding.roundDec(1.0 / 3.0, 3) == 0.333)
        #expect(Rounding.roundDec(2.0 / 3.0, 3) == 0.667)
        // A small negative value rounds to negative zero, as formatting "-0.00" and reading it back does.
        let negativeZero = Rounding.roundDec(-0.001, 2)
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        // The largest double has no fractional digits to lose.
        #expect(Rounding.roundDec(.greatestFiniteMagnitude, 2) == .greatestFiniteMagnitude)
    }

    @Test("roundDec: non-finite values and unsupported place counts come back unchanged")
    func passThrough() {
        #expect(Rounding.roundDec(.infinity, 2) == .infinity)
        #expect(Rounding.roundDec(-.infinity, 2) == -.infinity)
        #expect(Rounding.roundDec(.nan, 2).isNaN)
        #expect(Rounding.roundDec(0.123, -1) == 0.123)
        #expect(Rounding.roundDec(0.123, 18) == 0.123)
    }

    @Test("clamp = max(lo, min(hi, x))")
    func clamp() {
        #expect(Rounding.clamp(1.5, 0, 1) == 1)
        #expect(Rounding.clamp(-0.2, 0, 1) == 0)
        #expect(Rounding.clamp(0.7, 0, 1) == 0.7)
        #expect(Rounding.clamp(1, 0, 1) == 1)
        #expect(Rounding.clamp(0, 0, 1) == 0)
        #expect(Rounding.clamp(120, 0, 100) == 100)
        #expect(Rounding.clamp(-5, -3, 3) == -3)
        #expect(Rounding.clamp(42, 7, 7) == 7)
    }
}
