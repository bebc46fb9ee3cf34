import SiglogCore

/// Lead feed (spec §7.3, storage only): join readiness × engagement for as-of, add each company's
/// last event time, upsert one `lead_feed` row per company on `(workspace_id, pack_id, entity_id)`,
/// then `ANALYZE` (as the Python baseline does, counted in the phase).
enum LeadFeedPhase {
    static func run(_ db: SQLiteDatabase, asOf: Day) throws -> [(String, Int)] {
        let asOfText = asOf.description
        var lastSeen: [Int64: String] = [:]
        let seen = try db.prepare(
            "SELECT company_id, max(event_time) FROM signal_events WHERE company_id IS NOT NULL AND event_time < ? "
                + "GROUP BY company_id")
        seen.bind(1, asOf.adding(days: 1).description)
        while try seen.step() { lastSeen[seen.int64(0)] = seen.string(1) }
        seen.reset()

        let read = try db.prepare(
            "SELECT r.company_id, r.composite, r.explain, e.esl_decision, e.sensitivity_level, r.computed_at "
                + "FROM readiness_snapshots r JOIN engagement_snapshots e "
                + "ON e.company_id = r.company_id AND e.as_of = r.as_of AND e.pack_id = r.pack_id "
                + "WHERE r.as_of = ? AND r.pack_id = ?")
        read.bind(1, asOfText)
        read.bind(2, Bench.pack)
        let upsert = try db.prepare(
            "INSERT INTO lead_feed (workspace_id, pack_id, entity_id, composite_score, top_signal_ids, esl_decision, "
                + "sensitivity_level, recommendation_band, last_seen, outreach_status_summary, as_of, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?) "
                + "ON CONFLICT (workspace_id, pack_id, entity_id) DO UPDATE SET "
                + "composite_score = excluded.composite_score, top_signal_ids = excluded.top_signal_ids, "
                + "esl_decision = excluded.esl_decision, sensitivity_level = excluded.sensitivity_level, "
                + "recommendation_band = excluded.recommendation_band, last_seen = excluded.last_seen, "
                + "outreach_status_summary = excluded.outreach_status_summary, as_of = excluded.as_of, "
                + "updated_at = excluded.updated_at")
        upsert.bind(1, Bench.workspace)
        upsert.bind(2, Bench.pack)
        upsert.bind(9, asOfText)
        upsert.bind(10, nowText())

        var upserted = 0, pending = 0
        var top: [String] = []
        var topJSON = ""
        let writer = JSONWriter()
        try db.execute("BEGIN")
        while try read.step() {
            let company = read.int64(0)
            // The distinct event types among the explain's first eight top events, in order.
            top.removeAll(keepingCapacity: true)
            let explain = try? JSONParser.parse(read.bytes(2))
            for item in (explain?.objectValue?["top_events"]?.arrayValue ?? []).prefix(8) {
                if let kind = item.objectValue?["event_type"]?.stringValue, !kind.isEmpty, !top.contains(kind) {
                    top.append(kind)
                }
            }
            topJSON.removeAll(keepingCapacity: true)
            writer.write(.array(top.map { .string($0) }), into: &topJSON)
            upsert.bind(3, company)
            upsert.bind(4, read.int64(1))
            upsert.bind(5, topJSON)
            upsert.bind(6, read.string(3))
            upsert.bind(7, read.string(4))
            upsert.bind(8, lastSeen[company] ?? read.string(5))
            try upsert.run()
            upserted += 1
            pending += 1
            if pending >= Bench.batch {
                try db.execute("COMMIT; BEGIN")
                pending = 0
            }
        }
        read.reset()
        try db.execute("COMMIT")
        try db.execute("ANALYZE")  // fresh statistics for the query planner, as the Python baseline
        return [("count", upserted), ("rows_upserted", upserted)]
    }
}
