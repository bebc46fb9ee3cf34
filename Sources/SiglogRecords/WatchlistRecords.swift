public import EventLog
public import Foundation
public import SiglogCore

extension RecordType {
    /// `WatchlistAdded`: a company was put on the watchlist (10x: watchlist and evidence bundles).
    public static let watchlistAdded = RecordType(rawValue: 100)
    /// `WatchlistRemoved`: a company's active watchlist row was closed.
    public static let watchlistRemoved = RecordType(rawValue: 101)
    /// `EvidenceBundleStored`: an evidence bundle the watchlist seeder can read by its id.
    public static let evidenceBundleStored = RecordType(rawValue: 102)
    /// `AlertCreated`: an alert (11x: alerts), e.g. a readiness jump.
    public static let alertCreated = RecordType(rawValue: 110)
}

/// A company was put on the watchlist (§1.11 `watchlist`): a new active row, whose id is this
/// record's sequence number and whose `added_at` is its append time. A company has at most one
/// active row; the writer appends this record only when it has none.
public struct WatchlistAdded: SiglogRecord, Hashable {
    public static let recordType = RecordType.watchlistAdded
    /// The company watched (`company_id`).
    public var companyID: Int64
    /// `added_reason`, or nil.
    public var reason: String?
    /// The evidence bundle that put it there (watchlist seeding), or nil.
    public var bundleID: UUID?
    /// The run that added it (a `watchlist_seed` run), or nil when added by hand.
    public var jobRunID: UInt64?

    /// Creates the record.
    public init(companyID: Int64, reason: String?, bundleID: UUID? = nil, jobRunID: UInt64? = nil) {
        self.companyID = companyID
        self.reason = reason
        self.bundleID = bundleID
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, reason)
        w.write(3, bundleID)
        if let jobRunID { w.write(4, jobRunID) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: reason = try f.string()
            case 3: bundleID = try f.uuid()
            case 4: jobRunID = try f.uint64()
            default: break
            }
        }
    }
}

/// A company's active watchlist row was closed (`is_active = false`). Appended only when the
/// company has an active row.
public struct WatchlistRemoved: SiglogRecord, Hashable {
    public static let recordType = RecordType.watchlistRemoved
    /// The company no longer watched.
    public var companyID: Int64
    /// Why it was removed, or nil.
    public var reason: String?

    /// Creates the record.
    public init(companyID: Int64, reason: String?) {
        self.companyID = companyID
        self.reason = reason
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, reason)
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: reason = try f.string()
            default: break
            }
        }
    }
}

/// An evidence bundle was stored: a company and the events that are the evidence for watching it
/// (see `Ingest.EvidenceBundle`). The watchlist seeder reads it back by `bundleID`.
public struct EvidenceBundleStored: SiglogRecord, Hashable {
    public static let recordType = RecordType.evidenceBundleStored
    /// The bundle's id (the `bundle_ids` of `run_watchlist_seed`, the events' `evidence_bundle_id`).
    public var bundleID: UUID
    /// `company_name`.
    public var companyName: String
    /// `domain`, or nil.
    public var domain: String?
    /// `website_url`, or nil.
    public var websiteURL: String?
    /// `company_profile_url`, or nil.
    public var companyProfileURL: String?
    /// The watchlist row's `added_reason`, or nil.
    public var reason: String?
    /// Each event object as compact JSON text, in bundle order (company fields left out).
    public var events: [String]

    /// Creates the record.
    public init(bundleID: UUID, companyName: String, domain: String?, websiteURL: String?, companyProfileURL: String?,
                reason: String?, events: [String]) {
        self.bundleID = bundleID
        self.companyName = companyName
        self.domain = domain
        self.websiteURL = websiteURL
        self.companyProfileURL = companyProfileURL
        self.reason = reason
        self.events = events
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, bundleID)
        w.write(2, companyName)
        w.write(3, domain)
        w.write(4, websiteURL)
        w.write(5, companyProfileURL)
        w.write(6, reason)
        w.write(7, strings: events)
    }

    public init(from r: inout PayloadReader) throws {
        var id: UUID?
        companyName = ""; events = []
        while let f = try r.next() {
            switch f.number {
            case 1: id = try f.uuid()
            case 2: companyName = try f.string()
            case 3: domain = try f.string()
            case 4: websiteURL = try f.string()
            case 5: companyProfileURL = try f.string()
            case 6: reason = try f.string()
            case 7: events.append(try f.string())
            default: break
            }
        }
        guard let id else { throw missingField("bundle_id", in: "evidence_bundle_stored") }
        bundleID = id
    }
}

/// An alert was created (§1.11 `alerts`): its id is this record's sequence number, its
/// `created_at` the append time, its status `pending` (`sent_at` null).
public struct AlertCreated: SiglogRecord, Hashable {
    public static let recordType = RecordType.alertCreated
    /// The alert type of a readiness jump (§9.3 alert scan).
    public static let readinessJump = "readiness_jump"

    /// The company the alert is about (`company_id`).
    public var companyID: Int64
    /// `alert_type`, e.g. `readiness_jump`.
    public var alertType: String
    /// The pack whose snapshots were compared.
    public var pack: UUID
    /// `payload.old_composite`: the composite of the day before.
    public var oldComposite: Int
    /// `payload.new_composite`: the composite of `asOf`.
    public var newComposite: Int
    /// `payload.delta`: new − old.
    public var delta: Int
    /// `payload.as_of`: the day scanned.
    public var asOf: Day
    /// The scan that created it, or nil.
    public var jobRunID: UInt64?

    /// Creates the record.
    public init(companyID: Int64, alertType: String, pack: UUID, oldComposite: Int, newComposite: Int, delta: Int, asOf: Day,
                jobRunID: UInt64?) {
        self.companyID = companyID
        self.alertType = alertType
        self.pack = pack
        self.oldComposite = oldComposite
        self.newComposite = newComposite
        self.delta = delta
        self.asOf = asOf
        self.jobRunID = jobRunID
    }

    /// `payload`: `{old_composite, new_composite, delta, as_of: "YYYY-MM-DD"}`.
    public var payload: JSONObject {
        ["old_composite": .int(Int64(oldComposite)), "new_composite": .int(Int64(newComposite)), "delta": .int(Int64(delta)),
         "as_of": .string(asOf.description)]
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, alertType)
        w.write(3, pack)
        w.write(4, oldComposite)
        w.write(5, newComposite)
        w.write(6, delta)
        w.write(7, asOf)
        if let jobRunID { w.write(8, jobRunID) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; alertType = ""; oldComposite = 0; newComposite = 0; delta = 0; asOf = Day(daysSinceEpoch: 0)
        var pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: alertType = try f.string()
            case 3: pack = try f.uuid()
            case 4: oldComposite = try f.int()
            case 5: newComposite = try f.int()
            case 6: delta = try f.int()
            case 7: asOf = try f.day()
            case 8: jobRunID = try f.uint64()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "alert_created") }
        self.pack = pack
    }
}
