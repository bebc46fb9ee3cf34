public import Foundation
public import Projections
import ReadModel
public import SiglogCore
public import SiglogRecords

/// A readiness snapshot and the engagement snapshot of the same `(company_id, as_of, pack_id)`.
public struct SnapshotPair: Sendable {
    public var readiness: Stamped<ReadinessSnapshotRecorded>
    public var engagement: Stamped<EngagementSnapshotRecorded>?

    public init(readiness: Stamped<ReadinessSnapshotRecorded>, engagement: Stamped<EngagementSnapshotRecorded>?) {
        self.readiness = readiness
        self.engagement = engagement
    }

    /// `{company_id, as_of, pack_id, readiness: {momentum, complexity, pressure, leadership_gap,
    /// composite, explain, computed_at}, engagement: {esl_score, outreach_score, engagement_type,
    /// stress_volatility_index, communication_stability_index, sustained_pressure_index,
    /// cadence_blocked, esl_decision, esl_reason_code, sensitivity_level, explain, computed_at} | null}`;
    /// `explain` is the stored payload (§4.7, §5.5) as written.
    public var json: JSONObject {
        let r = readiness.record
        var engagementJSON = JSONValue.null
        if let engagement {
            let e = engagement.record
            engagementJSON = .object([
                "esl_score": .double(e.eslScore), "outreach_score": .int(Int64(e.outreachScore)),
                "engagement_type": .string(e.engagementType), "stress_volatility_index": .double(e.stressVolatilityIndex),
                "communication_stability_index": .double(e.communicationStabilityIndex),
                "sustained_pressure_index": .double(e.sustainedPressureIndex), "cadence_blocked": .bool(e.cadenceBlocked),
                "esl_decision": .string(e.eslDecision), "esl_reason_code": .string(e.eslReasonCode),
                "sensitivity_level": nullable(e.sensitivityLevel), "explain": e.explain.json,
                "computed_at": engagement.recordedAt.queryJSON,
            ])
        }
        return [
            "company_id": .int(r.companyID), "as_of": r.asOf.queryJSON, "pack_id": .string(r.pack.lowercased),
            "readiness": .object([
                "momentum": .int(Int64(r.momentum)), "complexity": .int(Int64(r.complexity)),
                "pressure": .int(Int64(r.pressure)), "leadership_gap": .int(Int64(r.leadershipGap)),
                "composite": .int(Int64(r.composite)), "explain": r.explain.json,
                "computed_at": readiness.recordedAt.queryJSON,
            ]),
            "engagement": engagementJSON,
        ]
    }

    /// A flat row for the table and CSV forms.
    var flat: JSONObject {
        let r = readiness.record
        let e = engagement?.record
        let band = nullable(r.recommendationBand?.rawValue)
        return [
            "company_id": .int(r.companyID), "as_of": r.asOf.queryJSON, "pack_id": .string(r.pack.lowercased),
            "momentum": .int(Int64(r.momentum)), "complexity": .int(Int64(r.complexity)), "pressure": .int(Int64(r.pressure)),
            "leadership_gap": .int(Int64(r.leadershipGap)), "composite": .int(Int64(r.composite)),
            "recommendation_band": band, "esl_score": nullable(e?.eslScore), "outreach_score": nullable(e?.outreachScore),
            "engagement_type": nullable(e?.engagementType), "esl_decision": nullable(e?.eslDecision),
            "cadence_blocked": nullable(e?.cadenceBlocked), "sensitivity_level": nullable(e?.sensitivityLevel),
        ]
    }
}

/// `snapshots`: readiness snapshots with their engagement snapshots.
public enum SnapshotQueries {
    public static let flatColumns = ["company_id", "company_name", "as_of", "pack_id", "momentum", "complexity", "pressure", "leadership_gap",
                                     "composite", "recommendation_band", "esl_score", "outreach_score", "engagement_type",
                                     "esl_decision", "cadence_blocked", "sensitivity_level"]

    /// Snapshots filtered by company, day and pack (nil = any), ordered by company id, as_of, pack id.
    public static func snapshots(company: Int64?, asOf: Day?, pack: UUID?, limit: Int = .max, in reader: ViewReader) throws
        -> [SnapshotPair]
    {
        var result: [SnapshotPair] = []
        func add(_ r: Stamped<ReadinessSnapshotRecorded>) throws -> Bool {
            guard (asOf == nil || r.record.asOf == asOf) && (pack == nil || r.record.pack == pack) else { return true }
            result.append(SnapshotPair(readiness: r, engagement: try reader.engagement(
                company: r.record.companyID, asOf: r.record.asOf, pack: r.record.pack)))
            return result.count < limit
        }
        if let company {
            guard try reader.company(company) != nil else { throw SiglogError.companyNotFound(.id(company)) }
            try reader.forEachReadiness(company: company, from: asOf) { r in
                guard asOf.map({ r.record.asOf <= $0 }) ?? true else { return false }
                return try add(r)
            }
        } else if let asOf, let pack {
            for id in try reader.companiesScored(pack: pack, asOf: asOf) {
                guard let r = try reader.readiness(company: id, asOf: asOf, pack: pack), try add(r) else { break }
            }
        } else {
            try reader.forEachReadiness(add)
        }
        return result
    }

    /// The flat rows with the company's name and domain after `company_id`.
    public static func rows(_ pairs: [SnapshotPair], labels: inout CompanyLabels) throws -> QueryRows {
        QueryRows(columns: flatColumns,
                  rows: try pairs.map { try labels.labelled($0.flat, company: $0.readiness.record.companyID, after: "company_id") })
    }

    /// The nested JSON of each pair with the company's name and domain after `company_id`.
    public static func json(_ pairs: [SnapshotPair], labels: inout CompanyLabels) throws -> [JSONObject] {
        try pairs.map { try labels.labelled($0.json, company: $0.readiness.record.companyID, after: "company_id") }
    }
}
