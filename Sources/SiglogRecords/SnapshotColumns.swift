import EventLog
public import Foundation
public import Scoring
public import SiglogCore

/// The engagement-snapshot columns the rankings (§7.4, §8) read, decoded from a stored row without
/// its explain: fields 4, 5, 6, 10 and 11 of `EngagementSnapshotRecorded`, the very fields its full
/// decoder takes these values from (a legacy JSON document in field 14 only adds explain fields the
/// rankings do not read), every other field skipped unparsed.
public struct EngagementColumns: Sendable, Hashable {
    /// `esl_score` (the explain's ESL composite).
    public var eslScore: Double = 0
    /// The stored `outreach_score`.
    public var outreachScore: Int = 0
    /// `engagement_type` (the explain's recommendation type).
    public var engagementType: String = ""
    /// Whether the cadence blocked outreach.
    public var cadenceBlocked = false
    /// The `esl_decision` column, nil when the row carries none.
    public var eslDecision: String?

    /// The columns of a stored engagement row (`Stamped<EngagementSnapshotRecorded>.encoded()`).
    /// Without `labels` the two text columns are skipped (left `""` and nil): a lead card's
    /// qualification reads only the numbers and the cadence flag.
    public init(payload: UnsafeRawBufferPointer, labels: Bool = true) throws {
        var reader = PayloadReader(payload)
        while let f = try reader.next() {
            switch f.number {
            case 4: eslScore = try f.double()
            case 5: outreachScore = try f.int()
            case 6 where labels: engagementType = try f.string()
            case 10: cadenceBlocked = try f.bool()
            case 11 where labels: eslDecision = try f.string()
            default: break
            }
        }
    }

    /// The columns of a decoded snapshot (what `init(payload:)` reads from its stored row).
    public init(_ snapshot: EngagementSnapshotRecorded) {
        eslScore = snapshot.eslScore
        outreachScore = snapshot.outreachScore
        engagementType = snapshot.engagementType
        cadenceBlocked = snapshot.cadenceBlocked
        eslDecision = snapshot.explain.eslDecision
    }
}

extension LeadEngagement {
    /// The values a lead card reads from an engagement snapshot (its `outreach_score` is always set).
    public init(_ snapshot: EngagementSnapshotRecorded) {
        self.init(eslScore: snapshot.eslScore, outreachScore: snapshot.outreachScore, cadenceBlocked: snapshot.cadenceBlocked)
    }

    /// The values a lead card reads, from the engagement columns (its `outreach_score` is always set).
    public init(_ columns: EngagementColumns) {
        self.init(eslScore: columns.eslScore, outreachScore: columns.outreachScore, cadenceBlocked: columns.cadenceBlocked)
    }
}

extension ReadinessSnapshotRecorded {
    /// The composite of a stored readiness row, without decoding its explain (weights, top events):
    /// field 8, where the full decoder takes it from (also for legacy rows with a JSON document);
    /// 0 when absent, as the full decoder.
    public static func composite(payload: UnsafeRawBufferPointer) throws -> Int {
        var reader = PayloadReader(payload)
        // `encode` writes field 8 once, before the explain's weights and top events: stop there.
        while let f = try reader.next() {
            if f.number == 8 { return try f.int() }
        }
        return 0
    }

    /// `as_of`, `pack_id` and pressure of a stored readiness row, without decoding its explain:
    /// fields 2, 3 and 6, where the full decoder takes them from (legacy rows included), the others
    /// skipped unparsed; a row without `pack_id` is a `PayloadError`, as for the full decoder.
    public static func pressureColumns(payload: UnsafeRawBufferPointer) throws -> (asOf: Day, pack: UUID, pressure: Int) {
        var reader = PayloadReader(payload)
        var asOf = Day(daysSinceEpoch: 0), pack: UUID?, pressure = 0
        while let f = try reader.next() {
            switch f.number {
            case 2: asOf = try f.day()
            case 3: pack = try f.uuid()
            case 6: pressure = try f.int()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "readiness_snapshot") }
        return (asOf, pack, pressure)
    }
}

extension LeadFeedRowRecorded {
    /// `composite_score` (field 4) and `as_of` (field 11) of a stored lead-feed row, the rest skipped.
    public static func rankingColumns(payload: UnsafeRawBufferPointer) throws -> (composite: Int, asOf: Day) {
        var reader = PayloadReader(payload)
        var composite = 0
        var asOf = Day(daysSinceEpoch: 0)
        while let f = try reader.next() {
            switch f.number {
            case 4: composite = try f.int()
            case 11: asOf = try f.day()
            default: break
            }
        }
        return (composite, asOf)
    }
}
