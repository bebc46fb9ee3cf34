import Foundation
import Synchronization
import Testing
@testable import LMDB

/// The directory holding the test bundle, where SwiftPM also puts the package's executables.
private func builtProductsDirectory() -> URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
}

@Suite("Map size adopted from another process")
struct MapResizeTests {
    @Test("another process grows the map: readers drain, this process adopts the new size, then reads and writes")
    func adoptAfterAnotherProcessGrows() throws {
        let grower = builtProductsDirectory().appendingPathComponent("siglog-map-grower")
        try #require(FileManager.default.isExecutableFile(atPath: grower.path), "build siglog-map-grower first")
        let path = temporaryStorePath()
        var options = Environment.Options()
        options.initialMapSize = 1 << 20
        let env = try Environment(path: path, options: options)
        let mine = try env.database("mine")
        let blobs = try env.database("blobs")
        try env.write { try $0.put(mine, key: [1], value: [1]) }
        let sizeBefore = env.mapSize

        // A reader of this process opens a transaction before the growth and keeps it open after it.
        let readerFinished = Atomic<Bool>(false)
        let readerStarted = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let readerThread = Thread {
            do {
                try env.read { txn in
                    _ = try txn.value(mine, key: [1])
                    readerStarted.signal()
                    release.wait()
                    usleep(300_000)
                    readerFinished.store(true, ordering: .sequentiallyConsistent)
                }
            } catch {
                Issue.record("reader failed: \(error)")
            }
        }
        readerThread.start()
        readerStarted.wait()

        // Another process writes 16 MiB: the data now lies far beyond this process's 1 MiB map.
        let process = Process()
        process.executableURL = grower
        process.arguments = [path, "16"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let grownSize = Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(grownSize > 16 << 20)

        // The main thread needs the new size while the reader is still inside its transaction: the
        // adoption must wait for it (no transaction of this process may be open meanwhile).
        release.signal()
        let entries = try env.read { try $0.statistics(of: blobs).entries }
        let finishedFirst = readerFinished.load(ordering: .sequentiallyConsistent)
        #expect(finishedFirst, "the new size was adopted while another transaction of this process was open")
        #expect(entries == 16 * 256)
        #expect(env.mapSize >= grownSize)
        #expect(env.mapSize > sizeBefore)

        // And this process writes again.
        try env.write { try $0.put(mine, key: [2], value: [2]) }
        #expect(try env.read { try $0.value(mine, key: [2]) } == [2])
    }
}
