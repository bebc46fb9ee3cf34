import Foundation
import ReadModel
import Pipeline
@testable import Projections
import SiglogCore
import Testing

/// The views of the watchlist, evidence bundles and alerts, and the company profile fields, rebuild
/// byte for byte from the log.
@Suite("Replay: watchlist, bundles, alerts, profile fields")
struct WatchlistReplayTests {
    static let day = Day(year: 2025, month: 6, day: 1)!
    static let bundle = #"""
        {"id": "b0000000-0000-4000-8000-00000000000a", "company_name": "Replay Robotics", "domain": "replay-robotics.io",
         "reason": "replay test",
         "events": [{"source": "research", "source_event_id": "rr-1", "event_type": "cto_role_posted", "event_time": "2025-05-30"},
                    {"source": "research", "source_event_id": "rr-2", "event_type": "funding_raised", "event_time": "2025-05-20",
                     "confidence": 0.8}]}
        """#

    /// The fixture stream, a seeded bundle, watchlist changes, two days of scores with alerts,
    /// profile updates, a second workspace and a backfill.
    func populatedStore() throws -> (Store, StageRunner) {
        let (store, pipeline) = try initializedStore(now: Timestamp(day: Self.day, hour: 12))
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/events/sample.ndjson"), encoding: .utf8)
        try ingest(text, into: pipeline)
        try pipeline.storeBundle(parsing: Array(Self.bundle.utf8), name: "bundle.json")
        let seeded = try pipeline.runWatchlistSeed(bundleIDs: [UUID(uuidString: "b0000000-0000-4000-8000-00000000000a")!],
                                                   asOf: Self.day.adding(days: -1))
        #expect(seeded.status == .completed && seeded.seed.eventsStored == 2)
        let companies = try store.read { try $0.allCompanies() }
        for company in companies.prefix(4) { _ = try pipeline.addToWatchlist(.id(company.id), reason: "watch \(company.id)") }
        _ = try pipeline.removeFromWatchlist(.id(companies[1].id), reason: "done")
        _ = try pipeline.addToWatchlist(.id(companies[1].id), reason: "again")
        var profile = CompanyProfileChange()
        profile.founderName = .set("Ada")
        profile.targetProfileMatch = .set(true)
        _ = try pipeline.updateCompany(.id(companies[0].id), profile: profile, expectedVersion: companies[0].version)
        _ = try pipeline.runDerive()
        _ = try pipeline.runScore(asOf: Self.day.adding(days: -1))
        _ = try pipeline.runScore(asOf: Self.day)
        let alerts = try pipeline.runAlertScan(asOf: Self.day, threshold: 0)
        #expect(alerts.alertsCreated > 0, "threshold 0: every company scored both days")
        _ = try pipeline.createWorkspace(name: "Second", id: nil, pack: nil)
        let backfill = try pipeline.runBackfillLeadFeed(asOf: Self.day)
        #expect(backfill.workspacesProcessed == 2)
        return (store, pipeline)
    }

    @Test("Incremental views equal their content, a rebuild and --verify; the new views are not empty")
    func rebuildsByteForByte() throws {
        let (store, _) = try populatedStore()
        let incremental = try storedFingerprints(store)
        #expect(try contentFingerprints(store) == incremental)
        for view in [View.watchlist, .bundles, .alerts, .alertsByCompanyDay] {
            #expect(incremental[view]!.count > 0, "\(view)")
        }
        let rebuilt = try Replayer(store: store).rebuild()
        #expect(rebuilt.fingerprints == incremental)
        #expect(try Replayer(store: store).verify().isOK)
        #expect(try store.read { try $0.allCompanies() }.contains { $0.profile.founderName == "Ada" })
    }

    @Test("Partial rebuilds: the timeline pulls in the watchlist it reads; the watchlist alone rebuilds alone")
    func partialRebuilds() throws {
        let (store, _) = try populatedStore()
        #expect(Replayer.closure(of: [.timeline]).contains(.watchlist))
        #expect(Replayer.closure(of: [.watchlist]) == [.watchlist])
        let before = try storedFingerprints(store)
        for views in [[View.watchlist], [.timeline], [.alerts, .alertsByCompanyDay], [.bundles, .companies]] {
            var options = ReplayOptions()
            options.views = views
            let result = try Replayer(store: store).rebuild(options: options)
            #expect(result.fingerprints == before, "\(views)")
        }
        #expect(try Replayer(store: store).verify().isOK)
    }
}
