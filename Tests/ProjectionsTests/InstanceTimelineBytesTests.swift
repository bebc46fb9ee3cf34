import Foundation
@testable import Projections
import SeededRandom
import SiglogCore
import SiglogRecords
import Testing

/// An instance row's timeline entry is written from bytes (`ViewProjector.instanceTimelineValue`,
/// `Timestamp.appendDescription`) instead of through string interpolation: held to the text and the
/// stored value the interpolation gave, for times across the whole range and for any signal id.
@Suite("Instance timeline bytes")
struct InstanceTimelineBytesTests {
    /// Years 1 to 9999 in UTC, in microseconds.
    static let years = -62_135_596_800_000_000 ... 253_402_300_799_999_999 as ClosedRange<Int64>

    /// A time anywhere in `Int64`, mostly in years 1–9999, with and without microseconds.
    static func randomTime(_ generator: inout SeededGenerator) -> Timestamp {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return Timestamp(microseconds: Int64.random(in: .min ... .max, using: &generator))
        case 1: return Timestamp(microseconds: Int64.random(in: -100_000_000 ... 100_000_000, using: &generator) * 1_000_000)
        case 2: return Timestamp(microseconds: Int64.random(in: InstanceTimelineBytesTests.years, using: &generator) / 1_000_000 * 1_000_000)
        case 3: return Timestamp(microseconds: [InstanceTimelineBytesTests.years.lowerBound, InstanceTimelineBytesTests.years.upperBound, 0, -1,
                                                InstanceTimelineBytesTests.years.lowerBound - 1, InstanceTimelineBytesTests.years.upperBound + 1,
                                                .min, .max].randomElement(using: &generator)!)
        default: return Timestamp(microseconds: Int64.random(in: InstanceTimelineBytesTests.years, using: &generator))
        }
    }

    @Test("a time's description appended as bytes is the description's UTF-8, after what the buffer held")
    func appendDescription() {
        var generator = SeededGenerator(seed: 20_261_201)
        for _ in 0..<50_000 {
            let time = InstanceTimelineBytesTests.randomTime(&generator)
            let prefix = [UInt8](repeating: 0x41, count: Int.random(in: 0...3, using: &generator))
            var bytes = prefix
            time.appendDescription(to: &bytes)
            #expect(bytes == prefix + Array(time.description.utf8), "\(time.microseconds)")
        }
    }

    @Test("an instance row's timeline value is the entry the interpolated detail gave, byte for byte")
    func instanceTimelineValue() {
        var generator = SeededGenerator(seed: 77_001)
        let signals = ["hiring_velocity", "", "funding:round", "sigñal_é", "日本語", String(repeating: "x", count: 300)]
        for _ in 0..<20_000 {
            let lastSeen: Timestamp? = Bool.random(using: &generator) ? nil : InstanceTimelineBytesTests.randomTime(&generator)
            let evidence = (0..<Int.random(in: 0...40, using: &generator)).map { _ in Int64.random(in: -5 ... 2_000_000, using: &generator) }
            let record = SignalInstanceDerived(
                entityID: Int64.random(in: .min ... .max, using: &generator), signalID: signals.randomElement(using: &generator)!,
                pack: UUID(), confidence: nil, firstSeen: nil, lastSeen: lastSeen, evidence: evidence,
                jobRunID: Bool.random(using: &generator) ? nil : UInt64.random(in: 0 ... .max, using: &generator))
            let at = InstanceTimelineBytesTests.randomTime(&generator)
            let row = ViewProjector.firstInstanceRow(record, at: at)
            // The definition before: the detail by string interpolation.
            let entry = TimelineEntry(
                companyID: record.entityID, sequence: 9, at: at, kind: "instance_derived",
                detail: "\(record.signalID): \(row.evidenceEventIDs.count) evidence event(s), last seen \(row.lastSeen.map(String.init(describing:)) ?? "none")",
                jobRunID: record.jobRunID)
            #expect(ViewProjector.instanceTimelineValue(record, row, at: at) == entry.encoded())
            let prepared = PreparedInstance(record, sequence: 9, at: at)
            prepared.withParts { key, value, timelineKey, timelineValue in
                #expect(Array(key) == ViewProjector.instanceKey(record).bytes)
                #expect(Array(value) == row.encoded())
                #expect(Array(timelineKey) == ViewProjector.timelineKey(record.entityID, 9).bytes)
                #expect(Array(timelineValue) == entry.encoded())
                #expect(prepared.keyHash == HeldInstanceRows.hash(key))
                #expect(prepared.rowHash == Fingerprint.entryHash(key: key, value: value))
                #expect(prepared.timelineHash == Fingerprint.entryHash(key: timelineKey, value: timelineValue))
            }
        }
    }
}
