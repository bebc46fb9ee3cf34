// The native SQLite baseline of tools/bench/run: the storage work of tools/bench/baseline.py through
// SQLite's C API, with siglog's own line parser. Not part of the test suite.
import ArgumentParser
import Foundation
import SiglogCore

@main
struct SiglogBenchSQLite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-bench-sqlite",
        abstract: "One phase of the native SQLite baseline (see tools/bench/README.md); prints one JSON object.",
        discussion: """
            The database must already hold the baseline schema (tools/bench/baseline.py --engine sqlite \
            --phase schema). Durability as the Python baseline: WAL, synchronous=FULL, 256 MiB page cache, \
            foreign keys on, one transaction per 50,000 rows; pages are read through a memory map.
            """)

    enum Phase: String, ExpressibleByArgument, CaseIterable {
        case ingest, derive, score
        case leadFeed = "lead-feed"
        case query
        /// siglog's parser alone over the input, no database.
        case parse
        /// The parser plus normalization and domain extraction, no database.
        case parseNormalize = "parse-normalize"
    }

    @Option(help: "The phase to run.")
    var phase: Phase

    @Option(help: "The SQLite database file (every phase but parse and parse-normalize).")
    var db: String?

    @Option(help: "The NDJSON input (ingest, parse, parse-normalize).")
    var input: String?

    @Option(help: "As-of day for score, lead feed and query (YYYY-MM-DD).")
    var asOf = "2026-02-28"

    @Option(help: "Timed executions of the query phase.")
    var `repeat` = 200

    @Flag(inversion: .prefixedNo, help: "Read and parse the input on a second thread during ingest, as siglog does.")
    var parseThread = true

    @Option(name: .customLong("pragma"), help: "An extra PRAGMA after the baseline's settings, e.g. mmap_size=268435456 (experiments; the harness passes none).")
    var pragmas: [String] = []

    func run() throws {
        guard let day = Day(iso: asOf) else { throw ValidationError("--as-of: not a YYYY-MM-DD day: \(asOf)") }
        let started = monotonicSeconds()
        var result = JSONObject()
        switch phase {
        case .parse, .parseNormalize:
            add(try ParsePhase.run(path: try inputPath(), normalize: phase == .parseNormalize), to: &result)
        case .ingest:
            let ingest = try IngestPhase(db: try open())
            try ingest.run(path: try inputPath(), parseThread: parseThread)
            add(ingest.result, to: &result)
        case .derive:
            add(try DerivePhase.run(try open()), to: &result)
        case .score:
            add(try ScorePhase.run(try open(), asOf: day), to: &result)
        case .leadFeed:
            add(try LeadFeedPhase.run(try open(), asOf: day), to: &result)
        case .query:
            let (rows, latencies) = try QueryPhase.run(try open(), asOf: day, repeat: `repeat`)
            add([("count", `repeat`), ("rows", rows)], to: &result)
            result["latencies_ms"] = .array(latencies.map { .double($0) })
        }
        result["phase"] = .string(phase.rawValue)
        result["engine"] = .string("sqlite-native")
        result["seconds"] = .double(((monotonicSeconds() - started) * 10_000).rounded() / 10_000)
        print(JSONWriter().string(.object(result)))
    }

    private func inputPath() throws -> String {
        guard let input else { throw ValidationError("--input is required for --phase \(phase.rawValue)") }
        return input
    }

    /// Opens the database with the Python baseline's settings, plus reads through a memory map (as
    /// LMDB reads; up to SQLite's 2 GiB limit): it spares a copy per page read, about a third of the
    /// CPU of the read-heavy phases, and leaves writes and durability as they are.
    private func open() throws -> SQLiteDatabase {
        guard let db else { throw ValidationError("--db is required for --phase \(phase.rawValue)") }
        try SQLiteDatabase.configureForSingleUser()
        let database = try SQLiteDatabase(path: db)
        try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-262144; "
            + "PRAGMA foreign_keys=ON; PRAGMA mmap_size=2147418112")
        for pragma in pragmas { try database.execute("PRAGMA \(pragma)") }
        return database
    }

    private func add(_ counts: [(String, Int)], to result: inout JSONObject) {
        for (key, value) in counts { result[key] = .int(Int64(value)) }
    }
}
