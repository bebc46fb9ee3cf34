import ArgumentParser
import Foundation
import Pipeline
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore

/// `--as-of YYYY-MM-DD`, parsed.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Scoring date YYYY-MM-DD (default: today in UTC).")
    var day: Day?
}

struct Stage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run a pipeline stage: ingest, derive, score, update-lead-feed, daily-aggregation, watchlist-seed, "
            + "alert-scan or backfill-lead-feed.",
        discussion: """
            Prints one JSON result (status, job_run_id, counts, error) and records a job run. \
            Without --events, ingest and daily-aggregation fetch from the source adapters the environment \
            enables (INGEST_<SOURCE>_ENABLED with the source's credential; INGEST_USE_TEST_ADAPTER=1 for \
            the fixed test events), from where the last such ingest finished (else the last 24 hours). \
            daily-aggregation runs ingest, derive, score and update-lead-feed as \
            child runs of one daily_aggregation run, then prints the ranked list (threshold 0, limit 20); \
            bad event lines are reported on stderr and in ingest_result but do not fail it. \
            watchlist-seed (--bundle-id, repeated, 1 to 500 stored bundles; --workspace-id required when the \
            store has several workspaces) seeds companies, their evidence events and watchlist rows, then \
            runs derive and score as child runs. alert-scan creates readiness_jump alerts for --as-of \
            (threshold --threshold, else ALERT_DELTA_THRESHOLD, else 15). backfill-lead-feed rebuilds the \
            lead feed of --as-of in every workspace with a pack; some workspace failing exits 1 \
            (completed_with_errors). \
            With --idempotency-key, a completed run with the same key, stage and workspace is returned \
            as recorded and nothing runs. \
            Exit codes: 0 completed, 1 failed, 64 unknown stage or bad option, 65 bad event lines \
            (stage ingest only), 66 a named file, workspace or pack does not exist, 69 the stage cannot \
            run (no pack), 74 the disk is full (nothing of the stage is kept; an ingest keeps its committed \
            batches and names the --from-line to go on with), 75 rate limit exceeded \
            (WORKSPACE_JOB_RATE_LIMIT_PER_HOUR, default 10 runs of a stage per workspace and hour; 0 disables).
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: ArgumentHelp("The stage: ingest, derive, score, update-lead-feed, daily-aggregation, watchlist-seed, "
        + "alert-scan or backfill-lead-feed."))
    var name: String
    @Option(name: .customLong("bundle-id"), parsing: .singleValue, help: "An evidence bundle to seed (watchlist-seed; repeat it).")
    var bundleIDs: [String] = []
    @Option(help: "The alert scan's |delta| threshold (alert-scan; default ALERT_DELTA_THRESHOLD, else 15).")
    var threshold: Int?
    @Option(name: .customLong("idempotency-key"), help: "Return the recorded result if a run with this key completed.")
    var idempotencyKey: String?
    @Option(name: .customLong("events"),
            help: "NDJSON events to ingest (ingest and daily-aggregation; default: fetch from the enabled source adapters).")
    var events: String?
    @Option(name: .customLong("from-line"), help: "With --events: start at this line (the lines before it are skipped).")
    var fromLine = 1

    func validate() throws {
        guard fromLine >= 1 else { throw ValidationError("--from-line must be 1 or more") }
    }

    func run() throws {
        try runReportingErrors {
            guard let jobType = JobType(named: name) else { throw SiglogError.unknownJobType(name) }
            if events != nil, ![.ingest, .dailyAggregation].contains(jobType) {
                throw SiglogError.usage("--events applies to ingest and daily-aggregation only")
            }
            if !bundleIDs.isEmpty, jobType != .watchlistSeed { throw SiglogError.usage("--bundle-id applies to watchlist-seed only") }
            if threshold != nil, jobType != .alertScan { throw SiglogError.usage("--threshold applies to alert-scan only") }
            if jobType == .backfillLeadFeed, scope.workspace != nil || scope.pack != nil {
                throw SiglogError.usage("backfill-lead-feed builds every workspace with its own pack; drop --workspace-id and --pack-id")
            }
            if jobType == .watchlistSeed, scope.pack != nil {
                throw SiglogError.usage("watchlist-seed uses the workspace's pack; drop --pack-id")
            }
            if fromLine != 1, events == nil { throw SiglogError.usage("--from-line needs --events FILE") }
            let runner = try store.openForWriting()
            let (workspace, pack) = try runner.store.read { try scope.ids(in: $0) }
            var parameters = StageParameters(workspace: workspace, pack: pack, asOf: asOf.day,
                                             idempotencyKey: idempotencyKey, events: events.map { URL(fileURLWithPath: $0) })
            if jobType == .watchlistSeed { parameters.bundleIDs = try RequestIDs.bundleIDs(bundleIDs) }
            parameters.alertThreshold = threshold
            parameters.firstLine = fromLine
            if events == nil, [.ingest, .dailyAggregation].contains(jobType) {
                let sources = runner.sourceAdapters(log: { printError("warning: \($0)") })
                if sources.isEmpty {
                    printError("no source adapter is enabled, so nothing is fetched (set INGEST_<SOURCE>_ENABLED=1 and the "
                               + "source's credential, or INGEST_USE_TEST_ADAPTER=1; or give --events FILE)")
                }
                parameters.sources = sources
            }
            let result = try runner.runStage(jobType, parameters)
            let ingestResult = result as? IngestResult ?? (result as? DailyAggregationResult)?.ingest
            for message in ingestResult?.errors ?? [] { printError(message) }
            for source in ingestResult?.sources ?? [] { printError(Self.describe(source)) }
            for message in (result as? WatchlistSeedResult)?.seed.errors ?? [] { printError(message) }
            for message in (result as? BackfillResult)?.errors ?? [] { printError(message) }
            printJSON(result.json)
            if let backfill = result as? BackfillResult, backfill.status == .completed, !backfill.errors.isEmpty {
                throw ExitCode(SiglogExit.stageFailed)
            }
            if result.status == .failed {
                // No job run: the stage could not start (no pack), which is not a stage failure.
                throw ExitCode(result.jobRunID == nil ? SiglogExit.cannotRun : SiglogExit.stageFailed)
            }
            if jobType == .ingest, events != nil, !(ingestResult?.errors.isEmpty ?? true) { throw ExitCode(SiglogExit.badInput) }
        }
    }

    /// One line per source adapter: what it fetched and stored, or why it failed.
    static func describe(_ source: SourceOutcome) -> String {
        guard let fetched = source.fetched else { return "\(source.source): fetch failed: \(source.error ?? "")" }
        if let error = source.error { return "\(source.source): fetched \(fetched) events, storing failed: \(error)" }
        return "\(source.source): fetched \(fetched) events: \(source.inserted) stored, \(source.skippedDuplicate) duplicates, "
            + "\(source.skippedInvalid) of types the pack does not accept"
    }
}

struct Outreach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outreach",
        abstract: "Record outreach to a company (refused inside the cooldown unless --force).")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customLong("company"), .customLong("company-id")], help: "The company: its id or its domain.")
    var company: CompanyReference
    @Option(name: .customLong("type"), help: "Outreach type, e.g. email or call.")
    var type: String
    @Option(name: .customLong("sent-at"), help: "When it was sent (ISO-8601; a date alone means 00:00 UTC).")
    var sentAt: Timestamp
    @Option(help: "Outcome, e.g. replied or declined.")
    var outcome: String?
    @Option(name: .customLong("workspace-id"), help: "The workspace: its UUID or its name (default: the default workspace).")
    var workspaceID: String?
    @Flag(help: "Record it even inside the cooldown (importing history).")
    var force = false

    func validate() throws {
        guard !type.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--type must not be blank") }
    }

    func run() throws {
        try runReportingErrors {
            let runner = try store.openForWriting()
            let workspace = try runner.store.read { reader in try NameOrID(parsing: workspaceID).map(reader.workspaceID) }
            let result = try runner.recordOutreach(company, workspace: workspace, type: type, sentAt: sentAt, outcome: outcome,
                                                   force: force)
            printJSON(result)
        }
    }
}

struct CompanyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "company", abstract: "Change a company's recorded state.", subcommands: [Update.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Set alignment, status and profile fields; refused unless --expected-version is the current version.",
            discussion: """
                Profile fields (founder, notes, stage, target match) are shown by `siglog-query company` and \
                change nothing in scoring; an empty text clears one.
                """)

        @OptionGroup var store: StoreOptions
        @Option(name: [.customLong("company"), .customLong("company-id")], help: "The company: its id or its domain.")
        var company: CompanyReference
        @Option(help: "alignment_ok_to_contact: true, false or none.")
        var alignment: String?
        @Option(help: "Status: active, acquired or dead (acquired and dead zero the readiness), or none to clear it.")
        var status: StatusArgument?
        @Option(name: .customLong("expected-version"), help: "The version you read; a stale version writes nothing.")
        var expectedVersion: Int64
        @Option(name: .customLong("founder-name"), help: "founder_name (empty clears it).")
        var founderName: String?
        @Option(name: .customLong("founder-linkedin-url"), help: "founder_linkedin_url (empty clears it).")
        var founderLinkedInURL: String?
        @Option(help: "notes (empty clears them).")
        var notes: String?
        @Option(name: .customLong("alignment-notes"), help: "alignment_notes (empty clears them).")
        var alignmentNotes: String?
        @Option(name: .customLong("current-stage"), help: "current_stage, e.g. scaling_team (empty clears it).")
        var currentStage: String?
        @Option(name: .customLong("target-profile-match"), help: "target_profile_match: true or false.")
        var targetProfileMatch: Bool?

        func validate() throws {
            if let alignment, !["true", "false", "none"].contains(alignment.lowercased()) {
                throw ValidationError("--alignment must be true, false or none")
            }
        }

        func run() throws {
            try runReportingErrors {
                let alignmentChange: FieldChange<Bool?> = switch alignment?.lowercased() {
                case nil: .keep
                case "true": .set(true)
                case "false": .set(false)
                default: .set(nil)
                }
                let statusChange: FieldChange<CompanyStatus?> = switch status {
                case nil: .keep
                case .clear: .set(nil)
                case .set(let value): .set(value)
                }
                var profile = CompanyProfileChange()
                if let founderName { profile.founderName = .set(founderName) }
                if let founderLinkedInURL { profile.founderLinkedInURL = .set(founderLinkedInURL) }
                if let notes { profile.notes = .set(notes) }
                if let alignmentNotes { profile.alignmentNotes = .set(alignmentNotes) }
                if let currentStage { profile.currentStage = .set(currentStage) }
                if let targetProfileMatch { profile.targetProfileMatch = .set(targetProfileMatch) }
                let result = try store.openForWriting().updateCompany(
                    company, alignment: alignmentChange, status: statusChange, profile: profile, expectedVersion: expectedVersion)
                if result["changed"] == .bool(false) { printError("nothing changed: the company already has these values") }
                printJSON(result)
            }
        }
    }
}

/// `--status`: a status, or `none` to clear it (surrounding whitespace ignored, any case).
enum StatusArgument: ExpressibleByArgument {
    case set(CompanyStatus)
    case clear

    init?(argument: String) {
        if argument.trimmingCharacters(in: .whitespaces).lowercased() == "none" {
            self = .clear
        } else if let status = CompanyStatus(named: argument) {
            self = .set(status)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { CompanyStatus.allCases.map(\.rawValue) + ["none"] }
}

struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Manage job runs.", subcommands: [Close.self])

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Record a run that is still `running` as failed.",
            discussion: """
                Runs left running by a process of this host that is gone are closed by the next write \
                to the store; a run recorded on another host is left alone until closed with this command.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The job run id.")
        var id: UInt64
        @Option(help: "Why it is closed (recorded as its error).")
        var reason = "closed by hand"

        func run() throws {
            try runReportingErrors {
                let job = try store.openForWriting().closeRun(id, message: reason)
                printJSON(["job_run_id": .int(Int64(job.id)), "job_type": .string(job.started.jobType.rawValue),
                           "status": "failed", "error": .string(reason)])
            }
        }
    }
}
