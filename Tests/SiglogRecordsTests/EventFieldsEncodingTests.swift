import EventLog
import Foundation
import SeededRandom
import SiglogCore
import Testing
@testable import SiglogRecords

/// An event's fields 2–10 written apart (`appendEventFields`, as ingest's parsing thread writes a
/// chunk's events into one buffer) and then wrapped by `encode(companyID:eventFields:…)` give the
/// payload `encode(into:)` writes for the whole record.
@Suite("EventStored's event fields encoded apart")
struct EventFieldsEncodingTests {
    private static func text(_ random: inout SeededGenerator, maxLength: Int) -> String {
        let alphabet = Array("abcXYZ 019-_./:é€\"\\")
        return String((0..<random.below(maxLength + 1)).map { _ in alphabet[random.below(alphabet.count)] })
    }

    private static func optional(_ random: inout SeededGenerator, maxLength: Int) -> String? {
        random.chance(30) ? nil : text(&random, maxLength: maxLength)
    }

    private static func record(_ random: inout SeededGenerator) -> EventStored {
        let confidences: [Double?] = [nil, 0, 0.7, -0.1, 1e-300, .infinity]
        return EventStored(
            companyID: random.chance(10) ? -Int64(random.below(1000)) : Int64(random.below(1 << 40)),
            source: text(&random, maxLength: 12), sourceEventID: optional(&random, maxLength: 40),
            eventType: text(&random, maxLength: 20), eventTime: Timestamp(microseconds: Int64(random.below(1 << 52)) - (1 << 50)),
            title: optional(&random, maxLength: 200), summary: optional(&random, maxLength: 300),
            url: optional(&random, maxLength: 150), rawPayload: random.chance(80) ? nil : #"{"a":[1,2]}"#,
            confidence: confidences[random.below(confidences.count)],
            pack: UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, UInt8(random.below(256)))),
            jobRunID: random.chance(20) ? nil : UInt64(random.below(1 << 20)),
            evidenceBundleID: random.chance(70) ? nil : UUID(uuid: (9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9)))
    }

    @Test("2,000 seeded events, written into one buffer one after another: each payload equals the whole encoding")
    func sameBytes() throws {
        var random = SeededGenerator(seed: 0x5EED_17)
        let records = (0..<2000).map { _ in Self.record(&random) }
        // The fields of every event go into one buffer, as a parsed chunk's do.
        var buffer: [UInt8] = [0xAA]  // something before the first event's fields
        var spans: [Range<Int>] = []
        for r in records {
            let start = buffer.count
            EventStored.appendEventFields(source: r.source, sourceEventID: r.sourceEventID, eventType: r.eventType,
                                          eventTime: r.eventTime, title: r.title, summary: r.summary, url: r.url,
                                          rawPayload: r.rawPayload, confidence: r.confidence, to: &buffer)
            spans.append(start..<buffer.count)
        }
        #expect(buffer.first == 0xAA)
        for (r, span) in zip(records, spans) {
            var whole = PayloadWriter()
            r.encode(into: &whole)
            var apart = PayloadWriter()
            buffer.withUnsafeBytes { bytes in
                EventStored.encode(companyID: r.companyID, eventFields: UnsafeRawBufferPointer(rebasing: bytes[span]), pack: r.pack,
                                   jobRunID: r.jobRunID, evidenceBundleID: r.evidenceBundleID, into: &apart)
            }
            #expect(apart.bytes == whole.bytes)
            #expect(try apart.bytes.withUnsafeBytes { try EventStored.decode($0) } == r)
        }
    }
}
