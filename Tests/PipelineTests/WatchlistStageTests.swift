import Foundation
import Ingest
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day.ymd(2026, 2, 18)
private let bundleA = UUID(uuidString: "b0000000-0000-4000-8000-00000000000a")!
private let bundleB = UUID(uuidString: "b0000000-0000-4000-8000-00000000000b")!
private let missingBundle = UUID(uuidString: "b0000000-0000-4000-8000-0000000000ff")!
private let secondWorkspace = UUID(uuidString: "00000000-0000-0000-0000-0000000000bb")!

/// A bundle for Acme Robotics (acme.io): a CTO role posted on 2026-02-18 and a funding round five
/// days earlier (confidence 0.9) — E4 of §4.10 with the CTO role at 0 days.
private let acmeBundle = EvidenceBundle(
    companyName: "Acme Robotics", domain: "acme.io", reason: "hiring a CTO",
    events: [
        ["source": "research", "source_event_id": "r-1", "event_type": "cto_role_posted", "event_time": "2026-02-18T12:00:00Z"],
        ["source": "research", "source_event_id": "r-2", "event_type": "funding_raised", "event_time": "2026-02-13T09:00:00Z",
         "confidence": 0.9],
    ])

/// The same company by its website (www. and a path), one evidence event already stored (r-1), a
/// new one and one whose type the CTO pack does not accept.
private let acmeAgainBundle = EvidenceBundle(
    companyName: "Acme Robotics Inc", websiteURL: "https://www.acme.io/about",
    events: [
        ["source": "research", "source_event_id": "r-1", "event_type": "cto_role_posted", "event_time": "2026-02-18T12:00:00Z"],
        ["source": "research", "source_event_id": "r-3", "event_type": "launch_major", "event_time": "2026-02-17T09:00:00Z"],
        ["source": "research", "source_event_id": "r-4", "event_type": "podcast_appearance", "event_time": "2026-02-17T10:00:00Z"],
    ])

extension StageFixture {
    /// Appends a readiness snapshot of `composite` (other dimensions 0) for `company` on `day`.
    func snapshot(_ company: Int64, _ day: Day, composite: Int, pack: UUID = StageFixture.ctoPack) throws {
        let explain = ReadinessExplain(
            weights: [:], momentum: 0, complexity: 0, pressure: 0, leadershipGap: 0, composite: composite, topEvents: [],
            suppressorsApplied: [], quietSignalAmplificationApplied: [], disqualifiersApplied: [], minimumThreshold: 0,
            recommendationBand: nil, delta1d: 0)
        _ = try store.write { writer in
            try writer.append(ReadinessSnapshotRecorded(companyID: company, asOf: day, pack: pack, explain: explain, jobRunID: nil),
                              at: .at(day, 6))
        }
    }
}

@Suite("Watchlist (§1.11, §6)")
struct WatchlistTests {
    @Test("Add and remove with reasons: at most one active row per company; repeats write nothing")
    func addRemove() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let a = try fixture.company("Acme")
        let added = try fixture.pipeline.addToWatchlist(.id(a), reason: " fast hiring ")
        #expect(added["changed"] == true)
        #expect(added["added_reason"] == "fast hiring")
        #expect(added["is_active"] == true)
        let head = try fixture.store.log.head()
        let again = try fixture.pipeline.addToWatchlist(.id(a), reason: "other")
        #expect(again["changed"] == false)
        #expect(again["added_reason"] == "fast hiring", "the active row is kept")
        #expect(try fixture.store.log.head() == head, "nothing written")

        let removed = try fixture.pipeline.removeFromWatchlist(.id(a), reason: "hired a CTO")
        #expect(removed["changed"] == true)
        #expect(try fixture.pipeline.removeFromWatchlist(.id(a), reason: nil)["changed"] == false)
        _ = try fixture.pipeline.addToWatchlist(.id(a), reason: nil)

