import Foundation
public import Projections
public import ReadModel
public import SiglogCore

/// How a stage run ended, as its result says.
public enum ResultStatus: String, Sendable, Hashable {
    case completed
    case failed
    case skipped
}

/// The typed result of one stage run. `json` is its answer as the spec shapes it (§9.3), produced
/// only where it is printed, served or recorded for the idempotency cache (D5).
public protocol StageResult: Sendable {
    /// The job type whose runs produce this result.
    static var jobType: JobType { get }
    /// The result's status.
    var status: ResultStatus { get }
    /// The run's id (nil when no run was recorded).
    var jobRunID: UInt64? { get set }
    /// Every error joined with `"; "`, or nil.
    var error: String? { get }
    /// The spec's JSON shape, `job_run_id` right after `status`.
    var json: JSONObject { get }
    /// A failed run with counters at zero (§9.1: an unexpected failure).
    static func failed(_ message: String) -> Self
    /// The result a completed run returns when its idempotency key comes again (D5): read back
    /// from the answer it recorded; members it lacks take §9.1's cached shape (`processed` =
    /// the run's `companies_processed ?? 0`).
    init(cached row: JobRow)
}

extension StageResult {
    /// `job_run_id` as JSON.
    var jobRunJSON: JSONValue { jobRunID.map { .int(Int64($0)) } ?? .null }
    /// `error` as JSON.
    var errorJSON: JSONValue { error.map(JSONValue.string) ?? .null }
}

/// Reads members of a recorded answer, falling back to the cached shape's values.
struct RecordedAnswer {
    let object: JSONObject
    let row: JobRow

    init(_ row: JobRow) {
        self.row = row
        object = row.result.objectValue ?? JSONObject()
    }

