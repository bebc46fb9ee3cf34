import Foundation
import Glibc
import LMDB
import SiglogCore
import Testing

/// A store damaged on disk — a flipped byte, a truncated data.mdb, a zero-filled page: writers refuse
/// it naming the first damaged record, nothing crashes, `verify` says what to do, and `salvage`
/// copies every intact record before the damage into a new store that verifies.
@Suite("A damaged store")
struct DamagedStoreTests {
    /// A store holding `events` ingested events, and its export before any damage.
    final class Damaged: @unchecked Sendable {
        let directory: URL
        let store: String
        let export: [String]
        let head: Int
        let input: String

        init(events: Int) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-damage-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = directory.appendingPathComponent("store").path
            input = try writeLines(generatedEvents(events, companies: 300, tag: "dmg"), in: directory)
            try #require(try tool("siglog-append", ["init"], store: store).status == 0)
            try #require(try tool("siglog-append", ["events", input], store: store).status == 0)
            let exported = try tool("siglog-query", ["export"], store: store)
            export = exported.stdout.split(separator: "\n").map(String.init)
            head = export.count
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        var dataFile: String { store + "/data.mdb" }

        /// The sequence of the exported record whose line contains `text`.
        func sequence(of text: String) throws -> UInt64 {
            let line = try #require(export.first { $0.contains(text) })
            return UInt64(try #require(try JSONParser.parse(line).objectValue?["seq"]?.numberValue))
        }

        /// The leaf page of data.mdb holding log record `sequence`, and the page size.
        func leafPage(holding sequence: UInt64) throws -> (page: Int, size: Int) {
            let file = try DataFile(path: dataFile)
            let log = try #require(try file.databases()["log"])
            let key = withUnsafeBytes(of: sequence.bigEndian) { Array($0) }
            return (try #require(try file.leafPage(holding: key, in: log)), file.pageSize)
        }

        /// Overwrites `bytes.count` bytes of data.mdb at `offset`.
        func overwrite(at offset: Int, with bytes: [UInt8]) throws {
            let handle = try #require(FileHandle(forUpdatingAtPath: dataFile))
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data(bytes))
            try handle.close()
        }

        func read(at offset: Int, count: Int) throws -> [UInt8] {
            let handle = try #require(FileHandle(forReadingAtPath: dataFile))
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: count) ?? Data()
            try handle.close()
            return Array(data)
        }

        /// Salvages into a new store and checks it: it verifies, and its export is the original's
        /// first records. Returns the salvage's JSON result and the new store.
        func salvage() throws -> (JSONObject, String) {
            let out = directory.appendingPathComponent("salvaged").path
            let run = try tool("siglog-append", ["salvage", "--out", out], store: store)
            #expect(run.status == 0, "\(run.stderr)")
            let result = try #require(run.json?.objectValue, "\(run.stdout) \(run.stderr)")
            let copied = Int(result["copied_records"]?.numberValue ?? -1)
            // Read before any writer opens the new store (a writer records a run whose finish was lost as interrupted).
            let exported = try tool("siglog-query", ["export"], store: out).stdout.split(separator: "\n").map(String.init)
            #expect(exported.count == copied)
            #expect(exported == Array(export.prefix(copied)), "the salvaged records are the original ones, byte for byte")
            #expect(try verifies(out))
            return (result, out)
        }
    }

