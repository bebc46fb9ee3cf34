import Dispatch
import Foundation
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SiglogCore
import SiglogRecords
import Synchronization
import Testing

/// The score stage reads its inputs on another thread, in committed reads beside its write
/// transaction: the same inputs the transaction would read, failures that end the stage cleanly,
/// a reading thread always joined, and a transaction that runs again after the map grew.
@Suite("Score stage inputs read beside the write transaction")
struct ScoreCommittedReadsTests {
    static let day = ScoreChunkTests.day
    static let threeChunks = 2 * StageRunner.scoreChunkSize + 37

    @Test("Every company's input read beside the write equals what the write transaction reads at its append")
    func sameInputsAsTheWriteTransaction() throws {
        let (fixture, companies) = try ScoreChunkTests.fixture(companies: Self.threeChunks)
        // A scored day before, and outreach: previous composites, pressure histories and outreach
        // are inputs too.
        _ = try fixture.pipeline.runScore(asOf: Self.day.adding(days: -1))
        for company in companies where company % 5 == 0 {
            _ = try fixture.pipeline.recordOutreach(.id(company), type: "email", sentAt: .at(Self.day.adding(days: -4), 9))
        }
        let pack = try #require(try fixture.pipeline.stageScope(workspace: nil, pack: nil).pack)
        let seen = InputLog()
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeAppend: { input, reader in
                var decoder = LeanEventDecoder(pack)
                let events = try CompanyEvents(company: input.company, asOf: Self.day, decoder: &decoder, reader: reader)
                let own = try fixture.pipeline.gatherScoreInput(
                    input.company, events: events, pack: pack, workspace: StageFixture.workspace, asOf: Self.day, reader: reader)
                seen.inputs.append(input)
                if !Self.sameInput(input, own) { seen.mismatches.append(input.company) }
            }))
        #expect(result.json["status"] == "completed")
        #expect(seen.inputs.count == companies.count)
        #expect(seen.mismatches.isEmpty)
        // The inputs compared were not trivial.
        #expect(seen.inputs.filter { $0.previousComposite != nil }.count > companies.count / 2)
        #expect(seen.inputs.filter { !$0.pressures.isEmpty }.count > companies.count / 2)
        #expect(seen.inputs.filter { $0.lastOutreachAt != nil }.count == companies.count / 5)
    }

    static func sameInput(_ a: ScoreInput, _ b: ScoreInput) -> Bool {
        a.company == b.company && sameEvents(a.events, b.events) && a.events.window == b.events.window
            && a.status == b.status && a.alignmentOK == b.alignmentOK && a.previousComposite == b.previousComposite
            && a.pressures == b.pressures && a.lastOutreachAt == b.lastOutreachAt && a.latestOutreach == b.latestOutreach
    }

    /// The same events, each url the same whether kept as a string or as bytes (type indexes are
    /// the reading decoder's own).
    static func sameEvents(_ a: CompanyEvents, _ b: CompanyEvents) -> Bool {
        func withoutURL(_ event: LeanEvent) -> LeanEvent {
            var event = event
            (event.url, event.urlRange, event.typeIndex) = (nil, nil, nil)
            return event
        }
        return a.upToEnd.map(withoutURL) == b.upToEnd.map(withoutURL)
            && a.upToEnd.indices.allSatisfy { a.url(at: $0) == b.url(at: $0) }
    }

    @Test("A read that fails for one chunk fails the stage, keeps nothing and joins the reading thread")
    func failedChunkReadFailsTheStage() throws {
        let (fixture, companies) = try ScoreChunkTests.fixture(companies: Self.threeChunks)
        struct ReadFailure: Error, CustomStringConvertible { var description: String { "the chunk read failed" } }
        let secondChunk = companies[StageRunner.scoreChunkSize]
        let readerDone = Atomic<Bool>(false)
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeChunkRead: { chunk in if chunk.first == secondChunk { throw ReadFailure() } },
                              afterReading: { readerDone.store(true, ordering: .releasing) }))
        let readerEnded = readerDone.load(ordering: .acquiring)
        #expect(readerEnded, "the reading thread ended before the stage returned")
        #expect(result.json["status"] == "failed")
        #expect(result.json["error"]?.stringValue?.contains("the chunk read failed") == true)
        #expect(try fixture.readiness(companies[0], Self.day) == nil)
        #expect(try fixture.feedRow(companies[0]) == nil)
        #expect(try fixture.jobs().map(\.status) == [.failed])
    }

    @Test("A failure on the transaction's thread while a chunk is being read waits for that read before returning")
    func failureWhileReadingJoinsTheReader() throws {
        let (fixture, companies) = try ScoreChunkTests.fixture(companies: Self.threeChunks)
        struct Crash: Error {}
        let thirdChunk = companies[2 * StageRunner.scoreChunkSize]
        let readerDone = Atomic<Bool>(false)
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(afterCompany: { if $0 == companies[0] { throw Crash() } },
                              beforeChunkRead: { chunk in
                                  // Still reading when the first append fails.
                                  if chunk.first == thirdChunk { Thread.sleep(forTimeInterval: 0.4) }
                              },
                              afterReading: { readerDone.store(true, ordering: .releasing) }))
        let readerEnded = readerDone.load(ordering: .acquiring)
        #expect(readerEnded, "the reading thread ended before the stage returned")
        #expect(result.json["status"] == "failed")
        #expect(try fixture.readiness(companies[0], Self.day) == nil)
        #expect(try fixture.jobs().map(\.status) == [.failed])
    }

    @Test("A write transaction that runs again after the map grew appends each company once, as without the retry")
    func mapGrowthRetry() throws {
        let (small, companies) = try ScoreChunkTests.fixture(companies: Self.threeChunks, initialMapSize: 1 << 20)
        let (large, sameCompanies) = try ScoreChunkTests.fixture(companies: Self.threeChunks)
        #expect(companies == sameCompanies)
        let mapBefore = small.store.log.mapUsage.size
        let readers = Atomic<Int>(0)
        let retried = try small.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(afterReading: { readers.add(1, ordering: .relaxed) }))
        let once = try large.pipeline.runScore(asOf: Self.day)
        #expect(small.store.log.mapUsage.size > mapBefore, "the stage's transaction filled the map")
        let readingThreads = readers.load(ordering: .relaxed)
        #expect(readingThreads >= 2, "the stage's body ran again, with a new reading thread")
        #expect(retried.json == once.json)
        #expect(retried.json.int("companies_scored") == companies.count)
        #expect(try small.store.log.head() == large.store.log.head())
        #expect(try small.viewDump(companies: companies, days: [Self.day]) == large.viewDump(companies: companies, days: [Self.day]))
    }

    @Test("The reading thread opens its reads while another thread waits to resize the map")
    func readsWhileResizeWaits() throws {
        let (fixture, companies) = try ScoreChunkTests.fixture(companies: StageRunner.scoreChunkSize + 20)
        let environment = fixture.store.log.environment
        let mapBefore = environment.mapSize
        let resized = DispatchSemaphore(value: 0)
        let resizeError = Mutex<String?>(nil)
        let result = try fixture.pipeline.runScore(
            workspace: nil, pack: nil, asOf: Self.day, idempotencyKey: nil, parentJobRunID: nil,
            hooks: StageHooks(beforeChunkRead: { chunk in
                guard chunk.first == companies[0] else { return }
                // A resize asked for during the stage waits for its write transaction to end; the
                // second chunk's read then opens while the resize waits.
                Thread {
                    do { try environment.growMap(minimum: mapBefore * 2) } catch { resizeError.withLock { $0 = "\(error)" } }
                    resized.signal()
                }.start()
                Thread.sleep(forTimeInterval: 0.2)
            }))
        #expect(result.json["status"] == "completed")
        #expect(result.json.int("companies_scored") == companies.count)
        #expect(resized.wait(timeout: .now() + 10) == .success)
        #expect(resizeError.withLock { $0 } == nil)
        #expect(environment.mapSize >= mapBefore * 2)
    }
}

/// What the `beforeAppend` hook saw (it runs on the transaction's thread only).
private final class InputLog: @unchecked Sendable {
    var inputs: [ScoreInput] = []
    var mismatches: [Int64] = []
}
