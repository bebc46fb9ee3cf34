import SiglogCore

/// Score (spec §4.9, §5.5, storage only): read each company's events up to as-of, newest first,
/// and upsert one readiness and one engagement snapshot on `(company_id, as_of, pack_id)`. The
/// numbers are the Python baseline's placeholders (no TRS or ESL formulas), computed the same way.
enum ScorePhase {
    static let bands = ["IGNORE", "WATCH", "HIGH_PRIORITY"]
    static let decisions = ["allow", "allow_with_constraints", "suppress"]
    /// `round(1 / (i + 1), 3)` for the first eight events.
    static let contributions = ["1.0", "0.5", "0.333", "0.25", "0.2", "0.167", "0.143", "0.125"]

    static func run(_ db: SQLiteDatabase, asOf: Day) throws -> [(String, Int)] {
        let asOfText = asOf.description
        let stamp = nowText()
        let read = try db.prepare(
            "SELECT company_id, event_type, event_time FROM signal_events "
                + "WHERE company_id IS NOT NULL AND event_time < ? ORDER BY company_id, event_time DESC")
        read.bind(1, asOf.adding(days: 1).description)
        let readiness = try db.prepare(
            "INSERT INTO readiness_snapshots (company_id, as_of, momentum, complexity, pressure, leadership_gap, "
                + "composite, explain, pack_id, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (company_id, as_of, pack_id) DO UPDATE SET momentum = excluded.momentum, "
                + "complexity = excluded.complexity, pressure = excluded.pressure, "
                + "leadership_gap = excluded.leadership_gap, composite = excluded.composite, "
                + "explain = excluded.explain, computed_at = excluded.computed_at")
        let engagement = try db.prepare(
            "INSERT INTO engagement_snapshots (company_id, as_of, esl_score, outreach_score, engagement_type, "
                + "stress_volatility_index, communication_stability_index, sustained_pressure_index, cadence_blocked, "
                + "explain, pack_id, esl_decision, esl_reason_code, sensitivity_level, computed_at) "
                + "VALUES (?, ?, ?, ?, 'Observe Only', 0.1, 0.3, 0.2, 0, ?, ?, ?, 'OK', 'low', ?) "
                + "ON CONFLICT (company_id, as_of, pack_id) DO UPDATE SET esl_score = excluded.esl_score, "
                + "outreach_score = excluded.outreach_score, engagement_type = excluded.engagement_type, "
                + "stress_volatility_index = excluded.stress_volatility_index, "
                + "communication_stability_index = excluded.communication_stability_index, "
                + "sustained_pressure_index = excluded.sustained_pressure_index, "
                + "cadence_blocked = excluded.cadence_blocked, explain = excluded.explain, "
                + "esl_decision = excluded.esl_decision, esl_reason_code = excluded.esl_reason_code, "
                + "sensitivity_level = excluded.sensitivity_level, computed_at = excluded.computed_at")
        for statement in [readiness, engagement] { statement.bind(2, asOfText) }
        readiness.bind(9, Bench.pack)
        readiness.bind(10, stamp)
        engagement.bind(6, Bench.pack)
        engagement.bind(8, stamp)

        var types = EventTypeTable()
        var kindSeenBy: [Int] = []  // kindSeenBy[type] == companies: seen in the current company
        var current: Int64?
        var count = 0, kinds = 0, companies = 0, pending = 0
        var topEvents = ""  // the explain's top_events items, written as the first eight rows arrive
        var explain = ""
        let writer = JSONWriter()

        func emit(_ company: Int64) throws(SQLiteError) {
            let composite = Int((company * 37 + Int64(count) * 11 + Int64(kinds) * 5) % 101)
            let dims = (0..<4).map { (composite + $0 * 13) % 101 }
            explain.removeAll(keepingCapacity: true)
            explain += "{\"momentum\":\(dims[0]),\"complexity\":\(dims[1]),\"pressure\":\(dims[2]),"
            explain += "\"leadership_gap\":\(dims[3]),\"top_events\":[\(topEvents)],\"recommendation_band\":"
            explain += "\"\(bands[composite * 3 / 101])\",\"minimum_threshold\":0,\"pack_id\":\"\(Bench.pack)\","
            explain += "\"events_considered\":\(count)}"
            readiness.bind(1, company)
            readiness.bind(3, Int64(dims[0]))
            readiness.bind(4, Int64(dims[1]))
            readiness.bind(5, Int64(dims[2]))
            readiness.bind(6, Int64(dims[3]))
            readiness.bind(7, Int64(composite))
            readiness.bind(8, explain)
            try readiness.run()

            let esl = Double(company % 1000) / 1000.0  // already at three decimals
            let decision = decisions[Int(company % 3)]
            let eslText = JSONWriter.format(esl)
            explain.removeAll(keepingCapacity: true)
            explain += "{\"base_engageability\":\(eslText),\"stability_modifier\":1.0,\"cadence_modifier\":1.0,"
            explain += "\"alignment_modifier\":1.0,\"svi\":0.1,\"spi\":0.2,\"csi\":0.3,\"esl_composite\":\(eslText),"
            explain += "\"cadence_blocked\":false,\"recommendation_type\":\"Observe Only\","
            explain += "\"stability_cap_triggered\":false,\"weights\":{\"be\":1.0,\"sm\":1.0,\"cm\":1.0,\"am\":1.0},"
            explain += "\"esl_decision\":\"\(decision)\",\"esl_reason_code\":\"OK\",\"sensitivity_level\":\"low\","
            explain += "\"tone_constraint\":null}"
            engagement.bind(1, company)
            engagement.bind(3, esl)
            engagement.bind(4, Int64((Double(composite) * esl).rounded(.toNearestOrEven)))
            engagement.bind(5, explain)
            engagement.bind(7, decision)
            try engagement.run()
            companies += 1
            pending += 1
            if pending >= Bench.batch {
                try db.execute("COMMIT; BEGIN")
                pending = 0
            }
        }

        try db.execute("BEGIN")
        while try read.step() {
            let company = read.int64(0)
            if company != current {
                if let current { try emit(current) }
                current = company
                count = 0
                kinds = 0
                topEvents.removeAll(keepingCapacity: true)
            }
            let type = types.index(of: read.bytes(1))
            if type >= kindSeenBy.count { kindSeenBy.append(-1) }
            if kindSeenBy[type] != companies {
                kindSeenBy[type] = companies
                kinds += 1
            }
            if count < 8 {
                if count > 0 { topEvents += "," }
                topEvents += "{\"event_type\":"
                writer.write(.string(types.names[type]), into: &topEvents)
                topEvents += ",\"event_time\":"
                writer.write(.string(String(decoding: read.bytes(2), as: UTF8.self)), into: &topEvents)
                topEvents += ",\"contribution\":\(contributions[count])}"
            }
            count += 1
        }
        read.reset()
        if let current { try emit(current) }
        try db.execute("COMMIT")
        return [("count", companies), ("companies_scored", companies)]
    }
}
