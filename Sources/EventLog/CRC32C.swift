import CCRC32C

/// CRC-32C (Castagnoli), the checksum in every record envelope.
///
/// Written here because no package in the project's mirror offers CRC-32C and the algorithm is
/// small and fixed. The CPU's CRC32 instruction (SSE 4.2, a few lines of C in `CCRC32C`) does the
/// work when the CPU has it — checksums were 7% of a replay — and a slicing-by-8 table otherwise.
/// Check value: `CRC32C.checksum("123456789") == 0xE3069283`.
public enum CRC32C {
    /// Whether the hardware instruction is used (decided once per process).
    public static let usesHardware = siglog_crc32c_hardware_available() != 0

    private static let polynomial: UInt32 = 0x82F6_3B78  // reflected Castagnoli polynomial

    private static let tables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[0][i] = crc
        }
        for i in 0..<256 {
            for t in 1..<8 {
                let previous = tables[t - 1][i]
                tables[t][i] = (previous >> 8) ^ tables[0][Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    private static let flat: [UInt32] = tables.flatMap { $0 }

    /// Continues a running checksum over `bytes` (start with `crc: 0`).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if usesHardware {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
            return ~siglog_crc32c_hardware(~crc, base, bytes.count)
        }
        return softwareUpdate(crc, bytes)
    }

    /// The table implementation, also used to check the hardware path in tests.
    public static func softwareUpdate(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = ~crc
        var index = 0
        let count = bytes.count
        flat.withUnsafeBufferPointer { t in
            while count - index >= 8 {
                let low = bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self).littleEndian ^ crc
                let high = bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xFF)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
                index += 8
            }
            while index < count {
                crc = t[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        return ~crc
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }

    /// The checksum of a byte array or string's UTF-8.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { update(0, $0) } }
}
