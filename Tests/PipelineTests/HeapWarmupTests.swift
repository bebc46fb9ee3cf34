import CMallocTrim
import Foundation
import Testing
@testable import Pipeline

/// The writing thread's heap faulted in ahead of a file ingest (`siglog_warm_heap`).
@Suite struct HeapWarmupTests {
    #if os(Linux)
    @Test func theArenaHandsOutWarmedPagesThatArePresentBeforeTheirFirstTouch() throws {
        let populated = siglog_warm_heap(8 << 20, 1)
        #expect(populated >= 8 << 20)
        // Taken from this thread's arena right after, nothing written to it yet.
        let size = 4 << 20
        let block = try #require(malloc(size))
        defer { free(block) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: block) + page - 1) / page * page
        let end = (Int(bitPattern: block) + size) / page * page
        var present = [UInt8](repeating: 0, count: (end - start) / page)
        #expect(mincore(UnsafeMutableRawPointer(bitPattern: start), end - start, &present) == 0)
        #expect(present.allSatisfy { $0 & 1 == 1 })
    }
    #endif

    @Test func theWarmUpFollowsTheInputAndTheBatchUpToItsLimit() {
        let limit = StageRunner.heapWarmupLimit
        // Small inputs: none.
        #expect(StageRunner.heapWarmupBytes(inputBytes: 1 << 20, batchSize: 50_000) == 0)
        // Three times the input's bytes.
        #expect(StageRunner.heapWarmupBytes(inputBytes: 4 << 20, batchSize: 50_000) == 12 << 20)
        // 1 KiB per line of a batch.
        #expect(StageRunner.heapWarmupBytes(inputBytes: 31 << 20, batchSize: 10_000) == 10_000 * 1024)
        #expect(StageRunner.heapWarmupBytes(inputBytes: 31 << 20, batchSize: 5_000) == 0)
        // The limit, without overflow on any size.
        #expect(StageRunner.heapWarmupBytes(inputBytes: 31 << 20, batchSize: 50_000) == limit)
        #expect(StageRunner.heapWarmupBytes(inputBytes: .max, batchSize: .max) == limit)
        #expect(StageRunner.heapWarmupBytes(inputBytes: 0, batchSize: 0) == 0)
    }
}