    @Test("a flipped byte in the last event: writers refuse naming it, verify says what to do, salvage keeps the rest")
    func flippedByte() throws {
        let s = try Damaged(events: 1_500)
        let sequence = try s.sequence(of: "event dmg 1500 of")
        let (page, size) = try s.leafPage(holding: sequence)
        let bytes = try s.read(at: page * size, count: size)
        let marker = Array("event dmg 1500 of".utf8)
        let at = try #require((0...(bytes.count - marker.count)).first { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
        try s.overwrite(at: page * size + at + 6, with: [bytes[at + 6] ^ 0x01])

        let append = try tool("siglog-append", ["events", s.input], store: s.store)
        #expect(append.status == 65, "\(append.stderr)")
        #expect(append.stderr.contains("record \(sequence): checksum mismatch"), "\(append.stderr)")
        #expect(append.stderr.contains("siglog-append salvage"), "\(append.stderr)")
        #expect(try tool("siglog-append", ["stage", "derive"], store: s.store).status == 65)

        let verify = try tool("siglog-query", ["verify", "--format", "json"], store: s.store)
        #expect(verify.status == 65)
        #expect(verify["problem_sequence"]?.numberValue == Double(sequence))
        #expect(verify["lost_records"]?.numberValue == Double(s.head - Int(sequence) + 1))
        #expect(verify["next_step"]?.stringValue?.contains("siglog-append salvage") == true)
        #expect(verify.stderr.contains("what to do:"))

        let (result, out) = try s.salvage()
        #expect(result["copied_records"]?.numberValue == Double(sequence - 1))
        #expect(result["lost_from"]?.numberValue == Double(sequence))
        #expect(result["lost_through"]?.numberValue == Double(s.head))
        // The dedup index came along: ingesting the input again stores only the lost event.
        let again = try tool("siglog-append", ["events", s.input], store: out)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again["inserted"]?.numberValue == 1)
        #expect(again["skipped_duplicate"]?.numberValue == 1_499)
    }

    @Test("a truncated data.mdb: nothing crashes, writers refuse, verify reports it, salvage copies the intact prefix")
    func truncatedFile() throws {
        let s = try Damaged(events: 3_000)
        let (page, size) = try s.leafPage(holding: UInt64(s.head - 200))
        try #require(truncate(s.dataFile, off_t(page * size)) == 0)

        for (name, arguments) in [("siglog-append", ["events", s.input]), ("siglog-query", ["stats"]), ("siglog-query", ["events"])] {
            let run = try tool(name, arguments, store: s.store)
            #expect(run.status == 65, "\(name) \(arguments): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("beyond the end of the file"), "\(run.stderr)")
        }
        let verify = try tool("siglog-query", ["verify", "--format", "json"], store: s.store)
        #expect(verify.status == 65, "\(verify.stderr)")
        #expect(verify["next_step"]?.stringValue != nil)

        let (result, _) = try s.salvage()
        let copied = Int(result["copied_records"]?.numberValue ?? 0)
        #expect(copied > 0 && copied < s.head - 100, "the records before the cut are kept, those after it lost: \(copied)")
    }

    @Test("a zero-filled page in the middle of the log: verify names its first record, salvage copies the records before it")
    func zeroFilledPage() throws {
        let s = try Damaged(events: 3_000)
        let (page, size) = try s.leafPage(holding: UInt64(s.head / 2))
        try s.overwrite(at: page * size, with: [UInt8](repeating: 0, count: size))

        let verify = try tool("siglog-query", ["verify", "--format", "json"], store: s.store)
        #expect(verify.status == 65, "\(verify.stderr)")
        let first = Int(try #require(verify["problem_sequence"]?.numberValue))
        #expect(first <= s.head / 2 && first > s.head / 2 - 200, "the damaged page's first record: \(first)")
        #expect(verify["problem"]?.stringValue?.contains("zero-filled") == true)
        #expect(verify["records_checked"]?.numberValue == Double(first - 1))

        // The damage is far from the log's tail, which writers check by default; verifying the
        // whole store before writing, on demand, refuses the write naming the first damaged record.
        let checked = try Tools.run("siglog-append", ["stage", "derive", "--store", s.store],
                                    environment: ["SIGLOG_VERIFY_BEFORE_WRITING": "1"])
        #expect(checked.status == 65, "\(checked.stderr)")
        #expect(checked.stderr.contains("record \(first): page"), "\(checked.stderr)")
        #expect(checked.stderr.contains("siglog-append salvage"), "\(checked.stderr)")

        let (result, _) = try s.salvage()
        #expect(result["copied_records"]?.numberValue == Double(first - 1))
        #expect(result["lost_records"]?.numberValue == Double(s.head - first + 1))
    }
}
