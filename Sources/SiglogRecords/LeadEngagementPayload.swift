import EventLog
public import Scoring

extension LeadEngagement {
    /// The values a lead card reads from an engagement snapshot (its `outreach_score` is always set).
    public init(_ snapshot: EngagementSnapshotRecorded) {
        self.init(eslScore: snapshot.eslScore, outreachScore: snapshot.outreachScore, cadenceBlocked: snapshot.cadenceBlocked)
    }

    /// The same values read straight from the payload of an `EngagementSnapshotRecorded` (or a stored
    /// row that starts with one) without decoding the rest of it: the fields `encode(into:)` writes
    /// as 4, 5 and 10, the last occurrence winning and absent ones reading as in the full decode.
    public init(engagementPayload payload: UnsafeRawBufferPointer) throws {
        var reader = PayloadReader(payload)
        var esl = 0.0, outreach = 0, blocked = false
        while let f = try reader.next() {
            switch f.number {
            case 4: esl = try f.double()
            case 5: outreach = try f.int()
            case 10: blocked = try f.bool()
            default: break
            }
        }
        self.init(eslScore: esl, outreachScore: outreach, cadenceBlocked: blocked)
    }
}
