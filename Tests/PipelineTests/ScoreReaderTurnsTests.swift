import Dispatch
import Foundation
@testable import Pipeline
import Projections
import SiglogCore
import Synchronization
import Testing

/// The score stage's reading threads take turns chunk by chunk; the transaction's thread still
/// takes the chunks, their errors and failures in company order whichever reader finishes first.
@Suite("Score stage chunks read by readers taking turns")
struct ScoreReaderTurnsTests {
    static let day = ScoreChunkTests.day
    static let fourChunks = 3 * StageRunner.scoreChunkSize + 11

    @Test("A slow first chunk keeps the appends in company order and the views those of an undelayed run")
    func slowFirstChunkKeepsCompanyOrder() throws {
        #expect(StageRunner.scoreReaderCount >= 2, "the test delays one reader while another reads ahead")
        let (delayed, companies) = try ScoreChunkTests.fixture(companies: Self.fourChunks)
        let (plain, sameCompanies) = try ScoreChunkTests.fixture(companies: Self.fourChunks)
        #expect(companies == sameCompanies)
        let appended = Mutex<[Int64]>([])
        let readOrder = Mutex<[Int64]>([])
        let result = try delayed.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeChunkRead: { chunk in
                                  // The second reader's chunk is read while the first one waits.
                                  if chunk.first == companies[0] { Thread.sleep(forTimeInterval: 0.3) }
                                  readOrder.withLock { $0.append(chunk[0]) }
                              },
                              beforeAppend: { input, _ in appended.withLock { $0.append(input.company) } }))
        let once = try plain.pipeline.runScore(asOf: Self.day)
        #expect(result.json["status"] == "completed")
        #expect(readOrder.withLock { $0.first } == companies[StageRunner.scoreChunkSize], "the second chunk was read first")
        #expect(appended.withLock { $0 } == companies)
        #expect(result.json == once.json)
        #expect(try delayed.store.log.head() == plain.store.log.head())
        #expect(try delayed.viewDump(companies: companies, days: [Self.day]) == plain.viewDump(companies: companies, days: [Self.day]))
    }

    @Test("A failed read of the second reader's second chunk fails the stage, keeps nothing and ends both readers")
    func laterChunkOfSecondReaderFails() throws {
        let (fixture, companies) = try ScoreChunkTests.fixture(companies: Self.fourChunks)
        struct ReadFailure: Error, CustomStringConvertible { var description: String { "the fourth chunk's read failed" } }
        let fourthChunk = companies[3 * StageRunner.scoreChunkSize]
        let readersDone = Atomic<Int>(0)
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeChunkRead: { chunk in if chunk.first == fourthChunk { throw ReadFailure() } },
                              afterReading: { readersDone.add(1, ordering: .relaxed) }))
        #expect(readersDone.load(ordering: .relaxed) == 1, "the reading ended once, before the stage returned")
        #expect(result.json["status"] == "failed")
        #expect(result.json["error"]?.stringValue?.contains("the fourth chunk's read failed") == true)
        #expect(try fixture.readiness(companies[0], Self.day) == nil)
        #expect(try fixture.feedRow(companies[0]) == nil)
        #expect(try fixture.jobs().map(\.status) == [.failed])
    }
}
