import Foundation
import LMDB
@testable import Projections
import SeededRandom
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A rebuild's held buffers are made present ahead of the writer (`PageWarmer`): warming must make
/// the pages present without changing a byte of them, and the held rows must come out the same
/// whether their blocks were warmed or not.
@Suite("Page warmer")
struct PageWarmerTests {
    /// Which of the `pages` pages at `start` are present (`mincore`).
    static func present(_ start: UnsafeMutableRawPointer, pages: Int) -> [Bool] {
        var flags = [UInt8](repeating: 0, count: pages)
        let result = flags.withUnsafeMutableBufferPointer { mincore(start, pages * 4096, $0.baseAddress) }
        precondition(result == 0, "mincore failed")
        return flags.map { $0 & 1 == 1 }
    }

    @Test("Warmed pages are present and keep their bytes; pages outside the range are not touched")
    func warmsWithoutWriting() throws {
        let pages = 1_600  // 6.25 MiB: more than one warming step
        let mapping = mmap(nil, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { Issue.record("mmap failed"); return }
        defer { munmap(mapping, pages * 4096) }
        // A few pages written before: their bytes must stay.
        var generator = SeededGenerator(seed: 20_261_216)
        var written: [Int: [UInt8]] = [:]
        for page in [3, 17, 700, 1_500] {
            let bytes = (0..<4096).map { _ in UInt8.random(in: 1...255, using: &generator) }
            bytes.withUnsafeBytes { (mapping + page * 4096).copyMemory(from: $0.baseAddress!, byteCount: 4096) }
            written[page] = bytes
        }
        let before = PageWarmerTests.present(mapping, pages: pages)
        #expect(before.filter { $0 }.count == written.count, "only the written pages are present before")

        // From the middle of page 10 to the middle of page 1,400: whole pages 11...1,399 are warmed.
        let warmer = PageWarmer()
        defer { warmer.stop() }
        warmer.warm(mapping + 10 * 4096 + 100, count: 1_390 * 4096 - 100 + 2_000)
        warmer.drain()
        let after = PageWarmerTests.present(mapping, pages: pages)
        for page in 0..<pages {
            let expected = (11...1_399).contains(page) || written[page] != nil
            #expect(after[page] == expected, "page \(page)")
        }
        for (page, bytes) in written {
            let stored = Array(UnsafeRawBufferPointer(start: mapping + page * 4096, count: 4096))
            #expect(stored == bytes, "page \(page) keeps its bytes")
        }
        let zeros = UnsafeRawBufferPointer(start: mapping + 11 * 4096, count: 6 * 4096).allSatisfy { $0 == 0 }
        #expect(zeros, "a warmed page that was never written reads as zeros")
    }

    @Test("A cancelled warmer warms nothing more; it warms again what is asked after")
    func cancel() throws {
        let pages = 4_096  // 16 MiB
        let mapping = mmap(nil, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapping, mapping != MAP_FAILED else { Issue.record("mmap failed"); return }
        defer { munmap(mapping, pages * 4096) }
        let warmer = PageWarmer()
        defer { warmer.stop() }
        warmer.warm(mapping, count: 2_048 * 4096)
        warmer.cancel()
        let cancelled = PageWarmerTests.present(mapping, pages: pages)
        // Whatever was warmed before the cancel stays; nothing of it is warmed later.
        warmer.warm(mapping + 3_000 * 4096, count: 100 * 4096)
        warmer.drain()
        let after = PageWarmerTests.present(mapping, pages: pages)
        #expect(Array(after[0..<2_048]) == Array(cancelled[0..<2_048]), "no page of the cancelled range is warmed after the cancel")
        #expect(after[3_000..<3_100].allSatisfy { $0 }, "a range asked after the cancel is warmed")
        #expect(!after[2_048..<3_000].contains(true) && !after[3_100...].contains(true))
    }

    @Test("Held instance rows over many warmed blocks, with rollbacks: the same rows as without a warmer")
    func heldRowsWithWarmer() throws {
        var generator = SeededGenerator(seed: 20_261_217)
        let warmer = PageWarmer()
        defer { warmer.stop() }
        let warmed = HeldInstanceRows(warmer: warmer)
        let plain = HeldInstanceRows()
        var model: [[UInt8]: [UInt8]] = [:]
        for round in 0..<8 {
            let saved = model
            let marks = (warmed.mark, plain.mark)
            // ≈ 1.1 MiB a round: each round starts blocks; rows over a block's size too.
            for index in 0..<1_000 {
                let key = (0..<Int.random(in: 1...24, using: &generator)).map { _ in UInt8.random(in: 0...9, using: &generator) }
                let size = index == 500 ? HeldInstanceRows.blockSize + 77 : Int.random(in: 0...2_000, using: &generator)
                let value = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
                HeldInstanceRowsTests.add(key, value, to: warmed)
                HeldInstanceRowsTests.add(key, value, to: plain)
                model[key] = value
            }
            if round % 3 == 2 {
                warmed.rollBack(to: marks.0)
                plain.rollBack(to: marks.1)
                model = saved
            }
            for key in model.keys { #expect(HeldInstanceRowsTests.row(key, in: warmed) == model[key]) }
        }
        var stored: [[([UInt8], [UInt8])]] = []
        for (name, rows) in [("warmed", warmed), ("plain", plain)] {
            let environment = try Environment(path: temporaryPath("page-warmer-\(name)"))
            let db = try environment.database("instances", create: true)
            try rows.flushCommitting(into: db, environment: environment, chunkBytes: 100_000)
            #expect(rows.isEmpty)
            stored.append(try HeldInstanceRowsTests.entries(of: db, in: environment))
        }
        let expected = model.sorted { HeldInstanceRowsTests.precedes($0.key, $1.key) }
        #expect(stored[0].map(\.0) == expected.map(\.key))
        #expect(stored[0].map(\.1) == expected.map(\.value))
        #expect(stored[0].map(\.0) == stored[1].map(\.0) && stored[0].map(\.1) == stored[1].map(\.1))
    }
}