        let rows = try fixture.read { try $0.watchlistRows(ofCompany: a) }
        #expect(rows.map(\.isActive) == [false, true])
        #expect(rows[0].added.reason == "fast hiring")
        #expect(rows[0].removedReason == "hired a CTO")
        #expect(rows[0].removedAt == .at(feb18, 23))
        #expect(rows[1].added.reason == nil)
        #expect(try fixture.read { try $0.watchedCompanies() } == [a])
        let timeline = try fixture.read { try $0.timeline(ofCompany: a) }.map(\.kind)
        #expect(timeline.filter { $0.hasPrefix("watchlist") } == ["watchlist_added", "watchlist_removed", "watchlist_added"])
        #expect(throws: SiglogError.companyNotFound(.id(99))) { try fixture.pipeline.addToWatchlist(.id(99), reason: nil) }
    }

    @Test("§11.8 watchlist-only company (no events) → skipped, no snapshot; a watched company with events is scored once")
    func watchlistOnlySkipped() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let scored = try fixture.company("Scored")
        let watchedOnly = try fixture.company("Watched only")
        let outside = try fixture.company("Old events only")
        try fixture.event(scored, "funding_raised", at: .at(feb18, 10))
        try fixture.event(outside, "funding_raised", at: .at(feb18.adding(days: -400), 10))  // outside the 365-day window
        let before = try fixture.pipeline.runScore(asOf: feb18)
        #expect(before.companiesScored == 1 && before.companiesSkipped == 0)

        for company in [scored, watchedOnly, outside] { _ = try fixture.pipeline.addToWatchlist(.id(company), reason: nil) }
        let result = try fixture.pipeline.runScore(asOf: feb18)
        #expect(result.companiesScored == 1, "the watched company with events, once")
        #expect(result.companiesEngagement == 1)
        #expect(result.companiesSkipped == 2, "watched without events in the window")
        #expect(try fixture.readiness(watchedOnly, feb18) == nil)
        #expect(try fixture.engagement(watchedOnly, feb18) == nil)
        #expect(try fixture.readiness(outside, feb18) == nil)
        // Taken off the watchlist, they are not candidates any more.
        _ = try fixture.pipeline.removeFromWatchlist(.id(watchedOnly), reason: nil)
        #expect(try fixture.pipeline.runScore(asOf: feb18).companiesSkipped == 1)
    }
}

