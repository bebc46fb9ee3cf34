import Foundation
import Hummingbird
import Projections
import Queries
import ReadModel
import Scoring
import SiglogCore
import SiglogRecords
import SiglogService

/// The workspace and pack a page was asked for, carried into its links.
struct PageScope {
    var workspaceID: String?
    var packID: String?

    /// `workspace_id` and `pack_id` of `request`, parsed (a malformed one is a 422 page).
    init(_ request: Request) throws {
        workspaceID = try request.workspaceID()?.lowercased
        packID = try request.packID()?.lowercased
    }

    /// `?workspace_id=…&pack_id=…` (empty when neither was given).
    var query: String { PageLinks.query([("workspace_id", workspaceID), ("pack_id", packID)]) }

    /// The pairs, for links that add their own.
    var pairs: [(String, String?)] { [("workspace_id", workspaceID), ("pack_id", packID)] }
}

/// Links of the pages.
enum PageLinks {
    /// `?a=1&b=2` of the pairs with a value, percent-encoded; empty when none has one.
    static func query(_ pairs: [(String, String?)]) -> String {
        let items = pairs.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "")" }
        }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }
}

extension CharacterSet {
    /// Characters left as they are in a query value.
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()
}

/// How a page names bands and signals.
struct PageVocabulary {
    /// The pack's `taxonomy.labels`.
    var labels: [String: String] = [:]

    /// A vocabulary without pack labels.
    init() {}

    /// The vocabulary of the scope's pack.
    init(scope: Scope, server: SiglogServer, reader: ViewReader) throws {
        if let pack = try server.runner.packs.resolve(scope, in: reader), let labels = pack.pack.taxonomy["labels"]?.objectValue {
            for member in labels.members { if let text = member.value.stringValue { self.labels[member.key] = text } }
        }
    }

    /// A signal's label (§8): the pack's `taxonomy.labels[type]`, else the type with `_` as spaces,
    /// title-cased; a blank type is "Signal".
    func label(_ type: String) -> String {
        if let label = labels[type], !label.isEmpty { return label }
        let words = type.split(separator: "_").filter { !$0.isEmpty }
        guard !words.isEmpty else { return "Signal" }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: " ")
    }

    /// The CSS class of a band: `high`, `watch`, `ignore` or `none`.
    static func bandClass(_ band: RecommendationBand?) -> String {
        switch band {
        case .highPriority: "high"
        case .watch: "watch"
        case .ignore: "ignore"
        case nil: "none"
        }
    }

    /// How a band reads on a page.
    static func bandLabel(_ band: RecommendationBand?) -> String {
        switch band {
        case .highPriority: "High priority"
        case .watch: "Watch"
        case .ignore: "Ignore"
        case nil: "No band"
        }
    }

    /// `name (pack_id@version)` of the scope's pack, or "none".
    static func packName(_ scope: Scope, in reader: ViewReader) throws -> String {
        guard let pack = scope.pack else { return "none" }
        guard let stored = try reader.pack(pack) else { return pack.lowercased }
        return "\(stored.record.packID)@\(stored.record.version)"
    }

    /// The workspace's name, else its id.
    static func workspaceName(_ scope: Scope, in reader: ViewReader) throws -> String {
        try reader.workspace(scope.workspace)?.name ?? scope.workspace.lowercased
    }
}

// MARK: - The briefing

/// One lead card (§7.4) as the page shows it.
struct CardModel {
    struct Chip { var id: String; var label: String }
    var id: Int64
    var name: String
    var domain: String?
    var composite: Int
    var bandClass: String
    var bandLabel: String
    var outreach: Int
    var dimensions: DimensionBars?
    var signals: [Chip]
    var eslDecision: String
    var sensitivity: String
    var lastSeen: String
    var lastOutreach: String
    var scopeQuery: String
}

struct BriefingModel {
    var workspace: String
    var pack: String
    var workspaceID: String?
    var packID: String?
    var asOf: String
    var threshold: Int
    var sortComposite: Bool
    var sortLastSeen: Bool
    var thresholdNote: String
    var cards: [CardModel]
    var hasCards: Bool
    var emptyReason: String
    var firstRank: Int
    var page: Int
    var previousPage: String?
    var nextPage: String?
}

