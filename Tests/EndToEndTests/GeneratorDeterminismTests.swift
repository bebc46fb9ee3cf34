import Foundation
import Testing

/// The benchmark input generator (`tools/bench/generate-events`) is deterministic: the same seed gives
/// the same bytes, a different seed different bytes. The benchmark itself never runs in the test suite.
@Suite("Benchmark generator determinism")
struct GeneratorDeterminismTests {
    private static let generator = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/bench/generate-events")

    /// Runs `python3 tools/bench/generate-events --events 2000 --seed SEED [--profile PROFILE]` and
    /// returns its output.
    private static func generate(seed: Int, profile: String = "bench") throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", generator.path, "--events", "2000", "--seed", String(seed), "--profile", profile]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return data
    }

    @Test("same seed, same bytes")
    func sameSeedSameBytes() throws {
        let first = try Self.generate(seed: 7)
        let second = try Self.generate(seed: 7)
        #expect(first.filter { $0 == UInt8(ascii: "\n") }.count == 2000)
        #expect(first == second)
    }

    @Test("different seed, different bytes")
    func differentSeedDifferentBytes() throws {
        #expect(try Self.generate(seed: 7) != Self.generate(seed: 8))
    }

    @Test("reference profile: same seed, same bytes; not the bench profile's bytes")
    func referenceProfile() throws {
        let first = try Self.generate(seed: 7, profile: "reference")
        #expect(first.filter { $0 == UInt8(ascii: "\n") }.count == 2000)
        #expect(try first == Self.generate(seed: 7, profile: "reference"))
        #expect(try first != Self.generate(seed: 8, profile: "reference"))
        #expect(try first != Self.generate(seed: 7))
    }
}
