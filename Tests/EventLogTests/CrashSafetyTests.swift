import Foundation
import Testing
@testable import EventLog

@Suite("Crash safety")
struct CrashSafetyTests {
    /// Reads every record the crash writer left and checks that batches are whole and consecutive.
    func checkWholeBatches(_ log: EventLog) throws -> Int64 {
        var batch: Int64 = -1
        var expectedIndex = 0
        var batchSize = 0
        try log.forEach { record in
            var b: Int64 = -1, index = -1, size = -1
            try record.withPayload { payload in
                var reader = PayloadReader(payload)
                while let field = try reader.next() {
                    switch field.number {
                    case 1: b = try field.int64()
                    case 2: index = try field.int()
                    case 3: size = try field.int()
                    default: break
                    }
                }
            }
            if index == 0 {
                #expect(expectedIndex == batchSize, "batch \(batch) ended after \(expectedIndex) of \(batchSize) records")
                #expect(b == batch + 1, "batches must follow each other without a hole")
                batch = b
                batchSize = size
                expectedIndex = 0
            }
            #expect(b == batch && index == expectedIndex && size == batchSize)
            expectedIndex += 1
        }
        #expect(expectedIndex == batchSize, "the last batch is half-written")
        return batch + 1
    }

    @Test("SIGKILL at random moments never leaves a half-written batch (25 kills)")
    func killedWriter() throws {
        let writer = builtProductsDirectory().appendingPathComponent("siglog-crash-writer")
        try #require(FileManager.default.isExecutableFile(atPath: writer.path), "build siglog-crash-writer first")
        let path = temporaryStorePath()
        var generator = SystemRandomNumberGenerator()
        var batches: Int64 = 0
        for round in 0..<25 {
            let process = Process()
            process.executableURL = writer
            process.arguments = [path]
            try process.run()
            usleep(UInt32.random(in: 30_000...250_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the writer should have been killed")
            // On a busy machine the first writer can be killed before it has created the store:
            // then there is nothing to check yet (the last expectation still wants committed batches).
            if batches == 0 && !FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("data.mdb")) {
                continue
            }
            let log = try EventLog(path: path, mode: .readWrite)
            let report = try log.verify()
            #expect(report.isSound, "round \(round): \(String(describing: report.firstProblem))")
            let whole = try checkWholeBatches(log)
            #expect(whole >= batches, "committed batches must never disappear")
            batches = whole
        }
        #expect(batches > 0)
    }
}