extension BriefingSite {
    /// Cards on one page of the briefing.
    static let cardsPerPage = 24

    /// `GET /?as_of&threshold&sort&page&workspace_id&pack_id`: the lead cards of the day.
    func briefing(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let pageScope = try PageScope(request)
        let asOf = try request.day("as_of")
        let threshold = try request.integer("threshold", default: 30, minimum: Int.min)
        let sort = try SiglogServer.leadSort(request.parameter("sort"))
        let page = try request.integer("page", default: 1, minimum: 1)
        let perPage = Self.cardsPerPage
        let model = try server.withScope(request, context) { reader, scope in
            let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
            let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
            guard !overflow else { throw InvalidValue("page \(page) is past the end") }
            var cards = try LeadReads.leads(scope: scope, asOf: day, limit: perPage + 1, offset: offset, sort: sort,
                                            threshold: threshold, in: reader)
            let hasNext = cards.count > perPage
            cards = Array(cards.prefix(perPage))
            let vocabulary = try PageVocabulary(scope: scope, server: server, reader: reader)
            let models = try cards.map { try cardModel($0, scope: scope, vocabulary: vocabulary, query: pageScope.query, reader: reader) }
            func link(_ page: Int) -> String {
                "/" + PageLinks.query(pageScope.pairs + [("as_of", day.description), ("threshold", String(threshold)),
                                                         ("sort", sort == .lastSeen ? "last_seen" : "composite_score"),
                                                         ("page", String(page))])
            }
            // The rule, not a count: counting the hidden companies reads an engagement snapshot for
            // every row of the day (tens of milliseconds on a large feed), more than the page itself.
            let note = "Companies below the outreach threshold of \(threshold) are not shown: a card needs an outreach score "
                + "of at least \(threshold) (the engagement snapshot's outreach score, else composite × ESL score), unless a "
                + "cadence block (outreach in the cooldown window) keeps it on the list. Lower the threshold to see them."
            let empty: String
            if scope.pack == nil {
                empty = "No pack is installed for this workspace, so there is no lead feed."
            } else if page > 1 {
                empty = "No more cards: this page is past the last one."
            } else if try !hasFeedRow(scope: scope, day: day, reader: reader) {
                empty = "The lead feed has no rows for \(day): run the daily aggregation (or the score and lead-feed stages) for that day."
            } else {
                empty = "No company reaches the threshold of \(threshold) on \(day)."
            }
            return BriefingModel(
                workspace: try PageVocabulary.workspaceName(scope, in: reader), pack: try PageVocabulary.packName(scope, in: reader),
                workspaceID: pageScope.workspaceID, packID: pageScope.packID, asOf: day.description, threshold: threshold,
                sortComposite: sort == .compositeScore, sortLastSeen: sort == .lastSeen, thresholdNote: note, cards: models,
                hasCards: !models.isEmpty, emptyReason: empty, firstRank: offset + 1, page: page,
                previousPage: page > 1 ? link(page - 1) : nil, nextPage: hasNext ? link(page + 1) : nil)
        }
        return PageResponse.page("briefing", model, title: "Briefing \(model.asOf)", scopeQuery: pageScope.query)
    }

    /// Whether the feed has any row for the scope and day (reads one row).
    func hasFeedRow(scope: Scope, day: Day, reader: ViewReader) throws -> Bool {
        guard let pack = scope.pack else { return false }
        var found = false
        try reader.forEachLeadFeedRow(workspace: scope.workspace, pack: pack, asOf: day) { _ in
            found = true
            return false
        }
        return found
    }