@Suite("Watchlist seed (§9.3 run_watchlist_seed)")
struct WatchlistSeedTests {
    func seededFixture() throws -> (StageFixture, WatchlistSeedResult) {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)
        let result = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA, missingBundle], asOf: feb18)
        return (fixture, result)
    }

    @Test("Seed: company created, evidence stored with evidence_bundle_id, watched, derived and scored (E4 with G at 0 days)")
    func seed() throws {
        let (fixture, result) = try seededFixture()
        #expect(result.json.keys == ["status", "job_run_id", "seed_result", "derive_result", "score_result", "error"])
        #expect(result.status == .completed)
        #expect(result.seed == SeedCounts(companiesCreated: 1, companiesMatched: 0, eventsStored: 2, eventsSkippedDuplicate: 0,
                                          errors: ["Bundle \(missingBundle.lowercased): not found"]))
        #expect(result.error == nil)
        #expect(result.derive?.status == .completed && result.derive?.instancesUpserted == 2)
        #expect(result.score?.status == .completed && result.score?.companiesScored == 1)

        let company = try #require(try fixture.read { try $0.allCompanies() }.first)
        #expect(company.name == "Acme Robotics" && company.created.domain == "acme.io")
        #expect(company.created.jobRunID == result.jobRunID)
        let events = try fixture.read { try $0.events(ofCompany: company.id) }
        #expect(events.map(\.record.evidenceBundleID) == [bundleA, bundleA])
        #expect(events.map(\.record.pack) == [StageFixture.ctoPack, StageFixture.ctoPack])
        #expect(events.map(\.record.jobRunID) == [result.jobRunID, result.jobRunID])
        let row = try #require(try fixture.read { try $0.activeWatchlistRow(ofCompany: company.id) })
        #expect(row.added.reason == "hiring a CTO")
        #expect(row.added.bundleID == bundleA)
        #expect(row.added.jobRunID == result.jobRunID)

        // funding_raised@5 (0.9): M = 35 × 0.9 = 31.5 → 32, P = 20 × 0.9 = 18; cto_role_posted@0: G = 70;
        // R = 0.3 × 32 + 0.25 × 18 + 0.15 × 70 = 24.6 → 25 (§4.10 E4).
        let readiness = try #require(try fixture.readiness(company.id, feb18)).record
        let dimensions: [Int] = [readiness.momentum, readiness.complexity, readiness.pressure, readiness.leadershipGap,
                                 readiness.composite]
        #expect(dimensions == [32, 0, 18, 70, 25])

        // The parent records events_stored; derive and score are its child runs.
        let jobs = try fixture.jobs()
        let parent = try #require(jobs.first { $0.id == result.jobRunID })
        #expect(parent.started.jobType == .watchlistSeed && parent.status == .completed)
        #expect(parent.companiesProcessed == 2)
        #expect(parent.errorMessage == "Bundle \(missingBundle.lowercased): not found")
        let children = jobs.filter { $0.started.parentJobRunID == result.jobRunID }
        #expect(children.map(\.started.jobType) == [.derive, .score])
        #expect(result.derive?.jobRunID == children.first?.id)
    }

    @Test("Seed again: the company is matched by its website's domain, duplicates counted, an unaccepted type reported")
    func seedAgain() throws {
        let (fixture, first) = try seededFixture()
        try fixture.pipeline.storeBundle(acmeAgainBundle, id: bundleB)
        let result = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA, bundleB, bundleA], asOf: feb18)
        #expect(result.seed.companiesCreated == 0)
        #expect(result.seed.companiesMatched == 2, "each bundle once (a repeated id is seeded once)")
        #expect(result.seed.eventsStored == 1, "r-3")
        #expect(result.seed.eventsSkippedDuplicate == 3, "r-1 and r-2 of bundle A, r-1 of bundle B")
        #expect(result.seed.errors == [
            "Bundle \(bundleB.lowercased): events[2]: event_type: \"podcast_appearance\" is not accepted by pack fractional_cto_v1",
        ])
        let companies = try fixture.read { try $0.allCompanies() }
        #expect(companies.count == 1)
        #expect(try fixture.read { try $0.watchlistRows(ofCompany: companies[0].id) }.count == 1, "still one (active) row")
        #expect(try fixture.read { try $0.events(ofCompany: companies[0].id) }.count == 3)
        #expect(result.jobRunID != first.jobRunID)
    }

    @Test("Idempotency key: the recorded answer comes back and nothing runs; §9.1's cached shape when the answer is missing")
    func cached() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)
        let first = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA], asOf: feb18, idempotencyKey: "seed-1")
        let runs = try fixture.jobs().count
        let again = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA], asOf: feb18, idempotencyKey: "seed-1")
        #expect(again.json == first.json)
        #expect(try fixture.jobs().count == runs)

        // A run that recorded no answer (processed 7) reads as §9.1's shape.
        var row = try #require(try fixture.jobs().first { $0.id == first.jobRunID })
        row.result = .null
        row.companiesProcessed = 7
        let shape = WatchlistSeedResult(cached: row).json
        #expect(shape["seed_result"] == .object(["companies_created": 0, "companies_matched": 0, "events_stored": 7,
                                                 "events_skipped_duplicate": 0, "errors": []]))
        #expect(shape["derive_result"]?["status"] == "completed")
        #expect(shape["derive_result"]?["instances_upserted"] == 0)
        #expect(shape["score_result"]?["status"] == "completed")
        #expect(shape["score_result"]?["companies_scored"] == 0)
        #expect(shape["job_run_id"] == .int(Int64(first.jobRunID!)))
    }

    @Test("bundle_ids 1…500; several workspaces need workspace_id (422 over HTTP); unknown workspace D20; no pack → failed")
    func refusals() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)
        #expect(throws: SiglogError.self) { try fixture.pipeline.runWatchlistSeed(bundleIDs: []) }
        #expect(throws: SiglogError.self) {
            try fixture.pipeline.runWatchlistSeed(bundleIDs: (0..<501).map { _ in UUID() })
        }
        #expect(throws: InvalidValue.self) { try RequestIDs.bundleIDs([]) }
        #expect(throws: InvalidValue.self) { try RequestIDs.bundleIDs(Array(repeating: bundleA.uuidString, count: 501)) }
        #expect(throws: InvalidValue.self) { try RequestIDs.bundleIDs(["not-a-uuid"]) }
        #expect(try RequestIDs.bundleIDs([bundleA.uuidString, bundleB.lowercased, bundleA.lowercased]) == [bundleA, bundleB])

        try fixture.addWorkspace(secondWorkspace)
        do {
            _ = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA])
            Issue.record("seeding without a workspace in a multi-workspace store ran")
        } catch let error as SiglogError {
            #expect(error.kind == .usage)
            #expect(error.message.contains("workspace_id is required"))
        }
        #expect(throws: SiglogError.workspaceNotFound(UUID(uuidString: "00000000-0000-0000-0000-0000000000cc")!)) {
            try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA],
                                                  workspace: UUID(uuidString: "00000000-0000-0000-0000-0000000000cc")!)
        }
        #expect(try fixture.jobs().isEmpty, "nothing ran")
        let seeded = try fixture.pipeline.runWatchlistSeed(bundleIDs: [bundleA], workspace: secondWorkspace, asOf: feb18)
        #expect(seeded.status == .completed)
        #expect(try fixture.jobs().first?.started.workspaceID == secondWorkspace)

        let bare = try StageFixture(packs: [], now: .at(feb18, 23))
        let failed = try bare.pipeline.runWatchlistSeed(bundleIDs: [bundleA])
        #expect(failed.status == .failed && failed.jobRunID == nil)
        #expect(failed.error == "No pack resolved for workspace")
        #expect(try bare.jobs().isEmpty)
    }

    @Test("Bundles: the same content again writes nothing; other content under the id is a conflict; ids must agree")
    func storeBundle() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        #expect(try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)["changed"] == true)
        #expect(try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)["changed"] == false)
        #expect(throws: SiglogError.self) { try fixture.pipeline.storeBundle(acmeAgainBundle, id: bundleA) }
        var withID = acmeAgainBundle
        withID.id = bundleB.uuidString
        #expect(try fixture.pipeline.storeBundle(withID)["bundle_id"] == .string(bundleB.lowercased))
        #expect(throws: SiglogError.self) { try fixture.pipeline.storeBundle(withID, id: bundleA) }
        let bad = #"{"company_name": "X", "events": [{"source": "s", "event_type": "funding_raised"}]}"#
        do {
            try fixture.pipeline.storeBundle(parsing: Array(bad.utf8), name: "b.json")
            Issue.record("a bundle without event_time was stored")
        } catch let error as SiglogError {
            #expect(error.kind == .badInput)
            #expect(error.message.hasPrefix("b.json: events[0].event_time"))
        }
        #expect(try fixture.read { try $0.allBundles() }.map(\.record.bundleID) == [bundleA, bundleB])
    }
}

