public import Foundation
public import Projections
public import SiglogCore

/// The job types of the stage executor (§9.1) and the shapes of their cached results.
public enum StageRegistry {
    /// Every job type `runStage` knows, in the order of §9.1's registry.
    public static let jobTypes = ["ingest", "derive", "score", "update_lead_feed", "daily_aggregation", "watchlist_seed"]

    /// The job type a command-line stage name stands for (`update-lead-feed` → `update_lead_feed`),
    /// or nil when it names no registered job type.
    public static func jobType(named name: String) -> String? {
        let type = name.replacingOccurrences(of: "-", with: "_")
        return jobTypes.contains(type) ? type : nil
    }

    /// The §9.1 cached-result members of `jobType` with their values when the run's result lacks
    /// them (`processed` = the run's `companies_processed ?? 0`). Empty for an unknown type.
    static func cachedShape(jobType: String, row: JobRow, recorded: JSONObject) -> [JSONObject.Member] {
        let processed = JSONValue.int(Int64(row.companiesProcessed ?? 0))
        let suppressed = JSONValue.int(Int64(row.companiesESLSuppressed ?? 0))
        let error = row.errorMessage.map(JSONValue.string) ?? .null
        let pairs: [(String, JSONValue)] = switch jobType {
        case "ingest":
            [("inserted", processed), ("skipped_duplicate", 0), ("skipped_invalid", 0), ("errors_count", 0), ("error", error)]
        case "score":
            [("companies_scored", processed), ("companies_engagement", processed), ("companies_esl_suppressed", suppressed),
             ("companies_skipped", 0), ("error", error)]
        case "derive":
            [("instances_upserted", processed), ("events_processed", 0), ("events_skipped", 0), ("error", error)]
        case "update_lead_feed":
            [("rows_upserted", processed), ("error", error)]
        case "daily_aggregation":
            // The recorded run has the stage results; the flat members of the cached shape are
            // read from them (the reference, which kept no result, answered 0 for both).
            [("inserted", recorded["ingest_result"]?["inserted"] ?? 0), ("companies_scored", processed),
             ("ranked_count", recorded["ranked_count"] ?? 0), ("error", error)]
        case "watchlist_seed":
            [("seed_result", .object(["companies_created": 0, "companies_matched": 0, "events_stored": processed,
                                      "events_skipped_duplicate": 0, "errors": []])),
             ("derive_result", .object(["status": "completed", "instances_upserted": 0])),
             ("score_result", .object(["status": "completed", "companies_scored": 0])), ("error", error)]
        default:
            []
        }
        return pairs.map { JSONObject.Member(key: $0.0, value: $0.1) }
    }

    /// The result a completed run returns when its idempotency key comes again (D5): the recorded
    /// result as it was, with every member of the job type's §9.1 cached shape it lacks added
    /// before `error` (so a daily aggregation's cached answer also carries `inserted` and
    /// `companies_scored`). A run recorded without a result gets the §9.1 shape itself.
    public static func cachedResult(of row: JobRow) -> JSONObject {
        let recorded = row.result.objectValue ?? JSONObject()
        var members = recorded.members
        if !members.contains(where: { $0.key == "status" }) {
            members.insert(.init(key: "status", value: .string(row.status)), at: 0)
        }
        let missing = cachedShape(jobType: row.started.jobType, row: row, recorded: recorded)
            .filter { member in !members.contains { $0.key == member.key } }
        let errorIndex = members.firstIndex { $0.key == "error" } ?? members.endIndex
        members.insert(contentsOf: missing, at: errorIndex)
        return JSONObject(members).withJobRunID(row.id)
    }
}

/// What one `runStage` call asks for beyond the job type.
public struct StageParameters: Sendable {
    public var workspace: UUID?
    public var pack: UUID?
    /// The day the stage works for (default: today in UTC from the pipeline's clock).
    public var asOf: Day?
    public var idempotencyKey: String?
    /// NDJSON events for `ingest` and `daily_aggregation` (nil: nothing to ingest).
    public var events: URL?

    public init(workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
                events: URL? = nil) {
        self.workspace = workspace
        self.pack = pack
        self.asOf = asOf
        self.idempotencyKey = idempotencyKey
        self.events = events
    }
}

extension Pipeline {
    /// The stage executor of §9.1: runs `jobType` (one of `StageRegistry.jobTypes`) with the
    /// workspace, pack, day and idempotency key of `parameters`. Each stage looks up the cached
    /// result of its key first, then the workspace's rate limit, as `runJob` does.
    ///
    /// Throws `Unknown job_type: {type}` (a usage error) for a type outside the registry, and a
    /// `stageFailed` error for `watchlist_seed`, which this store has no watchlists for.
    public func runStage(jobType: String, _ parameters: StageParameters = StageParameters()) throws -> JSONObject {
        let p = parameters
        switch jobType {
        case "ingest":
            var options = IngestOptions(inputName: p.events?.relativePath ?? "<no events>")
            options.workspace = p.workspace
            options.pack = p.pack
            options.idempotencyKey = p.idempotencyKey
            return try withEvents(p.events) { try ingest(from: $0, options: options) }
        case "derive":
            return try runDerive(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case "score":
            return try runScore(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case "update_lead_feed":
            return try runUpdateLeadFeed(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case "daily_aggregation":
            return try runDailyAggregation(workspace: p.workspace, pack: p.pack, asOf: p.asOf, events: p.events,
                                           idempotencyKey: p.idempotencyKey)
        case "watchlist_seed":
            throw PipelineError(.stageFailed, "watchlist_seed is not available: this store has no watchlist bundles")
        default:
            throw PipelineError.unknownJobType(jobType)
        }
    }

    /// Opens `events` for reading (a missing file is a not-found error), or an empty input when nil.
    func withEvents<T>(_ events: URL?, _ body: (FileHandle) throws -> T) throws -> T {
        guard let events else {
            let empty = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
            defer { try? empty.close() }
            return try body(empty)
        }
        guard FileManager.default.fileExists(atPath: events.path) else {
            throw PipelineError(.notFound, "\(events.path): no such file")
        }
        let handle = try FileHandle(forReadingFrom: events)
        defer { try? handle.close() }
        return try body(handle)
    }
}

extension PipelineError {
    /// §9.1 step 4.
    public static func unknownJobType(_ type: String) -> PipelineError { .init(.usage, "Unknown job_type: \(type)") }
}