    /// A card with its company, readiness dimensions and signal labels.
    func cardModel(_ card: LeadCard, scope: Scope, vocabulary: PageVocabulary, query: String, reader: ViewReader) throws -> CardModel {
        let company = try reader.company(Int64(card.entityID))
        let readiness = try scope.pack.flatMap { try reader.readiness(company: Int64(card.entityID), asOf: card.asOf, pack: $0) }?.record
        // The batch path of the feed stores no band (§7.3): the readiness snapshot's band then.
        let band = card.recommendationBand ?? readiness?.recommendationBand
        let outreach = card.outreachStatusSummary.map { summary in
            [PageFormat.time(summary.lastSentAt), summary.outreachType, summary.outcome].compactMap { $0 }.joined(separator: " · ")
        }
        return CardModel(
            id: Int64(card.entityID), name: company?.name ?? "Unknown company \(card.entityID)", domain: company?.created.domain,
            composite: card.compositeScore, bandClass: PageVocabulary.bandClass(band), bandLabel: PageVocabulary.bandLabel(band),
            outreach: card.outreachScore,
            dimensions: readiness.map {
                DimensionBars(momentum: $0.momentum, complexity: $0.complexity, pressure: $0.pressure, leadershipGap: $0.leadershipGap)
            },
            signals: card.topSignalIDs.map { CardModel.Chip(id: $0, label: vocabulary.label($0)) },
            eslDecision: PageFormat.text(card.eslDecision), sensitivity: PageFormat.text(card.sensitivityLevel),
            lastSeen: PageFormat.time(card.lastSeen), lastOutreach: outreach ?? "none", scopeQuery: query)
    }
}

// MARK: - The company

struct CompanyModel {
    struct TopEvent { var label: String; var time: String; var points: String; var confidence: String; var source: String; var link: String? }
    struct Component { var name: String; var value: String }
    struct Engagement {
        var decision: String
        var reason: String
        var eslScore: String
        var engagementType: String
        var outreachScore: Int
        var sensitivity: String
        var cadence: String
        var tone: String?
        var components: [Component]
        var stabilityCap: Bool
    }
    struct Scores {
        var composite: Int
        var bandLabel: String
        var delta: String?
        var asOf: String
        var dimensions: DimensionBars
        var engagement: Engagement?
        var topEvents: [TopEvent]
        var suppressors: String
        var disqualifiers: String
        var amplification: String
        var minimumThreshold: Int?
    }
    struct Event { var time: String; var type: String; var title: String; var link: String?; var source: String; var confidence: String }
    struct Outreach { var sentAt: String; var type: String; var outcome: String; var message: String }
    struct TimelineRow { var sequence: UInt64; var at: String; var kind: String; var detail: String; var jobRun: UInt64? }
    /// One set profile field of §1.1 (`link` only for an absolute http(s) URL).
    struct ProfileField { var label: String; var value: String; var link: String? }

    var id: Int64
    var name: String
    var domain: String?
    var website: String?
    var source: String
    var status: String?
    var alignment: String?
    /// The profile fields that are set (founder, LinkedIn URLs, stage, target match, notes).
    var profile: [ProfileField]
    /// Stored, not computed: templates see stored properties only.
    var hasProfile: Bool
    var bandClass: String
    var scores: Scores?
    var noScores: String
    var chart: ScoreChart?
    var events: [Event]
    var outreach: [Outreach]
    var timeline: [TimelineRow]
    var timelineNote: String
    var scopeQuery: String
}

extension BriefingSite {
    /// The company's profile fields that are set, in the order of §1.1.
    static func profileFields(_ company: CompanyRow) -> [CompanyModel.ProfileField] {
        let p = company.profile
        var fields: [CompanyModel.ProfileField] = []
        func add(_ label: String, _ value: String?, asLink: Bool = false) {
            guard let value, !value.isEmpty else { return }
            fields.append(.init(label: label, value: value, link: asLink ? PageFormat.link(value) : nil))
        }
        add("Founder", p.founderName)
        add("Founder LinkedIn", p.founderLinkedInURL, asLink: true)
        add("Company LinkedIn", company.created.linkedinURL, asLink: true)
        add("Current stage", p.currentStage)
        if p.targetProfileMatch { add("Target profile", "matches") }
        add("Alignment notes", p.alignmentNotes)
        add("Notes", p.notes)
        return fields
    }

    /// Timeline entries shown on a company page (the newest).
    static let timelineLimit = 200

