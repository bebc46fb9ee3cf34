import BoundedWait
import Foundation
import SiglogCore
import Testing

/// Hot backup while another process ingests, restore checked against the manifest, and export/import
/// as the portable backup.
@Suite("Backup, restore, export and import")
struct BackupRestoreTests {
    final class Scratch: @unchecked Sendable {
        let directory: URL
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-backup-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    }

    @Test("a backup taken while another process ingests restores to a store whose stats fingerprints are the manifest's")
    func hotBackupDuringIngest() throws {
        let scratch = try Scratch()
        let store = scratch.path("store")
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let total = 40_000
        let input = try writeLines(generatedEvents(total, companies: 2_000), in: scratch.directory)
        let ingest = try QueryFixtureStore.start("siglog-append", ["events", input, "--batch-size", "1000", "--store", store])
        // Back up once the ingest has committed something, while it goes on.
        var head = 0
        for _ in 0..<200 where head < 3_000 {
            usleep(20_000)
            head = Int(try stats(store)["head"]?.numberValue ?? 0)
        }
        let backup = try tool("siglog-append", ["backup", "--out", scratch.path("backup")], store: store)
        let ingestWasRunning = ingest.process.isRunning
        try BoundedWait.untilExit(ingest.process, "the ingest beside the backup")
        #expect(try ingest.finish().status == 0)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(ingestWasRunning, "the backup finished while the ingest was still writing")
        let manifest = try #require(backup["manifest"]?.objectValue)
        let backedUp = Int(try #require(manifest["log_head"]?.numberValue))
        let finalHead = Int(try stats(store)["head"]?.numberValue ?? 0)
        #expect(backedUp > 0 && backedUp < finalHead)
        #expect(manifest["data_sha256"]?.stringValue?.count == 64)
        #expect(manifest["tool_version"]?.stringValue == SiglogVersion.current)

        let restored = scratch.path("restored")
        let restore = try QueryFixtureStore.run("siglog-append", ["restore", scratch.path("backup"), "--store", restored])
        #expect(restore.status == 0, "\(restore.stderr)")
        let restoredStats = try stats(restored)
        #expect(restoredStats["view_fingerprints"] == manifest["view_fingerprints"])
        #expect(restoredStats["head"]?.numberValue == Double(backedUp))
        #expect(restoredStats["views_behind"]?.numberValue == 0)
        #expect(try verifies(restored))
        // The copy holds whole batches: the events are a multiple of the batch size.
        #expect(try records("event_stored", in: restored) % 1_000 == 0)
    }

    @Test("an export taken while another process ingests imports to the store as it was at the exported head")
    func exportDuringIngest() throws {
        let scratch = try Scratch()
        let store = scratch.path("store")
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let input = try writeLines(generatedEvents(40_000, companies: 2_000, tag: "live"), in: scratch.directory)
        let ingest = try QueryFixtureStore.start("siglog-append", ["events", input, "--batch-size", "1000", "--store", store])
        var head = 0
        for _ in 0..<200 where head < 3_000 {
            usleep(20_000)
            head = Int(try stats(store)["head"]?.numberValue ?? 0)
        }
        let export = try tool("siglog-query", ["export"], store: store)
        let ingestWasRunning = ingest.process.isRunning
        #expect(try ingest.finish().status == 0)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(ingestWasRunning, "the export finished while the ingest was still writing")
        let exported = scratch.path("export.ndjson")
        try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: exported))
        let lines = export.stdout.split(separator: "\n")
        let exportedHead = lines.count
        let finalHead = Int(try stats(store)["head"]?.numberValue ?? 0)
        #expect(exportedHead > 0 && exportedHead < finalHead)

