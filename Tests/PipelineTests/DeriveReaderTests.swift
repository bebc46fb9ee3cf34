import Foundation
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords
import SeededRandom
import Testing

/// The derive stage reads and decodes the log on a second thread (`DeriveReader`) while it folds.
/// The fold must see the events a read on the calling thread gives, in the same order; an error
/// must arrive at its record's place; the thread must be gone however the stage ends.
@Suite("Derive reader thread")
struct DeriveReaderTests {
    static let pack = StageFixture.ctoPack
    static let otherPack = UUID(uuidString: "0ddba11a-0000-4000-8000-0000000000c3")!
    static let now = Timestamp.at(Day.ymd(2026, 3, 1), 12)
    static let types = ["funding_raised", "job_posted_engineering", "cto_role_posted", "api_launched", "unknown_type",
                        "headcount_growth", "launch_major", "compliance_mentioned"]

    static let passthrough = DeriverSet(document: .object(["derivers": .object(["passthrough": [
        .object(["event_type": "funding_raised", "signal_id": "funding_raised"]),
        .object(["event_type": "cto_role_posted", "signal_id": "cto_role_posted"]),
        .object(["event_type": "api_launched", "signal_id": "product_signal"]),
        .object(["event_type": "launch_major", "signal_id": "product_signal"]),
    ]])]))
    static let patterns = DeriverSet(document: .object(["derivers": .object([
        "passthrough": [.object(["event_type": "funding_raised", "signal_id": "funding_raised"])],
        "pattern": [.object(["signal_id": "hiring", "regex": "hir(e|ing)"]), .object(["signal_id": "funding_raised", "regex": "seed"])],
    ])]))

    /// A store holding `count` events (log order = id order) over `companies` companies, some of
    /// another pack, then `damaged` (when given): an event of the pack whose time does not decode,
    /// after `damagedAfter` of them.
    static func store(events count: Int, companies: Int = 400, damagedAfter: Int? = nil, damage: Damage = .time,
                      seed: UInt64 = 20_261_202, initialMapSize: Int = 64 << 20) throws -> Store {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-derive-reader-\(UUID().uuidString)").path
        let store = try Store(path: path, mode: .create, durable: false, initialMapSize: initialMapSize)
        var random = SeededGenerator(seed: seed)
        let pack = try PackLoader.load(directory: StageFixture.packageRoot.appendingPathComponent("Fixtures/packs/fractional_cto_v1"))
        try store.write { writer in
            try writer.append(PackInstalled(packUUID: Self.pack, packID: pack.id, version: pack.version,
                                            checksum: PackChecksum.sha256Hex(of: pack.document), document: pack.document), at: now)
            try writer.append(WorkspaceCreated(workspaceID: StageFixture.workspace, name: WellKnownIDs.defaultWorkspaceName,
                                               activePack: Self.pack), at: now)
            for id in 1...companies {
                try writer.append(CompanyCreated(companyID: Int64(id), name: "C\(id)", domain: nil, websiteURL: nil, linkedinURL: nil,
                                                 source: "research", normalizedName: "c\(id)", websiteDomain: nil, aliases: [],
                                                 jobRunID: nil), at: now)
            }
            for index in 0..<count {
                if index == damagedAfter {
                    try writer.append(EventStored.self, at: now) { w in
                        typealias F = EventStored.Field
                        w.write(F.companyID, Int64(1))
                        if damage == .source { w.write(F.source, Int64(3)) } else { w.write(F.source, "test") }
                        if damage == .type { w.write(F.eventType, Int64(4)) } else { w.write(F.eventType, "funding_raised") }
                        if damage == .time { w.write(F.eventTime, "not a time") } else { w.write(F.eventTime, now.microseconds) }
                        if damage == .confidence { w.write(F.confidence, Int64(1)) }
                        w.write(F.pack, bytes: damage == .pack ? [1, 2, 3] : withUnsafeBytes(of: Self.pack.uuid) { Array($0) })
                    }
                }
                let title = ["We are hiring", "seed round", "nothing", nil][random.below(4)]
                let time = Timestamp(microseconds: now.microseconds - Int64(random.below(400)) * 3_600_000_000)
                try writer.append(EventStored(companyID: Int64(1 + random.below(companies)), source: "test", sourceEventID: nil,
                                              eventType: types[random.below(types.count)], eventTime: time, title: title,
                                              summary: nil, url: nil, rawPayload: nil,
                                              confidence: random.chance(40) ? nil : Double(random.below(100)) / 100,
                                              pack: random.chance(10) ? Self.otherPack : Self.pack, jobRunID: nil), at: now)
            }
        }
        return store
    }

