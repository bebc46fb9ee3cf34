import ArgumentParser
import Foundation
import Pipeline
import SiglogCLI
import SiglogCore

/// `--as-of YYYY-MM-DD`, parsed.
struct AsOfOption: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Scoring date YYYY-MM-DD (default: today in UTC).")
    var asOf: String?

    var day: Day? {
        get throws {
            guard let asOf else { return nil }
            guard let day = Day(iso: asOf) else { throw ValidationError("--as-of must be a date YYYY-MM-DD, got '\(asOf)'") }
            return day
        }
    }

    func validate() throws { _ = try day }
}

struct Stage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline stage: derive, score or update-lead-feed.",
        discussion: """
            Prints one JSON result (status, job_run_id, counts, error) and records a job run. \
            Exit codes: 0 completed, 1 failed, 69 the stage cannot run (no pack), 75 rate limit exceeded.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The stage: derive, score or update-lead-feed.")
    var name: String
    @Option(name: .customLong("idempotency-key"), help: "Return the recorded result if a run with this key completed.")
    var idempotencyKey: String?

    func run() throws {
        try runReportingErrors {
            let workspace = try scope.workspace
            let pack = try scope.pack
            let day = try asOf.day
            let pipeline = try store.openForWriting()
            let result: JSONObject
            switch name {
            case "derive":
                result = try pipeline.runDerive(workspace: workspace, pack: pack, asOf: day, idempotencyKey: idempotencyKey)
            case "score":
                result = try pipeline.runScore(workspace: workspace, pack: pack, asOf: day, idempotencyKey: idempotencyKey)
            case "update-lead-feed":
                result = try pipeline.runUpdateLeadFeed(workspace: workspace, pack: pack, asOf: day, idempotencyKey: idempotencyKey)
            default:
                throw PipelineError(.usage, "Unknown job_type: \(name)")
            }
            printJSON(result)
            if result["status"]?.stringValue == "failed" { throw ExitCode(SiglogExit.stageFailed) }
        }
    }
}

struct Outreach: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record outreach to a company (refused inside the cooldown unless --force).")

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("company-id"), help: "The company's id.")
    var companyID: Int64
    @Option(name: .customLong("type"), help: "Outreach type, e.g. email or call.")
    var type: String
    @Option(name: .customLong("sent-at"), help: "When it was sent (ISO-8601; a date alone means 00:00 UTC).")
    var sentAt: String
    @Option(help: "Outcome, e.g. replied or declined.")
    var outcome: String?
    @Option(name: .customLong("workspace-id"), help: "Workspace UUID (default: the default workspace).")
    var workspaceID: String?
    @Flag(help: "Record it even inside the cooldown (importing history).")
    var force = false

    func validate() throws {
        guard Timestamp(iso: sentAt) != nil else { throw ValidationError("--sent-at must be an ISO-8601 time, got '\(sentAt)'") }
        guard !type.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--type must not be blank") }
    }

    func run() throws {
        try runReportingErrors {
            let workspace = try Pipeline.parseWorkspaceID(workspaceID)
            let result = try store.openForWriting().recordOutreach(
                companyID: companyID, workspace: workspace, type: type, sentAt: Timestamp(iso: sentAt)!,
                outcome: outcome, force: force)
            printJSON(result)
        }
    }
}

struct CompanyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "company", abstract: "Change a company's recorded state.", subcommands: [Update.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set alignment and/or status; refused unless --expected-version is the current version.")

        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("company-id"), help: "The company's id.")
        var companyID: Int64
        @Option(help: "alignment_ok_to_contact: true, false or none.")
        var alignment: String?
        @Option(help: "Status (acquired and dead suppress scoring), or none to clear it.")
        var status: String?
        @Option(name: .customLong("expected-version"), help: "The version you read; a stale version writes nothing.")
        var expectedVersion: Int64

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
                let statusChange: FieldChange<String?> = switch status {
                case nil: .keep
                case let s? where s.lowercased() == "none": .set(nil)
                case let s?: .set(s)
                }
                printJSON(try store.openForWriting().updateCompany(
                    companyID: companyID, alignment: alignmentChange, status: statusChange, expectedVersion: expectedVersion))
            }
        }
    }
}