    /// `companies_processed ?? 0`.
    var processed: Int { row.companiesProcessed ?? 0 }
    var status: ResultStatus { object["status"]?.stringValue.flatMap(ResultStatus.init(rawValue:)) ?? ResultStatus(row.status) }
    var error: String? { object["error"].map { $0.stringValue } ?? row.errorMessage }
    func int(_ key: String, default value: Int) -> Int { object[key]?.numberValue.map { Int($0) } ?? value }
    func strings(_ key: String) -> [String] { object[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    func object(_ key: String) -> JSONObject? { object[key]?.objectValue }
}

extension ResultStatus {
    /// The result status of a job run's status (a run still running reads as failed: it never answered).
    init(_ status: JobStatus) {
        switch status {
        case .completed: self = .completed
        case .skipped: self = .skipped
        case .failed, .running: self = .failed
        }
    }
}

// MARK: - Ingest

/// `run_ingest` (§2.8, §9.3): `{status, job_run_id, inserted, skipped_duplicate, skipped_invalid,
/// errors_count, error}`, plus siglog's additions: `stored_without_id` (events stored without a
/// `source_event_id`, which a rerun stores again, D2), `errors` (the bad lines and per-event errors,
/// the first `maxErrors` of them) and `skipped_invalid_lines` (the lines whose event type the pack
/// does not accept); an ingest from the source adapters adds `since` and `sources` (one entry per
/// adapter run).
public struct IngestResult: StageResult, Hashable {
    public static let jobType = JobType.ingest
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var inserted: Int
    public var skippedDuplicate: Int
    public var skippedInvalid: Int
    /// Bad lines (`FILE:LINE: field: reason`) and per-event errors, in input order (the first ones
    /// when there were more than the cap).
    public var errors: [String]
    /// How many errors there were in all.
    public var errorsCount: Int
    /// Events stored without a `source_event_id` (not deduplicated, D2).
    public var storedWithoutID = 0
    /// `FILE:LINE: event_type: …` of lines whose type the pack does not accept (`skipped_invalid`).
    public var rejectedTypes: [String] = []
    /// The start of the window the adapters fetched (ADAPTERS.md §7 step 3 with D18); nil for an
    /// ingest of a file or a request body.
    public var since: Timestamp?
    /// What each adapter did, in run order; nil for an ingest of a file or a request body.
    public var sources: [SourceOutcome]?

    /// Whether this run moves the `since` of the next adapter ingest (D18): it completed and at
    /// least one adapter fetched without throwing. An ingest of a file or a body never does.
    public var movesSince: Bool { status == .completed && (sources ?? []).contains { $0.fetched != nil } }

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, inserted: Int, skippedDuplicate: Int, skippedInvalid: Int,
                errors: [String]) {
        self.status = status
        self.jobRunID = jobRunID
        self.inserted = inserted
        self.skippedDuplicate = skippedDuplicate
        self.skippedInvalid = skippedInvalid
        self.errors = errors
        errorsCount = errors.count
    }

    public var error: String? {
        guard !errors.isEmpty else { return failure }
        let more = errorsCount > errors.count ? "; … and \(errorsCount - errors.count) more" : ""
        return errors.joined(separator: "; ") + more
    }
    /// The message of a run that failed as a whole (not a bad line).
    public var failure: String?

    public static func failed(_ message: String) -> IngestResult {
        var result = IngestResult(status: .failed, jobRunID: nil, inserted: 0, skippedDuplicate: 0, skippedInvalid: 0, errors: [])
        result.failure = message
        return result
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        self.init(status: answer.status, jobRunID: row.id, inserted: answer.int("inserted", default: answer.processed),
                  skippedDuplicate: answer.int("skipped_duplicate", default: 0),
                  skippedInvalid: answer.int("skipped_invalid", default: 0), errors: answer.strings("errors"))
        errorsCount = answer.int("errors_count", default: errors.count)
        storedWithoutID = answer.int("stored_without_id", default: 0)
        rejectedTypes = answer.strings("skipped_invalid_lines")
        if errors.isEmpty { failure = answer.error }
        since = answer.object["since"]?.stringValue.flatMap { try? Timestamp(parsing: $0) }
        sources = answer.object["sources"]?.arrayValue?.compactMap { $0.objectValue.map(SourceOutcome.init(json:)) }
    }

    public var json: JSONObject {
        var object: JSONObject = [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON, "inserted": .int(Int64(inserted)),
            "skipped_duplicate": .int(Int64(skippedDuplicate)), "skipped_invalid": .int(Int64(skippedInvalid)),
            "errors_count": .int(Int64(errorsCount)), "stored_without_id": .int(Int64(storedWithoutID)),
            "errors": .array(errors.map(JSONValue.string)), "skipped_invalid_lines": .array(rejectedTypes.map(JSONValue.string)),
            "error": errorJSON,
        ]
        if let since { object["since"] = .string(since.description) }
        if let sources { object["sources"] = .array(sources.map { .object($0.json) }) }
        return object
    }
}

/// What one source adapter did in an ingest run.
public struct SourceOutcome: Sendable, Hashable {
    /// The adapter's source name.
    public var source: String
    /// Events the fetch returned; nil when the fetch threw.
    public var fetched: Int?
    public var inserted: Int
    public var skippedDuplicate: Int
    public var skippedInvalid: Int
    /// Why the fetch or the storing of its events failed, or nil.
    public var error: String?

    /// Creates an outcome.
    public init(source: String, fetched: Int?, inserted: Int = 0, skippedDuplicate: Int = 0, skippedInvalid: Int = 0,
                error: String? = nil) {
        self.source = source
        self.fetched = fetched
        self.inserted = inserted
        self.skippedDuplicate = skippedDuplicate
        self.skippedInvalid = skippedInvalid
        self.error = error
    }

    /// `{source, fetched, inserted, skipped_duplicate, skipped_invalid, error}`.
    public var json: JSONObject {
        [
            "source": .string(source), "fetched": fetched.map { .int(Int64($0)) } ?? .null, "inserted": .int(Int64(inserted)),
            "skipped_duplicate": .int(Int64(skippedDuplicate)), "skipped_invalid": .int(Int64(skippedInvalid)),
            "error": error.map(JSONValue.string) ?? .null,
        ]
    }

