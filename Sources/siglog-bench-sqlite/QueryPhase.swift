import SiglogCore

/// The lead-feed top 100 on an open connection: one untimed warm-up, then `repeat` timed runs,
/// each stepping through every row and reading every column (as a caller would).
enum QueryPhase {
    static let top100 = "SELECT entity_id, composite_score, top_signal_ids, esl_decision, sensitivity_level, "
        + "recommendation_band, last_seen, outreach_status_summary, as_of FROM lead_feed "
        + "WHERE workspace_id = ? AND pack_id = ? AND as_of = ? "
        + "ORDER BY composite_score DESC, entity_id LIMIT 100"

    static func run(_ db: SQLiteDatabase, asOf: Day, repeat count: Int) throws -> (rows: Int, latencies: [Double]) {
        let query = try db.prepare(top100)
        query.bind(1, Bench.workspace)
        query.bind(2, Bench.pack)
        query.bind(3, asOf.description)
        var checksum = 0
        func once() throws(SQLiteError) -> Int {
            defer { query.reset() }
            var rows = 0
            while try query.step() {
                rows += 1
                checksum &+= Int(query.int64(0)) &+ Int(query.int64(1))
                for column in Int32(2)...8 { checksum &+= query.bytes(column).count }
            }
            return rows
        }
        _ = try once()  // warm-up, not timed
        var latencies: [Double] = []
        var rows = 0
        for _ in 0..<count {
            let started = monotonicSeconds()
            rows = try once()
            latencies.append((monotonicSeconds() - started) * 1000)
        }
        if checksum == Int.min { print("") }  // keeps the column reads from being optimized away
        return (rows, latencies)
    }
}
