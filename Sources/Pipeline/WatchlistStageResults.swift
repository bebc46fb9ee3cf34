public import Foundation
public import Projections
public import SiglogCore

// MARK: - Watchlist seed

/// What seeding the watchlist from evidence bundles did (`seed_result`).
public struct SeedCounts: Sendable, Hashable {
    /// Bundles whose company was created.
    public var companiesCreated = 0
    /// Bundles whose company already existed (matched by §2.6).
    public var companiesMatched = 0
    /// Evidence events stored.
    public var eventsStored = 0
    /// Evidence events already stored (same `(source, source_event_id)`, D2).
    public var eventsSkippedDuplicate = 0
    /// `Bundle {id}: …` for each bundle or event that could not be seeded.
    public var errors: [String] = []

    /// Creates counts.
    public init(companiesCreated: Int = 0, companiesMatched: Int = 0, eventsStored: Int = 0, eventsSkippedDuplicate: Int = 0,
                errors: [String] = []) {
        self.companiesCreated = companiesCreated
        self.companiesMatched = companiesMatched
        self.eventsStored = eventsStored
        self.eventsSkippedDuplicate = eventsSkippedDuplicate
        self.errors = errors
    }

    /// `{companies_created, companies_matched, events_stored, events_skipped_duplicate, errors}`.
    public var json: JSONObject {
        [
            "companies_created": .int(Int64(companiesCreated)), "companies_matched": .int(Int64(companiesMatched)),
            "events_stored": .int(Int64(eventsStored)), "events_skipped_duplicate": .int(Int64(eventsSkippedDuplicate)),
            "errors": .array(errors.map(JSONValue.string)),
        ]
    }
}

/// `run_watchlist_seed` (§9.3): `{status, job_run_id, seed_result, derive_result, score_result,
/// error}`; derive and score are child runs (a stage that did not run: `{}`).
public struct WatchlistSeedResult: StageResult, Hashable {
    public static let jobType = JobType.watchlistSeed
    public var status: ResultStatus
    public var jobRunID: UInt64?
    public var seed: SeedCounts
    public var derive: DeriveResult?
    public var score: ScoreResult?
    public var error: String?

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, seed: SeedCounts = SeedCounts(), derive: DeriveResult? = nil,
                score: ScoreResult? = nil, error: String? = nil) {
        self.status = status
        self.jobRunID = jobRunID
        self.seed = seed
        self.derive = derive
        self.score = score
        self.error = error
    }

    public static func failed(_ message: String) -> WatchlistSeedResult {
        WatchlistSeedResult(status: .failed, jobRunID: nil, error: message)
    }

    /// The recorded answer; members it lacks take §9.1's cached shape (`events_stored` =
    /// `companies_processed`, derive and score `completed` with zero counts).
    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        let seedObject = answer.object("seed_result") ?? [:]
        func int(_ key: String, _ value: Int) -> Int { seedObject[key]?.numberValue.map { Int($0) } ?? value }
        let seed = SeedCounts(
            companiesCreated: int("companies_created", 0), companiesMatched: int("companies_matched", 0),
            eventsStored: int("events_stored", answer.processed), eventsSkippedDuplicate: int("events_skipped_duplicate", 0),
            errors: seedObject["errors"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        func child<R: StageResult>(_ key: String, _ fallback: R) -> R {
            guard let object = answer.object(key), !object.isEmpty else { return fallback }
            var childRow = row
            childRow.result = .object(object)
            childRow.companiesProcessed = nil
            var result = R(cached: childRow)
            result.jobRunID = object["job_run_id"]?.numberValue.map { UInt64($0) }
            return result
        }
        self.init(status: answer.status, jobRunID: row.id, seed: seed,
                  derive: child("derive_result", DeriveResult(status: .completed, jobRunID: nil, instancesUpserted: 0,
                                                              eventsProcessed: 0, eventsSkipped: 0, error: nil)),
                  score: child("score_result", ScoreResult(status: .completed, jobRunID: nil, companiesScored: 0,
                                                           companiesEngagement: 0, companiesESLSuppressed: 0, companiesSkipped: 0,
                                                           error: nil)),
                  error: answer.error)
    }

    public var json: JSONObject {
        [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON, "seed_result": .object(seed.json),
            "derive_result": .object(derive?.json ?? [:]), "score_result": .object(score?.json ?? [:]), "error": errorJSON,
        ]
    }
}

// MARK: - Alert scan

