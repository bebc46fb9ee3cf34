import Foundation
import SiglogCore
import Testing

/// A disk that fills up under ingest, a stage and a replay (a real tmpfs): exit 74, a message that
/// says what was kept and how to go on, a sound store, and a rerun after freeing space that ends
/// with exact counts.
@Suite("A full disk")
struct DiskFullTests {
    /// `input committed through line N (M events)` and the `--from-line` it asks for, from the message.
    static func committed(_ stderr: String) -> (line: Int, events: Int, fromLine: Int)? {
        let pattern = #/input committed through line (\d+) \((\d+) events\); free space and run again with --from-line (\d+)/#
        guard let match = stderr.firstMatch(of: pattern) else { return nil }
        return (Int(match.1)!, Int(match.2)!, Int(match.3)!)
    }

    @Test("ingest: exit 74 naming the committed line; --from-line N+1 after freeing space stores exactly the rest")
    func ingestRunsOutOfSpace() throws {
        let disk = try SmallDisk(megabytes: 16)
        let store = disk.mountPoint.appendingPathComponent("store").path
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let total = 8_000
        let input = try writeLines(generatedEvents(total, companies: 400), in: disk.mountPoint.deletingLastPathComponent(),
                                   name: "disk-full-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(atPath: input) }
        try disk.fill(leaving: 1_200_000)

        let full = try tool("siglog-append", ["events", input, "--batch-size", "500"], store: store)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("no space left on device while writing \(store): input committed through line"), "\(full.stderr)")
        let kept = try #require(Self.committed(full.stderr), "\(full.stderr)")
        #expect(kept.fromLine == kept.line + 1)
        #expect(kept.line > 0 && kept.line < total, "some batches fit and some did not: \(kept)")
        #expect(kept.events == kept.line, "every line is one new event")
        #expect(kept.line % 500 == 0, "batches commit whole")
        #expect(try records("event_stored", in: store) == kept.events)
        #expect(try verifies(store))

        try disk.free()
        let rest = try tool("siglog-append", ["events", input, "--batch-size", "500", "--from-line", "\(kept.fromLine)"], store: store)
        #expect(rest.status == 0, "\(rest.stderr)")
        #expect(rest["inserted"]?.numberValue == Double(total - kept.events))
        #expect(rest["skipped_duplicate"]?.numberValue == 0)
        #expect(try records("event_stored", in: store) == total)
        #expect(try verifies(store))
    }

    @Test("a stage: exit 74, nothing of it kept, the rerun after freeing space scores every company")
    func stageRunsOutOfSpace() throws {
        let disk = try SmallDisk(megabytes: 24)
        let store = disk.mountPoint.appendingPathComponent("store").path
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let companies = 1_500
        let input = try writeLines(generatedEvents(3_000, companies: companies), in: disk.mountPoint)
        try #require(try tool("siglog-append", ["events", input], store: store).status == 0)
        try #require(try tool("siglog-append", ["stage", "derive", "--as-of", "2026-02-28"], store: store).status == 0)
        try FileManager.default.removeItem(atPath: input)
        try disk.fill(leaving: 256 << 10)

        let full = try tool("siglog-append", ["stage", "score", "--as-of", "2026-02-28"], store: store)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("no space left on device while writing \(store): stage score wrote nothing"), "\(full.stderr)")
        #expect(try records("readiness_snapshot", in: store) == 0)
        #expect(try verifies(store))

        try disk.free()
        let rerun = try tool("siglog-append", ["stage", "score", "--as-of", "2026-02-28"], store: store)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun["companies_scored"]?.numberValue == Double(companies))
        #expect(try records("readiness_snapshot", in: store) == companies)
        #expect(try verifies(store))
    }

    @Test("replay: exit 74 with the current views in use; the rerun after freeing space rebuilds them byte for byte")
    func replayRunsOutOfSpace() throws {
        let disk = try SmallDisk(megabytes: 24)
        let store = disk.mountPoint.appendingPathComponent("store").path
        try #require(try tool("siglog-append", ["init"], store: store).status == 0)
        let input = try writeLines(generatedEvents(6_000, companies: 1_000), in: disk.mountPoint)
        try #require(try tool("siglog-append", ["events", input], store: store).status == 0)
        try FileManager.default.removeItem(atPath: input)
        let before = try stats(store)
        try disk.fill(leaving: 256 << 10)

        let full = try tool("siglog-replay", [], store: store)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("no space left on device while writing \(store): the rebuild stopped before switching"),
                "\(full.stderr)")
        let during = try stats(store)
        #expect(during["view_generation"] == before["view_generation"], "the views in use did not change")
        #expect(during["view_fingerprints"] == before["view_fingerprints"])
        #expect(try verifies(store))

        try disk.free()
        let rerun = try tool("siglog-replay", [], store: store)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = try stats(store)
        #expect(after["view_fingerprints"] == before["view_fingerprints"])
        #expect(after["head"] == before["head"])
        #expect(after["view_generation"]?.numberValue == (before["view_generation"]?.numberValue ?? 0) + 1)
        #expect(try records("event_stored", in: store) == 6_000)
        #expect(try verifies(store))
    }
}