@Suite("Alert scan (§9.3, §11.21)")
struct AlertScanTests {
    @Test("§11.21: 50→70 alert {50, 70, 20}; delta 7 none; 75→55 −20; no previous none; pack-scoped; repeat → still 2")
    func vectors() throws {
        let fixture = try StageFixture(packs: [(StageFixture.ctoPack, "fractional_cto_v1"), (StageFixture.blockedPack, "example_esl_blocked")],
                                       now: .at(feb18, 23))
        let yesterday = feb18.adding(days: -1)
        let jump = try fixture.company("Jump"), small = try fixture.company("Small"), drop = try fixture.company("Drop")
        let fresh = try fixture.company("Fresh"), otherPack = try fixture.company("Other pack")
        try fixture.snapshot(jump, yesterday, composite: 50)
        try fixture.snapshot(jump, feb18, composite: 70)
        try fixture.snapshot(small, yesterday, composite: 50)
        try fixture.snapshot(small, feb18, composite: 57)
        try fixture.snapshot(drop, yesterday, composite: 75)
        try fixture.snapshot(drop, feb18, composite: 55)
        try fixture.snapshot(fresh, feb18, composite: 90)
        try fixture.snapshot(fresh, yesterday, composite: 10, pack: StageFixture.blockedPack)  // another pack's yesterday
        try fixture.snapshot(otherPack, yesterday, composite: 10, pack: StageFixture.blockedPack)
        try fixture.snapshot(otherPack, feb18, composite: 90, pack: StageFixture.blockedPack)

        let result = try fixture.pipeline.runAlertScan(asOf: feb18, threshold: 15)
        #expect(result.json.keys == ["status", "job_run_id", "alerts_created", "companies_scanned", "error"])
        #expect(result.status == .completed)
        #expect(result.alertsCreated == 2)
        #expect(result.companiesScanned == 4, "today's snapshots of the CTO pack")
        var alerts: [Stamped<AlertCreated>] = []
        try fixture.read { reader in try reader.forEachAlert { alerts.append($0); return true } }
        #expect(alerts.map(\.record.companyID) == [jump, drop])
        #expect(alerts[0].record.payload == ["old_composite": 50, "new_composite": 70, "delta": 20, "as_of": "2026-02-18"])
        #expect(alerts[1].record.payload == ["old_composite": 75, "new_composite": 55, "delta": -20, "as_of": "2026-02-18"])
        #expect(alerts.allSatisfy { $0.record.alertType == "readiness_jump" && $0.record.jobRunID == result.jobRunID })
        #expect(try fixture.jobs().last?.started.jobType == .alertScan)

        let again = try fixture.pipeline.runAlertScan(asOf: feb18, threshold: 15)
        #expect(again.alertsCreated == 0 && again.companiesScanned == 4)
        // The other pack's jump is found when that pack is scanned, once.
        let other = try fixture.pipeline.runAlertScan(pack: StageFixture.blockedPack, asOf: feb18, threshold: 15)
        #expect(other.alertsCreated == 1 && other.companiesScanned == 1)
        var count = 0
        try fixture.read { reader in try reader.forEachAlert { _ in count += 1; return true } }
        #expect(count == 3)
        #expect(try fixture.read { try $0.hasAlert(company: otherPack, type: "readiness_jump", asOf: feb18) })
    }

