import EventLog
public import Foundation
public import SiglogCore
public import SiglogRecords

/// The `watchlist` view row (§1.11): one per `WatchlistAdded`, closed by the next
/// `WatchlistRemoved` of its company.
public struct WatchlistRow: Sendable, Hashable {
    /// The row's id: the sequence number of its `WatchlistAdded` record.
    public var id: UInt64
    /// The adding record: company, `added_reason`, bundle, run.
    public var added: WatchlistAdded
    /// `added_at`: the append time of the adding record (D14).
    public var addedAt: Timestamp
    /// `is_active`: true until the company is removed.
    public var isActive: Bool
    /// When the row was closed, or nil while active.
    public var removedAt: Timestamp?
    /// Why it was closed, or nil.
    public var removedReason: String?

    /// The company watched.
    public var companyID: Int64 { added.companyID }

    /// Creates a row.
    public init(id: UInt64, added: WatchlistAdded, addedAt: Timestamp, isActive: Bool, removedAt: Timestamp? = nil,
                removedReason: String? = nil) {
        self.id = id
        self.added = added
        self.addedAt = addedAt
        self.isActive = isActive
        self.removedAt = removedAt
        self.removedReason = removedReason
    }

    /// The row's stored bytes: the `WatchlistAdded` payload plus fields 1000–1004.
    public func encoded() -> [UInt8] {
        var w = PayloadWriter()
        added.encode(into: &w)
        w.write(1000, id)
        w.write(1001, addedAt)
        w.write(1002, isActive)
        w.write(1003, removedAt)
        w.write(1004, removedReason)
        return w.bytes
    }

    /// Reads a row written by `encoded()`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> WatchlistRow {
        var reader = PayloadReader(bytes)
        let added = try WatchlistAdded(from: &reader)
        var row = WatchlistRow(id: 0, added: added, addedAt: Timestamp(microseconds: 0), isActive: false)
        var extra = PayloadReader(bytes)
        while let f = try extra.next() {
            switch f.number {
            case 1000: row.id = try f.uint64()
            case 1001: row.addedAt = try f.timestamp()
            case 1002: row.isActive = try f.bool()
            case 1003: row.removedAt = try f.timestamp()
            case 1004: row.removedReason = try f.string()
            default: break
            }
        }
        return row
    }
}

// MARK: - Projection

extension ViewProjector {
    /// A new active row, unless the company already has one (at most one active row per company;
    /// the writer never appends a second, and a log that holds one anyway projects the same).
    func applyWatchlistAdded(_ r: WatchlistAdded, seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        if try activeWatchlistKey(company: r.companyID, w) != nil { return }
        let row = WatchlistRow(id: seq, added: r, addedAt: at, isActive: true)
        try w.put(.watchlist, ViewKey().appending(r.companyID).appending(seq), row.encoded())
        try timeline(r.companyID, seq, at, "watchlist_added",
                     "on the watchlist\(r.reason.map { ": \($0)" } ?? "")\(r.bundleID.map { " (bundle \($0.lowercased))" } ?? "")",
                     r.jobRunID, w)
    }

    /// Closes the company's active row, if any.
    func applyWatchlistRemoved(_ r: WatchlistRemoved, seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        guard let key = try activeWatchlistKey(company: r.companyID, w),
            var row = try w.transaction.withValue(views[.watchlist], key: key.bytes, WatchlistRow.decode)
        else { return }
        row.isActive = false
        row.removedAt = at
        row.removedReason = r.reason
        try w.put(.watchlist, key, row.encoded())
        try timeline(r.companyID, seq, at, "watchlist_removed", "off the watchlist\(r.reason.map { ": \($0)" } ?? "")", nil, w)
    }

