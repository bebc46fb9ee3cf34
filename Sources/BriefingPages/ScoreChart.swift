import SiglogCore

/// The geometry of the company page's chart: the composite and the four readiness dimensions
/// (0–100) over time, as SVG coordinates the template draws. Days are spaced by date, not by
/// index, so a gap between snapshots shows as a gap.
struct ScoreChart: Sendable {
    /// One readiness snapshot of the chart.
    struct Point: Sendable {
        var asOf: Day
        var composite: Int
        var momentum: Int
        var complexity: Int
        var pressure: Int
        var leadershipGap: Int
    }

    /// One line of the chart.
    struct Series: Sendable {
        /// `composite`, `momentum`, `complexity`, `pressure` or `leadership-gap` (the CSS class).
        var key: String
        var label: String
        /// `x,y x,y …` of the polyline.
        var points: String
        var dots: [Dot]
    }

    /// A marker with its tooltip.
    struct Dot: Sendable {
        var x: String
        var y: String
        var title: String
    }

    /// A horizontal grid line and its value label.
    struct GridLine: Sendable {
        var y: String
        var label: String
    }

    /// A date under the x axis.
    struct DayLabel: Sendable {
        var x: String
        var label: String
        var anchor: String
    }

    static let width = 720.0
    static let height = 260.0
    static let left = 40.0
    static let right = 16.0
    static let top = 12.0
    static let bottom = 30.0

    let width = ScoreChart.width
    let height = ScoreChart.height
    let plotLeft = ScoreChart.left
    let plotRight = ScoreChart.width - ScoreChart.right
    let plotBottom = ScoreChart.height - ScoreChart.bottom
    var series: [Series]
    var grid: [GridLine]
    var days: [DayLabel]
    var snapshotCount: Int
    var firstDay: String
    var lastDay: String

    /// The chart of `points` (oldest first); nil when there is none.
    init?(_ points: [Point]) {
        guard let first = points.first, let last = points.last else { return nil }
        let span = Double(max(last.asOf.days(since: first.asOf), 0))
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        func x(_ day: Day) -> Double {
            span == 0 ? Self.left + plotWidth / 2 : Self.left + plotWidth * Double(day.days(since: first.asOf)) / span
        }
        func y(_ value: Int) -> Double { Self.top + plotHeight * (1 - Double(min(max(value, 0), 100)) / 100) }
        let lines: [(key: String, label: String, value: (Point) -> Int)] = [
            ("composite", "Composite", \.composite), ("momentum", "Momentum", \.momentum),
            ("complexity", "Complexity", \.complexity), ("pressure", "Pressure", \.pressure),
            ("leadership-gap", "Leadership gap", \.leadershipGap),
        ]
        series = lines.map { line in
            let dots = points.map { point in
                Dot(x: Self.format(x(point.asOf)), y: Self.format(y(line.value(point))),
                    title: "\(point.asOf): \(line.label.lowercased()) \(line.value(point))")
            }
            return Series(key: line.key, label: line.label, points: dots.map { "\($0.x),\($0.y)" }.joined(separator: " "), dots: dots)
        }
        grid = stride(from: 0, through: 100, by: 25).map { GridLine(y: Self.format(y($0)), label: String($0)) }
        var labels = [DayLabel(x: Self.format(x(first.asOf)), label: first.asOf.description, anchor: span == 0 ? "middle" : "start")]
        if span > 0 { labels.append(DayLabel(x: Self.format(x(last.asOf)), label: last.asOf.description, anchor: "end")) }
        days = labels
        snapshotCount = points.count
        firstDay = first.asOf.description
        lastDay = last.asOf.description
    }

    /// One decimal: enough for a screen, short in the page.
    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(abs(tenths % 10))"
    }
}

/// The four readiness dimensions of a lead card as a small horizontal bar chart (SVG; no inline
/// styles, so the page's content security policy can forbid them).
struct DimensionBars: Sendable {
    /// One bar.
    struct Bar: Sendable {
        var letter: String
        var name: String
        var value: Int
        var y: String
        var textY: String
        var width: String
    }

    var bars: [Bar]

    /// Bars of momentum, complexity, pressure and leadership gap (each 0–100).
    init(momentum: Int, complexity: Int, pressure: Int, leadershipGap: Int) {
        let values = [("M", "momentum", momentum), ("C", "complexity", complexity), ("P", "pressure", pressure),
                      ("G", "leadership gap", leadershipGap)]
        bars = values.enumerated().map { index, item in
            let clamped = min(max(item.2, 0), 100)
            return Bar(letter: item.0, name: item.1, value: item.2, y: String(index * 14 + 2), textY: String(index * 14 + 11),
                       width: String(clamped))
        }
    }
}
