import Foundation
import SiglogCore
import Testing

/// The watchlist, evidence bundles, alert scan, backfill, weekly review, profile fields and pack
/// commands through the built tools.
@Suite("Watchlist, alerts, backfill and packs through the binaries")
struct WatchlistEndToEndTests {
    static let bundle = #"""
        {"company_name": "Acme Robotics", "domain": "acme.io", "reason": "hiring a CTO",
         "events": [{"source": "research", "source_event_id": "r-1", "event_type": "cto_role_posted", "event_time": "2026-02-18T12:00:00Z"},
                    {"source": "research", "source_event_id": "r-2", "event_type": "funding_raised", "event_time": "2026-02-13T09:00:00Z",
                     "confidence": 0.9}]}
        """#

    func write(_ text: String, in s: QueryFixtureStore, name: String) throws -> String {
        let path = s.directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("bundle add → stage watchlist-seed → watchlist, bundles, events with evidence_bundle_id, company profile")
    func seedFlow() throws {
        let s = try QueryFixtureStore()
        let file = try write(Self.bundle, in: s, name: "bundle.json")
        let added = try s.must(s.append(["bundle", "add", file, "--id", "b0000000-0000-4000-8000-00000000000a"]))
        #expect(added.json?["bundle_id"] == "b0000000-0000-4000-8000-00000000000a")
        #expect(added.json?["events"] == 2)
        let again = try s.must(s.append(["bundle", "add", file, "--id", "b0000000-0000-4000-8000-00000000000a"]))
        #expect(again.json?["changed"] == false)

        let bad = try write(#"{"company_name": "X", "events": [{"source": "s", "event_type": "funding_raised", "event_time": "later"}]}"#,
                            in: s, name: "bad.json")
        let refused = try s.append(["bundle", "add", bad])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("bad.json: events[0].event_time"), "\(refused.stderr)")

        let seeded = try s.append(["stage", "watchlist-seed", "--bundle-id", "b0000000-0000-4000-8000-00000000000a",
                                   "--bundle-id", "b0000000-0000-4000-8000-0000000000ff", "--as-of", "2026-02-18"])
        #expect(seeded.status == 0, "\(seeded.stderr)")
        let result = try #require(seeded.json)
        #expect(result["status"] == "completed")
        #expect(result["seed_result"]?["companies_created"] == 1)
        #expect(result["seed_result"]?["events_stored"] == 2)
        #expect(result["score_result"]?["companies_scored"] == 1)
        #expect(seeded.stderr.contains("Bundle b0000000-0000-4000-8000-0000000000ff: not found"))

        let watchlist = try #require(try s.query(["watchlist", "--format", "json"]).json?.arrayValue)
        #expect(watchlist.count == 1)
        #expect(watchlist.first?["company_name"] == "Acme Robotics")
        #expect(watchlist.first?["added_reason"] == "hiring a CTO")
        #expect(watchlist.first?["bundle_id"] == "b0000000-0000-4000-8000-00000000000a")
        #expect(try s.query(["bundles", "--format", "json"]).json?.arrayValue?.count == 1)
        let events = try #require(try s.query(["events", "--format", "json"]).json?.arrayValue)
        #expect(events.allSatisfy { $0["evidence_bundle_id"] == "b0000000-0000-4000-8000-00000000000a" })

        // Profile fields through `company update`, shown by `company`.
        let updated = try s.append(["company", "update", "--company", "acme.io", "--founder-name", "Ada", "--current-stage",
                                    "scaling_team", "--target-profile-match", "true", "--notes", "met twice", "--expected-version", "1"])
        #expect(updated.status == 0, "\(updated.stderr)")
        let profile = try #require(try s.query(["company", "acme.io", "--format", "json"]).json)
        #expect(profile["company"]?["founder_name"] == "Ada")
        #expect(profile["company"]?["notes"] == "met twice")
        #expect(profile["company"]?["target_profile_match"] == true)
        #expect(profile["watchlist"]?["is_active"] == true)
        #expect(profile["scores"]?["readiness"]?["composite"] == 25)

        let removed = try s.must(s.append(["watchlist", "remove", "--company", "acme.io", "--reason", "hired"]))
        #expect(removed.json?["changed"] == true)
        #expect(try s.query(["watchlist", "--format", "json"]).json == .array([]))
        #expect(try s.query(["watchlist", "--all", "--format", "json"]).json?.arrayValue?.first?["removed_reason"] == "hired")

        // Several workspaces: watchlist-seed needs --workspace-id.
        try s.must(s.append(["workspace", "create", "--name", "Second"]))
        let ambiguous = try s.append(["stage", "watchlist-seed", "--bundle-id", "b0000000-0000-4000-8000-00000000000a"])
        #expect(ambiguous.status == 64)
        #expect(ambiguous.stderr.contains("workspace_id is required"))
        #expect(try s.append(["stage", "watchlist-seed"]).status == 64, "at least one bundle id")
    }

    @Test("stage alert-scan, siglog-query alerts; backfill-lead-feed over workspaces; weekly-review and ranked JSON")
    func alertsBackfillReview() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        // The next day nothing changed: the scan finds no jump of 15 or more, then with threshold 0 every company.
        try s.must(s.append(["stage", "score", "--as-of", "2026-02-19"]))
        let none = try s.must(s.append(["stage", "alert-scan", "--as-of", "2026-02-19"]))
        #expect(none.json?["alerts_created"] == 0)
        #expect(none.json?["companies_scanned"] == 3)
        let all = try s.must(s.append(["stage", "alert-scan", "--as-of", "2026-02-19", "--threshold", "0"]))
        #expect(all.json?["alerts_created"] == 3)
        let alerts = try #require(try s.query(["alerts", "--format", "json"]).json?.arrayValue)
        #expect(alerts.count == 3)
        #expect(alerts.allSatisfy { $0["status"] == "pending" && $0["payload"]?["as_of"] == "2026-02-19" })
        #expect(try s.query(["alerts", "--company", "testa.example.com", "--format", "json"]).json?.arrayValue?.count == 1)
        #expect(try s.append(["stage", "backfill-lead-feed", "--threshold", "3"]).status == 64, "--threshold is the alert scan's")

        try s.must(s.append(["workspace", "create", "--name", "Second"]))
        let backfill = try s.append(["stage", "backfill-lead-feed", "--as-of", "2026-02-18"])
        #expect(backfill.status == 0, "\(backfill.stderr)")
        #expect(backfill.json?["status"] == "completed")
        #expect(backfill.json?["workspaces_processed"] == 2)
        #expect(backfill.json?["total_rows_upserted"] == 6)
        let second = try s.query(["lead-feed", "--workspace-id", "Second", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"])
        #expect(second.json?.arrayValue?.count == 3)

        let review = try #require(try s.query(["weekly-review", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"]).json)
        #expect(review["total"] == 3)
        #expect(review["companies"]?.arrayValue?.map { $0["company_name"] } == ["Test Company A", "Test Company C", "Test Company B"])
        try s.must(s.append(["outreach", "--company", "testa.example.com", "--type", "email", "--sent-at", "2026-02-10T09:00:00Z"]))
        let afterOutreach = try #require(try s.query(["weekly-review", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"]).json)
        #expect(afterOutreach["companies"]?.arrayValue?.map { $0["company_name"] } == ["Test Company C", "Test Company B"])
        let jobs = try #require(try s.query(["jobs", "--type", "backfill_lead_feed", "--format", "json"]).json?.arrayValue)
        #expect(jobs.count == 1 && jobs.first?["retry_count"] == 0)
    }

    @Test("pack validate --all: every directory, invalid_schema_pack skipped; strict flags refuse version 1")
    func validateAll() throws {
        let packs = Tools.root.appendingPathComponent("Fixtures/packs").path
        let run = try Tools.run("siglog-append", ["pack", "validate", "--all", packs])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: packs).filter { !$0.hasPrefix(".") }.sorted()
        #expect(lines.map { $0["directory"]?.stringValue ?? "" } == names)
        #expect(lines.filter { $0["skipped"] == true }.map { $0["directory"] } == ["invalid_schema_pack"])
        #expect(lines.filter { $0["valid"] == true }.count == names.count - 1)

        let strict = try Tools.run("siglog-append", ["pack", "validate", "--all", packs, "--strict-semver"])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("not a semantic version"))
        let one = try Tools.run("siglog-append", ["pack", "validate", packs + "/bookkeeping_v1", "--require-explainability"])
        #expect(one.status == 65)
        #expect(one.stderr.contains("explainability_templates"))
    }

    @Test("pack install gives a pack of §0.3 its fixed id")
    func fixedPackID() throws {
        let s = try QueryFixtureStore()
        let installed = try s.must(s.append(["pack", "install", Tools.root.appendingPathComponent("Fixtures/packs/bookkeeping_v1").path]))
        #expect(installed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "b2c3d4e5-f6a7-8b90-cdef-123456789012")
    }
}
