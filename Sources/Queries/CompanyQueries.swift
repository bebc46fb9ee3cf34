public import Foundation
public import Projections
public import ReadModel
public import SiglogRecords
public import SiglogCore

/// `companies` and `company`: the companies view (companies are shared by every workspace).
public enum CompanyQueries {
    public static let columns = ["id", "name", "domain", "website_url", "alignment_ok_to_contact", "status", "version",
                                 "source", "created_at", "updated_at"]

    /// The `companies` JSON shape: `id, name, domain, website_url, alignment_ok_to_contact, status,
    /// version`, then `source, created_at, updated_at`.
    public static func json(_ row: CompanyRow) -> JSONObject {
        [
            "id": .int(row.id), "name": .string(row.name), "domain": nullable(row.created.domain),
            "website_url": nullable(row.created.websiteURL), "alignment_ok_to_contact": nullable(row.alignmentOK),
            "status": nullable(row.status), "version": .int(row.version), "source": .string(row.created.source),
            "created_at": row.createdAt.queryJSON, "updated_at": row.updatedAt.queryJSON,
        ]
    }

    /// Companies whose name or domain (or website) contains `search`, case-insensitively; every
    /// company when `search` is nil or empty. By id, at most `limit`.
    public static func search(_ search: String?, limit: Int = .max, in reader: ViewReader) throws -> [CompanyRow] {
        let needle = (search ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        var result: [CompanyRow] = []
        try reader.forEachCompany { row in
            if needle.isEmpty || row.name.lowercased().contains(needle) || (row.created.domain ?? "").contains(needle)
                || (row.created.websiteURL ?? "").lowercased().contains(needle)
            {
                result.append(row)
            }
            return result.count < limit
        }
        return result
    }

    public static func rows(_ companies: [CompanyRow]) -> QueryRows {
        QueryRows(columns: columns, rows: companies.map(json))
    }
}

/// `company ID|DOMAIN`: the profile, the current scores in the workspace's pack, the composite
/// over time, recent events and the workspace's outreach.
public struct CompanyProfile: Sendable {
    public var company: CompanyRow
    public var pack: UUID?
    /// The latest readiness snapshot of the pack, with its engagement snapshot.
    public var latest: SnapshotPair?
    /// `(as_of, composite)` of the pack's readiness snapshots, oldest first.
    public var history: [CompositePoint]
    /// The newest events visible in the workspace, newest first.
    public var recentEvents: [StoredEvent]
    /// The company's outreach in the workspace, newest first.
    public var outreach: [OutreachRecorded]

    /// Loads the profile of `company` for `scope`.
    public static func load(_ reference: CompanyReference, scope: Scope, recentEvents limit: Int = 10, in reader: ViewReader)
        throws -> CompanyProfile
    {
        let company = try reader.company(reference)
        var history: [CompositePoint] = []
        var latest: Stamped<ReadinessSnapshotRecorded>?
        if let pack = scope.pack {
            for snapshot in try reader.readinessHistory(company: company.id) where snapshot.record.pack == pack {
                let r = snapshot.record
                history.append(CompositePoint(asOf: r.asOf, composite: r.composite, momentum: r.momentum, complexity: r.complexity,
                                              pressure: r.pressure, leadershipGap: r.leadershipGap))
                latest = snapshot
            }
        }
        let pair = try latest.map { r in
            SnapshotPair(readiness: r, engagement: try reader.engagement(company: r.record.companyID, asOf: r.record.asOf, pack: r.record.pack))
        }
        let events = try EventQueries.recent(ofCompany: company.id, scope: scope, limit: limit, in: reader)
        let outreach = try reader.outreach(ofCompany: company.id).map(\.record)
            .filter { $0.workspaceID == scope.workspace }
            .sorted { $0.sentAt > $1.sentAt }
        return CompanyProfile(company: company, pack: scope.pack, latest: pair, history: history, recentEvents: events,
                              outreach: outreach)
    }

    /// The composite over time as a sparkline (one character per snapshot).
    public var sparkline: String { Sparkline.render(history.map(\.composite)) }