    /// Reads back `json`.
    init(json: JSONObject) {
        func int(_ key: String) -> Int { json[key]?.numberValue.map { Int($0) } ?? 0 }
        self.init(source: json["source"]?.stringValue ?? "", fetched: json["fetched"]?.numberValue.map { Int($0) },
                  inserted: int("inserted"), skippedDuplicate: int("skipped_duplicate"), skippedInvalid: int("skipped_invalid"),
                  error: json["error"]?.stringValue)
    }
}

// MARK: - Derive

/// `run_derive` (§3.2, §9.3): `{status, job_run_id, instances_upserted, events_processed,
/// events_skipped, error}`.
public struct DeriveResult: StageResult, Hashable {
    public static let jobType = JobType.derive
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var instancesUpserted: Int
    public var eventsProcessed: Int
    public var eventsSkipped: Int
    public var error: String?

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, instancesUpserted: Int, eventsProcessed: Int, eventsSkipped: Int,
                error: String?) {
        self.status = status
        self.jobRunID = jobRunID
        self.instancesUpserted = instancesUpserted
        self.eventsProcessed = eventsProcessed
        self.eventsSkipped = eventsSkipped
        self.error = error
    }

    public static func failed(_ message: String) -> DeriveResult {
        DeriveResult(status: .failed, jobRunID: nil, instancesUpserted: 0, eventsProcessed: 0, eventsSkipped: 0, error: message)
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        self.init(status: answer.status, jobRunID: row.id,
                  instancesUpserted: answer.int("instances_upserted", default: answer.processed),
                  eventsProcessed: answer.int("events_processed", default: 0),
                  eventsSkipped: answer.int("events_skipped", default: 0), error: answer.error)
    }

    public var json: JSONObject {
        [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON, "instances_upserted": .int(Int64(instancesUpserted)),
            "events_processed": .int(Int64(eventsProcessed)), "events_skipped": .int(Int64(eventsSkipped)), "error": errorJSON,
        ]
    }
}

// MARK: - Score

/// `run_score` (§6, §9.3): `{status, job_run_id, companies_scored, companies_engagement,
/// companies_esl_suppressed, companies_skipped, error}`.
public struct ScoreResult: StageResult, Hashable {
    public static let jobType = JobType.score
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var companiesScored: Int
    public var companiesEngagement: Int
    public var companiesESLSuppressed: Int
    public var companiesSkipped: Int
    public var error: String?

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, companiesScored: Int, companiesEngagement: Int,
                companiesESLSuppressed: Int, companiesSkipped: Int, error: String?) {
        self.status = status
        self.jobRunID = jobRunID
        self.companiesScored = companiesScored
        self.companiesEngagement = companiesEngagement
        self.companiesESLSuppressed = companiesESLSuppressed
        self.companiesSkipped = companiesSkipped
        self.error = error
    }

    public static func failed(_ message: String) -> ScoreResult {
        ScoreResult(status: .failed, jobRunID: nil, companiesScored: 0, companiesEngagement: 0, companiesESLSuppressed: 0,
                    companiesSkipped: 0, error: message)
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        self.init(status: answer.status, jobRunID: row.id, companiesScored: answer.int("companies_scored", default: answer.processed),
                  companiesEngagement: answer.int("companies_engagement", default: answer.processed),
                  companiesESLSuppressed: answer.int("companies_esl_suppressed", default: row.companiesESLSuppressed ?? 0),
                  companiesSkipped: answer.int("companies_skipped", default: 0), error: answer.error)
    }

    public var json: JSONObject {
        [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON, "companies_scored": .int(Int64(companiesScored)),
            "companies_engagement": .int(Int64(companiesEngagement)),
            "companies_esl_suppressed": .int(Int64(companiesESLSuppressed)), "companies_skipped": .int(Int64(companiesSkipped)),
            "error": errorJSON,
        ]
    }
}

// MARK: - Lead feed

/// `run_update_lead_feed` (§7.3, §9.3): `{status, job_run_id, rows_upserted, error}`.
public struct LeadFeedResult: StageResult, Hashable {
    public static let jobType = JobType.updateLeadFeed
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var rowsUpserted: Int
    public var error: String?

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, rowsUpserted: Int, error: String?) {
        self.status = status
        self.jobRunID = jobRunID
        self.rowsUpserted = rowsUpserted
        self.error = error
    }

    public static func failed(_ message: String) -> LeadFeedResult {
        LeadFeedResult(status: .failed, jobRunID: nil, rowsUpserted: 0, error: message)
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        self.init(status: answer.status, jobRunID: row.id, rowsUpserted: answer.int("rows_upserted", default: answer.processed),
                  error: answer.error)
    }

    public var json: JSONObject {
        ["status": .string(status.rawValue), "job_run_id": jobRunJSON, "rows_upserted": .int(Int64(rowsUpserted)), "error": errorJSON]
    }
}

