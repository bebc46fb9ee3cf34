import BoundedWait
import Foundation
import SiglogCore
import Testing

/// What a new user sees in the first hour, through the built tools: each test is one of the
/// problems a first try found.
@Suite("A user's first hour")
struct FirstHourTests {
    static let binaries = QueryFixtureStore.binaries

    /// Runs a built tool with `arguments`, optionally in `directory` and with `input` on stdin.
    static func run(_ tool: String, _ arguments: [String], executable: URL? = nil, directory: URL? = nil,
                    environment: [String: String] = [:], input: String? = nil) throws -> Tools.Run {
        try Tools.run(tool, arguments, executable: executable, directory: directory, environment: environment, input: input)
    }

    /// Runs `command` (a shell line) with a pseudo-terminal as its standard streams (`script`), the
    /// way a person at a terminal runs it; returns what the terminal showed.
    static func inTerminal(_ command: String, columns: Int = 80) throws -> String {
        let run = try Self.run("script", ["-qec", "stty cols \(columns) 2>/dev/null; COLUMNS=\(columns) \(command)", "/dev/null"],
                               executable: URL(fileURLWithPath: "/usr/bin/script"))
        return run.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    }

    static func tool(_ name: String) -> String { binaries.appendingPathComponent(name).path }

    /// A file in a fresh directory holding `lines`.
    static func file(_ lines: [String], in directory: URL) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString).ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    static func line(_ fields: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    static func head(_ s: QueryFixtureStore) throws -> Int {
        let stats = try s.query(["stats", "--format", "json"])
        return Int(stats.json?["head"]?.numberValue ?? -1)
    }

    // MARK: - 1. A valid line never blocks ingest

    @Test("1: every field at its maximum length in multi-byte characters is stored; a rerun finds the duplicates")
    func maximumLengthFields() throws {
        let s = try QueryFixtureStore()
        let longName = String(repeating: "é", count: 255)  // 510 UTF-8 bytes
        let longDomainLabel = String(repeating: "ü", count: 60)
        let domain = (0..<4).map { _ in longDomainLabel }.joined(separator: ".") + ".ex"  // 247 characters
        let website = "https://" + String(repeating: "ä", count: 580) + ".example"
        let profile = "https://www.linkedin.com/company/" + String(repeating: "ø", count: 2_000)
        let lines = [
            Self.line(["source": String(repeating: "ß", count: 64), "source_event_id": String(repeating: "ç", count: 255),
                       "company_name": longName, "domain": domain, "website_url": website, "company_profile_url": profile,
                       "event_type": "funding_raised", "event_time": "2026-02-01", "title": String(repeating: "ñ", count: 512),
                       "summary": String(repeating: "🙂", count: 5_000), "url": "https://x/" + String(repeating: "ê", count: 2_030)]),
            // The same long name without a domain or a profile URL matches by its normalized name.
            Self.line(["source": "test", "source_event_id": "second", "company_name": longName, "event_type": "api_launched",
                       "event_time": "2026-02-02"]),
        ]
        let input = try Self.file(lines, in: s.directory)
        let first = try s.append(["events", input])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json?["inserted"] == 2)
        let second = try s.append(["events", input])
        #expect(second.status == 0 && second.json?["inserted"] == 0 && second.json?["skipped_duplicate"] == 2)
        // The company's domain comes from its website (1 176 UTF-8 bytes); it finds the company through the hashed index key.
        let websiteDomain = String(repeating: "ä", count: 580) + ".example"
        let company = try s.query(["company", websiteDomain, "--format", "json"])
        #expect(company.status == 0, "\(company.stderr)")
        #expect(company.json?["company"]?["name"]?.stringValue == longName)
        #expect(try s.query(["companies", "--format", "json"]).json?.arrayValue?.count == 1)
        #expect(try s.query(["verify"]).status == 0)
    }

    // MARK: - 2. Interrupted runs do not stay running

    /// `count` valid lines of distinct companies.
    static func manyLines(_ count: Int) -> [String] {
        (0..<count).map { i in
            #"{"source":"bulk","source_event_id":"e\#(i)","company_name":"Company \#(i % 500)","domain":"c\#(i % 500).example","event_type":"funding_raised","event_time":"2026-01-01T00:00:00Z"}"#
        }
    }

    @Test("2: SIGINT during ingest: committed batches stay, the run is recorded failed (interrupted by signal), exit 130")
    func interruptedBySignal() throws {
        let s = try QueryFixtureStore()
        let input = try Self.file(Self.manyLines(400_000), in: s.directory)
        let started = try QueryFixtureStore.start("siglog-append", ["events", input, "--batch-size", "2000", "--store", s.store])
        // Wait until a run is recorded, then interrupt.
        var waited = 0
        while waited < 600, (try s.query(["jobs", "--format", "json"]).json?.arrayValue ?? []).isEmpty {
            usleep(50_000)
            waited += 1
        }
        try BoundedWait.stop(started.process, signal: SIGINT, within: .seconds(120))
        let run = try started.finish()
        try #require(run.status == 130, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.contains("interrupted by signal"))
        let jobs = try #require(try s.query(["jobs", "--format", "json"]).json?.arrayValue)
        #expect(jobs.count == 1)
        #expect(jobs.first?["status"] == "failed")
        #expect(jobs.first?["error_message"] == "interrupted by signal")
        #expect(try s.query(["verify"]).status == 0)
    }

    @Test("2: a run left running by a killed process is closed as failed (interrupted) by the next write, and said so")
    func killedRunClosedByNextWrite() throws {
        let s = try QueryFixtureStore()
        let input = try Self.file(Self.manyLines(400_000), in: s.directory)
        let started = try QueryFixtureStore.start("siglog-append", ["events", input, "--batch-size", "2000", "--store", s.store])
        var waited = 0
        while waited < 600, (try s.query(["jobs", "--status", "running", "--format", "json"]).json?.arrayValue ?? []).isEmpty {
            usleep(50_000)
            waited += 1
        }
        try BoundedWait.kill(started.process)
        _ = try started.finish()
        let running = try #require(try s.query(["jobs", "--status", "running", "--format", "json"]).json?.arrayValue)
        try #require(running.count == 1, "the killed run is still recorded as running")
        let next = try s.append(["stage", "derive"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stderr.contains("was left running by process"))
        let jobs = try #require(try s.query(["jobs", "--type", "ingest", "--format", "json"]).json?.arrayValue)
        #expect(jobs.first?["status"] == "failed")
        #expect(jobs.first?["error_message"] == "interrupted")
        #expect(try s.query(["jobs", "--status", "running", "--format", "json"]).json?.arrayValue?.isEmpty == true)
        // Closing a run that is not running is refused.
        let id = try #require(jobs.first?["id"]?.numberValue)
        let again = try s.append(["job", "close", String(Int(id))])
        #expect(again.status == 67)
    }

    // MARK: - 4. Unknown workspace: the same error everywhere

    @Test("4: every command given an unknown workspace exits 66 with `Workspace not found`, and nothing is written")
    func unknownWorkspaceEverywhere() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let before = try Self.head(s)
        let unknown = "0b0b0b0b-0000-4000-8000-00000000dead"
        let commands: [[String]] = [
            ["events", QueryFixtureStore.testAdapter], ["stage", "ingest", "--events", QueryFixtureStore.testAdapter],
            ["stage", "derive"], ["stage", "score", "--as-of", "2026-02-18"],
            ["stage", "update-lead-feed", "--as-of", "2026-02-18"], ["stage", "daily-aggregation", "--as-of", "2026-02-18"],
        ]
        for command in commands {
            let run = try s.append(command + ["--workspace-id", unknown])
            #expect(run.status == 66, "\(command): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("Workspace not found: \(unknown)"), "\(command)")
            #expect(run.stdout.isEmpty, "\(command)")
        }
        let outreach = try s.append(["outreach", "--company", "1", "--type", "email", "--sent-at", "2026-02-18",
                                     "--workspace-id", unknown])
        #expect(outreach.status == 66)
        #expect(try Self.head(s) == before, "nothing was written")
        // Queries answer the same.
        #expect(try s.query(["lead-feed", "--workspace-id", unknown]).status == 66)
    }

    // MARK: - 5. Company update

    @Test("5: `company update` with no change writes nothing; statuses are validated and stored lower-cased")
    func companyUpdate() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let first = try s.append(["company", "update", "--company", "testa.example.com", "--status", " Acquired ",
                                  "--expected-version", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json?["status"] == "acquired" && first.json?["version"] == 2 && first.json?["changed"] == true)
        let head = try Self.head(s)
        let same = try s.append(["company", "update", "--company", "1", "--status", "ACQUIRED", "--expected-version", "2"])
        #expect(same.status == 0 && same.json?["changed"] == false && same.json?["version"] == 2)
        #expect(same.stderr.contains("nothing changed"))
        #expect(try Self.head(s) == head)
        let bad = try s.append(["company", "update", "--company", "1", "--status", "bankrupt", "--expected-version", "2"])
        #expect(bad.status == 64)
        for value in ["active", "acquired", "dead", "none"] { #expect(bad.stderr.contains(value), "\(value) listed") }
        let cleared = try s.append(["company", "update", "--company", "1", "--status", "none", "--expected-version", "2"])
        #expect(cleared.json?["status"] == .null && cleared.json?["version"] == 3)
    }

    // MARK: - 6. Re-ingesting is visible

    @Test("6: events without a source_event_id are counted as stored_without_id, warned about, and stored again on a rerun")
    func storedWithoutID() throws {
        let s = try QueryFixtureStore()
        let input = try Self.file([
            #"{"source":"feed","company_name":"NoID","domain":"noid.example","event_type":"funding_raised","event_time":"2026-02-01"}"#,
            #"{"source":"feed","source_event_id":"x1","company_name":"NoID","domain":"noid.example","event_type":"api_launched","event_time":"2026-02-02"}"#,
        ], in: s.directory)
        let first = try s.append(["events", input])
        #expect(first.json?["stored_without_id"] == 1 && first.json?["inserted"] == 2)
        #expect(first.stderr.contains("1 events had no source_event_id"))
        let second = try s.append(["events", input])
        #expect(second.json?["inserted"] == 1 && second.json?["skipped_duplicate"] == 1 && second.json?["stored_without_id"] == 1)
    }

    // MARK: - 7. The binaries work wherever they are installed

    @Test("7: a copied siglog-append inits a store from any directory: the bundled pack is inside the binary")
    func copiedBinaryInits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("siglog-append")
        try FileManager.default.copyItem(at: Self.binaries.appendingPathComponent("siglog-append"), to: copy)
        let store = dir.appendingPathComponent("store").path
        let run = try Self.run("siglog-append", ["init", "--store", store], executable: copy, directory: URL(fileURLWithPath: "/"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.json?["pack_id"] == "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        let packs = try Self.run("siglog-query", ["packs", "--format", "json", "--store", store])
        #expect(packs.json?.arrayValue?.first?["pack_id"] == "fractional_cto_v1")
    }

    // MARK: - 8. Leads have names; tables fit the terminal

    @Test("8: names and domains beside ids in lead-feed, ranked, events, instances and snapshots (JSON and tables)")
    func leadsHaveNames() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        for command in [["lead-feed", "--threshold", "0"], ["ranked", "--threshold", "0"], ["events"], ["instances"], ["snapshots"]] {
            let json = try #require(try s.query(command + ["--format", "json"]).json?.arrayValue, "\(command)")
            #expect(!json.isEmpty, "\(command)")
            #expect(json.allSatisfy { $0["company_name"]?.stringValue?.hasPrefix("Test Company") == true }, "\(command)")
            let table = try s.query(command)
            #expect(table.stdout.contains("company_name") && table.stdout.contains("Test Company"), "\(command)")
        }
    }

    @Test("8: a table on a terminal fits its width (text cut, numbers whole, columns that do not fit named); --wide shows every cell")
    func tableFitsTerminal() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let command = "\(Self.tool("siglog-query")) lead-feed --threshold 0 --store \(s.store)"
        let fitted = try Self.inTerminal(command, columns: 100)
        let lines = fitted.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 5)
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(lines.map(\.count))")
        #expect(fitted.contains(" 11 ") && fitted.contains(" 10 "), "the composites are whole")
        #expect(lines[0].hasPrefix("entity_id  company_name    composite_score  recommendation_band"), "\(lines[0])")
        #expect(fitted.contains("columns left out to fit; --wide shows all)"), "columns that do not fit are named as left out")
        // Very narrow: text is cut with an ellipsis before the last columns go.
        let narrow = try Self.inTerminal(command, columns: 20).split(separator: "\n").filter { !$0.isEmpty }
        #expect(narrow.dropLast().allSatisfy { $0.count <= 20 }, "\(narrow)")
        #expect(narrow.contains { $0.contains("Test Com…") }, "\(narrow)")
        let wide = try Self.inTerminal(command + " --wide", columns: 100)
        #expect(wide.split(separator: "\n").contains { $0.count > 100 })
        #expect(wide.contains("2026-02-18T10:00:00.000000Z"))
        // A pipe gets every cell whole whatever the terminal.
        #expect(try s.query(["lead-feed", "--threshold", "0"]).stdout.contains("2026-02-18T10:00:00.000000Z"))
    }

    // MARK: - 9. Empty and cut results are explained

    @Test("9: empty lists say why, cut lists say how much was cut; JSON stays pure; D19 paging")
    func emptyAndCut() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let belowThreshold = try s.query(["lead-feed"])
        #expect(belowThreshold.stdout.contains("(no rows: 3 cards below threshold 30 — use --threshold 0)"))
        #expect(try s.query(["lead-feed", "--format", "json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        let noSnapshot = try s.query(["snapshots", "--as-of", "2026-03-01"])
        #expect(noSnapshot.stdout.contains("no snapshot for 2026-03-01 — run `siglog-append stage score --as-of 2026-03-01`"))
        let cut = try s.query(["lead-feed", "--threshold", "0", "--limit", "2"])
        #expect(cut.stdout.contains("showing 2 of 3 cards"))
        let cutJSON = try #require(try s.query(["lead-feed", "--threshold", "0", "--limit", "2", "--format", "json"]).json?.arrayValue)
        #expect(cutJSON.count == 2)
        // D19: one card when any qualifies, in last-seen order (C at 12:00 first).
        let one = try #require(try s.query(["lead-feed", "--threshold", "1", "--sort", "last-seen", "--limit", "1",
                                            "--format", "json"]).json?.arrayValue)
        #expect(one.map { $0["entity_id"] } == [3])
        // --offset counts cards: at threshold 1 the cards are A and C (B's outreach is 0).
        let paged = try #require(try s.query(["lead-feed", "--threshold", "1", "--offset", "1", "--limit", "5", "--format", "json"])
            .json?.arrayValue)
        #expect(paged.map { $0["entity_id"] } == [3])
        // --limit 0 means no limit.
        #expect(try s.query(["lead-feed", "--threshold", "0", "--limit", "0", "--format", "json"]).json?.arrayValue?.count == 3)
        #expect(try s.query(["events", "--limit", "0", "--format", "json"]).json?.arrayValue?.count == 3)
    }

    // MARK: - 10. The score explains itself

    @Test("10: `company X --explain` shows the dimensions, the events with their points, suppressors and the ESL decision")
    func explainTable() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let run = try s.query(["company", "testa.example.com", "--explain"])
        #expect(run.status == 0, "\(run.stderr)")
        for text in ["composite 11, band IGNORE", "momentum (M)", "24", "pressure (P)", "14", "funding_raised", "38.5",
                     "suppressors applied: none", "Engagement: ESL 0.095 → Observe Only", "decision allow"] {
            #expect(run.stdout.contains(text), "missing \(text)")
        }
    }

    // MARK: - 11. One spelling per name

    @Test("11: both spellings of stages and views; validated job types and statuses; ids or names for companies, workspaces, packs")
    func oneSpelling() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        #expect(try s.append(["stage", "update_lead_feed", "--as-of", "2026-02-18"]).status == 0)
        #expect(try s.append(["stage", "update-lead-feed", "--as-of", "2026-02-18"]).status == 0)
        let badType = try s.query(["jobs", "--type", "derivee"])
        #expect(badType.status == 64 && badType.stderr.contains("update_lead_feed"))
        let badStatus = try s.query(["jobs", "--status", "done"])
        #expect(badStatus.status == 64 && badStatus.stderr.contains("completed"))
        let unknownStage = try s.append(["stage", "derivee"])
        #expect(unknownStage.status == 64 && unknownStage.stderr.contains("derive"))
        let replay = try Self.run("siglog-replay", ["--projection", "lead-feed", "--store", s.store])
        #expect(replay.status == 0, "\(replay.stderr)")
        // Names instead of ids.
        #expect(try s.query(["lead-feed", "--threshold", "0", "--workspace-id", "Default", "--pack-id", "fractional_cto_v1",
                             "--format", "json"]).json?.arrayValue?.count == 3)
        #expect(try s.query(["events", "--company", "testc.example.com", "--format", "json"]).json?.arrayValue?.count == 1)
        #expect(try s.query(["snapshots", "--company", "testb.example.com", "--format", "json"]).json?.arrayValue?.count == 1)
    }

    // MARK: - 12. One time format

    @Test("12: every time the tools print is ISO-8601 UTC with Z and microseconds")
    func oneTimeFormat() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        _ = try s.append(["outreach", "--company", "1", "--type", "email", "--sent-at", "2026-02-18T09:30:00+01:00"])
        var times: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text) where text.count >= 19 && text.dropFirst(10).first == "T": times.append(text)
            case .array(let items): items.forEach(collect)
            case .object(let object): object.members.forEach { collect($0.value) }
            default: break
            }
        }
        for command in [["lead-feed", "--threshold", "0"], ["events"], ["instances"], ["snapshots"], ["jobs"], ["companies"],
                        ["company", "1"], ["timeline", "1"], ["workspaces"], ["packs"]] {
            collect(try #require(try s.query(command + ["--format", "json"]).json, "\(command)"))
        }
        #expect(times.count > 20)
        let form = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/
        for time in times { #expect(time.wholeMatch(of: form) != nil, "\(time)") }
        #expect(times.contains("2026-02-18T08:30:00.000000Z"), "the outreach time, converted to UTC")
    }

    // MARK: - 13. Ingest ends with a human line

    @Test("13: a summary line on stderr; bad lines capped by --max-errors; unknown types reported; --strict stops checking")
    func ingestOutput() throws {
        let s = try QueryFixtureStore()
        var lines = Self.manyLines(3)
        lines += (0..<5).map { _ in "{not json" }
        lines.append(#"{"source":"x","source_event_id":"p1","company_name":"Pod","event_type":"podcast_appearance","event_time":"2026-02-01"}"#)
        let input = try Self.file(lines, in: s.directory)
        let run = try s.append(["events", input, "--max-errors", "2"])
        #expect(run.status == 65)
        #expect(run.stderr.contains("stored 3 events, 0 duplicates, 5 bad lines, 1 of types the pack does not accept in "))
        #expect(run.stderr.components(separatedBy: "invalid JSON").count - 1 == 2, "two bad lines listed")
        #expect(run.stderr.contains("… and 3 more bad lines (--max-errors 2)"))
        #expect(run.stderr.contains(#":9: event_type: "podcast_appearance" is not accepted by pack fractional_cto_v1"#))
        #expect(run.json?["errors_count"] == 5 && run.json?["skipped_invalid"] == 1)
        #expect(run.json?["errors"]?.arrayValue?.count == 2)
        let head = try Self.head(s)
        let strict = try s.append(["events", input, "--strict", "--max-errors", "1"])
        #expect(strict.status == 65 && strict.stderr.contains("checking stopped after 1 bad lines"))
        #expect(strict.stderr.contains("nothing was written"))
        #expect(try Self.head(s) == head)
    }

    @Test("13: on a terminal the progress line shows a percentage and an ETA for a file of known size")
    func progressOnTerminal() throws {
        let s = try QueryFixtureStore()
        let input = try Self.file(Self.manyLines(300_000), in: s.directory)
        let shown = try Self.inTerminal("\(Self.tool("siglog-append")) events \(input) --store \(s.store) >/dev/null")
        #expect(shown.contains("%, ETA "), "\(shown.suffix(300))")
        #expect(shown.contains("stored 300,000 events"))
    }

    // MARK: - 14. Long outputs stream

    @Test("14: `events --format ndjson | head -1` prints the first event and ends; tables and JSON of many rows are whole")
    func streaming() throws {
        let s = try QueryFixtureStore()
        _ = try s.append(["events", try Self.file(Self.manyLines(3_000), in: s.directory)])
        let head = try Self.run("sh", ["-c", "\(Self.tool("siglog-query")) events --limit 1000000 --format ndjson --store \(s.store) | head -1"],
                                executable: URL(fileURLWithPath: "/bin/sh"))
        let lines = head.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect((try? JSONParser.parse(String(lines[0])))?["source_event_id"] == "e0")
        let json = try #require(try s.query(["events", "--limit", "0", "--format", "json"]).json?.arrayValue)
        #expect(json.count == 3_000)
        let table = try s.query(["events", "--limit", "0"]).stdout.split(separator: "\n")
        #expect(table.count == 3_002, "header, rule and one line per event")
        let csv = try s.query(["events", "--limit", "0", "--format", "csv"]).stdout.split(separator: "\n")
        #expect(csv.count == 3_001)
        let cut = try s.query(["events"]).stdout
        #expect(cut.contains("showing the first 100 events"))
    }

    // MARK: - 15. Small things

    @Test("15: --version everywhere, stdin notice on a terminal, a directory as input, one error style, no spec numbers in help, verify as CSV")
    func smallThings() throws {
        for tool in ["siglog-append", "siglog-query", "siglog-replay"] {
            let run = try Self.run(tool, ["--version"])
            #expect(run.status == 0 && run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == SiglogVersion.current, "\(tool)")
        }
        let s = try QueryFixtureStore()
        let directory = try s.append(["events", s.directory.path])
        #expect(directory.status == 64 && directory.stderr.contains("is a directory"))
        let notice = try Self.inTerminal("\(Self.tool("siglog-append")) events --store \(s.store)")
        #expect(notice.contains("reading NDJSON events from standard input"), "\(notice)")
        // One error prefix in every tool.
        #expect(try s.query(["company", "999"]).stderr.hasPrefix("Error: "))
        #expect(try s.append(["stage", "derive", "--workspace-id", "nope"]).stderr.hasPrefix("Error: "))
        #expect(try Self.run("siglog-replay", ["--store", s.directory.appendingPathComponent("none").path]).stderr.hasPrefix("Error: "))
        // No spec section numbers in any help text.
        let subcommands: [(String, [String])] = [
            ("siglog-append", ["init", "pack install", "pack validate", "workspace create", "workspace set-pack", "events", "stage",
                               "outreach", "company update", "job close"]),
            ("siglog-query", ["companies", "company", "events", "instances", "snapshots", "lead-feed", "ranked", "timeline", "jobs",
                              "packs", "workspaces", "stats", "verify", "export"]),
            ("siglog-replay", [""]),
        ]
        for (tool, commands) in subcommands {
            for command in commands {
                let help = try Self.run(tool, command.split(separator: " ").map(String.init) + ["--help"])
                #expect(!help.stdout.contains("§"), "\(tool) \(command)")
            }
        }
        let csv = try s.query(["verify", "--format", "csv"]).stdout.split(separator: "\n")
        #expect(csv.first == "sound,head,records_checked,problem,problem_sequence,lost_records,next_step")
        #expect(csv.count == 2 && csv[1].hasPrefix("true,"))
    }
}
