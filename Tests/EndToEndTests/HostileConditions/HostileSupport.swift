import Foundation
import Glibc
import SiglogCore
import Testing

/// A small tmpfs mounted for one test (the tests run as root, as CI does): a disk that really fills
/// up. Mounting is required: a machine that cannot mount fails these tests rather than skipping them.
final class SmallDisk: @unchecked Sendable {
    let mountPoint: URL

    init(megabytes: Int) throws {
        mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-disk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        let status = try QueryFixtureStore.runSystem("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", mountPoint.path])
        guard status == 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [
                NSLocalizedDescriptionKey: "mount -t tmpfs failed (status \(status)); the disk-full tests need root (uid \(geteuid()))",
            ])
        }
    }

    deinit {
        _ = try? QueryFixtureStore.runSystem("/bin/umount", ["-l", mountPoint.path])
        try? FileManager.default.removeItem(at: mountPoint)
    }

    var ballast: URL { mountPoint.appendingPathComponent("ballast") }

    /// Bytes free on the disk.
    var freeBytes: Int {
        var info = statvfs()
        statvfs(mountPoint.path, &info)
        return Int(info.f_bfree) * Int(info.f_frsize)
    }

    /// Fills the disk with a ballast file until only `bytes` are free.
    func fill(leaving bytes: Int) throws {
        let size = freeBytes - bytes
        try #require(size > 0, "the disk has only \(freeBytes) bytes free")
        let handle = try FileHandle(forWritingTo: { _ = FileManager.default.createFile(atPath: ballast.path, contents: nil); return ballast }())
        let chunk = Data(repeating: 0x5A, count: 1 << 20)
        var written = 0
        while written < size {
            let part = min(chunk.count, size - written)
            try handle.write(contentsOf: chunk.prefix(part))
            written += part
        }
        try handle.close()
    }

    /// Frees the ballast's space.
    func free() throws { try FileManager.default.removeItem(at: ballast) }
}

/// NDJSON events with unique `source_event_id`s over `companies` companies.
func generatedEvents(_ count: Int, companies: Int, tag: String = "gen") -> [String] {
    let types = ["funding_raised", "job_posted_engineering", "cto_role_posted", "compliance_mentioned", "api_launched"]
    return (1...count).map { i in
        let company = i % companies
        let day = 1 + i % 27
        return #"{"source":"hostile","source_event_id":"\#(tag)-\#(i)","company_name":"Company \#(company)","#
            + #""domain":"company\#(company).example","event_type":"\#(types[i % types.count])","#
            + #""event_time":"2026-02-\#(day < 10 ? "0" : "")\#(day)T10:00:00Z","title":"event \#(tag) \#(i) of company \#(company)"}"#
    }
}

/// Writes `lines` to a new file in `directory`.
func writeLines(_ lines: [String], in directory: URL, name: String = "events.ndjson") throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    return url.path
}

extension QueryFixtureStore.Run {
    /// The value at `key` of the JSON printed on stdout.
    subscript(key: String) -> JSONValue? { json?.objectValue?[key] }
}

/// Runs a built tool against `store`.
func tool(_ name: String, _ arguments: [String], store: String) throws -> QueryFixtureStore.Run {
    try QueryFixtureStore.run(name, arguments + ["--store", store])
}

/// `siglog-query stats` of `store` as JSON.
func stats(_ store: String) throws -> JSONObject {
    let run = try tool("siglog-query", ["stats", "--format", "json"], store: store)
    try #require(run.status == 0, "stats: \(run.stderr)")
    return try #require(run.json?.objectValue)
}

/// The records of one type in `store` (0 when there are none).
func records(_ type: String, in store: String) throws -> Int {
    Int(try stats(store)["records_by_type"]?.objectValue?[type]?.numberValue ?? 0)
}

/// Whether `siglog-query verify` and `siglog-replay --verify` both find `store` sound.
func verifies(_ store: String) throws -> Bool {
    let log = try tool("siglog-query", ["verify", "--format", "json"], store: store)
    let views = try tool("siglog-replay", ["--verify"], store: store)
    return log.status == 0 && views.status == 0
}
