import Foundation
import Testing
@testable import EventLog

@Suite("Payload codec")
struct PayloadCodecTests {
    @Test("every field kind round-trips bit for bit")
    func roundTrip() throws {
        var writer = PayloadWriter()
        writer.write(1, UInt64.max)
        writer.write(2, Int64.min)
        writer.write(3, -1 as Int64)
        writer.write(4, true)
        writer.write(5, 0.1 + 0.2)
        writer.write(6, -0.0)
        writer.write(7, "Café — ☕️")
        writer.write(8, bytes: [0, 255, 7])
        writer.write(9) { nested in nested.write(1, "inner") }
        let bytes = writer.bytes
        var seen: [Int] = []
        try bytes.withUnsafeBytes { raw throws in
            var reader = PayloadReader(raw)
            while let field = try reader.next() {
                seen.append(field.number)
                switch field.number {
                case 1: #expect(try field.uint64() == UInt64.max)
                case 2: #expect(try field.int64() == Int64.min)
                case 3: #expect(try field.int64() == -1)
                case 4: #expect(try field.bool() == true)
                case 5: #expect(try field.double().bitPattern == (0.1 + 0.2).bitPattern)
                case 6: #expect(try field.double().bitPattern == (-0.0).bitPattern)
                case 7: #expect(try field.string() == "Café — ☕️")
                case 8: #expect(try field.bytes() == [0, 255, 7])
                case 9:
                    var inner = try field.message()
                    #expect(try inner.next()?.string() == "inner")
                default: Issue.record("unexpected field \(field.number)")
                }
            }
        }
        #expect(seen == Array(1...9))
    }

    @Test("schema evolution: a reader skips fields it does not know and defaults absent ones")
    func evolution() throws {
        // "Version 2" of a record adds field 3; a "version 1" reader must still decode it.
        var newer = PayloadWriter()
        newer.write(1, 42)
        newer.write(3, "added later")
        newer.write(2, "name")
        let (n, text) = try newer.bytes.withUnsafeBytes { try decodeSample($0) }
        #expect(n == 42)
        #expect(text == "name")
        // A record written before field 2 existed reads with the default.
        var older = PayloadWriter()
        older.write(1, 7)
        let (m, missing) = try older.bytes.withUnsafeBytes { try decodeSample($0) }
        #expect(m == 7)
        #expect(missing == "")
    }

    @Test("a truncated payload is an error, not a crash")
    func truncated() throws {
        var writer = PayloadWriter()
        writer.write(2, "some text that will be cut")
        let cut = Array(writer.bytes.dropLast(5))
        #expect(throws: PayloadError.self) {
            try cut.withUnsafeBytes { raw in
                var reader = PayloadReader(raw)
                while try reader.next() != nil {}
            }
        }
    }

    @Test("CRC-32C check value of \"123456789\" is 0xE3069283")
    func crcCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // Unaligned tails and long inputs go through both code paths.
        let long = [UInt8](repeating: 0x61, count: 1001)
        var running: UInt32 = 0
        long.withUnsafeBytes { raw in
            running = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[0..<500]))
            running = CRC32C.update(running, UnsafeRawBufferPointer(rebasing: raw[500...]))
        }
        #expect(running == CRC32C.checksum(long))
    }

    @Test("the hardware and table CRC-32C agree on every length and alignment")
    func crcHardwareMatchesTable() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<4099).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4090] where start + length <= raw.count {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    #expect(CRC32C.update(0x1234_5678, slice) == CRC32C.softwareUpdate(0x1234_5678, slice))
                }
            }
        }
        #expect(CRC32C.softwareUpdate(0, UnsafeRawBufferPointer(start: nil, count: 0)) == 0)
    }

    @Test("a writer reusing a buffer it is given alone writes into that buffer's memory: no new one per record")
    func reusingKeepsTheBuffer() {
        var storage: [UInt8] = []
        storage.reserveCapacity(512)
        storage.append(contentsOf: Array(repeating: 0xCD, count: 200))
        let address = storage.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        var writer = PayloadWriter(reusing: consume storage, reserved: 31)
        writer.write(1, "field")
        #expect(writer.bytes.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } == address)
        var plain = PayloadWriter()
        plain.write(1, "field")
        #expect(writer.bytes == Array(repeating: 0, count: 31) + plain.bytes)
    }

    @Test("a writer reusing a buffer starts with the reserved zeros, whatever the buffer held, then the fields")
    func reusingStartsWithZeros() {
        var plain = PayloadWriter()
        plain.write(1, "field")
        plain.write(2, UInt64(7))
        for reserved in [0, 1, 31, 63, 64, 65, 200] {
            var writer = PayloadWriter(reusing: Array(repeating: 0xAB, count: 300), reserved: reserved)
            writer.write(1, "field")
            writer.write(2, UInt64(7))
            #expect(writer.bytes == Array(repeating: 0, count: reserved) + plain.bytes, "reserved \(reserved)")
        }
    }
}
