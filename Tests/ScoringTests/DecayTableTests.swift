import Scoring
import SiglogCore
import Testing

/// Spec §4.1 decay-table parsing and the §11.2 decay vectors.
@Suite("Decay tables (§4.1, §11.2)")
struct DecayTableTests {
    static func pairs(_ table: DecayTable) -> [[Double]] {
        table.bands.map { [Double($0.upperBound), $0.value] }
    }

    // (days, expected) from §11.2.
    static let momentum: [(Int, Double)] = [
        (0, 1.0), (30, 1.0), (31, 0.7), (60, 0.7), (61, 0.4), (90, 0.4), (91, 0.0), (120, 0.0), (-1, 1.0), (-100, 1.0),
    ]
    static let pressure: [(Int, Double)] = [
        (0, 1.0), (30, 1.0), (31, 0.85), (60, 0.85), (61, 0.6), (120, 0.6), (121, 0.2), (365, 0.2), (-1, 1.0), (-100, 1.0),
    ]
    static let complexity: [(Int, Double)] = [
        (0, 1.0), (90, 1.0), (91, 0.8), (180, 0.8), (181, 0.6), (365, 0.6), (366, 0.4), (500, 0.4), (-1, 1.0), (-100, 1.0),
    ]

    @Test("§11.2 momentum decay, built-in and pack", arguments: momentum)
    func momentumDecay(days: Int, expected: Double) {
        #expect(ReadinessConfig.builtIn.momentumDecay.value(forDays: days) == expected)
        #expect(ReadinessConfig(document: ReadinessFixture.ctoPack).momentumDecay.value(forDays: days) == expected)
    }

    @Test("§11.2 pressure decay, built-in and pack", arguments: pressure)
    func pressureDecay(days: Int, expected: Double) {
        #expect(ReadinessConfig.builtIn.pressureDecay.value(forDays: days) == expected)
        #expect(ReadinessConfig(document: ReadinessFixture.ctoPack).pressureDecay.value(forDays: days) == expected)
    }

    @Test("§11.2 complexity decay, built-in and pack", arguments: complexity)
    func complexityDecay(days: Int, expected: Double) {
        #expect(ReadinessConfig.builtIn.complexityDecay.value(forDays: days) == expected)
        #expect(ReadinessConfig(document: ReadinessFixture.ctoPack).complexityDecay.value(forDays: days) == expected)
    }

    @Test("§11.2 cfg({}) decay lists end at 9999")
    func emptyDocumentLists() {
        let cfg = ReadinessConfig(document: .object([:]))
        #expect(Self.pairs(cfg.momentumDecay) == [[30, 1.0], [60, 0.7], [90, 0.4], [9999, 0.0]])
        #expect(Self.pairs(cfg.pressureDecay) == [[30, 1.0], [60, 0.85], [120, 0.6], [9999, 0.2]])
        #expect(Self.pairs(cfg.complexityDecay) == [[90, 1.0], [180, 0.8], [365, 0.6], [9999, 0.4]])
    }

    @Test("§11.2 cfg(decay.momentum = {0-30, 31-60, 61-90, 91+}) parses to the same list")
    func parsesMomentumMap() throws {
        let map: JSONValue = .object(["0-30": 1.0, "31-60": 0.7, "61-90": 0.4, "91+": 0.0])
        let table = try #require(DecayTable(parsing: map))
        #expect(Self.pairs(table) == [[30, 1.0], [60, 0.7], [90, 0.4], [9999, 0.0]])
        let cfg = ReadinessConfig(document: .object(["decay": .object(["momentum": map])]))
        #expect(Self.pairs(cfg.momentumDecay) == [[30, 1.0], [60, 0.7], [90, 0.4], [9999, 0.0]])
    }

    @Test("§4.1 keys out of order are sorted by upper bound; integer values are read as numbers")
    func sortsByUpperBound() throws {
        let table = try #require(DecayTable(parsing: .object(["91+": 0, "31-90": 0.7, "0-30": 1])))
        #expect(Self.pairs(table) == [[30, 1.0], [90, 0.7], [9999, 0.0]])
        #expect(table.value(forDays: 45) == 0.7)
    }

    @Test("§4.1 a pack table reads 0.0 beyond every bound; the built-in step function does not")
    func beyondEveryBound() throws {
        let table = try #require(DecayTable(parsing: .object(["0-30": 1.0, "31-60": 0.5])))
        #expect(table.value(forDays: 60) == 0.5)
        #expect(table.value(forDays: 61) == 0.0)
        let pack = ReadinessConfig(document: .object([:]))
        #expect(pack.complexityDecay.value(forDays: 9999) == 0.4)
        #expect(pack.complexityDecay.value(forDays: 10_000) == 0.0)
        #expect(ReadinessConfig.builtIn.complexityDecay.value(forDays: 10_000) == 0.4)
    }

    @Test("§4.1 missing, empty or unparseable pack tables fall back to the built-in table", arguments: [
        JSONValue.object([:]), .object(["soon": 1.0]), .object(["0-30": "high"]), .object(["0-30-60": 1.0]),
        .array([1.0]), .null,
    ])
    func fallsBack(_ momentum: JSONValue) {
        #expect(DecayTable(parsing: momentum) == nil)
        let cfg = ReadinessConfig(document: .object(["decay": .object(["momentum": momentum])]))
        #expect(Self.pairs(cfg.momentumDecay) == [[30, 1.0], [60, 0.7], [90, 0.4], [9999, 0.0]])
    }

    @Test("§10.6 bookkeeping decay tables are the pack's, not the built-ins")
    func bookkeepingTables() {
        let cfg = ReadinessConfig(document: ReadinessFixture.bookkeepingPack)
        #expect(Self.pairs(cfg.momentumDecay) == [[30, 1.0], [90, 0.7], [9999, 0.4]])
        #expect(Self.pairs(cfg.complexityDecay) == [[90, 1.0], [9999, 0.7]])
        #expect(cfg.momentumDecay.value(forDays: 100) == 0.4)
    }
}
