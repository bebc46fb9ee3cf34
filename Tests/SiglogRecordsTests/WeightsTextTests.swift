import EventLog
import Foundation
import Scoring
import SiglogCore
import Testing
@testable import SiglogRecords

/// A readiness snapshot's weights are written as JSON text once per run and reused while the
/// snapshots carry copies of the same weights (`ReadinessSnapshotRecorded.weightsText`); the text
/// must always be what the JSON writer gives for the weights at hand.
@Suite("Readiness weights text")
struct WeightsTextTests {
    static let weightSets: [JSONObject] = [
        ["momentum": .int(35), "complexity": .double(0.3), "pressure": .double(1.0), "leadership_gap": .int(0)],
        // Equal to the next one by `==` (0.0 == -0.0), but printed differently.
        ["momentum": .double(0.0), "nested": .array([.null, .string("é\"")])],
        ["momentum": .double(-0.0), "nested": .array([.null, .string("é\"")])],
        JSONObject(),
        ["a": .double(1e21), "b": .double(.leastNonzeroMagnitude)],
    ]

    @Test("Copies of one value share storage; equal values built apart do not")
    func sharing() {
        let weights = Self.weightSets[0]
        let copy = weights
        #expect(copy.sharesStorage(with: weights))
        let rebuilt = JSONObject(weights.members)
        #expect(rebuilt == weights)
        #expect(!rebuilt.sharesStorage(with: weights))
        #expect(Self.weightSets[1] == Self.weightSets[2])
        #expect(!Self.weightSets[1].sharesStorage(with: Self.weightSets[2]))
    }

    @Test("The text is the JSON writer's for every weights value, in any order of calls")
    func text() {
        var order: [JSONObject] = []
        for index in 0..<40 { order.append(Self.weightSets[(index * 7 + index / 3) % Self.weightSets.count]) }
        order.append(contentsOf: [Self.weightSets[1], Self.weightSets[2], Self.weightSets[1], JSONObject(Self.weightSets[0].members)])
        for weights in order {
            #expect(ReadinessSnapshotRecorded.weightsText(weights) == JSONWriter().bytes(.object(weights)))
        }
    }

    @Test("A snapshot's payload carries its weights as the JSON writer's text and decodes back to them")
    func payload() throws {
        let day = Day(year: 2026, month: 2, day: 18)!
        let pack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
        for weights in Self.weightSets + Self.weightSets.reversed() {
            var explain = sampleReadinessExplain(Timestamp(day: day, hour: 3))
            explain.weights = weights
            let record = ReadinessSnapshotRecorded(companyID: 9, asOf: day, pack: pack, explain: explain, jobRunID: 4)
            var writer = PayloadWriter()
            record.encode(into: &writer)
            var expected = PayloadWriter()
            expected.write(13, json: .object(weights))
            #expect(writer.bytes.firstRange(of: expected.bytes) != nil)
            let decoded = try writer.bytes.withUnsafeBytes { bytes in
                var reader = PayloadReader(bytes)
                return try ReadinessSnapshotRecorded(from: &reader)
            }
            let text = { (o: JSONObject) in JSONWriter().bytes(.object(o)) }
            #expect(text(decoded.explain.weights) == text(weights))
        }
    }
}