    /// `{company, pack_id, scores: snapshot | null, composite_history: [{as_of, composite}],
    /// sparkline, recent_events, outreach}`.
    public var json: JSONObject {
        [
            "company": .object(CompanyQueries.json(company)),
            "pack_id": nullable(pack?.lowercased),
            "scores": latest.map { .object($0.json) } ?? .null,
            "composite_history": .array(history.map { .object(["as_of": $0.asOf.queryJSON, "composite": .int(Int64($0.composite))]) }),
            "sparkline": .string(sparkline),
            "recent_events": .array(recentEvents.map { .object(EventQueries.json($0)) }),
            "outreach": .array(outreach.map { .object(OutreachJSON.json($0)) }),
        ]
    }

    /// The readable form: the profile, the scores next to the composite chart, events, outreach.
    public var table: String {
        var out: [String] = []
        let c = company
        out.append("\(c.name)  (company \(c.id), version \(c.version))")
        out.append("  domain: \(c.created.domain ?? "-")   website: \(c.created.websiteURL ?? "-")")
        out.append("  status: \(c.status ?? "-")   alignment_ok_to_contact: \(c.alignmentOK.map(String.init) ?? "-")   source: \(c.created.source)")
        out.append("")
        if let latest {
            let r = latest.readiness.record
            let band = r.recommendationBand?.rawValue ?? "-"
            var lines = ["as_of \(r.asOf)  pack \(r.pack.lowercased)",
                         "composite \(r.composite)  band \(band)",
                         "momentum \(r.momentum)  complexity \(r.complexity)  pressure \(r.pressure)  leadership_gap \(r.leadershipGap)"]
            if let e = latest.engagement?.record {
                lines.append("esl_score \(JSONWriter.format(e.eslScore))  outreach_score \(e.outreachScore)  \(e.engagementType)  \(e.eslDecision)\(e.cadenceBlocked ? "  cadence_blocked" : "")")
            } else {
                lines.append("no engagement snapshot")
            }
            let chart = ["composite over time (\(history.count) snapshots, 0–100):", sparkline,
                         history.first.map { "\($0.asOf) … \(history.last!.asOf)" } ?? ""]
            let width = lines.map(\.count).max() ?? 0
            for i in 0..<max(lines.count, chart.count) {
                let left = i < lines.count ? lines[i] : ""
                let right = i < chart.count ? chart[i] : ""
                out.append(("  " + left + String(repeating: " ", count: width - left.count) + "   │ " + right).trimmingTrailingSpaces())
            }
        } else {
            out.append("  no readiness snapshot\(pack.map { " for pack \($0.lowercased)" } ?? "")")
        }
        out.append("")
        out.append("Recent events")
        // One company: its name is the heading, not a column.
        out.append(QueryRows(columns: EventQueries.columns.filter { $0 != "company_name" }, rows: recentEvents.map(EventQueries.json),
                             emptyReason: "no events of this company visible in the workspace").rendered(.table))
        if !outreach.isEmpty {
            out.append("")
            out.append("Outreach")
            out.append(QueryRows(columns: OutreachJSON.columns, rows: outreach.map(OutreachJSON.json)).rendered(.table))
        }
        return out.joined(separator: "\n")
    }
}

/// One readiness composite of a company's history, with the four dimensions it was made of (the
/// briefing page charts them; the JSON shape keeps `as_of` and `composite`).
public struct CompositePoint: Sendable, Hashable {
    public var asOf: Day
    public var composite: Int
    public var momentum: Int
    public var complexity: Int
    public var pressure: Int
    public var leadershipGap: Int
}

/// JSON of an outreach record (`outreach_history` columns).
enum OutreachJSON {
    static let columns = ["company_id", "workspace_id", "outreach_type", "sent_at", "outcome", "message", "notes"]
    static func json(_ r: OutreachRecorded) -> JSONObject {
        ["company_id": .int(r.companyID), "workspace_id": .string(r.workspaceID.lowercased),
         "outreach_type": .string(r.outreachType), "sent_at": r.sentAt.queryJSON, "outcome": nullable(r.outcome),
         "message": nullable(r.message), "notes": nullable(r.notes)]
    }
}

extension CompanyProfile {
    /// Why the latest scores are what they are, as tables: the dimensions, the events that gave the
    /// points, the suppressors, disqualifiers and quiet-signal amplification, then the engagement
    /// decision with its components and the cadence block.
    public var explainTable: String {
        guard let latest else {
            return "\(company.name): no readiness snapshot\(pack.map { " for pack \($0.lowercased)" } ?? "") to explain"
        }
        let r = latest.readiness.record
        let x = r.explain
        var out: [String] = []
        out.append("\(company.name) (company \(company.id)): readiness as of \(r.asOf), pack \(r.pack.lowercased)")
        out.append("composite \(r.composite)\(r.recommendationBand.map { ", band \($0.rawValue)" } ?? "")"
            + (x.delta1d != 0 ? ", \(x.delta1d > 0 ? "+" : "")\(x.delta1d) since the day before" : ""))
        out.append("")
        let weights = x.weights
        out.append(QueryRows(columns: ["dimension", "score", "weight"], rows: [
            ["dimension": "momentum (M)", "score": .int(Int64(r.momentum)), "weight": weights["M"] ?? .null],
            ["dimension": "complexity (C)", "score": .int(Int64(r.complexity)), "weight": weights["C"] ?? .null],
            ["dimension": "pressure (P)", "score": .int(Int64(r.pressure)), "weight": weights["P"] ?? .null],
            ["dimension": "leadership gap (G)", "score": .int(Int64(r.leadershipGap)), "weight": weights["G"] ?? .null],
        ]).rendered(.table))
        out.append("")
        out.append("Events behind the score (points summed over the dimensions, largest first)")
        out.append(QueryRows(columns: ["event_type", "event_time", "points", "confidence", "source", "url"],
                             rows: x.topEvents.map { e in
                                 ["event_type": .string(e.eventType), "event_time": e.eventTime.queryJSON,
                                  "points": .double(e.contributionPoints), "confidence": .double(e.confidence),
                                  "source": nullable(e.source.isEmpty ? nil : e.source), "url": nullable(e.url.isEmpty ? nil : e.url)]
                             }, emptyReason: "no event gave points").rendered(.table))
        out.append("")
        func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
        out.append("suppressors applied: \(list(x.suppressorsApplied))")
        out.append("disqualifiers applied: \(list(x.disqualifiersApplied))")
        out.append("quiet-signal amplification: \(list(x.quietSignalAmplificationApplied))")
        if x.minimumThreshold != 0 { out.append("minimum threshold: \(x.minimumThreshold)") }
        out.append("")
        if let e = latest.engagement?.record {
            let ex = e.explain
            out.append("Engagement: ESL \(JSONWriter.format(e.eslScore)) → \(e.engagementType), outreach score \(e.outreachScore)")
            out.append("decision \(e.eslDecision) (reason \(e.eslReasonCode)), sensitivity \(e.sensitivityLevel ?? "-")"
                + (ex.toneConstraint.map { ", tone capped at \($0)" } ?? ""))
            out.append("cadence: " + (e.cadenceBlocked ? "blocked (an outreach in the cooldown window)" : "not blocked"))
            out.append(QueryRows(columns: ["component", "value"], rows: [
                ["component": "base engageability (BE)", "value": .double(ex.baseEngageability)],
                ["component": "stability modifier (SM)", "value": .double(ex.stabilityModifier)],
                ["component": "cadence modifier (CM)", "value": .double(ex.cadenceModifier)],
                ["component": "alignment modifier (AM)", "value": .double(ex.alignmentModifier)],
                ["component": "stress volatility (SVI)", "value": .double(ex.svi)],
                ["component": "sustained pressure (SPI)", "value": .double(ex.spi)],
                ["component": "communication stability (CSI)", "value": .double(ex.csi)],
            ]).rendered(.table))
            if ex.stabilityCapTriggered { out.append("the stability cap lowered the recommendation") }
        } else {
            out.append("no engagement snapshot")
        }
        return out.joined(separator: "\n")
    }
}