    @Test("§11.21 threshold 25 with delta 20 → none; ALERT_DELTA_THRESHOLD read from the environment, default 15")
    func threshold() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("Jump")
        try fixture.snapshot(company, feb18.adding(days: -1), composite: 50)
        try fixture.snapshot(company, feb18, composite: 70)
        #expect(try fixture.pipeline.runAlertScan(asOf: feb18, threshold: 25).alertsCreated == 0)
        #expect(StageRunner.alertDeltaThreshold(environment: ["ALERT_DELTA_THRESHOLD": " 25 "]) == 25)
        #expect(StageRunner.alertDeltaThreshold(environment: ["ALERT_DELTA_THRESHOLD": "many"]) == 15)
        #expect(StageRunner.alertDeltaThreshold(environment: [:]) == 15)
        // D11: without as_of, today in UTC from the runner's clock.
        let result = try fixture.pipeline(at: .at(feb18, 23, 59)).runAlertScan(threshold: 20)
        #expect(result.alertsCreated == 1)
        #expect(try fixture.jobs().last?.started.asOf == feb18)
    }
}

@Suite("Lead-feed backfill (§7.3, run_backfill_lead_feed)")
struct BackfillTests {
    final class Counter: @unchecked Sendable {
        var calls = 0
    }

    @Test("Every workspace with a pack gets its batch build as a child run; rows counted over all")
    func backfill() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        for name in ["A", "B", "C"] {
            let company = try fixture.company(name)
            try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        }
        _ = try fixture.pipeline.runScore(asOf: feb18)
        try fixture.addWorkspace(secondWorkspace)
        let result = try fixture.pipeline.runBackfillLeadFeed(asOf: feb18)
        #expect(result.json.keys == ["status", "job_run_id", "workspaces_processed", "total_rows_upserted", "errors", "workspaces"])
        #expect(result.json["status"] == "completed")
        #expect(result.workspacesProcessed == 2)
        #expect(result.totalRowsUpserted == 6, "3 companies × 2 workspaces")
        #expect(result.errors.isEmpty)
        #expect(result.workspaces.map(\.workspace) == [StageFixture.workspace, secondWorkspace])
        let feed = try fixture.read { try $0.leadFeed(workspace: secondWorkspace, pack: StageFixture.ctoPack, asOf: feb18) }
        #expect(feed.count == 3)
        let jobs = try fixture.jobs()
        let parent = try #require(jobs.first { $0.id == result.jobRunID })
        #expect(parent.started.jobType == .backfillLeadFeed && parent.companiesProcessed == 6)
        #expect(jobs.filter { $0.started.parentJobRunID == result.jobRunID }.map(\.started.workspaceID)
                == [StageFixture.workspace, secondWorkspace])
    }

    @Test("A workspace whose build fails → completed_with_errors naming it; the others are built")
    func completedWithErrors() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("A")
        try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        try fixture.addWorkspace(secondWorkspace)
        let counter = Counter()
        var hooks = StageHooks()
        hooks.afterCompany = { _ in
            counter.calls += 1
            if counter.calls == 2 { throw SiglogError.conflict("injected failure") }  // the second workspace's build
        }
        let result = try fixture.pipeline.runBackfillLeadFeed(asOf: feb18, idempotencyKey: nil, hooks: hooks)
        #expect(result.json["status"] == "completed_with_errors")
        #expect(result.workspacesProcessed == 1)
        #expect(result.totalRowsUpserted == 1)
        #expect(result.errors == ["\(secondWorkspace.lowercased): injected failure"])
        #expect(try fixture.read { try $0.leadFeed(workspace: secondWorkspace, pack: StageFixture.ctoPack, asOf: feb18) }.isEmpty)
        let cached = BackfillResult(cached: try #require(try fixture.jobs().first { $0.id == result.jobRunID }))
        #expect(cached.json == result.json, "the recorded answer reads back the same")
    }
}