        let copy = scratch.path("imported")
        let imported = try tool("siglog-append", ["import", exported], store: copy)
        #expect(imported.status == 0, "\(imported.stderr)")
        // The source as it was at the exported head: a point-in-time rebuild of its log.
        let past = scratch.path("past")
        let rebuild = try tool("siglog-replay", ["--to-seq", "\(exportedHead)", "--out", past], store: store)
        try #require(rebuild.status == 0, "\(rebuild.stderr)")
        let importedStats = try stats(copy)
        #expect(importedStats["head"]?.numberValue == Double(exportedHead))
        #expect(importedStats["view_fingerprints"] == (try stats(past))["view_fingerprints"])
        #expect(try verifies(copy))
    }

    @Test("import refuses a line it cannot store as exported, naming the line and the field")
    func importRefusesBadLines() throws {
        let scratch = try Scratch()
        let store = scratch.path("store")
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let lines = try tool("siglog-query", ["export"], store: store).stdout.split(separator: "\n").map(String.init)
        try #require(lines.count >= 2)
        // The log stores "no workspace" as the all-zero UUID (found by the import fuzz target: such a
        // line imported as a record that exported differently).
        let zeroWorkspace = lines[1].replacing(
            #/"workspace_id":("[0-9a-f-]+"|null)/#, with: #""workspace_id":"00000000-0000-0000-0000-000000000000""#)
        let cases: [(line: String, field: String)] = [
            (zeroWorkspace, "workspace_id"),
            (lines[1].replacing(#/"seq":\d+/#, with: #""seq":7"#), "seq"),
            (lines[1].replacing(#/"payload":"[^"]*"/#, with: #""payload":"AAAA""#), "payload"),
        ]
        for (index, bad) in cases.enumerated() {
            let file = try writeLines([lines[0], bad.line], in: scratch.directory, name: "bad-\(index).ndjson")
            let target = scratch.path("imported-\(index)")
            let run = try tool("siglog-append", ["import", file], store: target)
            #expect(run.status == 65, "\(bad.field): \(run.stderr)")
            #expect(run.stderr.contains("\(file):2: \(bad.field):"), "\(run.stderr)")
        }
    }

    @Test("restore refuses a backup whose data file was changed, and a target that already holds a store")
    func restoreChecksTheManifest() throws {
        let scratch = try Scratch()
        let store = scratch.path("store")
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        try #require(try tool("siglog-append", ["events", QueryFixtureStore.testAdapter], store: store).status == 0)
        let backupDirectory = scratch.path("backup")
        try #require(try tool("siglog-append", ["backup", "--out", backupDirectory], store: store).status == 0)
        #expect(try tool("siglog-append", ["backup", "--out", backupDirectory], store: store).status == 67, "one backup per directory")
        #expect(try QueryFixtureStore.run("siglog-append", ["restore", backupDirectory, "--store", store]).status == 67)

        let data = backupDirectory + "/data.mdb"
        let handle = try #require(FileHandle(forUpdatingAtPath: data))
        try handle.seek(toOffset: 5_000)
        let byte = try #require(try handle.read(upToCount: 1)?.first)
        try handle.seek(toOffset: 5_000)
        try handle.write(contentsOf: Data([byte ^ 0x40]))
        try handle.close()
        let target = scratch.path("restored")
        let refused = try QueryFixtureStore.run("siglog-append", ["restore", backupDirectory, "--store", target])
        #expect(refused.status == 67)
        #expect(refused.stderr.contains("does not match its manifest"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target + "/data.mdb"))
    }

    @Test("export then import into an empty store: the same head, fingerprints, dedup index and idempotency ledger")
    func exportImport() throws {
        let scratch = try Scratch()
        let store = scratch.path("store")
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let input = try writeLines(generatedEvents(2_000, companies: 150), in: scratch.directory)
        try #require(try tool("siglog-append", ["events", input], store: store).status == 0)
        let daily = try tool("siglog-append", ["stage", "daily-aggregation", "--events", QueryFixtureStore.testAdapter,
                                               "--as-of", "2026-02-28", "--idempotency-key", "nightly-1"], store: store)
        try #require(daily.status == 0, "\(daily.stderr)")
        try #require(try tool("siglog-append", ["outreach", "--company", "1", "--type", "email", "--sent-at", "2026-02-20"],
                              store: store).status == 0)
        let exported = scratch.path("export.ndjson")
        let export = try tool("siglog-query", ["export"], store: store)
        try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: exported))

        let copy = scratch.path("imported")
        let imported = try tool("siglog-append", ["import", exported], store: copy)
        #expect(imported.status == 0, "\(imported.stderr)")
        let original = try stats(store)
        let rebuilt = try stats(copy)
        #expect(rebuilt["head"] == original["head"])
        #expect(rebuilt["view_fingerprints"] == original["view_fingerprints"])
        #expect(try tool("siglog-query", ["export"], store: copy).stdout == export.stdout)
        #expect(try verifies(copy))
        // The log's own indexes came along: the same input is all duplicates, the same key the same run.
        let again = try tool("siglog-append", ["events", input], store: copy)
        #expect(again["inserted"]?.numberValue == 0)
        #expect(again["skipped_duplicate"]?.numberValue == 2_000)
        let cached = try tool("siglog-append", ["stage", "daily-aggregation", "--events", QueryFixtureStore.testAdapter,
                                                "--as-of", "2026-02-28", "--idempotency-key", "nightly-1"], store: copy)
        #expect(cached["job_run_id"] == daily["job_run_id"])
        // Only into an empty store.
        #expect(try tool("siglog-append", ["import", exported], store: copy).status == 67)
    }
}
