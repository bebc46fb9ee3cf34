import ArgumentParser
import Foundation
import Projections
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `events`, `instances`, `snapshots`: what was ingested and what was derived and scored from it.

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stored events in log order, filtered by company, type, source and event time.",
        discussion: "Rows are written as they are read, so a long list starts at once and memory stays small.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: [.customLong("company"), .customLong("company-id")], help: "Only this company's events (its id or domain).")
    var company: CompanyReference?
    @Option(help: "Only this event type.")
    var type: String?
    @Option(help: "Only this source.")
    var source: String?
    @Option(help: "Event time at or after this (YYYY-MM-DD or ISO-8601).")
    var since: Timestamp?
    @Option(help: "Event time before this (YYYY-MM-DD or ISO-8601).")
    var until: Timestamp?
    @Option(help: "At most this many events (0: no limit).")
    var limit: Int = 100

    func run() throws {
        try runReportingErrors {
            let s = try store.openForReading()
            let (scope, companyID) = try s.read { reader in
                (try tenant.resolve(in: reader), try company.map { try reader.company($0).id })
            }
            let list = ListLimit(limit)
            let filter = EventQueries.Filter(companyID: companyID, eventType: type, source: source, since: since, until: until,
                                             limit: list.read)
            var labels = CompanyLabels(store: s)
            var writer = StreamingRows(format: format.format, columns: EventQueries.columns, width: terminalWidth(),
                                       wide: format.wide)
            var count = 0
            try EventQueries.forEach(filter: filter, scope: scope, store: s) { event in
                count += 1
                if count > list.shown { return false }
                writer.add(try EventQueries.labelled(event, labels: &labels))
                return true
            }
            let hasEvents = try s.read { try !$0.companiesWithEvents().isEmpty }
            writer.finish(
                empty: hasEvents ? "no stored event matches the filters" : "no event is stored yet — ingest with `siglog-append events FILE`",
                cut: list.cutNote(found: count, noun: "events"))
        }
    }
}

struct Instances: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Derived signal instances (entity, signal, pack).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: [.customLong("company"), .customLong("company-id")], help: "Only this company's instances (its id or domain).")
    var company: CompanyReference?
    @Option(name: .customLong("signal-id"), help: "Only this signal.")
    var signalID: String?
    @Option(name: .customLong("pack-id"), help: "Only instances of this pack (UUID or pack_id[@version]).")
    var packID: String?
    @Option(help: "At most this many instances (0: no limit).")
    var limit: Int = 1000

    func run() throws {
        try runQuery(store, format) { s in
            try s.read { reader in
                let pack = try NameOrID(parsing: packID).map(reader.packID)
                let companyID = try company.map { try reader.company($0).id }
                let list = ListLimit(limit)
                let found = try EventQueries.instances(company: companyID, signal: signalID, pack: pack, limit: list.read, in: reader)
                var labels = CompanyLabels(reader: reader)
                var rows = QueryRows(columns: EventQueries.instanceColumns, rows: try found.prefix(list.shown).map {
                    try labels.labelled(EventQueries.json($0), company: $0.entityID, after: "entity_id")
                })
                rows.emptyReason = "no instance matches — run `siglog-append stage derive` after ingesting events"
                rows.cutNote = list.cutNote(found: found.count, noun: "instances")
                return format.render(rows)
            }
        }
    }
}

struct Snapshots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Readiness snapshots with their engagement snapshots and explain payloads.",
        discussion: "JSON: [{company_id, company_name, company_domain, as_of, pack_id, readiness: {…, explain, computed_at}, engagement: {…} | null}].")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: [.customLong("company"), .customLong("company-id")], help: "Only this company (its id or domain).")
    var company: CompanyReference?
    @Option(name: .customLong("as-of"), help: "Only this day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(name: .customLong("pack-id"), help: "Only this pack (UUID or pack_id[@version]).")
    var packID: String?
    @Option(help: "At most this many snapshots (0: no limit).")
    var limit: Int = 1000

    func run() throws {
        try runQuery(store, format) { s in
            try s.read { reader in
                let pack = try NameOrID(parsing: packID).map(reader.packID)
                if let pack, try reader.pack(pack) == nil { throw SiglogError.packNotInstalled(pack) }
                let companyID = try company.map { try reader.company($0).id }
                let list = ListLimit(limit)
                let found = try SnapshotQueries.snapshots(company: companyID, asOf: asOf, pack: pack, limit: list.read, in: reader)
                let pairs = Array(found.prefix(list.shown))
                var labels = CompanyLabels(reader: reader)
                switch format.format {
                case .json: return JSONWriter().string(.array(try SnapshotQueries.json(pairs, labels: &labels).map(JSONValue.object)))
                case .ndjson: return try SnapshotQueries.json(pairs, labels: &labels).map { JSONWriter().string(.object($0)) }
                    .joined(separator: "\n")
                case .table, .csv:
                    var rows = try SnapshotQueries.rows(pairs, labels: &labels)
                    rows.emptyReason = asOf.map { "no snapshot for \($0) — run `siglog-append stage score --as-of \($0)`" }
                        ?? "no snapshot yet — run `siglog-append stage score`"
                    rows.cutNote = list.cutNote(found: found.count, noun: "snapshots")
                    return format.render(rows)
                }
            }
        }
    }
}
