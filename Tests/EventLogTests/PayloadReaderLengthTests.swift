import EventLog
import Testing

/// A bytes field whose length varint is damaged or hostile must be a `PayloadError`, never a trap
/// (found by fuzzing: lengths of 2^63 and more trapped converting to Int, and lengths near Int.max
/// overflowed `index + length`). Inputs: Fixtures/fuzz/records/regressions/bytes-length-*.bin.
@Suite("Payload reader: bytes-field lengths")
struct PayloadReaderLengthTests {
    @Test("a length past the end of the payload is a truncated-field error",
          arguments: [UInt64(1) << 63, UInt64.max, UInt64(Int.max), UInt64(Int.max) - 1, 3])
    func hostileLength(_ length: UInt64) {
        // Field 1, wire type 2 (bytes), the length, then two bytes of data.
        let payload: [UInt8] = [0x0A] + varint(length) + [0x61, 0x62]
        #expect(throws: PayloadError("truncated bytes field")) {
            try payload.withUnsafeBytes { raw in
                var reader = PayloadReader(raw)
                _ = try reader.next()
            }
        }
    }

    @Test("a length that fits still reads")
    func fittingLength() throws {
        let payload: [UInt8] = [0x0A] + varint(2) + [0x61, 0x62]
        let text = try payload.withUnsafeBytes { raw in
            var reader = PayloadReader(raw)
            return try reader.next()?.string()
        }
        #expect(text == "ab")
    }

    /// The wire varint: 7 bits a byte, low bits first, high bit set on all but the last byte.
    private func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        return bytes + [UInt8(rest)]
    }
}
