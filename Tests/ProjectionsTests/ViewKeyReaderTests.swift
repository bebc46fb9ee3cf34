import Foundation
import Projections
import SeededRandom
import SiglogCore
import Testing

@Suite("View key reader")
struct ViewKeyReaderTests {
    @Test("reads back the UUIDs, days and numbers a key was built from, and skipping a UUID or a day lands on the next component")
    func readsAndSkips() {
        var random = SeededGenerator(seed: 17)
        for _ in 0..<200 {
            let first = UUID(uuid: randomUUIDBytes(&random)), second = UUID(uuid: randomUUIDBytes(&random))
            let day = Day(daysSinceEpoch: Int32(truncatingIfNeeded: random.next()) % 40_000)
            let number = Int64(bitPattern: random.next()), tag = UInt32(truncatingIfNeeded: random.next())
            let key = ViewKey().appending(first).appending(day).appending(second).appending(tag).appending(number)
            key.bytes.withUnsafeBytes { bytes in
                var reader = ViewKeyReader(bytes)
                #expect(reader.uuid() == first)
                #expect(reader.day() == day)
                #expect(reader.uuid() == second)
                #expect(reader.uint32() == tag)
                #expect(reader.int64() == number)

                var skipping = ViewKeyReader(bytes)
                skipping.skipUUID()
                skipping.skipDay()
                #expect(skipping.uuid() == second)
                skipping = ViewKeyReader(bytes)
                skipping.skipUUID()
                #expect(skipping.day() == day)
                skipping.skipUUID()
                #expect(skipping.uint32() == tag)
                #expect(skipping.int64() == number)
            }
        }
    }

    private func randomUUIDBytes(_ random: inout SeededGenerator) -> uuid_t {
        let a = random.next(), b = random.next()
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { raw in
            raw.storeBytes(of: a, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        }
        return value
    }
}
