public import Foundation
import LMDB
public import SiglogCore
public import SiglogRecords

/// Light reads for the rankings (§7.4, §8): key lookups and the few snapshot columns a ranking
/// needs, so ranking thousands of companies does not decode their explains.
extension ViewReader {
    /// Whether `key` is in `view` (the value is not read).
    func contains(_ view: View, _ key: ViewKey) throws -> Bool {
        try transaction.withValue(views[view], key: key.bytes) { _ in () } != nil
    }

    /// Whether the company exists.
    public func hasCompany(_ id: Int64) throws -> Bool {
        try contains(.companies, ViewKey().appending(id))
    }

    /// Whether the company has a readiness snapshot for `(pack, asOf)` (as `companiesScored` lists it).
    public func isScored(company: Int64, pack: UUID, asOf: Day) throws -> Bool {
        try contains(.readinessByDay, ViewKey().appending(pack).appending(asOf).appending(company))
    }

    /// Whether any company has a readiness snapshot for `(pack, asOf)`: one probe of the day's
    /// index entries.
    public func hasReadinessSnapshots(pack: UUID, asOf: Day) throws -> Bool {
        try hasEntries(.readinessByDay, prefix: ViewKey().appending(pack).appending(asOf))
    }

    /// Whether any company has an engagement snapshot for `(pack, asOf)`: one probe of the day's
    /// `engagement.outreach` entries (every engagement snapshot has exactly one).
    public func hasEngagementSnapshots(pack: UUID, asOf: Day) throws -> Bool {
        try hasEntries(.engagementByOutreach, prefix: ViewKey().appending(pack).appending(asOf))
    }

    /// Whether the workspace has any lead-feed row of `pack` (of any company and day): one probe.
    public func hasLeadFeedRows(workspace: UUID, pack: UUID) throws -> Bool {
        try hasEntries(.leadFeed, prefix: ViewKey().appending(workspace).appending(pack))
    }

    /// The composite of the readiness snapshot of `(company, asOf, pack)`, without its explain.
    public func readinessComposite(company: Int64, asOf: Day, pack: UUID) throws -> Int? {
        try row(.readiness, ViewKey().appending(company).appending(asOf).appending(pack), ReadinessSnapshotRecorded.composite)
    }

    /// The ranking columns of the engagement snapshot of `(company, asOf, pack)`.
    public func engagementColumns(company: Int64, asOf: Day, pack: UUID) throws -> EngagementColumns? {
        try row(.engagement, ViewKey().appending(company).appending(asOf).appending(pack), { try EngagementColumns(payload: $0) })
    }
}

extension ViewReader {
    /// The entity and composite of each lead-feed row of `(workspace, pack, asOf)` in ranking order
    /// (composite desc, entity asc), read without decoding the rest of the row (signals, outreach
    /// summary); `body` returns false to stop. The rows `forEachLeadFeedRow` yields, whose stored
    /// `as_of` is `asOf`. `wanted` sees each entry of the ranking index first, with the composite the
    /// index holds (the row's: the index has one entry per row), and the rows it declines are not read.
    public func forEachLeadFeedComposite(workspace: UUID, pack: UUID, asOf: Day,
                                         wanted: (_ entity: Int64, _ composite: Int) throws -> Bool = { _, _ in true },
                                         _ body: (_ entity: Int64, _ composite: Int) throws -> Bool) throws {
        try forEachLeadFeedRank(workspace: workspace, pack: pack, asOf: asOf) { entity, composite in
            guard try wanted(entity, composite) else { return true }
            let stored = try row(.leadFeed, ViewKey().appending(workspace).appending(pack).appending(entity)) { payload in
                try LeadFeedRowRecorded.rankingColumns(payload: payload)
            }
            guard let stored, stored.asOf == asOf else { return true }
            return try body(entity, stored.composite)
        }
    }
}