    /// `GET /companies/{id-or-domain}?workspace_id&pack_id`: the company page.
    func company(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let pageScope = try PageScope(request)
        let reference = try SiglogServer.companyReference(context)
        let model = try server.withScope(request, context) { reader, scope in
            let profile = try CompanyProfile.load(reference, scope: scope, recentEvents: 50, in: reader)
            let timeline = try RegistryQueries.timeline(.id(profile.company.id), scope: scope, in: reader)
            let vocabulary = try PageVocabulary(scope: scope, server: server, reader: reader)
            return companyModel(profile, timeline: timeline, vocabulary: vocabulary, query: pageScope.query,
                                packName: try PageVocabulary.packName(scope, in: reader))
        }
        return PageResponse.page("company", model, title: model.name, scopeQuery: pageScope.query)
    }

    func companyModel(_ profile: CompanyProfile, timeline: [TimelineEntry], vocabulary: PageVocabulary, query: String,
                      packName: String) -> CompanyModel {
        let c = profile.company
        let scores: CompanyModel.Scores? = profile.latest.map { pair in
            let r = pair.readiness.record
            let x = r.explain
            func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
            let engagement = pair.engagement.map { stamped in
                let e = stamped.record
                let ex = e.explain
                return CompanyModel.Engagement(
                    decision: PageFormat.text(e.eslDecision), reason: PageFormat.text(e.eslReasonCode),
                    eslScore: PageFormat.decimal(e.eslScore), engagementType: PageFormat.text(e.engagementType),
                    outreachScore: e.outreachScore, sensitivity: PageFormat.text(e.sensitivityLevel),
                    cadence: e.cadenceBlocked ? "blocked: an outreach is in the cooldown window" : "not blocked",
                    tone: ex.toneConstraint,
                    components: [
                        ("base engageability (BE)", ex.baseEngageability), ("stability modifier (SM)", ex.stabilityModifier),
                        ("cadence modifier (CM)", ex.cadenceModifier), ("alignment modifier (AM)", ex.alignmentModifier),
                        ("stress volatility (SVI)", ex.svi), ("sustained pressure (SPI)", ex.spi),
                        ("communication stability (CSI)", ex.csi),
                    ].map { CompanyModel.Component(name: $0.0, value: PageFormat.decimal($0.1)) },
                    stabilityCap: ex.stabilityCapTriggered)
            }
            return CompanyModel.Scores(
                composite: r.composite, bandLabel: PageVocabulary.bandLabel(r.recommendationBand),
                delta: x.delta1d == 0 ? nil : (x.delta1d > 0 ? "+\(x.delta1d)" : "\(x.delta1d)"), asOf: r.asOf.description,
                dimensions: DimensionBars(momentum: r.momentum, complexity: r.complexity, pressure: r.pressure, leadershipGap: r.leadershipGap),
                engagement: engagement,
                topEvents: x.topEvents.map { e in
                    CompanyModel.TopEvent(label: vocabulary.label(e.eventType), time: PageFormat.time(e.eventTime),
                                          points: PageFormat.decimal(e.contributionPoints), confidence: PageFormat.decimal(e.confidence),
                                          source: PageFormat.text(e.source), link: PageFormat.link(e.url))
                },
                suppressors: list(x.suppressorsApplied), disqualifiers: list(x.disqualifiersApplied),
                amplification: list(x.quietSignalAmplificationApplied), minimumThreshold: x.minimumThreshold == 0 ? nil : x.minimumThreshold)
        }
        let chart = ScoreChart(profile.history.map {
            ScoreChart.Point(asOf: $0.asOf, composite: $0.composite, momentum: $0.momentum, complexity: $0.complexity,
                             pressure: $0.pressure, leadershipGap: $0.leadershipGap)
        })
        let shown = timeline.suffix(Self.timelineLimit).reversed()
        let fields = Self.profileFields(c)
        return CompanyModel(
            id: c.id, name: c.name, domain: c.created.domain, website: c.created.websiteURL, source: c.created.source, status: c.status,
            alignment: c.alignmentOK.map { $0 ? "yes" : "no" }, profile: fields, hasProfile: !fields.isEmpty,
            bandClass: PageVocabulary.bandClass(profile.latest?.readiness.record.recommendationBand), scores: scores,
            noScores: "No readiness snapshot in pack \(packName) yet.", chart: chart,
            events: profile.recentEvents.map { event in
                let e = event.record
                return CompanyModel.Event(time: PageFormat.time(e.eventTime), type: vocabulary.label(e.eventType),
                                          title: PageFormat.text(e.title ?? e.summary), link: PageFormat.link(e.url), source: e.source,
                                          confidence: e.confidence.map(PageFormat.decimal) ?? "–")
            },
            outreach: profile.outreach.map { o in
                CompanyModel.Outreach(sentAt: PageFormat.time(o.sentAt), type: o.outreachType, outcome: PageFormat.text(o.outcome),
                                      message: PageFormat.text(o.message))
            },
            timeline: shown.map { t in
                CompanyModel.TimelineRow(sequence: t.sequence, at: PageFormat.time(t.at), kind: String(t.kind.map { $0 == "_" ? " " : $0 }),
                                         detail: t.detail, jobRun: t.jobRunID)
            },
            timelineNote: timeline.count > shown.count
                ? "The latest \(shown.count) of \(timeline.count) entries, newest first, each with the job run that wrote it."
                : "\(timeline.count) entries, newest first, each with the job run that wrote it.",
            scopeQuery: query)
    }
}

