@testable import BriefingPages
import SiglogCore
import Testing

/// The page models' template lookups (`child(named:)`) against reflection: every stored property
/// is found under its name with its value, and an unknown name finds nothing (so the template looks
/// further up the context stack, as it does with reflection).
@Suite("briefing template lookups")
struct TemplateLookupTests {
    /// `value`'s lookup of every property `Mirror` lists equals the property; every optional of
    /// the samples is set, so a property missing from a lookup cannot pass as nil.
    static func check(_ value: Any, _ lookup: (String) -> Any?, sourceLocation: SourceLocation = #_sourceLocation) {
        func describe(_ value: Any?) -> String {
            guard let value else { return "nil" }
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional { return mirror.children.first.map { String(describing: $0.value) } ?? "nil" }
            return String(describing: value)
        }
        let children = Mirror(reflecting: value).children
        #expect(!children.isEmpty, sourceLocation: sourceLocation)
        for child in children {
            let label = child.label ?? ""
            #expect(describe(child.value) != "nil", "\(type(of: value)).\(label) is nil in the sample", sourceLocation: sourceLocation)
            #expect(describe(lookup(label)) == describe(child.value), "\(type(of: value)).\(label)", sourceLocation: sourceLocation)
        }
        #expect(lookup("noSuchField") == nil, sourceLocation: sourceLocation)
    }

    static let bars = DimensionBars(momentum: 10, complexity: 20, pressure: 30, leadershipGap: 40)

    @Test("briefing, card and chip")
    func briefing() {
        let chip = CardModel.Chip(id: "cto_role_posted", label: "CTO role posted")
        let card = CardModel(id: 7, name: "Acme", domain: "acme.io", composite: 80, bandClass: "high", bandLabel: "High priority",
                             outreach: 64, dimensions: Self.bars, signals: [chip], eslDecision: "allow", sensitivity: "low",
                             lastSeen: "2026-02-28 10:00", lastOutreach: "none", scopeQuery: "?pack_id=x")
        let model = BriefingModel(workspace: "Default", pack: "p@1", workspaceID: "w", packID: "p", asOf: "2026-02-28", threshold: 30,
                                  sortComposite: true, sortLastSeen: false, thresholdNote: "note", cards: [card], hasCards: true,
                                  emptyReason: "none", firstRank: 1, page: 2, previousPage: "/?page=1", nextPage: "/?page=3")
        Self.check(chip, chip.child(named:))
        Self.check(card, card.child(named:))
        Self.check(model, model.child(named:))
        Self.check(Self.bars, Self.bars.child(named:))
        let bar = Self.bars.bars[0]
        Self.check(bar, bar.child(named:))
    }

    @Test("company page parts and chart")
    func company() throws {
        let top = CompanyModel.TopEvent(label: "Funding", time: "t", points: "2.00", confidence: "0.50", source: "s", link: "https://a.io")
        let component = CompanyModel.Component(name: "BE", value: "1.00")
        let engagement = CompanyModel.Engagement(decision: "allow", reason: "r", eslScore: "0.80", engagementType: "Standard",
                                                 outreachScore: 64, sensitivity: "low", cadence: "not blocked", tone: "Soft",
                                                 components: [component], stabilityCap: true)
        let scores = CompanyModel.Scores(composite: 80, bandLabel: "High", delta: "+3", asOf: "2026-02-28", dimensions: Self.bars,
                                         engagement: engagement, topEvents: [top], suppressors: "none", disqualifiers: "none",
                                         amplification: "none", minimumThreshold: 20)
        let event = CompanyModel.Event(time: "t", type: "Funding", title: "Raised", link: "https://a.io/x", source: "s", confidence: "0.7")
        let outreach = CompanyModel.Outreach(sentAt: "t", type: "email", outcome: "replied", message: "hi")
        let row = CompanyModel.TimelineRow(sequence: 9, at: "t", kind: "event", detail: "d", jobRun: 3)
        let field = CompanyModel.ProfileField(label: "Founder LinkedIn", value: "https://l.in/a", link: "https://l.in/a")
        let chart = try #require(ScoreChart([
            ScoreChart.Point(asOf: try Day(parsing: "2026-02-21"), composite: 50, momentum: 1, complexity: 2, pressure: 3, leadershipGap: 4),
            ScoreChart.Point(asOf: try Day(parsing: "2026-02-28"), composite: 80, momentum: 5, complexity: 6, pressure: 7, leadershipGap: 8),
        ]))
        let model = CompanyModel(id: 7, name: "Acme", domain: "acme.io", website: "https://acme.io", source: "research", status: "active",
                                 alignment: "yes", profile: [field], hasProfile: true, bandClass: "high", scores: scores, noScores: "none",
                                 chart: chart, events: [event], outreach: [outreach], timeline: [row], timelineNote: "n", scopeQuery: "?q")
        for (value, lookup) in [(top, top.child(named:)), (component, component.child(named:)), (engagement, engagement.child(named:)),
                                (scores, scores.child(named:)), (event, event.child(named:)), (outreach, outreach.child(named:)),
                                (row, row.child(named:)), (field, field.child(named:)), (model, model.child(named:)),
                                (chart, chart.child(named:))] as [(Any, (String) -> Any?)] {
            Self.check(value, lookup)
        }
        let series = chart.series[0]
        Self.check(series, series.child(named:))
        Self.check(series.dots[0], series.dots[0].child(named:))
        Self.check(chart.grid[0], chart.grid[0].child(named:))
        Self.check(chart.days[0], chart.days[0].child(named:))
    }

    @Test("ranked, jobs, queue, layout and login")
    func otherPages() {
        let row = RankedModel.Row(rank: 1, id: 7, name: "Acme", domain: "acme.io", composite: 80, bandClass: "high", bandLabel: "High",
                                  outreach: 64, esl: "allow", dimensions: Self.bars, scopeQuery: "?q")
        let ranked = RankedModel(workspace: "Default", pack: "p@1", workspaceID: "w", packID: "p", asOf: "2026-02-28", threshold: 30,
                                 limit: 20, path: "feed", companies: [row], hasCompanies: true)
        let run = JobsModel.Run(id: 1, type: "score", status: "completed", batchStatus: "completed", batchDiffers: false, asOf: "d",
                                started: "s", finished: "f", companies: "3", error: "", children: [])
        let jobs = JobsModel(workspace: "Default", shown: 1, total: 1, runs: [run], hasRuns: true)
        let stage = QueueModel.Stage(stage: "score", pending: 1, queued: 2, started: 3, completed: 4, failed: 5, oldest: "o", waiting: "w")
        let queue = QueueModel(workspace: "Default", now: "n", source: "s", stages: [stage], hasStages: true)
        var layout = PageResponse.Layout(title: "T", pageName: "briefing", body: "<p>", scopeQuery: "?q", signedIn: true, renderedAt: "r")
        layout.navRanked = true
        let login = LoginPage.Model(message: "m", next: "/")
        for (value, lookup) in [(row, row.child(named:)), (ranked, ranked.child(named:)), (run, run.child(named:)),
                                (jobs, jobs.child(named:)), (stage, stage.child(named:)), (queue, queue.child(named:)),
                                (layout, layout.child(named:)), (login, login.child(named:))] as [(Any, (String) -> Any?)] {
            Self.check(value, lookup)
        }
    }
}