    /// Which field of the damaged event does not decode.
    enum Damage: CaseIterable, Sendable {
        case time, source, type, confidence, pack
    }

    /// The fold as the stage did it before the reader thread: over the log in one read transaction
    /// on the calling thread. Returns the aggregation and the events folded, or the error with them.
    static func plainFold(_ store: Store, derivers: DeriverSet, bound: Timestamp?) -> (SignalAggregation, Int, (any Error)?) {
        var aggregator = SignalAggregator(derivers: derivers)
        var decoder = LeanEventDecoder(pack: Self.pack, decodesText: !derivers.patterns.isEmpty,
                                       decodesURL: !derivers.patterns.isEmpty)
        var folded = 0
        do {
            try store.read { reader in
                try reader.forEachRecord { record in
                    guard record.type == .eventStored, let event = try decoder.decode(record) else { return true }
                    if let bound, event.eventTime >= bound { return true }
                    aggregator.add(event.deriverEvent)
                    folded += 1
                    return true
                }
            }
        } catch {
            return (aggregator.aggregation, folded, error)
        }
        return (aggregator.aggregation, folded, nil)
    }

    /// The fold through `DeriveReader`, as the stage does it.
    static func threadFold(_ store: Store, derivers: DeriverSet, bound: Timestamp?, interruption: Interruption = Interruption())
        -> (SignalAggregation, Int, (any Error)?)
    {
        var aggregator = SignalAggregator(derivers: derivers)
        let decoder = LeanEventDecoder(pack: Self.pack, decodesText: !derivers.patterns.isEmpty,
                                       decodesURL: !derivers.patterns.isEmpty)
        let slots = DeriveReader.passthroughSlots(of: aggregator, derivers: derivers)
        var folded = 0
        // Inside a write transaction that appends nothing (the committed reads need one).
        struct NothingWritten: Error {}
        do {
            try store.write { writer in
                try writer.withCommittedReads { reads in
                    try DeriveReader.forEach(reads, decoder: decoder, bound: bound, passthroughSlots: slots,
                                             interruption: interruption) { batch in
                        batch.fold(into: &aggregator)
                        folded += batch.count
                    }
                }
                throw NothingWritten()
            }
        } catch is NothingWritten {
        } catch {
            return (aggregator.aggregation, folded, error)
        }
        return (aggregator.aggregation, folded, nil)
    }

    @Test("the fold on the reader's batches equals the fold on the calling thread", .timeLimit(.minutes(2)),
          arguments: [(false, false), (false, true), (true, false), (true, true)])
    func sameFold(patterns: Bool, bounded: Bool) throws {
        // 40,000 events: more than the channel holds (8 × 4,096), so the reader waits for the fold.
        let store = try Self.store(events: 40_000)
        let derivers = patterns ? Self.patterns : Self.passthrough
        let bound = bounded ? Timestamp(microseconds: Self.now.microseconds - 200 * 3_600_000_000) : nil
        let (expected, expectedCount, expectedError) = Self.plainFold(store, derivers: derivers, bound: bound)
        #expect(expectedError == nil)
        let (aggregation, count, error) = Self.threadFold(store, derivers: derivers, bound: bound)
        #expect(error == nil)
        #expect(count == expectedCount)
        #expect(count > (bounded ? 10_000 : 30_000))
        #expect(aggregation == expected)
        #expect(aggregation.aggregates.count > 500)
    }

