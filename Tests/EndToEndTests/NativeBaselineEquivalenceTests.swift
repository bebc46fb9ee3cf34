import Foundation
import SiglogCore
import Testing

/// The native SQLite baseline of the benchmark (`siglog-bench-sqlite`) does the same storage work as
/// the Python SQLite baseline (`tools/bench/baseline.py`): on generated input, every table holds the
/// same rows after ingest, derive, score and lead feed (`tools/bench/compare-sqlite-baselines`). This
/// checks what the benchmark compares, never how fast it runs.
@Suite("Native SQLite baseline writes the Python baseline's rows")
struct NativeBaselineEquivalenceTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    /// Runs the comparison on 3,000 generated events of `profile`; returns its exit status and JSON.
    private static func compare(profile: String) throws -> (status: Int32, report: JSONObject?) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", root.appendingPathComponent("tools/bench/compare-sqlite-baselines").path,
            "--native", binaries.appendingPathComponent("siglog-bench-sqlite").path,
            "--profile", profile, "--events", "3000", "--companies", "300", "--seed", "11",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, (try? JSONParser.parse(Array(data)))?.objectValue)
    }

    @Test("same rows in every table", arguments: ["bench", "reference"])
    func sameRows(profile: String) throws {
        let (status, report) = try Self.compare(profile: profile)
        let tables = try #require(report?["tables"]?.objectValue)
        #expect(tables.count == 7)
        for member in tables.members {
            let table = try #require(member.value.objectValue)
            #expect(table["identical"] == .bool(true), "\(member.key): \(table["first_difference"] ?? .null)")
            guard case .int(let rows)? = table["native_rows"] else {
                Issue.record("\(member.key): no row count")
                continue
            }
            #expect(rows > 0, "\(member.key) is empty")
        }
        #expect(report?["identical"] == .bool(true))
        #expect(status == 0)
    }
}