// MARK: - Daily aggregation

/// One company of the daily aggregation's ranked list (§8): `{company_name, composite, band}`.
public struct RankedItem: Sendable, Hashable {
    public var companyName: String
    public var composite: Int
    public var band: String

    /// Creates an item.
    public init(companyName: String, composite: Int, band: String) {
        self.companyName = companyName
        self.composite = composite
        self.band = band
    }

    /// The ranked-list item of a ranked company.
    public init(_ company: EmergingCompany) {
        self.init(companyName: company.companyName, composite: company.composite, band: company.band)
    }

    var json: JSONValue {
        .object(["company_name": .string(companyName), "composite": .int(Int64(composite)), "band": .string(band)])
    }
}

/// `run_daily_aggregation` (§9.2, §9.3): `{status, job_run_id, inserted, companies_scored,
/// ingest_result, derive_result, score_result, lead_feed_result, ranked_companies, ranked_count,
/// error}` — §9.3's flat members and §9.2's per-stage results (a stage that did not run: `{}`).
public struct DailyAggregationResult: StageResult, Hashable {
    public static let jobType = JobType.dailyAggregation
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var ingest: IngestResult?
    public var derive: DeriveResult?
    public var score: ScoreResult?
    public var leadFeed: LeadFeedResult?
    public var ranked: [RankedItem]
    public var error: String?
    /// `inserted` and `companies_scored` of a cached run that recorded no stage results (§9.1's
    /// shape: `companies_processed` and 0).
    private var recordedInserted: Int?
    private var recordedCompaniesScored: Int?

    /// `inserted` of the ingest stage.
    public var inserted: Int { ingest?.inserted ?? recordedInserted ?? 0 }
    /// `companies_scored` of the score stage.
    public var companiesScored: Int { score?.companiesScored ?? recordedCompaniesScored ?? 0 }

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, ingest: IngestResult? = nil, derive: DeriveResult? = nil,
                score: ScoreResult? = nil, leadFeed: LeadFeedResult? = nil, ranked: [RankedItem] = [], error: String? = nil) {
        self.status = status
        self.jobRunID = jobRunID
        self.ingest = ingest
        self.derive = derive
        self.score = score
        self.leadFeed = leadFeed
        self.ranked = ranked
        self.error = error
    }

    public static func failed(_ message: String) -> DailyAggregationResult {
        DailyAggregationResult(status: .failed, jobRunID: nil, error: message)
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        func child<R: StageResult>(_ key: String, _: R.Type) -> R? {
            guard let object = answer.object(key), !object.isEmpty else { return nil }
            var childRow = row
            childRow.result = .object(object)
            childRow.companiesProcessed = nil
            var result = R(cached: childRow)
            result.jobRunID = object["job_run_id"]?.numberValue.map { UInt64($0) }
            return result
        }
        let ranked = (answer.object["ranked_companies"]?.arrayValue ?? []).compactMap { item -> RankedItem? in
            guard let name = item["company_name"]?.stringValue else { return nil }
            return RankedItem(companyName: name, composite: item["composite"]?.numberValue.map { Int($0) } ?? 0,
                              band: item["band"]?.stringValue ?? "N/A")
        }
        self.init(status: answer.status, jobRunID: row.id, ingest: child("ingest_result", IngestResult.self),
                  derive: child("derive_result", DeriveResult.self), score: child("score_result", ScoreResult.self),
                  leadFeed: child("lead_feed_result", LeadFeedResult.self), ranked: ranked, error: answer.error)
        recordedInserted = answer.int("inserted", default: 0)
        recordedCompaniesScored = answer.int("companies_scored", default: answer.processed)
    }

    public var json: JSONObject {
        [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON,
            "inserted": .int(Int64(inserted)), "companies_scored": .int(Int64(companiesScored)),
            "ingest_result": .object(ingest?.json ?? [:]), "derive_result": .object(derive?.json ?? [:]),
            "score_result": .object(score?.json ?? [:]), "lead_feed_result": .object(leadFeed?.json ?? [:]),
            "ranked_companies": .array(ranked.map(\.json)), "ranked_count": .int(Int64(ranked.count)), "error": errorJSON,
        ]
    }
}
