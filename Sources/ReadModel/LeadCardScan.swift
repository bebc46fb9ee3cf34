import Foundation
import Projections
import Scoring
import SiglogCore

extension LeadReads {
    /// Calls `body` with each lead-feed row of `(workspace, pack, asOf)` that makes a card at
    /// `threshold` (`LeadCards.qualifies`), in ranking order (composite desc, entity asc), with its
    /// engagement; `body` returns false to stop.
    ///
    /// Reads only what deciding needs: the ranking index (which holds the composite) and three
    /// fields of each engagement snapshot. A row without engagement has outreach = composite and one
    /// with engagement has the snapshot's stored outreach, so a row below the threshold makes a card
    /// only when its snapshot is cadence-blocked or its outreach reaches the threshold: the ranking
    /// is read down to the first row below the threshold, and the rows below it that qualify come from
    /// `ViewReader.forEachEngagementReaching` (in the normal case, the cadence-blocked ones).
    static func forEachQualifyingRow(workspace: UUID, pack: UUID, asOf: Day, threshold: Int, in reader: ViewReader,
                                     _ body: (_ entity: Int64, _ engagement: LeadEngagement?) throws -> Bool) throws {
        var reachedBelow = false
        var stopped = false
        try reader.forEachLeadFeedRank(workspace: workspace, pack: pack, asOf: asOf) { entity, composite in
            if composite < threshold {
                reachedBelow = true
                return false
            }
            let engagement = try reader.leadEngagement(company: entity, asOf: asOf, pack: pack)
            guard LeadCards.qualifies(composite: composite, engagement: engagement, threshold: threshold) else { return true }
            stopped = try !body(entity, engagement)
            return !stopped
        }
        guard reachedBelow, !stopped else { return }
        var below: [(composite: Int, entity: Int64, engagement: LeadEngagement?)] = []
        var seen = Set<Int64>()
        try reader.forEachEngagementReaching(threshold, pack: pack, asOf: asOf) { company in
            guard seen.insert(company).inserted,
                let row = try reader.leadFeedRow(workspace: workspace, pack: pack, entity: company)?.record,
                row.asOf == asOf, row.compositeScore < threshold
            else { return true }
            let engagement = try reader.leadEngagement(company: company, asOf: asOf, pack: pack)
            if LeadCards.qualifies(composite: row.compositeScore, engagement: engagement, threshold: threshold) {
                below.append((row.compositeScore, company, engagement))
            }
            return true
        }
        below.sort { $0.composite != $1.composite ? $0.composite > $1.composite : $0.entity < $1.entity }
        for row in below {
            guard try body(row.entity, row.engagement) else { return }
        }
    }
}
