import EventLog
import Foundation
import SiglogCore
import Testing
import SiglogRecords

/// The score and derive readers' per-event checks: the pack compared in place (`isUUID`) and the
/// interned type and source strings found by length and `memcmp`.
@Suite("Score reader's lean decode")
struct ScoreLeanDecodeTests {
    static let pack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!

    /// A payload holding `bytes` as field 1 (length-delimited), read back as a field.
    static func withField<R>(_ bytes: [UInt8], _ body: (PayloadReader.Field) throws -> R) throws -> R {
        var writer = PayloadWriter()
        writer.write(1, bytes: bytes)
        return try writer.bytes.withUnsafeBytes { raw in
            var reader = PayloadReader(raw)
            return try body(try #require(try reader.next()))
        }
    }

    static func uuidBytes(_ uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }

    @Test("isUUID answers uuid() == expected, and fails where uuid() fails, with its error")
    func isUUIDMatchesUUID() throws {
        let same = Self.uuidBytes(Self.pack)
        #expect(try Self.withField(same) { try $0.isUUID(Self.pack) })
        #expect(try Self.withField(same) { try $0.uuid() == Self.pack })
        // Every single-byte change of the stored UUID is another UUID.
        for index in same.indices {
            var other = same
            other[index] ^= 0x01
            #expect(try Self.withField(other) { try $0.isUUID(Self.pack) } == false)
            #expect(try Self.withField(other) { try $0.uuid() == Self.pack } == false)
        }
        for count in [0, 1, 15, 17, 32] {
            let bytes = Array(same.prefix(count)) + Array(repeating: 0, count: max(0, count - 16))
            let viaUUID = try Self.withField(bytes) { field in Result { try field.uuid() == Self.pack } }
            let viaIsUUID = try Self.withField(bytes) { field in Result { try field.isUUID(Self.pack) } }
            guard case .failure(let expected) = viaUUID, case .failure(let actual) = viaIsUUID else {
                Issue.record("a \(count)-byte field must not decode as a UUID")
                continue
            }
            #expect("\(actual)" == "\(expected)")
        }
    }

    /// A stored event's log record, decoded by `decoder`.
    static func decode(_ event: EventStored, sequence: UInt64, with decoder: inout LeanEventDecoder) throws -> LeanEvent? {
        let bytes = event.envelope(at: Timestamp(microseconds: 1_771_400_000_000_000), workspace: nil).encoded(sequence: sequence)
        return try bytes.withUnsafeBytes { raw in
            try decoder.decode(try RecordView(sequence: sequence, bytes: raw, knownTypes: RecordType.siglogTypes))
        }
    }

    @Test("types and sources of equal length, of shared prefixes and empty are told apart and shared")
    func internedStrings() throws {
        // Equal lengths that differ in the first, a middle or the last byte; prefixes of each other; empty; non-ASCII.
        let types = ["ab", "ac", "bb", "abc", "a", "", "ab", "job_posted_infra", "job_posted_infrb", "café", "cafe", "ac", ""]
        let sources = ["x", "y", "xy", "", "x", "yy", "y"]
        var decoder = LeanEventDecoder(pack: Self.pack, decodesText: false)
        var decoded: [LeanEvent] = []
        for (index, type) in types.enumerated() {
            let event = EventStored(companyID: Int64(index), source: sources[index % sources.count], sourceEventID: nil,
                                    eventType: type, eventTime: Timestamp(microseconds: Int64(index)), title: nil, summary: nil,
                                    url: nil, rawPayload: nil, confidence: nil, pack: Self.pack, jobRunID: nil)
            decoded.append(try #require(try Self.decode(event, sequence: UInt64(index + 1), with: &decoder)))
        }
        #expect(decoded.map(\.eventType) == types)
        #expect(decoded.map(\.source) == types.indices.map { sources[$0 % sources.count] })
        // One index per distinct type, in the order each first appears.
        var firstSeen: [String] = []
        for type in types where !firstSeen.contains(type) { firstSeen.append(type) }
        #expect(decoder.typeNames == firstSeen)
        #expect(decoded.map(\.typeIndex) == types.map { type in firstSeen.firstIndex(of: type).map(UInt8.init) })

        // Another pack's event decodes to nil; the pack field is compared byte for byte.
        var otherPack = Self.uuidBytes(Self.pack)
        otherPack[15] ^= 0x80
        let other = EventStored(companyID: 1, source: "x", sourceEventID: nil, eventType: "ab",
                                eventTime: Timestamp(microseconds: 0), title: nil, summary: nil, url: nil, rawPayload: nil,
                                confidence: nil, pack: UUID(uuid: otherPack.withUnsafeBytes { $0.load(as: uuid_t.self) }),
                                jobRunID: nil)
        #expect(try Self.decode(other, sequence: 99, with: &decoder) == nil)
    }
}
