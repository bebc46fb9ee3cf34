import Foundation
@testable import Pipeline
import Projections
import SiglogCore
import SiglogRecords
import Testing

/// `last_seen` of a batch-built lead-feed row (§7.1 with D15): the score stage records it with the
/// snapshot, and the batch build reuses it only while no event has arrived since.
@Suite("Lead feed last_seen")
struct LeadFeedLastSeenTests {
    let day = Day.ymd(2026, 2, 18)

    @Test("the snapshot carries last_seen; the batch build uses it when nothing arrived since")
    func carriedBySnapshot() throws {
        let fixture = try StageFixture(now: .at(day, 23))
        let company = try fixture.company("Acme")
        try fixture.event(company, "cto_role_posted", at: .at(day.adding(days: -10), 9))
        try fixture.event(company, "incorporation", at: .at(day.adding(days: -2), 9))  // produces no signal
        _ = try fixture.pipeline.runScore(asOf: day)
        let snapshot = try #require(try fixture.readiness(company, day))
        #expect(snapshot.record.carriesLastSignal)
        #expect(snapshot.record.lastSignalAt == .at(day.adding(days: -10), 9))
        _ = try fixture.pipeline(at: .at(day, 23, 30)).runUpdateLeadFeed(asOf: day)
        #expect(try fixture.feedRow(company)?.record.lastSeen == .at(day.adding(days: -10), 9))
    }

    @Test("an event that arrives after scoring (a backfill inside as_of) moves the batch build's last_seen")
    func backfillAfterScoring() throws {
        let fixture = try StageFixture(now: .at(day, 23))
        let company = try fixture.company("Acme")
        try fixture.event(company, "cto_role_posted", at: .at(day.adding(days: -10), 9))
        _ = try fixture.pipeline.runScore(asOf: day)
        #expect(try fixture.feedRow(company)?.record.lastSeen == .at(day.adding(days: -10), 9))
        // Arrives later but happened inside the scored day; an event after as_of must not count (D15).
        try fixture.event(company, "funding_raised", at: .at(day.adding(days: -1), 15))
        try fixture.event(company, "funding_raised", at: .at(day.adding(days: 3), 15))
        _ = try fixture.pipeline(at: .at(day, 23, 30)).runUpdateLeadFeed(asOf: day)
        #expect(try fixture.feedRow(company)?.record.lastSeen == .at(day.adding(days: -1), 15))
    }
}