@Suite("Small spec items: retry_count, pack ids, profile fields, as_of and pack fallbacks")
struct SmallItemsTests {
    @Test("§1.8 retry_count: earlier failed runs with the same key, type and workspace; 0 without a key")
    func retryCount() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("A")
        try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        var failing = StageHooks()
        failing.afterCompany = { _ in throw SiglogError.conflict("boom") }
        for _ in 0..<2 {
            let failed = try fixture.pipeline.runScore(workspace: nil, pack: nil, asOf: feb18, idempotencyKey: "nightly",
                                                       parentJobRunID: nil, hooks: failing)
            #expect(failed.status == .failed)
        }
        let ok = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "nightly")
        #expect(ok.status == .completed)
        _ = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "nightly")  // cached: no new run
        _ = try fixture.pipeline.runScore(asOf: feb18)
        _ = try fixture.pipeline.runDerive(idempotencyKey: "nightly")  // another job type
        #expect(try fixture.jobs().map(\.started.retryCount) == [0, 1, 2, 0, 0])
    }

    @Test("§0.3: every pack with a fixed id gets it on install; a taken id or another pack gets a new one")
    func fixedPackIDs() throws {
        #expect(WellKnownIDs.packUUID(packID: "fractional_cmo_v1", version: "1")?.lowercased == "d3e4f5a6-b7c8-9d01-ef23-4567890abcde")
        #expect(WellKnownIDs.packUUID(packID: "fractional_coo_v1", version: "1")?.lowercased == "e4f5a6b7-c8d9-0e12-f345-67890abcdef1")
        #expect(WellKnownIDs.packUUID(packID: "fractional_cfo_v1", version: "1")?.lowercased == "f5a6b7c8-d9e0-1234-5678-90abcdef0123")
        #expect(WellKnownIDs.packUUID(packID: "bookkeeping_v1", version: "1")?.lowercased == "b2c3d4e5-f6a7-8b90-cdef-123456789012")
        #expect(WellKnownIDs.packUUID(packID: "fractional_cto_v1", version: "1")?.lowercased == "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        #expect(WellKnownIDs.packUUID(packID: "core", version: "1")?.lowercased == "c0de0000-0000-4000-8000-000000000001")
        #expect(WellKnownIDs.packUUID(packID: "bookkeeping_v1", version: "2") == nil)

        let fixture = try StageFixture(packs: [], workspace: false, now: .at(feb18, 23))
        func pack(_ name: String) throws -> Pack {
            try PackLoader.load(directory: StageFixture.packageRoot.appendingPathComponent("Fixtures/packs/\(name)"))
        }
        #expect(try fixture.pipeline.installPack(try pack("bookkeeping_v1")).uuid == WellKnownIDs.bookkeepingPack)
        let example = try fixture.pipeline.installPack(try pack("example_v2")).uuid
        #expect(!WellKnownIDs.packUUIDs.values.contains(example))
        // The CTO pack's fixed id is taken by another pack: the CTO pack gets a new id.
        let squatter = try StageFixture(packs: [], workspace: false, now: .at(feb18, 23))
        #expect(try squatter.pipeline.installPack(try pack("example_v2"), uuid: WellKnownIDs.fractionalCTOPack).uuid
                == WellKnownIDs.fractionalCTOPack)
        let cto = try squatter.pipeline.installPack(try pack("fractional_cto_v1"))
        #expect(cto.installed && cto.uuid != WellKnownIDs.fractionalCTOPack)
    }

    @Test("§1.1 profile fields: set, shown on the row, versioned, cleared by a blank; scoring unchanged")
    func profileFields() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("Acme")
        try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        let before = try #require(try fixture.readiness(company, feb18)).record

        var change = CompanyProfileChange()
        change.founderName = .set(" Ada Founder ")
        change.founderLinkedInURL = .set("https://www.linkedin.com/in/ada")
        change.notes = .set("met at a meetup")
        change.alignmentNotes = .set("values fit")
        change.currentStage = .set("scaling_team")
        change.targetProfileMatch = .set(true)
        let answer = try fixture.pipeline.updateCompany(.id(company), profile: change, expectedVersion: 1)
        #expect(answer["changed"] == true && answer["version"] == 2)
        #expect(answer["founder_name"] == "Ada Founder")
        #expect(answer["target_profile_match"] == true)
        let row = try #require(try fixture.read { try $0.company(company) })
        #expect(row.profile == CompanyProfileFields(founderName: "Ada Founder", founderLinkedInURL: "https://www.linkedin.com/in/ada",
                                                    notes: "met at a meetup", alignmentNotes: "values fit",
                                                    currentStage: "scaling_team", targetProfileMatch: true))
        #expect(try fixture.pipeline.updateCompany(.id(company), profile: change, expectedVersion: 2)["changed"] == false)

        var clear = CompanyProfileChange()
        clear.notes = .set("  ")
        clear.targetProfileMatch = .set(false)
        _ = try fixture.pipeline.updateCompany(.id(company), profile: clear, expectedVersion: 2)
        let cleared = try #require(try fixture.read { try $0.company(company) })
        #expect(cleared.version == 3 && cleared.profile.notes == nil && !cleared.profile.targetProfileMatch)
        #expect(cleared.profile.founderName == "Ada Founder", "fields not named are kept")
        #expect(cleared.alignmentOK == nil && cleared.status == nil)

        _ = try fixture.pipeline.runScore(asOf: feb18)
        #expect(try fixture.readiness(company, feb18)?.record == before, "profile fields change nothing in scoring")
    }

    @Test("D11: a stage without as_of works for today in UTC from its clock, whatever the hour")
    func defaultAsOf() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let company = try fixture.company("A")
        try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        _ = try fixture.pipeline(at: .at(feb18, 23, 59)).runScore()
        #expect(try fixture.readiness(company, feb18) != nil)
        #expect(try fixture.readiness(company, feb18.adding(days: 1)) == nil)
        _ = try fixture.pipeline(at: .at(feb18.adding(days: 1), 0, 1)).runScore()
        #expect(try fixture.readiness(company, feb18.adding(days: 1)) != nil)
        #expect(try fixture.jobs().map(\.started.asOf) == [feb18, feb18.adding(days: 1)])
    }

    @Test("§9.4 fallbacks: no workspace → the default one and its pack; a known workspace without a pack → the default pack; unknown → D20")
    func packFallbacks() throws {
        let fixture = try StageFixture(packs: [(StageFixture.ctoPack, "fractional_cto_v1"), (StageFixture.blockedPack, "example_esl_blocked")],
                                       now: .at(feb18, 23))
        let withoutPack = UUID(uuidString: "00000000-0000-0000-0000-0000000000d1")!
        let withPack = UUID(uuidString: "00000000-0000-0000-0000-0000000000d2")!
        try fixture.addWorkspace(withoutPack, pack: nil)
        try fixture.addWorkspace(withPack, pack: StageFixture.blockedPack)
        let unknown = UUID(uuidString: "00000000-0000-0000-0000-0000000000d3")!
        let scopes = try fixture.read { reader throws -> [Scope] in
            [try Scope.resolve(workspace: nil, pack: nil, in: reader), try Scope.resolve(workspace: withoutPack, pack: nil, in: reader),
             try Scope.resolve(workspace: withPack, pack: nil, in: reader),
             try Scope.resolve(workspace: withoutPack, pack: StageFixture.blockedPack, in: reader)]
        }
        #expect(scopes == [Scope(workspace: StageFixture.workspace, pack: StageFixture.ctoPack),
                           Scope(workspace: withoutPack, pack: StageFixture.ctoPack),
                           Scope(workspace: withPack, pack: StageFixture.blockedPack),
                           Scope(workspace: withoutPack, pack: StageFixture.blockedPack)])
        #expect(throws: SiglogError.workspaceNotFound(unknown)) {
            try fixture.read { reader in try Scope.resolve(workspace: unknown, pack: nil, in: reader) }
        }
        // The stages follow: a score run for the workspace without a pack records the default pack.
        let company = try fixture.company("A")
        try fixture.event(company, "funding_raised", at: .at(feb18, 10))
        _ = try fixture.pipeline.runScore(workspace: withoutPack, asOf: feb18)
        _ = try fixture.pipeline.runScore(asOf: feb18)
        #expect(try fixture.jobs().map(\.started.pack) == [StageFixture.ctoPack, StageFixture.ctoPack])
        #expect(try fixture.jobs().map(\.started.workspaceID) == [withoutPack, StageFixture.workspace])
        #expect(throws: SiglogError.self) {
            try fixture.pipeline.runScore(workspace: UUID(uuidString: "00000000-0000-0000-0000-0000000000d3")!, asOf: feb18)
        }
        #expect(try fixture.jobs().count == 2, "nothing written for an unknown workspace")
    }

    @Test("runStage dispatches watchlist_seed, alert_scan and backfill_lead_feed")
    func dispatch() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.pipeline.storeBundle(acmeBundle, id: bundleA)
        var parameters = StageParameters(asOf: feb18)
        parameters.bundleIDs = [bundleA]
        let types: [JobType] = [.watchlistSeed, .alertScan, .backfillLeadFeed]
        for jobType in types {
            let result = try fixture.pipeline.runStage(jobType, parameters)
            #expect(result.status == .completed, "\(jobType)")
            #expect(type(of: result).jobType == jobType)
        }
        #expect(try fixture.jobs().filter { $0.started.parentJobRunID == nil }.map(\.started.jobType) == types)
        #expect(JobType(named: "alert-scan") == .alertScan && JobType(named: "backfill-lead-feed") == .backfillLeadFeed)
    }
}
