import Foundation
import SiglogCore
import Testing

/// A store in a temporary directory, written by the built `siglog-append` and read by `siglog-query`.
final class QueryFixtureStore: @unchecked Sendable {
    static let binaries = Tools.binaries
    static let root = Tools.root
    static let testAdapter = root.appendingPathComponent("Fixtures/events/test_adapter.ndjson").path
    static let expected = root.appendingPathComponent("Fixtures/expected")

    typealias Run = Tools.Run

    let directory: URL
    let store: String

    init(name: String = "store") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-query-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = directory.appendingPathComponent(name).path
        try must(append(["init"]))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// The TestAdapter fixture ingested and run through derive, score and update-lead-feed for 2026-02-18.
    static func scoredTestAdapter() throws -> QueryFixtureStore {
        let s = try QueryFixtureStore()
        try s.must(s.append(["events", testAdapter]))
        for stage in ["derive", "score", "update-lead-feed"] { try s.must(s.append(["stage", stage, "--as-of", "2026-02-18"])) }
        return s
    }

    @discardableResult
    func must(_ run: Run) throws -> Run {
        guard run.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": run.stderr, "stdout": run.stdout]) }
        return run
    }

    func append(_ arguments: [String]) throws -> Run { try Self.run("siglog-append", arguments + ["--store", store]) }
    func query(_ arguments: [String], store path: String? = nil) throws -> Run {
        try Self.run("siglog-query", arguments + ["--store", path ?? store])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Run { try Tools.run(tool, arguments) }

    static func start(_ tool: String, _ arguments: [String]) throws -> Tools.Started { try Tools.start(tool, arguments) }

    static func expected(_ name: String) throws -> JSONValue {
        try JSONParser.parse(try String(contentsOf: expected.appendingPathComponent(name), encoding: .utf8))
    }
}

/// Replaces the wall-clock times the pipeline stamps (creation, update, computation) with `"<time>"`.
func maskingClockTimes(_ value: JSONValue) -> JSONValue {
    let clockKeys: Set<String> = ["created_at", "updated_at", "computed_at", "ingested_at", "started_at", "finished_at",
                                  "appended_at"]
    switch value {
    case .array(let items): return .array(items.map(maskingClockTimes))
    case .object(let object):
        return .object(JSONObject(object.members.map { member in
            .init(key: member.key, value: clockKeys.contains(member.key) && member.value.stringValue != nil
                ? .string("<time>") : maskingClockTimes(member.value))
        }))
    default: return value
    }
}

@Suite("siglog-query through the binary")
struct QueryEndToEndTests {
    @Test("TestAdapter at 2026-02-18: lead feed, ranked list, companies and snapshot match Fixtures/expected")
    func fixtureOutputs() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let cases: [([String], String)] = [
            (["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"], "test_adapter_lead_feed.json"),
            (["ranked", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"], "test_adapter_ranked.json"),
            (["companies", "--format", "json"], "test_adapter_companies.json"),
            (["snapshots", "--company-id", "1", "--as-of", "2026-02-18", "--format", "json"], "test_adapter_snapshot_company_1.json"),
        ]
        for (arguments, file) in cases {
            let run = try s.query(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let output = try #require(run.json, "\(arguments) printed no JSON: \(run.stdout)")
            #expect(maskingClockTimes(output) == (try QueryFixtureStore.expected(file)), "\(arguments)")
        }
        // The default threshold (30) keeps none of them, and the default day is the feed's latest.
        #expect(try s.query(["lead-feed", "--format", "json"]).json == .array([]))
        let defaultDay = try s.query(["lead-feed", "--threshold", "0", "--format", "json"]).json
        #expect(defaultDay == (try QueryFixtureStore.expected("test_adapter_lead_feed.json")))
        // Offset and limit window the composite order; last-seen order is C (12:00), B (11:00), A (10:00).
        let window = try #require(s.query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--offset", "1", "--limit", "1",
                                           "--format", "json"]).json?.arrayValue)
        #expect(window.map { $0["entity_id"] } == [.int(3)])
        let bySeen = try #require(s.query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--sort", "last-seen",
                                           "--format", "json"]).json?.arrayValue)
        #expect(bySeen.map { $0["entity_id"] } == [.int(3), .int(2), .int(1)])
        // ndjson: one object per line; csv: a header and one line per card.
        let ndjson = try s.query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--format", "ndjson"]).stdout
        #expect(ndjson.split(separator: "\n").count == 3)
        let csv = try s.query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--format", "csv"]).stdout
        #expect(csv.split(separator: "\n").first == "entity_id,company_name,composite_score,recommendation_band,esl_decision,outreach_score,top_signal_ids,last_seen,company_domain,sensitivity_level,outreach_status_summary,as_of")
    }

    @Test("company by id or domain shows the profile, scores and a sparkline; events, timeline, jobs, stats, verify, export")
    func otherSubcommands() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let byDomain = try s.query(["company", "testc.example.com", "--format", "json"])
        #expect(byDomain.status == 0, "\(byDomain.stderr)")
        #expect(byDomain.json?["company"]?["id"] == .int(3))
        #expect(byDomain.json?["scores"]?["readiness"]?["composite"] == .int(10))
        #expect(byDomain.json?["sparkline"]?.stringValue?.count == 1)
        let table = try s.query(["company", "1"]).stdout
        #expect(table.contains("Test Company A") && table.contains("composite 11") && table.contains("▂"))

        let events = try #require(s.query(["events", "--type", "cto_role_posted", "--format", "json"]).json?.arrayValue)
        #expect(events.count == 1 && events.first?["company_id"] == .int(3))
        #expect(try s.query(["events", "--since", "2026-02-18T11:00:00Z", "--format", "json"]).json?.arrayValue?.count == 2)
        #expect(try s.query(["events", "--company-id", "2", "--format", "json"]).json?.arrayValue?.count == 1)
        #expect(try s.query(["instances", "--company-id", "1", "--format", "json"]).json?.arrayValue?.first?["signal_id"] == "funding_raised")

        let timeline = try #require(s.query(["timeline", "1", "--format", "json"]).json?.arrayValue)
        let kinds = timeline.compactMap { $0["kind"]?.stringValue }
        #expect(kinds.starts(with: ["company_created", "event_stored", "instance_derived", "readiness_snapshot"]))
        #expect(timeline.allSatisfy { $0["job_run_id"] != JSONValue.null })

        let jobs = try #require(s.query(["jobs", "--format", "json"]).json?.arrayValue)
        #expect(jobs.compactMap { $0["job_type"]?.stringValue } == ["ingest", "derive", "score", "update_lead_feed"])
        #expect(try s.query(["jobs", "--type", "score", "--format", "json"]).json?.arrayValue?.count == 1)
        #expect(try s.query(["packs", "--format", "json"]).json?.arrayValue?.first?["pack_id"] == "fractional_cto_v1")
        #expect(try s.query(["workspaces", "--format", "json"]).json?.arrayValue?.first?["name"] == "Default")

        let stats = try #require(s.query(["stats", "--format", "json"]).json)
        #expect(stats["records_by_type"]?["event_stored"] == .int(3))
        #expect(stats["head"] == stats["view_checkpoint"])
        let verify = try s.query(["verify", "--format", "json"])
        #expect(verify.status == 0 && verify.json?["sound"] == .bool(true))

        let export = try s.query(["export"]).stdout.split(separator: "\n")
        #expect(export.count == Int(stats["head"]?.numberValue ?? 0))
        let first = try JSONParser.parse(String(export[0]))
        #expect(first["seq"] == .int(1) && first["type"] == "pack_installed")
        let tail = try s.query(["export", "--from", "\(export.count)"]).stdout.split(separator: "\n")
        #expect(tail.count == 1)
    }

    @Test("errors: unknown workspace/pack/company names or ids are not found (66); a missing store names siglog-append init")
    func errors() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        // Neither an id nor a name: not found, with the way to list them.
        let badWorkspace = try s.query(["lead-feed", "--workspace-id", "not-a-uuid"])
        #expect(badWorkspace.status == 66 && badWorkspace.stderr.contains("Workspace not found: not-a-uuid"))
        #expect(badWorkspace.stderr.contains("siglog-query workspaces"))
        let badPack = try s.query(["snapshots", "--pack-id", "x"])
        #expect(badPack.status == 66 && badPack.stderr.contains("Pack not found: x"))
        for arguments in [["company", "99"], ["company", "nowhere.example"], ["timeline", "42"],
                          ["lead-feed", "--workspace-id", "00000000-0000-0000-0000-0000000000ff"],
                          ["snapshots", "--pack-id", "00000000-0000-0000-0000-0000000000ff"]] {
            let run = try s.query(arguments)
            #expect(run.status == 66 && run.stderr.contains("not found"), "\(arguments): \(run.status) \(run.stderr)")
            #expect(!run.stderr.contains("Fatal error") && run.stdout.isEmpty)
        }
        let missing = try s.query(["companies"], store: s.directory.appendingPathComponent("nothing-here").path)
        #expect(missing.status == 66 && missing.stderr.contains("siglog-append init"))
        #expect(!FileManager.default.fileExists(atPath: s.directory.appendingPathComponent("nothing-here").path))
    }

    @Test("lead-feed read from a plain command line prints and exits exactly as ArgumentParser's reading of the same options")
    func plainLeadFeedCommandLine() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let missing = s.directory.appendingPathComponent("nothing-here").path
        let cases: [[String]] = [
            ["--store", s.store],
            ["--store", s.store, "--format", "json"],
            ["--as-of", "2026-02-18", "--threshold", "0", "--format", "json", "--store", s.store],
            ["--store", s.store, "--as-of", "2026-02-18", "--threshold", "0", "--offset", "1", "--limit", "1", "--format", "ndjson"],
            ["--store", s.store, "--as-of", "2026-02-18", "--threshold", "0", "--sort", "last-seen", "--format", "csv"],
            ["--store", s.store, "--as-of", "2026-02-18", "--threshold", "0", "--limit", "2", "--wide"],
            ["--store", s.store, "--as-of", "2026-02-18", "--threshold", "0", "--offset", "9"],
            ["--store", s.store, "--as-of", "2026-02-18", "--threshold", "101", "--format", "table"],
            ["--store", s.store, "--as-of", "2026-03-01"],
            ["--store", s.store, "--workspace-id", "Default", "--pack-id", "fractional_cto_v1", "--threshold", "0", "--format", "json"],
            ["--store", s.store, "--workspace-id", "not-a-uuid"],
            ["--store", s.store, "--pack-id", "00000000-0000-0000-0000-0000000000ff"],
            ["--store", missing, "--format", "json"],
        ]
        for arguments in cases {
            let plain = try QueryFixtureStore.run("siglog-query", ["lead-feed"] + arguments)
            // `--name=value` is left to ArgumentParser.
            var joined: [String] = []
            var index = 0
            while index < arguments.count {
                if arguments[index] == "--wide" {
                    joined.append("--wide")
                    index += 1
                } else {
                    joined.append(arguments[index] + "=" + arguments[index + 1])
                    index += 2
                }
            }
            let parsed = try QueryFixtureStore.run("siglog-query", ["lead-feed"] + joined)
            #expect(plain.status == parsed.status, "\(arguments): \(plain.status) vs \(parsed.status)")
            #expect(plain.stdout == parsed.stdout, "\(arguments)")
            #expect(plain.stderr == parsed.stderr, "\(arguments)")
        }
        // What the plain reading declines is ArgumentParser's: a repeated option's last value counts,
        // the rest are usage errors (64).
        let base = ["lead-feed", "--store", s.store, "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"]
        let repeated = try QueryFixtureStore.run("siglog-query", base + ["--limit", "1", "--limit", "2"])
        let last = try QueryFixtureStore.run("siglog-query", base + ["--limit", "2"])
        #expect(repeated.status == 0 && repeated.stdout == last.stdout)
        #expect(repeated.json?.arrayValue?.count == 2)
        for arguments in [["--limit", "-1"], ["--store"], ["--format", "xml"], ["extra"], ["--as-of", "2026-02-30"]] {
            let run = try QueryFixtureStore.run("siglog-query", base + arguments)
            #expect(run.status == 64 && run.stderr.hasPrefix("Error: "), "\(arguments): \(run.status) \(run.stderr)")
        }
        #expect(try QueryFixtureStore.run("siglog-query", ["lead-feed", "--help"]).stdout.contains("USAGE: siglog-query lead-feed"))
    }

    @Test("verify names the position of a damaged record and exits non-zero")
    func verifyDamage() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        // Flip one byte of a record's payload: the title "Series A" is stored once, in record 5.
        let data = URL(fileURLWithPath: s.store).appendingPathComponent("data.mdb")
        var bytes = try Data(contentsOf: data)
        let needle = Data("Raised $5M".utf8)
        // Every copy (LMDB keeps old page versions until they are reused).
        var found = 0
        var start = bytes.startIndex
        while let range = bytes.range(of: needle, in: start..<bytes.endIndex) {
            bytes[range.lowerBound] ^= 0x20
            start = range.upperBound
            found += 1
        }
        try #require(found > 0)
        try bytes.write(to: data)
        let run = try s.query(["verify"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("record 5"), "\(run.stderr)")
    }
}
