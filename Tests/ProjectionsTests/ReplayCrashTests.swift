import Foundation
import Pipeline
@testable import Projections
import SiglogCore
import SeededRandom
import Testing

@Suite("Replay crash safety")
struct ReplayCrashTests {
    func runReplay(_ store: String, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = builtProductsDirectory().appendingPathComponent("siglog-replay")
        process.arguments = ["--store", store, "--transaction-size", "1500"] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("SIGKILL during replay at random moments: the old views stay whole, a rerun completes (12 kills)")
    func killedReplay() throws {
        let binary = builtProductsDirectory().appendingPathComponent("siglog-replay")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build siglog-replay first")
        let path = temporaryPath("crash")
        let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)
        var expected: [View: Fingerprint] = [:]
        do {
            let (store, pipeline) = try initializedStore(path: path, now: now, durable: true)
            var generator = SeededGenerator(seed: 42)
            try ingest(randomEvents(30_000, companies: 400, before: now.day, using: &generator), into: pipeline)
            _ = try pipeline.runDerive()
            _ = try pipeline.runScore(asOf: now.day)
            _ = try pipeline.runUpdateLeadFeed(asOf: now.day)
            expected = try storedFingerprints(store)
        }
        // How long a whole run takes here, so the kills land inside one.
        let clock = ContinuousClock()
        let timed = try runReplay(path)
        let duration = clock.measure { timed.waitUntilExit() }
        try #require(timed.terminationStatus == 0)
        let micros = max(UInt32(duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000), 20_000)
        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        var round = 0
        while killedMidway < 12 && round < 40 {
            round += 1
            let process = try runReplay(path)
            usleep(UInt32.random(in: (micros / 20)...(micros * 9 / 10), using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidway += 1 }
            do {
                let store = try Store(path: path, mode: .readWrite)
                #expect(try storedFingerprints(store) == expected, "round \(round): stored fingerprints after the kill")
                #expect(try contentFingerprints(store) == expected, "round \(round): view contents after the kill")
            }
            let rerun = try runReplay(path)
            rerun.waitUntilExit()
            #expect(rerun.terminationStatus == 0, "round \(round): the rerun must succeed")
            do {
                let store = try Store(path: path, mode: .readWrite)
                #expect(try storedFingerprints(store) == expected, "round \(round): after the rerun")
                #expect(try contentFingerprints(store) == expected, "round \(round): contents after the rerun")
                let generation = store.views.generation
                for name in View.names + [ViewSet.checkpointName] {
                    #expect(try !store.log.environment.hasDatabase(ViewSet.databaseName(name, generation: generation - 1)))
                    #expect(try !store.log.environment.hasDatabase(ViewSet.databaseName(name, generation: generation + 1)))
                }
            }
        }
        #expect(killedMidway >= 10, "kills should land during a replay (\(killedMidway) of \(round) did)")
    }
}
