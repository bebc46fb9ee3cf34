@testable import BriefingPages
import SiglogCore
import Testing

@Suite("briefing chart and vocabulary")
struct ChartTests {
    static func point(_ day: String, _ composite: Int, _ m: Int = 10, _ c: Int = 20, _ p: Int = 30, _ g: Int = 40) throws -> ScoreChart.Point {
        ScoreChart.Point(asOf: try Day(parsing: day), composite: composite, momentum: m, complexity: c, pressure: p, leadershipGap: g)
    }

    @Test("days are spaced by date; 0 is the bottom of the plot and 100 its top; five series, one dot per snapshot")
    func geometry() throws {
        let chart = try #require(ScoreChart([try Self.point("2026-02-01", 0), try Self.point("2026-02-03", 50),
                                             try Self.point("2026-02-11", 100)]))
        let composite = try #require(chart.series.first)
        #expect(composite.key == "composite")
        #expect(chart.series.map(\.key) == ["composite", "momentum", "complexity", "pressure", "leadership-gap"])
        let plotWidth = ScoreChart.width - ScoreChart.left - ScoreChart.right
        let xs = composite.dots.map { Double($0.x)! }
        #expect(xs[0] == ScoreChart.left)
        #expect(abs(xs[1] - (ScoreChart.left + plotWidth * 2 / 10)) < 0.06, "two of ten days")
        #expect(abs(xs[2] - (ScoreChart.width - ScoreChart.right)) < 0.06)
        let ys = composite.dots.map { Double($0.y)! }
        #expect(ys[0] == ScoreChart.height - ScoreChart.bottom)
        #expect(ys[2] == ScoreChart.top)
        #expect(ys[1] > ys[2] && ys[1] < ys[0])
        #expect(composite.points == composite.dots.map { "\($0.x),\($0.y)" }.joined(separator: " "))
        #expect(composite.dots[1].title == "2026-02-03: composite 50")
        #expect(chart.days.map(\.label) == ["2026-02-01", "2026-02-11"])
        #expect(chart.grid.map(\.label) == ["0", "25", "50", "75", "100"])
    }

    @Test("one snapshot sits in the middle; none gives no chart; values outside 0–100 are clamped")
    func edges() throws {
        #expect(ScoreChart([]) == nil)
        let single = try #require(ScoreChart([try Self.point("2026-02-01", 140, -5)]))
        let dot = try #require(single.series.first?.dots.first)
        #expect(Double(dot.x)! == ScoreChart.left + (ScoreChart.width - ScoreChart.left - ScoreChart.right) / 2)
        #expect(Double(dot.y)! == ScoreChart.top)
        #expect(Double(single.series[1].dots[0].y)! == ScoreChart.height - ScoreChart.bottom)
        let bars = DimensionBars(momentum: 120, complexity: -3, pressure: 55, leadershipGap: 0)
        #expect(bars.bars.map(\.width) == ["100", "0", "55", "0"])
        #expect(bars.bars.map(\.value) == [120, -3, 55, 0], "the label keeps the stored value")
    }

    @Test("signal labels: the pack's taxonomy label, else the type title-cased, a blank type is Signal")
    func labels() {
        var vocabulary = PageVocabulary()
        vocabulary.labels = ["funding_raised": "Funding round"]
        #expect(vocabulary.label("funding_raised") == "Funding round")
        #expect(vocabulary.label("job_posted_infra") == "Job Posted Infra")
        #expect(vocabulary.label("") == "Signal")
        #expect(vocabulary.label("__") == "Signal")
    }

    @Test("links are made only of absolute http(s) URLs; login's next stays on the site")
    func safeValues() {
        #expect(PageFormat.link("https://example.com/a") == "https://example.com/a")
        #expect(PageFormat.link("javascript:alert(1)") == nil)
        #expect(PageFormat.link("JAVASCRIPT:alert(1)") == nil)
        #expect(PageFormat.link("data:text/html,<script>") == nil)
        #expect(PageFormat.link("/relative") == nil)
        #expect(LoginPage.safeNext("/companies/1?x=1") == "/companies/1?x=1")
        #expect(LoginPage.safeNext("//evil.example") == "/")
        #expect(LoginPage.safeNext("/\\evil.example") == "/")
        #expect(LoginPage.safeNext("https://evil.example") == "/")
        #expect(LoginPage.safeNext(nil) == "/")
    }

    @Test("sessions: ids are 43 URL-safe characters, unknown ids and removed sessions give nothing, expiry ends them")
    func sessions() async throws {
        let store = SessionStore(lifetime: .milliseconds(200), capacity: 3)
        let id = store.create(access: .all)
        #expect(id.count == 43)
        #expect(id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(store.access(for: id) == .all)
        #expect(store.access(for: id + "x") == nil)
        let other = store.create(access: .all)
        #expect(other != id)
        store.remove(other)
        #expect(store.access(for: other) == nil)
        for _ in 0..<5 { _ = store.create(access: .all) }
        #expect(store.count <= 3, "capacity bounds the store")
        let late = store.create(access: .all)
        try await Task.sleep(for: .milliseconds(300))
        #expect(store.access(for: late) == nil)
    }
}