// MARK: - The ranking

struct RankedModel {
    struct Row {
        var rank: Int
        var id: Int64
        var name: String
        var domain: String
        var composite: Int
        var bandClass: String
        var bandLabel: String
        var outreach: Int
        var esl: String
        var dimensions: DimensionBars
        var scopeQuery: String
    }
    var workspace: String
    var pack: String
    var workspaceID: String?
    var packID: String?
    var asOf: String
    var threshold: Int
    var limit: Int
    var path: String
    var companies: [Row]
    var hasCompanies: Bool
}

extension BriefingSite {
    /// `GET /ranked?as_of&threshold&limit&workspace_id&pack_id`: the emerging companies (§8).
    func ranked(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let pageScope = try PageScope(request)
        let asOf = try request.day("as_of")
        let threshold = try request.integer("threshold", default: 30, minimum: Int.min)
        let limit = min(try request.integer("limit", default: 20, minimum: 1), 100)
        let model = try server.withScope(request, context) { reader, scope in
            let day = try asOf ?? scope.latestFeedDay(in: reader, today: todayUTC())
            let companies = try LeadReads.emergingCompanies(scope: scope, asOf: day, limit: limit, threshold: threshold, in: reader)
            let path = switch companies.first?.path {
            case .feed: "from the lead feed"
            case .join: "from the readiness × engagement join: the feed has no qualifying row for the day"
            case nil: "nothing qualifies"
            }
            return RankedModel(
                workspace: try PageVocabulary.workspaceName(scope, in: reader), pack: try PageVocabulary.packName(scope, in: reader),
                workspaceID: pageScope.workspaceID, packID: pageScope.packID, asOf: day.description, threshold: threshold,
                limit: limit, path: path,
                companies: companies.enumerated().map { index, c in
                    RankedModel.Row(
                        rank: index + 1, id: c.companyID, name: c.companyName, domain: PageFormat.text(c.domain), composite: c.composite,
                        bandClass: PageVocabulary.bandClass(c.recommendationBand), bandLabel: PageVocabulary.bandLabel(c.recommendationBand),
                        outreach: c.outreachScore, esl: c.band,
                        dimensions: DimensionBars(momentum: c.momentum, complexity: c.complexity, pressure: c.pressure,
                                                  leadershipGap: c.leadershipGap),
                        scopeQuery: pageScope.query)
                },
                hasCompanies: !companies.isEmpty)
        }
        return PageResponse.page("ranked", model, title: "Ranked \(model.asOf)", scopeQuery: pageScope.query)
    }
}

// MARK: - Job runs

struct JobsModel {
    struct Run {
        var id: UInt64
        var type: String
        var status: String
        var batchStatus: String
        var batchDiffers: Bool
        var asOf: String
        var started: String
        var finished: String
        var companies: String
        var error: String
        var children: [Run]
    }
    var workspace: String
    var shown: Int
    var total: Int
    var runs: [Run]
    var hasRuns: Bool
}

