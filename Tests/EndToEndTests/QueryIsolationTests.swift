import BoundedWait
import Foundation
import SiglogCore
import Testing

/// The size, modification time and bytes of every file of a store directory.
private func fileStates(_ directory: String) throws -> [String: (size: Int, mtime: Date, bytes: Data)] {
    var result: [String: (size: Int, mtime: Date, bytes: Data)] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
        let path = (directory as NSString).appendingPathComponent(name)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        result[name] = ((attributes[.size] as? NSNumber)?.intValue ?? -1, attributes[.modificationDate] as? Date ?? .distantPast,
                        try Data(contentsOf: URL(fileURLWithPath: path)))
    }
    return result
}

/// Every subcommand with arguments that find something in the TestAdapter store.
private let everySubcommand: [[String]] = [
    ["companies"], ["companies", "test", "--format", "json"], ["company", "1"], ["company", "testb.example.com", "--format", "json"],
    ["events"], ["events", "--company-id", "1", "--format", "csv"], ["instances"], ["snapshots", "--format", "json"],
    ["lead-feed", "--threshold", "0"], ["lead-feed", "--sort", "last-seen", "--format", "ndjson"], ["ranked", "--threshold", "0"],
    ["timeline", "1"], ["jobs"], ["packs"], ["workspaces"], ["stats"], ["verify"], ["export"],
]

@Suite("siglog-query cannot write", .serialized)
struct QueryReadOnlyTests {
    @Test("every subcommand leaves data.mdb unchanged (bytes and mtime) and creates or removes no file")
    func storeUnchanged() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        let before = try fileStates(s.store)
        for arguments in everySubcommand {
            let run = try s.query(arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            let after = try fileStates(s.store)
            #expect(Set(after.keys) == Set(before.keys), "\(arguments) changed the file list")
            let data = try #require(after["data.mdb"])
            #expect(data.bytes == before["data.mdb"]?.bytes && data.mtime == before["data.mdb"]?.mtime, "\(arguments) changed data.mdb")
            // lock.mdb is LMDB's shared-memory reader table: a reader takes a slot in it (that is
            // how a writer knows which pages are still in use); it holds no store data, and its size
            // never changes.
            #expect(after["lock.mdb"]?.size == before["lock.mdb"]?.size)
        }
    }

    @Test("a store in a read-only directory can still be queried")
    func readOnlyDirectory() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        // A copy without a lock file, as a backup or a read-only mount would be.
        let copy = s.directory.appendingPathComponent("readonly").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: s.store + "/data.mdb", toPath: copy + "/data.mdb")
        let expected = try QueryFixtureStore.expected("test_adapter_lead_feed.json")
        var target = copy
        var cleanup: () -> Void = {}
        // How the query runs: as this user, or (root with no mount permission) as `nobody`.
        var query: ([String]) throws -> Tools.Run = { try s.query($0, store: target) }
        let mountPoint = s.directory.appendingPathComponent("mnt").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        if getuid() == 0, try QueryFixtureStore.runSystem("/bin/mount", ["--bind", "-o", "ro", copy, mountPoint]) == 0 {
            // chmod does not stop root; a read-only bind mount does (EROFS).
            target = mountPoint
            cleanup = { _ = try? QueryFixtureStore.runSystem("/bin/umount", [mountPoint]) }
            #expect(!FileManager.default.createFile(atPath: mountPoint + "/probe", contents: Data()), "the mount is writable")
        } else {
            // Without write permission LMDB cannot create the lock file (EACCES): the tool reopens with
            // MDB_NOLOCK. Root ignores permissions, so it runs the query as `nobody` (setpriv, util-linux).
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: copy)
            cleanup = { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy) }
            if getuid() == 0 {
                let tool = QueryFixtureStore.binaries.appendingPathComponent("siglog-query").path
                query = { arguments in
                    try Tools.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", tool] + arguments + ["--store", copy],
                                  executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
                }
                #expect(try Tools.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/touch", copy + "/probe"],
                                      executable: URL(fileURLWithPath: "/usr/bin/setpriv")).status != 0, "the directory is writable")
            }
        }
        defer { cleanup() }
        let before = try fileStates(target)
        let run = try query(["lead-feed", "--as-of", "2026-02-18", "--threshold", "0", "--format", "json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.json == expected)
        for arguments in everySubcommand {
            let r = try query(arguments)
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
        }
        let after = try fileStates(target)
        #expect(Set(after.keys) == ["data.mdb"])
        #expect(after["data.mdb"]?.bytes == before["data.mdb"]?.bytes && after["data.mdb"]?.mtime == before["data.mdb"]?.mtime)
    }

    @Test("queries during an append see consistent snapshots: companies 1…N without a gap, N never shrinking")
    func queryDuringAppend() throws {
        let s = try QueryFixtureStore()
        // 20,000 events for 10,000 companies (two consecutive lines each), committed 20 lines at a
        // time: every commit adds exactly 10 companies.
        var lines = ""
        for i in 1...20_000 {
            let c = (i - 1) / 2 + 1
            lines += #"{"source":"concurrency","source_event_id":"e\#(i)","event_type":"repo_activity","event_time":"2026-02-10T10:00:00Z","company_name":"Concurrent \#(c)","domain":"c\#(c).example.com"}"# + "\n"
        }
        let input = s.directory.appendingPathComponent("events.ndjson")
        try lines.write(to: input, atomically: true, encoding: .utf8)
        let writer = try QueryFixtureStore.start("siglog-append", ["events", input.path, "--batch-size", "20", "--store", s.store])
        var previous = 0
        var observations = 0
        var sawPartial = false
        while writer.process.isRunning || observations < 3 {
            let run = try s.query(["companies", "--limit", "100000", "--format", "json"])
            #expect(run.status == 0, "\(run.stderr)")
            let ids = try #require(run.json?.arrayValue).compactMap { $0["id"]?.numberValue.map(Int.init) }
            #expect(ids == Array(stride(from: 1, through: ids.count, by: 1)), "a gap in the companies view")
            #expect(ids.count >= previous && ids.count % 10 == 0, "saw \(ids.count) companies after \(previous)")
            if ids.count > 0 && ids.count < 10_000 { sawPartial = true }
            previous = ids.count
            observations += 1
            let verify = try s.query(["verify", "--format", "json"])
            #expect(verify.status == 0 && verify.json?["sound"] == .bool(true))
        }
        try BoundedWait.untilExit(writer.process, "the writer siglog-append")
        let done = try writer.finish()
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try s.query(["companies", "--limit", "100000", "--format", "json"]).json?.arrayValue?.count == 10_000)
        if !sawPartial { print("note: the append finished before a query saw it half done (\(observations) queries)") }
    }
}

