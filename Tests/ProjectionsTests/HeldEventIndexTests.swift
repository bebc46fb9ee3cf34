import EventLog
import Foundation
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
/// with transactions that take several parsed chunks and with many small ones.
@Suite("Held events-index inserts")
struct HeldEventIndexTests {
    static let now = Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 20)

    /// 9,500 lines over 180 companies in random order (more than two 4,096-line chunks): matched by
    /// domain, by LinkedIn URL or by name; some events repeated (duplicates), some without an id,
    /// some of a type the pack does not take.
    static func lines() -> [String] {
        var random = SeededGenerator(seed: 20_261_130)
        var lines: [String] = []
        for index in 0..<9_500 {
            let company = random.below(180)
            var fields = ["\"company_name\":\"Company \(company)\""]
            switch company % 3 {
            case 0: fields.append("\"domain\":\"c\(company).example.com\"")
            case 1: fields.append("\"company_profile_url\":\"https://www.linkedin.com/company/c\(company)\"")
            default: break
            }
            let id = random.chance(4) ? max(0, index - 1 - random.below(200)) : index  // some repeat an earlier id
            if !random.chance(3) { fields.append("\"source\":\"feed\(id % 4)\",\"source_event_id\":\"e-\(id)\"") } else {
                fields.append("\"source\":\"feed\(id % 4)\"")
            }
            let type = random.chance(2) ? "layoffs_announced" : ["repo_activity", "funding_raised"][random.below(2)]
            fields.append("\"event_type\":\"\(type)\",\"event_time\":\"2026-01-\(10 + random.below(18))T09:00:00Z\"")
            lines.append("{" + fields.joined(separator: ",") + "}")
        }
        return lines
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

    @Test("every event listed under its company in log order; fingerprints and a rebuild agree", arguments: [50_000, 333])
    func sameIndex(batchSize: Int) throws {
        let (store, pipeline) = try initializedStore(now: Self.now)
        let file = temporaryPath("input") + ".ndjson"
        try Data(Self.lines().joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        var options = IngestOptions(inputName: file)
        options.batchSize = batchSize
        let result = try pipeline.ingest(from: handle, options: options)
        #expect(result.inserted > 8_000)
        #expect(result.skippedDuplicate > 100)
        #expect(result.skippedInvalid > 100)

        let expected = try eventsInLog(store)
        #expect(expected.values.reduce(0) { $0 + $1.count } == result.inserted)
        let listed = try store.read { reader in
            try Dictionary(uniqueKeysWithValues: expected.keys.map { ($0, try reader.eventIDs(ofCompany: $0)) })
        }
        #expect(listed == expected)
        let stored = try storedFingerprints(store)
        #expect(stored == (try contentFingerprints(store)))
        #expect(stored[.eventsByCompany]?.count == Int64(result.inserted))
        let verify = try Replayer(store: store).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }
}
