import ArgumentParser
import Queries
import ReadModel
import SiglogCLI
import SiglogCore

// `events`, `instances`, `snapshots`: what was ingested and what was derived and scored from it.

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stored events in log order, filtered by company, type, source and event time.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var tenant: TenantOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company's events.")
    var companyID: Int64?
    @Option(help: "Only this event type.")
    var type: String?
    @Option(help: "Only this source.")
    var source: String?
    @Option(help: "Event time at or after this (YYYY-MM-DD or ISO-8601).")
    var since: Timestamp?
    @Option(help: "Event time before this (YYYY-MM-DD or ISO-8601).")
    var until: Timestamp?
    @Option(help: "At most this many events.")
    var limit: Int = 100

    func run() throws {
        let filter = EventQueries.Filter(companyID: companyID, eventType: type, source: source, since: since, until: until,
                                         limit: max(0, limit))
        try runQuery(store, format) { s in
            let scope = try s.read { try tenant.resolve(in: $0) }
            return EventQueries.rows(try EventQueries.events(filter: filter, scope: scope, store: s)).rendered(format.format)
        }
    }
}

struct Instances: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Derived signal instances (entity, signal, pack).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company's instances.")
    var companyID: Int64?
    @Option(name: .customLong("signal-id"), help: "Only this signal.")
    var signalID: String?
    @Option(name: .customLong("pack-id"), help: "Only instances of this pack (UUID or pack_id[@version]).")
    var packID: String?
    @Option(help: "At most this many instances.")
    var limit: Int = 1000

    func run() throws {
        try runQuery(store, format) { s in
            let rows = try s.read { reader in
                let pack = try NameOrID(parsing: packID).map(reader.packID)
                return try EventQueries.instances(company: companyID, signal: signalID, pack: pack, limit: max(0, limit), in: reader)
            }
            return QueryRows(columns: EventQueries.instanceColumns, rows: rows.map(EventQueries.json)).rendered(format.format)
        }
    }
}

struct Snapshots: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Readiness snapshots with their engagement snapshots and explain payloads.",
        discussion: "JSON: [{company_id, as_of, pack_id, readiness: {…, explain, computed_at}, engagement: {…} | null}].")

    @OptionGroup var store: StoreOptions
    @OptionGroup var format: FormatOptions
    @Option(name: .customLong("company-id"), help: "Only this company.")
    var companyID: Int64?
    @Option(name: .customLong("as-of"), help: "Only this day (YYYY-MM-DD).")
    var asOf: Day?
    @Option(name: .customLong("pack-id"), help: "Only this pack (UUID or pack_id[@version]).")
    var packID: String?
    @Option(help: "At most this many snapshots.")
    var limit: Int = 1000

    func run() throws {
        try runQuery(store, format) { s in
            let pairs = try s.read { reader in
                let pack = try NameOrID(parsing: packID).map(reader.packID)
                if let pack, try reader.pack(pack) == nil { throw SiglogError.packNotInstalled(pack) }
                return try SnapshotQueries.snapshots(company: companyID, asOf: asOf, pack: pack, limit: max(0, limit), in: reader)
            }
            switch format.format {
            case .json: return JSONWriter().string(.array(pairs.map { .object($0.json) }))
            case .ndjson: return pairs.map { JSONWriter().string(.object($0.json)) }.joined(separator: "\n")
            case .table, .csv: return SnapshotQueries.rows(pairs).rendered(format.format)
            }
        }
    }
}