    /// The key of the company's active watchlist row, or nil.
    private func activeWatchlistKey(company: Int64, _ w: ViewWriter) throws -> ViewKey? {
        let prefix = ViewKey().appending(company)
        var found: ViewKey?
        try w.transaction.forEachBackward(views[.watchlist], before: prefix.successor) { key, value in
            guard prefix.isPrefix(of: key) else { return false }
            if try WatchlistRow.decode(value).isActive {
                var reader = ViewKeyReader(key)
                _ = reader.int64()
                found = prefix.appending(reader.uint64())
                return false
            }
            return true
        }
        return found
    }

    /// The alert under its id, its `(company, type, day)` index entry and a timeline entry.
    func applyAlertCreated(_ r: AlertCreated, seq: UInt64, at: Timestamp, _ w: ViewWriter) throws {
        try w.put(.alerts, ViewKey().appending(seq), Stamped(record: r, sequence: seq, recordedAt: at).encoded())
        try w.put(.alertsByCompanyDay, ViewKey().appending(r.companyID).appending(r.alertType).appending(r.asOf).appending(seq), [])
        try timeline(r.companyID, seq, at, "alert",
                     "\(r.alertType) as_of \(r.asOf): composite \(r.oldComposite) → \(r.newComposite) (\(r.delta > 0 ? "+" : "")\(r.delta))",
                     r.jobRunID, w)
    }
}

// MARK: - Reads

extension ViewReader {
    /// The company's watchlist rows, oldest first.
    public func watchlistRows(ofCompany company: Int64) throws -> [WatchlistRow] {
        var result: [WatchlistRow] = []
        try scan(.watchlist, prefix: ViewKey().appending(company)) { _, value in
            result.append(try WatchlistRow.decode(value))
            return true
        }
        return result
    }

    /// The company's active watchlist row, or nil.
    public func activeWatchlistRow(ofCompany company: Int64) throws -> WatchlistRow? {
        try watchlistRows(ofCompany: company).first { $0.isActive }
    }

    /// Every watchlist row (only the active ones when `activeOnly`), by company then row id.
    public func watchlistRows(activeOnly: Bool = false) throws -> [WatchlistRow] {
        var result: [WatchlistRow] = []
        try scan(.watchlist, prefix: ViewKey()) { _, value in
            let row = try WatchlistRow.decode(value)
            if row.isActive || !activeOnly { result.append(row) }
            return true
        }
        return result
    }

    /// The companies with an active watchlist row, ascending.
    public func watchedCompanies() throws -> [Int64] {
        try watchlistRows(activeOnly: true).map(\.companyID)
    }

    /// The evidence bundle with this id.
    public func bundle(_ id: UUID) throws -> Stamped<EvidenceBundleStored>? {
        try row(.bundles, ViewKey().appending(id), Stamped.decode)
    }

    /// Every evidence bundle, by id.
    public func allBundles() throws -> [Stamped<EvidenceBundleStored>] {
        var result: [Stamped<EvidenceBundleStored>] = []
        try scan(.bundles, prefix: ViewKey()) { _, value in
            result.append(try Stamped<EvidenceBundleStored>.decode(value))
            return true
        }
        return result
    }

    /// The alert with this id.
    public func alert(_ id: UInt64) throws -> Stamped<AlertCreated>? {
        try row(.alerts, ViewKey().appending(id), Stamped.decode)
    }

    /// Alerts by id (oldest first), from `start` on; `body` returns false to stop.
    public func forEachAlert(from start: UInt64? = nil, _ body: (Stamped<AlertCreated>) throws -> Bool) throws {
        try scan(.alerts, prefix: ViewKey(), from: start.map { ViewKey().appending($0) }) { _, value in
            try body(try Stamped<AlertCreated>.decode(value))
        }
    }

    /// Whether the company has an alert of `type` for `asOf`.
    public func hasAlert(company: Int64, type: String, asOf: Day) throws -> Bool {
        try hasEntries(.alertsByCompanyDay, prefix: ViewKey().appending(company).appending(type).appending(asOf))
    }
}
