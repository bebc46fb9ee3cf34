public import Foundation
import LMDB
public import Scoring
public import SiglogCore
import SiglogRecords

// The reads and the index behind the lead cards (§7.4 with D19). A card qualifies when its outreach
// reaches the threshold or its engagement is cadence-blocked. Outreach never exceeds the row's
// composite unless the engagement says otherwise, so the cards are read in ranking order down to the
// first row below the threshold, and the rows below it that still qualify — their snapshot is
// cadence-blocked or its stored outreach reaches the threshold — are found through
// `engagement.outreach`, an index of every engagement snapshot by day and outreach.

extension ViewProjector {
    /// The engagement snapshot's row (`row`, its stamped bytes) and its `engagement.outreach` entry
    /// (the entry of the snapshot it replaces is removed; the replaced row is read by the put itself,
    /// so a new key costs no lookup).
    func applyEngagement(_ r: EngagementSnapshotRecorded, row: [UInt8], _ w: ViewWriter) throws {
        try applyEngagement(r, key: ViewProjector.engagementKey(r).bytes, row: row, rowHash: nil, w)
    }

    /// `applyEngagement` with the row's key given, and its fingerprint hash when computed ahead.
    func applyEngagement(_ r: EngagementSnapshotRecorded, key: [UInt8], row: [UInt8], rowHash: UInt128?, _ w: ViewWriter) throws {
        var previous: LeadEngagement?
        try w.put(.engagement, key: key, value: row, hash: rowHash) { old in
            previous = try? LeadEngagement(EngagementColumns(payload: old, labels: false))
        }
        let current = LeadEngagement(r)
        if let previous, previous != current {
            try w.delete(.engagementByOutreach, ViewReader.outreachKey(pack: r.pack, asOf: r.asOf, company: r.companyID, previous))
        }
        try w.put(.engagementByOutreach, ViewReader.outreachKey(pack: r.pack, asOf: r.asOf, company: r.companyID, current), [])
    }
}

extension ViewReader {
    /// `engagement.outreach` key: `(pack_id, as_of, 0 if cadence-blocked else 1, outreach descending,
    /// company_id)`, so a day's cadence-blocked snapshots come first, then the others by outreach.
    static func outreachKey(pack: UUID, asOf: Day, company: Int64, _ engagement: LeadEngagement) -> ViewKey {
        let outreach = ViewKey.orderedBits(Int64(engagement.outreachScore ?? 0))
        return ViewKey().appending(pack).appending(asOf).appending(UInt32(engagement.cadenceBlocked ? 0 : 1))
            .appending(~outreach).appending(company)
    }

    /// The card-deciding values of the engagement snapshot of `(company, asOf, pack)`, read without
    /// decoding the rest of the snapshot.
    public func leadEngagement(company: Int64, asOf: Day, pack: UUID) throws -> LeadEngagement? {
        try row(.engagement, ViewKey().appending(company).appending(asOf).appending(pack)) {
            LeadEngagement(try EngagementColumns(payload: $0, labels: false))
        }
    }

    /// The lead-feed rows of `(workspace, pack, asOf)` in ranking order (composite desc, entity asc)
    /// as `(entity, composite)`, read from the ranking index alone; `body` returns false to stop.
    public func forEachLeadFeedRank(workspace: UUID, pack: UUID, asOf: Day,
                                    _ body: (_ entity: Int64, _ composite: Int) throws -> Bool) throws {
        try scan(.leadFeedRank, prefix: ViewKey().appending(workspace).appending(pack).appending(asOf)) { key, _ in
            var reader = ViewKeyReader(key)
            reader.skipUUID(); reader.skipUUID(); reader.skipDay()
            let composite = 1000 - Int(reader.uint32())
            return try body(reader.int64(), composite)
        }
    }

    /// The companies whose engagement snapshot of `(pack, asOf)` is cadence-blocked or has an
    /// outreach score of at least `threshold`: the cadence-blocked ones by company id, then the
    /// others by outreach descending; `body` returns false to stop.
    public func forEachEngagementReaching(_ threshold: Int, pack: UUID, asOf: Day,
                                          _ body: (_ company: Int64) throws -> Bool) throws {
        try scan(.engagementByOutreach, prefix: ViewKey().appending(pack).appending(asOf)) { key, _ in
            var reader = ViewKeyReader(key)
            reader.skipUUID(); reader.skipDay()
            let blocked = reader.uint32() == 0
            let outreach = Int(ViewKey.signed(fromOrderedBits: ~reader.uint64()))
            guard blocked || outreach >= threshold else { return false }
            return try body(reader.int64())
        }
    }
}
