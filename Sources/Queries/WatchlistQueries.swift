public import Foundation
public import Projections
public import SiglogCore
public import SiglogRecords

/// `watchlist`, `alerts` and `bundles`: the watchlist (§1.11), the alerts of the alert scan and
/// the evidence bundles of the watchlist seeder. None of them is workspace data: companies,
/// snapshots and alerts are shared by every workspace.
public enum WatchlistQueries {
    // MARK: - Watchlist

    public static let columns = ["id", "company_id", "company_name", "is_active", "added_at", "added_reason", "bundle_id",
                                 "removed_at", "removed_reason", "company_domain"]

    /// `{id, company_id, added_at, added_reason, is_active, bundle_id, removed_at, removed_reason}`.
    public static func json(_ row: WatchlistRow) -> JSONObject {
        [
            "id": .int(Int64(row.id)), "company_id": .int(row.companyID), "added_at": row.addedAt.queryJSON,
            "added_reason": nullable(row.added.reason), "is_active": .bool(row.isActive),
            "bundle_id": nullable(row.added.bundleID?.lowercased), "removed_at": row.removedAt.queryJSON,
            "removed_reason": nullable(row.removedReason),
        ]
    }

    /// The watchlist rows (only the active ones unless `all`), by company, with the company's name
    /// and domain after `company_id`.
    public static func watchlist(all: Bool, in reader: ViewReader) throws -> QueryRows {
        var labels = CompanyLabels(reader: reader)
        let rows = try reader.watchlistRows(activeOnly: !all).map { row in
            try labels.labelled(json(row), company: row.companyID, after: "company_id")
        }
        return QueryRows(columns: columns, rows: rows,
                         emptyReason: all ? "no company was ever watched" : "no company is on the watchlist — "
                            + "`siglog-append watchlist add --company ID` or `stage watchlist-seed --bundle-id ID`")
    }

    // MARK: - Alerts

    public static let alertColumns = ["id", "company_id", "company_name", "alert_type", "status", "payload", "created_at",
                                      "sent_at", "pack_id", "job_run_id", "company_domain"]

    /// `{id, company_id, alert_type, payload: {old_composite, new_composite, delta, as_of}, created_at,
    /// sent_at, status, pack_id, job_run_id}`; alerts are created `pending` and never sent here.
    public static func json(_ alert: Stamped<AlertCreated>) -> JSONObject {
        let r = alert.record
        return [
            "id": .int(Int64(alert.sequence)), "company_id": .int(r.companyID), "alert_type": .string(r.alertType),
            "payload": .object(r.payload), "created_at": alert.recordedAt.queryJSON, "sent_at": .null, "status": "pending",
            "pack_id": .string(r.pack.lowercased), "job_run_id": nullable(r.jobRunID),
        ]
    }

    /// Filters of the `alerts` query; nil means any.
    public struct AlertFilter: Sendable, Hashable {
        public var companyID: Int64?
        public var asOf: Day?
        public var pack: UUID?
        public var limit: Int

        public init(companyID: Int64? = nil, asOf: Day? = nil, pack: UUID? = nil, limit: Int = .max) {
            self.companyID = companyID
            self.asOf = asOf
            self.pack = pack
            self.limit = limit
        }
    }

    /// The alerts matching `filter`, oldest first, at most `filter.limit`, with company labels.
    public static func alerts(_ filter: AlertFilter, in reader: ViewReader) throws -> QueryRows {
        var labels = CompanyLabels(reader: reader)
        var rows: [JSONObject] = []
        if filter.limit > 0 {
            try reader.forEachAlert { alert in
                let r = alert.record
                if filter.companyID.map({ $0 == r.companyID }) ?? true, filter.asOf.map({ $0 == r.asOf }) ?? true,
                    filter.pack.map({ $0 == r.pack }) ?? true
                {
                    rows.append(try labels.labelled(json(alert), company: r.companyID, after: "company_id"))
                }
                return rows.count < filter.limit
            }
        }
        return QueryRows(columns: alertColumns, rows: rows,
                         emptyReason: "no alert — `siglog-append stage alert-scan --as-of DAY` creates them from the readiness snapshots")
    }

    // MARK: - Bundles

    public static let bundleColumns = ["bundle_id", "company_name", "domain", "events", "reason", "stored_at"]

    /// `{bundle_id, company_name, domain, website_url, company_profile_url, reason, events, stored_at}`
    /// (`events`: how many).
    public static func json(_ bundle: Stamped<EvidenceBundleStored>) -> JSONObject {
        let r = bundle.record
        return [
            "bundle_id": .string(r.bundleID.lowercased), "company_name": .string(r.companyName), "domain": nullable(r.domain),
            "website_url": nullable(r.websiteURL), "company_profile_url": nullable(r.companyProfileURL),
            "reason": nullable(r.reason), "events": .int(Int64(r.events.count)), "stored_at": bundle.recordedAt.queryJSON,
        ]
    }

    /// Every stored evidence bundle, by id.
    public static func bundles(in reader: ViewReader) throws -> QueryRows {
        QueryRows(columns: bundleColumns, rows: try reader.allBundles().map(json),
                  emptyReason: "no evidence bundle — `siglog-append bundle add FILE` stores one")
    }
}
