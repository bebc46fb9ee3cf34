@testable import Projections
import Testing

@Suite("Bulk load order")
struct BulkLoadOrderTests {
    /// Entries as a fold adds them: sequences ascending, companies drawn from `companies`.
    private func entries(count: Int, companies: [UInt64], seed: UInt64) -> [BulkLoad.Entry] {
        var state = seed
        var sequence: UInt64 = 0
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            sequence += 1 + (state >> 60)
            let company = companies[Int((state >> 33) % UInt64(companies.count))]
            return BulkLoad.Entry(company: company, sequence: sequence, valueStart: index, valueCount: Int(state >> 58))
        }
    }

    private func comparisonSorted(_ list: [BulkLoad.Entry]) -> [BulkLoad.Entry] {
        list.sorted { $0.company != $1.company ? $0.company < $1.company : $0.sequence < $1.sequence }
    }

    @Test("Dense company numbers (the counting sort) give the comparison sort's order")
    func dense() {
        let base: UInt64 = 1 << 63
        for (count, spread) in [(1, 1), (2, 2), (500, 40), (20_000, 3_000), (5_000, 19_000)] {
            let list = entries(count: count, companies: (0..<UInt64(spread)).map { base + $0 }, seed: UInt64(count))
            #expect(BulkLoad.keyOrder(list) == comparisonSorted(list))
        }
    }

    @Test("Sparse company numbers, and sequences that do not ascend, fall back to the comparison sort")
    func sparseAndUnordered() {
        let sparse = entries(count: 3_000, companies: [3, 1 << 40, 1 << 63, UInt64.max - 1], seed: 9)
        #expect(BulkLoad.keyOrder(sparse) == comparisonSorted(sparse))
        let reversed = Array(entries(count: 3_000, companies: Array(100..<150), seed: 11).reversed())
        #expect(BulkLoad.keyOrder(reversed) == comparisonSorted(reversed))
        #expect(BulkLoad.keyOrder([]) == [])
    }
}