extension BriefingSite {
    /// Batches shown on the job-runs page (the newest).
    static let batchLimit = 50

    /// `GET /jobs?workspace_id&limit`: the latest runs of the workspace, newest first, each with
    /// the runs started under it and the batch's status.
    func jobs(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let pageScope = try PageScope(request)
        let limit = min(try request.integer("limit", default: Self.batchLimit, minimum: 1), 500)
        let model = try server.withScope(request, context) { reader, scope in
            let runs = try RegistryQueries.jobs(scope: scope, type: nil, status: nil, in: reader)
            var children: [UInt64: [JobRow]] = [:]
            var parents: [JobRow] = []
            for run in runs {
                if let parent = run.started.parentJobRunID { children[parent, default: []].append(run) } else { parents.append(run) }
            }
            func model(_ run: JobRow, batch: JobBatch?) -> JobsModel.Run {
                JobsModel.Run(
                    id: run.id, type: run.started.jobType.rawValue, status: run.status.rawValue,
                    batchStatus: (batch?.status ?? run.status).rawValue, batchDiffers: batch.map { $0.status != run.status } ?? false,
                    asOf: run.started.asOf?.description ?? "–", started: PageFormat.time(run.startedAt),
                    finished: PageFormat.time(run.finishedAt), companies: run.companiesProcessed.map(String.init) ?? "–",
                    error: run.errorMessage ?? "", children: [])
            }
            let shown = parents.suffix(limit).reversed().map { parent in
                let kids = children[parent.id] ?? []
                var run = model(parent, batch: JobBatch(parent: parent, children: kids))
                run.children = kids.map { model($0, batch: nil) }
                return run
            }
            return JobsModel(workspace: try PageVocabulary.workspaceName(scope, in: reader), shown: shown.count, total: parents.count,
                             runs: shown, hasRuns: !shown.isEmpty)
        }
        return PageResponse.page("jobs", model, title: "Job runs", scopeQuery: pageScope.query)
    }
}

// MARK: - The stage queue

struct QueueModel {
    struct Stage {
        var stage: String
        var pending: Int
        var queued: Int
        var started: Int
        var completed: Int
        var failed: Int
        var oldest: String
        var waiting: String
    }
    var workspace: String
    var now: String
    var source: String
    var stages: [Stage]
    var hasStages: Bool
}

extension BriefingSite {
    /// `GET /queue?workspace_id`: the depth of each stage of the stage queue (the read of
    /// `siglog-query queue` and `GET /api/queue`): the server's chain in chain order, else every
    /// stage with a recorded state.
    func queue(_ request: Request, _ context: ServiceRequestContext) throws -> Response {
        let pageScope = try PageScope(request)
        let chain = server.runner.stageChain
        let now = server.runner.clock.now()
        let model = try server.withScope(request, context) { reader, scope in
            let names = try QueueReads.stageNames(chain: chain, workspace: scope.workspace, in: reader)
            let depths = try QueueReads.depth(stages: names, workspace: scope.workspace, in: reader)
            return QueueModel(
                workspace: try PageVocabulary.workspaceName(scope, in: reader), now: PageFormat.time(now),
                source: chain == nil ? "no stage chain is loaded: the stages with a recorded state" : "the stages of the loaded chain, in chain order",
                stages: depths.map { d in
                    let age = d.oldestQueuedAge(at: now).map { seconds in
                        seconds < 120 ? "\(Int(seconds)) s" : seconds < 7200 ? "\(Int(seconds / 60)) min" : "\(Int(seconds / 3600)) h"
                    }
                    return QueueModel.Stage(stage: d.stage, pending: d.pending, queued: d.queued, started: d.started,
                                            completed: d.completed, failed: d.failed, oldest: PageFormat.time(d.oldestQueuedAt),
                                            waiting: age ?? "–")
                },
                hasStages: !depths.isEmpty)
        }
        return PageResponse.page("queue", model, title: "Stage queue", scopeQuery: pageScope.query)
    }
}
