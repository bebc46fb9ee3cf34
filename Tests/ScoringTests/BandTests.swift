import Scoring
import SiglogCore
import Testing

/// Spec §4.8 recommendation bands: §11.2 validity, §11.5 and §11.7 band parity.
@Suite("Recommendation bands (§4.8, §11.2, §11.5)")
struct BandTests {
    static let cto = RecommendationBands(ignoreMax: 34, watchMax: 69, highPriorityMin: 70)

    static func bands(_ members: JSONObject) -> RecommendationBands? {
        ReadinessConfig(document: .object(["recommendation_bands": .object(members)])).recommendationBands
    }

    @Test("§11.2 bands {34, 69, 70} kept; CTO pack reads 34/69/70")
    func validBands() throws {
        let parsed = try #require(Self.bands(["ignore_max": 34, "watch_max": 69, "high_priority_min": 70]))
        #expect([parsed.ignoreMax, parsed.watchMax, parsed.highPriorityMin] == [34, 69, 70])
        #expect(ReadinessConfig(document: ReadinessFixture.ctoPack).recommendationBands == parsed)
    }

    static let invalid: [JSONObject] = [
        ["ignore_max": 70, "watch_max": 69, "high_priority_min": 80],
        [:],
        ["ignore_max": 34, "watch_max": 69],
        ["ignore_max": 34, "watch_max": 34, "high_priority_min": 70],
        ["ignore_max": -1, "watch_max": 69, "high_priority_min": 70],
        ["ignore_max": "low", "watch_max": 69, "high_priority_min": 70],
    ]

    @Test("§11.2 / §11.5 invalid or missing bands → none", arguments: invalid)
    func invalidBands(_ members: JSONObject) {
        #expect(Self.bands(members) == nil)
    }

    @Test("§4.8 int-convertible values are accepted")
    func intConvertible() {
        #expect(Self.bands(["ignore_max": "34", "watch_max": 69.0, "high_priority_min": 70]) == Self.cto)
    }

    @Test("§11.5 no pack → no band; pack without bands → no band")
    func noBands() {
        #expect(ReadinessConfig.builtIn.recommendationBands == nil)
        #expect(RecommendationBand(composite: 50, bands: ReadinessConfig.builtIn.recommendationBands) == nil)
        #expect(ReadinessConfig(document: ReadinessFixture.bookkeepingPack).recommendationBands == nil)
    }

    @Test("§11.5 / §11.7 bands (34, 69, 70)", arguments: [
        (0, RecommendationBand.ignore), (34, .ignore), (35, .watch), (50, .watch), (69, .watch),
        (70, .highPriority), (100, .highPriority),
    ])
    func bandOf(composite: Int, expected: RecommendationBand) {
        #expect(RecommendationBand(composite: composite, bands: Self.cto) == expected)
    }

    @Test("§4.8 high_priority_min only validates: values above watch_max are HIGH_PRIORITY")
    func gapAboveWatch() {
        let bands = RecommendationBands(ignoreMax: 10, watchMax: 20, highPriorityMin: 50)
        #expect(RecommendationBand(composite: 21, bands: bands) == .highPriority)
        #expect(RecommendationBand.highPriority.rawValue == "HIGH_PRIORITY")
    }
}
