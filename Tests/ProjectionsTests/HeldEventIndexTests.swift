import EventLog
import Foundation
import LMDB
import Pipeline
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// Ingest holds each transaction's `events.by_company` entries back and inserts them in key order
/// through one cursor before the commit (`StoreWriter.holdEventIndexInserts`, `BulkLoad.flush`). The
/// index must be what the one-by-one inserts gave: every stored event listed under its company in
/// log order, stored fingerprints equal to the contents', and a rebuild from the log that agrees —
/// with transactions that take several parsed chunks and with many small ones. The timeline entries
/// of the companies ingest creates are held back the same way (`holdTimelineInserts`), and every
/// stored event's dedup entry names its sequence.
@Suite("Held events-index inserts")
struct HeldEventIndexTests {
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)

    /// 9,500 lines over 180 companies in random order (more than two 4,096-line chunks): matched by
    /// domain, by LinkedIn URL or by name; some events repeated (duplicates), some without an id,
    /// some of a type the pack does not take.
    /// With the counts a plain model of ingest gives: a type the pack does not take is invalid, a
    /// repeated `(source, source_event_id)` a duplicate, every other line an inserted event.
    static func lines() -> (lines: [String], inserted: Int, duplicates: Int, invalid: Int) {
        var random = SeededGenerator(seed: 20_261_130)
        var lines: [String] = []
        var seen = Set<String>()
        var (inserted, duplicates, invalid) = (0, 0, 0)
        for index in 0..<9_500 {
            let company = random.below(180)
            var fields = ["\"company_name\":\"Company \(company)\""]
            switch company % 3 {
            case 0: fields.append("\"domain\":\"c\(company).example.com\"")
            case 1: fields.append("\"company_profile_url\":\"https://www.linkedin.com/company/c\(company)\"")
            default: break
            }
            let id = random.chance(4) ? max(0, index - 1 - random.below(200)) : index  // some repeat an earlier id
            let withID = !random.chance(3)
            if withID { fields.append("\"source\":\"feed\(id % 4)\",\"source_event_id\":\"e-\(id)\"") } else {
                fields.append("\"source\":\"feed\(id % 4)\"")
            }
            let type = random.chance(2) ? "layoffs_announced" : ["repo_activity", "funding_raised"][random.below(2)]
            if type == "layoffs_announced" {
                invalid += 1
            } else if withID, !seen.insert("feed\(id % 4)/e-\(id)").inserted {
                duplicates += 1
            } else {
                inserted += 1
            }
            fields.append("\"event_type\":\"\(type)\",\"event_time\":\"2026-01-\(10 + random.below(18))T09:00:00Z\"")
            lines.append("{" + fields.joined(separator: ",") + "}")
        }
        return (lines, inserted, duplicates, invalid)
    }

    /// Each company's event ids from the log itself, in log order.
    func eventsInLog(_ store: Store) throws -> [Int64: [UInt64]] {
        var result: [Int64: [UInt64]] = [:]
        try store.log.forEach { record in
            guard record.type == .eventStored else { return }
            let company = try record.withPayload { try EventStored.companyID(inPayload: $0) }
            result[company, default: []].append(record.sequence)
        }
        return result
    }

    /// The timeline entry each `company_created` record of the log gives — `(company, sequence)` →
    /// kind and detail — and every entry the timeline view holds, as stored.
    func companyTimelines(_ store: Store) throws -> (fromLog: [String], inView: [String]) {
        var fromLog: [String] = []
        try store.log.forEach { record in
            guard record.type == .companyCreated, case .companyCreated(let r) = try AnyRecord(record) else { return }
            fromLog.append("\(r.companyID)/\(record.sequence) company_created \(r.name)\(r.domain.map { " (\($0))" } ?? "")")
        }
        let inView = try store.log.read { txn in
            var entries: [String] = []
            try txn.forEach(store.views[.timeline]) { key, value in
                let company = ViewKey.signed(fromOrderedBits: UInt64(bigEndian: key.loadUnaligned(as: UInt64.self)))
                let sequence = UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                let entry = try TimelineEntry.decode(companyID: company, sequence: sequence, value)
                entries.append("\(entry.companyID)/\(entry.sequence) \(entry.kind) \(entry.detail)")
                return true
            }
            return entries
        }
        return (fromLog.sorted(), inView.sorted())
    }

    /// The stored events with a `source_event_id` whose dedup entry does not name their own sequence
    /// (ingest claims the entry before the company is resolved and corrects it when a new company's
    /// record took the claimed sequence), and how many events were checked.
    func misrecordedDedupEntries(_ store: Store) throws -> (wrong: [UInt64], checked: Int) {
        var keys: [(key: [UInt8], sequence: UInt64)] = []
        try store.log.forEach { record in
            guard record.type == .eventStored, case .eventStored(let event) = try AnyRecord(record),
                  let id = event.sourceEventID else { return }
            keys.append((LogIndexes.dedupKey(source: event.source, sourceEventID: id), record.sequence))
        }
        let wrong = try store.write { writer in
            try keys.filter { try writer.dedupSequence(for: $0.key) != $0.sequence }.map(\.sequence)
        }
        return (wrong, keys.count)
    }

    /// Batch sizes, and the map's size at open: 1 MiB makes transactions run again as the map grows,
    /// and a transaction that runs again must hold its entries once.
    @Test("every event listed under its company in log order; fingerprints and a rebuild agree",
          arguments: [(50_000, 0), (333, 0), (50_000, 1 << 20)])
    func sameIndex(batchSize: Int, mapSize: Int) throws {
        let store = try mapSize > 0
            ? Store(path: temporaryPath("held-index"), mode: .create, durable: false, initialMapSize: mapSize)
            : Store(path: temporaryPath("held-index"), mode: .create, durable: false)
        let pipeline = StageRunner(store: store, clock: FixedClock(Self.now), rateLimitPerHour: 0)
        _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
        let input = Self.lines()
        let file = temporaryPath("input") + ".ndjson"
        try Data(input.lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        var options = IngestOptions(inputName: file)
        options.batchSize = batchSize
        let result = try pipeline.ingest(from: handle, options: options)
        #expect(result.inserted == input.inserted)
        #expect(result.skippedDuplicate == input.duplicates)
        #expect(result.skippedInvalid == input.invalid)
        #expect(input.duplicates > 100 && input.invalid > 100)

        let expected = try eventsInLog(store)
        #expect(expected.values.reduce(0) { $0 + $1.count } == result.inserted)
        let listed = try store.read { reader in
            try Dictionary(uniqueKeysWithValues: expected.keys.map { ($0, try reader.eventIDs(ofCompany: $0)) })
        }
        #expect(listed == expected)
        // The timeline is held back too (`holdTimelineInserts`): one entry per company created, as the log says.
        let timelines = try companyTimelines(store)
        #expect(timelines.inView == timelines.fromLog)
        #expect(timelines.fromLog.count >= 150)
        let dedup = try misrecordedDedupEntries(store)
        #expect(dedup.wrong.isEmpty && dedup.checked > result.inserted / 2)
        let stored = try storedFingerprints(store)
        #expect(stored == (try contentFingerprints(store)))
        #expect(stored[.eventsByCompany]?.count == Int64(result.inserted))
        if mapSize > 0 { #expect(store.log.environment.mapSize > mapSize) }  // it grew: transactions ran again
        let verify = try Replayer(store: store).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }
}