    @Test("a record that does not decode fails the fold at its place, after every event before it", .timeLimit(.minutes(3)),
          arguments: [false, true], Damage.allCases)
    func errorAtItsPlace(patterns: Bool, damage: Damage) throws {
        // 9,000 events before the damaged one: two full hand-overs and a partial one.
        let store = try Self.store(events: 10_000, damagedAfter: 9_000, damage: damage)
        let derivers = patterns ? Self.patterns : Self.passthrough
        let (expected, expectedCount, expectedError) = Self.plainFold(store, derivers: derivers, bound: nil)
        let (aggregation, count, error) = Self.threadFold(store, derivers: derivers, bound: nil)
        let plainError = try #require(expectedError)
        let threadError = try #require(error)
        #expect("\(threadError)" == "\(plainError)")
        #expect("\(threadError)".contains("malformed payload: field"))
        #expect(count == expectedCount)
        #expect(count > 7_000 && count < 9_000)
        #expect(aggregation == expected)

        // The stage: a failed run naming the record, nothing derived, and the store still writable.
        let runner = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        let result = try runner.runDerive()
        #expect(result.status == .failed)
        #expect(result.error == "\(plainError)")
        #expect(try store.read { reader in
            var any = false
            try reader.forEachInstance { _ in any = true; return false }
            return any
        } == false)
    }

    @Test("an interruption stops the fold at the checked record; the stage records a failed run", .timeLimit(.minutes(3)))
    func interruption() throws {
        // More than 65,536 records, so the reader checks the flag.
        let store = try Self.store(events: 70_000, companies: 50)
        let interruption = Interruption()
        interruption.request()
        let pack = try PackLoader.load(directory: StageFixture.packageRoot.appendingPathComponent("Fixtures/packs/fractional_cto_v1"))
        let (expected, _, _) = Self.plainFold(store, derivers: DeriverSet(document: pack.derivers), bound: nil)
        let (_, count, error) = Self.threadFold(store, derivers: Self.passthrough, bound: nil, interruption: interruption)
        #expect(error.map { "\($0)" } == "\(SiglogError.interrupted)")
        // Every pack event before record 65,536 and none after.
        let before = try store.read { reader in
            var events = 0
            var decoder = LeanEventDecoder(pack: Self.pack, decodesText: false, decodesURL: false)
            try reader.forEachRecord { record in
                guard record.sequence < 65_536 else { return false }
                if record.type == .eventStored, try decoder.decode(record) != nil { events += 1 }
                return true
            }
            return events
        }
        #expect(count == before)

        let runner = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        runner.interruption.request()
        #expect(throws: SiglogError.interrupted) { try runner.runDerive() }
        let jobs = try store.read { try $0.allJobs() }
        #expect(jobs.last?.status == .failed)
        // The reader is gone: a new run writes (and could grow the map) and derives everything.
        let again = try StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0).runDerive()
        #expect(again.status == .completed)
        #expect(again.json.int("events_processed") == expected.eventsProcessed)
        #expect(again.json.int("instances_upserted") == expected.aggregates.count)
    }

    @Test("a derive whose transaction runs again because the map grew derives exactly once", .timeLimit(.minutes(3)))
    func mapGrowthRetry() throws {
        let store = try Self.store(events: 20_000, companies: 5_000, initialMapSize: 1 << 20)
        let environment = store.log.environment
        let before = environment.mapSize
        // Not grown ahead of the transaction (under three quarters used): a growth is a retry.
        #expect(environment.mapBytesUsed <= before / 4 * 3)
        let runner = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        let result = try runner.runDerive()
        #expect(environment.mapSize > before)
        #expect(result.status == .completed)
        let pack = try PackLoader.load(directory: StageFixture.packageRoot.appendingPathComponent("Fixtures/packs/fractional_cto_v1"))
        let (expected, _, _) = Self.plainFold(store, derivers: DeriverSet(document: pack.derivers), bound: nil)
        #expect(result.json.int("instances_upserted") == expected.aggregates.count)
        let rows = try store.read { reader in
            var rows: [InstanceRow] = []
            try reader.forEachInstance { rows.append($0); return true }
            return rows
        }
        #expect(rows.count == expected.aggregates.count)
        let byKey = Dictionary(uniqueKeysWithValues: expected.aggregates.map { ("\($0.entityID)/\($0.signalID)", $0) })
        for row in rows {
            let aggregate = try #require(byKey["\(row.entityID)/\(row.signalID)"])
            #expect(row.evidenceEventIDs == aggregate.evidenceEventIDs.map { Int64($0) })
            #expect(row.firstSeen == aggregate.firstSeen && row.lastSeen == aggregate.lastSeen)
        }
        #expect(try Replayer(store: store).verify().isOK)
    }
}