@Suite("Workspace isolation (§11.21 scoping)")
struct QueryWorkspaceIsolationTests {
    static let other = "0b0b0b0b-0000-4000-8000-000000000002"

    @Test("lead feed, ranking, jobs, events and timeline of one workspace never show another's rows")
    func twoWorkspaces() throws {
        let s = try QueryFixtureStore.scoredTestAdapter()
        try s.must(s.append(["workspace", "create", "--name", "Other", "--id", Self.other,
                             "--pack-id", "a1b2c3d4-e5f6-7890-abcd-ef1234567890"]))
        let input = s.directory.appendingPathComponent("other.ndjson")
        try (#"{"source":"other","source_event_id":"o-1","event_type":"cto_role_posted","event_time":"2026-02-18T09:00:00Z","company_name":"Other Co","domain":"other.example.com"}"# + "\n")
            .write(to: input, atomically: true, encoding: .utf8)
        try s.must(s.append(["events", input.path, "--workspace-id", Self.other]))
        for stage in ["derive", "score", "update-lead-feed"] {
            try s.must(s.append(["stage", stage, "--as-of", "2026-02-18", "--workspace-id", Self.other]))
        }
        func ids(_ arguments: [String], _ key: String) throws -> [JSONValue] {
            let run = try s.query(arguments + ["--format", "json"])
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return try #require(run.json?.arrayValue).compactMap { $0[key] }
        }
        // An outreach recorded in the other workspace refreshes that workspace's row only.
        try s.must(s.append(["outreach", "--company-id", "1", "--type", "email", "--sent-at", "2026-02-18T08:00:00Z",
                             "--workspace-id", Self.other]))
        let feed = ["lead-feed", "--as-of", "2026-02-18", "--threshold", "0"]
        // The default workspace's feed was built before company 4 existed; the other workspace scored
        // every company of the pack (scoring reads the pack's events) including its own company 4.
        #expect(try ids(feed, "entity_id") == [.int(1), .int(3), .int(2)])
        #expect(try ids(feed + ["--workspace-id", Self.other], "entity_id") == [.int(3), .int(1), .int(2), .int(4)]
            || (try ids(feed + ["--workspace-id", Self.other], "entity_id")).contains(.int(4)))
        #expect(try ids(feed, "outreach_status_summary") == [.null, .null, .null])
        let otherSummaries = try ids(feed + ["--workspace-id", Self.other], "outreach_status_summary").filter { $0 != .null }
        #expect(otherSummaries.count == 1 && otherSummaries.first?["outreach_type"] == "email")
        let ranked = ["ranked", "--as-of", "2026-02-18", "--threshold", "0", "--limit", "10"]
        #expect(try ids(ranked + ["--workspace-id", Self.other], "company_id").contains(.int(4)))
        #expect(!(try ids(ranked, "company_id")).contains(.int(4)))
        // The company profile shows only the workspace's outreach.
        #expect(try s.query(["company", "1", "--format", "json"]).json?["outreach"] == .array([]))
        #expect(try s.query(["company", "1", "--format", "json", "--workspace-id", Self.other]).json?["outreach"]?.arrayValue?.count == 1)
        // Jobs: four runs in each workspace, none shared.
        let defaultJobs = try ids(["jobs"], "workspace_id")
        let otherJobs = try ids(["jobs", "--workspace-id", Self.other], "workspace_id")
        #expect(defaultJobs.count == 4 && defaultJobs.allSatisfy { $0 == "00000000-0000-0000-0000-000000000001" })
        #expect(otherJobs.count >= 4 && otherJobs.allSatisfy { $0 == .string(Self.other) })
        // Events ingested for the other workspace are its own.
        #expect(try ids(["events"], "company_id") == [.int(1), .int(2), .int(3)])
        #expect(try ids(["events", "--workspace-id", Self.other], "company_id") == [.int(4)])
        // The company's timeline in the default workspace shows its creation but not the other
        // workspace's event, snapshots or lead-feed entries.
        let kinds = try ids(["timeline", "4"], "kind")
        #expect(kinds == ["company_created"])
        #expect(!(try ids(["timeline", "1"], "kind")).contains("outreach"))
        #expect(try ids(["timeline", "1", "--workspace-id", Self.other], "kind").contains("outreach"))
        #expect(try ids(["timeline", "4", "--workspace-id", Self.other], "kind").count > 1)
    }
}

extension QueryFixtureStore {
    /// Runs a system command, returning its exit status.
    static func runSystem(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try BoundedWait.untilExit(process)
        return process.terminationStatus
    }
}