/// `run_alert_scan` (§9.3): `{status, alerts_created, companies_scanned}`, plus the run's
/// `job_run_id` and `error` (null unless it failed).
public struct AlertScanResult: StageResult, Hashable {
    public static let jobType = JobType.alertScan
    public var status: ResultStatus
    public var jobRunID: UInt64?
    /// `readiness_jump` alerts created.
    public var alertsCreated: Int
    /// Readiness snapshots of the pack on `as_of` that were looked at.
    public var companiesScanned: Int
    public var error: String?

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, alertsCreated: Int, companiesScanned: Int, error: String? = nil) {
        self.status = status
        self.jobRunID = jobRunID
        self.alertsCreated = alertsCreated
        self.companiesScanned = companiesScanned
        self.error = error
    }

    public static func failed(_ message: String) -> AlertScanResult {
        AlertScanResult(status: .failed, jobRunID: nil, alertsCreated: 0, companiesScanned: 0, error: message)
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        self.init(status: answer.status, jobRunID: row.id, alertsCreated: answer.int("alerts_created", default: 0),
                  companiesScanned: answer.int("companies_scanned", default: answer.processed), error: answer.error)
    }

    public var json: JSONObject {
        [
            "status": .string(status.rawValue), "job_run_id": jobRunJSON, "alerts_created": .int(Int64(alertsCreated)),
            "companies_scanned": .int(Int64(companiesScanned)), "error": errorJSON,
        ]
    }
}

// MARK: - Backfill

/// `run_backfill_lead_feed` (§7.3, §9.3): `{status, workspaces_processed, total_rows_upserted,
/// errors}` where `status` is `completed`, `completed_with_errors` (some workspace failed) or
/// `failed`; plus the batch run's `job_run_id` and one entry per workspace built (`workspaces`:
/// `{workspace_id, pack_id, job_run_id, status, rows_upserted, error}`).
public struct BackfillResult: StageResult, Hashable {
    public static let jobType = JobType.backfillLeadFeed
    /// `completed` also when some workspace failed (then `errors` is not empty and the answer says
    /// `completed_with_errors`).
    public var status: ResultStatus
    public var jobRunID: UInt64?
    /// The lead-feed build of each workspace with a resolvable pack, in workspace id order.
    public var workspaces: [WorkspaceBuild]
    /// `{workspace_id}: {error}` for each workspace whose build failed (or the failure of the whole run).
    public var errors: [String]

    /// One workspace's lead-feed build.
    public struct WorkspaceBuild: Sendable, Hashable {
        public var workspace: UUID
        public var pack: UUID?
        public var result: LeadFeedResult

        /// Creates an entry.
        public init(workspace: UUID, pack: UUID?, result: LeadFeedResult) {
            self.workspace = workspace
            self.pack = pack
            self.result = result
        }

        var json: JSONValue {
            var object: JSONObject = ["workspace_id": .string(workspace.lowercased), "pack_id": pack.map { .string($0.lowercased) } ?? .null]
            for member in result.json { object[member.key] = member.value }
            return .object(object)
        }
    }

    /// Creates a result.
    public init(status: ResultStatus, jobRunID: UInt64?, workspaces: [WorkspaceBuild] = [], errors: [String] = []) {
        self.status = status
        self.jobRunID = jobRunID
        self.workspaces = workspaces
        self.errors = errors
    }

    /// Workspaces whose build completed.
    public var workspacesProcessed: Int { workspaces.filter { $0.result.status == .completed }.count }
    /// Rows upserted over every workspace.
    public var totalRowsUpserted: Int { workspaces.reduce(0) { $0 + $1.result.rowsUpserted } }
    /// The answer's status text: `completed_with_errors` when a completed run has errors.
    public var statusText: String { status == .completed && !errors.isEmpty ? "completed_with_errors" : status.rawValue }

    public var error: String? { errors.isEmpty ? nil : errors.joined(separator: "; ") }

    public static func failed(_ message: String) -> BackfillResult {
        BackfillResult(status: .failed, jobRunID: nil, errors: [message])
    }

    public init(cached row: JobRow) {
        let answer = RecordedAnswer(row)
        let builds = (answer.object["workspaces"]?.arrayValue ?? []).compactMap { item -> WorkspaceBuild? in
            guard let object = item.objectValue, let id = object["workspace_id"]?.stringValue.flatMap(UUID.init(uuidString:))
            else { return nil }
            var childRow = row
            childRow.result = .object(object)
            childRow.companiesProcessed = nil
            var result = LeadFeedResult(cached: childRow)
            result.jobRunID = object["job_run_id"]?.numberValue.map { UInt64($0) }
            return WorkspaceBuild(workspace: id, pack: object["pack_id"]?.stringValue.flatMap(UUID.init(uuidString:)), result: result)
        }
        let status: ResultStatus = answer.object["status"]?.stringValue == "completed_with_errors" ? .completed : answer.status
        self.init(status: status, jobRunID: row.id, workspaces: builds, errors: answer.strings("errors"))
    }

    public var json: JSONObject {
        [
            "status": .string(statusText), "job_run_id": jobRunJSON, "workspaces_processed": .int(Int64(workspacesProcessed)),
            "total_rows_upserted": .int(Int64(totalRowsUpserted)), "errors": .array(errors.map(JSONValue.string)),
            "workspaces": .array(workspaces.map(\.json)),
        ]
    }
}
