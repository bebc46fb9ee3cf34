import ArgumentParser
import Foundation
import Pipeline
import ReadModel
import SiglogCLI
import SiglogCore
import SignalPacks

@main
struct SiglogAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-append",
        abstract: "Append to a siglog store: initialize it, install packs, manage workspaces, ingest events.",
        subcommands: [Init.self, PackCommand.self, WorkspaceCommand.self, Events.self, Stage.self, Outreach.self,
                      CompanyCommand.self, QueueCommand.self])
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the store if missing, the default workspace and its pack (fractional_cto_v1).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let pack = try BundledPacks.defaultPack()
            let pipeline = try store.openCreating()
            let changed = try pipeline.initialize(bundledPack: pack)
            let packID = try pipeline.store.read { try Scope.defaultPack(in: $0) }
            printError(changed ? "initialized \(store.path)" : "\(store.path) is already initialized; nothing changed")
            printJSON([
                "store": .string(store.path),
                "workspace_id": .string(WellKnownIDs.defaultWorkspace.lowercased),
                "pack_id": packID.map { .string($0.lowercased) } ?? .null,
                "changed": .bool(changed),
            ])
        }
    }
}

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack", abstract: "Install or validate scoring packs.",
        subcommands: [Install.self, Validate.self])

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a pack directory and install it; prints the pack's UUID.")

        @OptionGroup var store: StoreOptions
        @Argument(help: "The pack directory (pack.json, taxonomy, scoring, ESL policy, derivers).")
        var directory: String
        @Option(name: .customLong("id"), help: "UUID to install the pack under (default: a new one).")
        var id: String?

        func run() throws {
            try runReportingErrors {
                let requested = try RequestIDs.packID(id)
                let pack = try PackLoader.load(directory: URL(fileURLWithPath: directory))
                let result = try store.openForWriting().installPack(pack, uuid: requested)
                if !result.installed { printError("pack \(pack.id) version \(pack.version) is already installed; nothing changed") }
                print(result.uuid.lowercased)
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a pack directory; writes nothing.")

        @Argument(help: "The pack directory to validate.")
        var directory: String

        func run() throws {
            try runReportingErrors {
                let pack = try PackLoader.load(directory: URL(fileURLWithPath: directory))
                printJSON([
                    "valid": true, "pack_id": .string(pack.id), "version": .string(pack.version),
                    "schema_version": .int(Int64(pack.schemaVersion.rawValue)), "checksum": .string(pack.checksum),
                ])
            }
        }
    }
}

struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Create workspaces and choose their pack.",
        subcommands: [Create.self, SetPack.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace; prints its UUID.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The workspace's display name.")
        var name: String
        @Option(name: .customLong("id"), help: "UUID for the workspace (default: a new one).")
        var id: String?
        @Option(name: .customLong("pack-id"), help: "UUID of an installed pack to make active.")
        var packID: String?

        func run() throws {
            try runReportingErrors {
                let workspaceID = try RequestIDs.workspaceID(id)
                let pack = try RequestIDs.packID(packID)
                let created = try store.openForWriting().createWorkspace(name: name, id: workspaceID, pack: pack)
                print(created.lowercased)
            }
        }
    }

    struct SetPack: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-pack", abstract: "Change a workspace's active pack.")

        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("workspace-id"), help: "The workspace's UUID.")
        var workspaceID: String
        @Option(name: .customLong("pack-id"), help: "UUID of an installed pack.")
        var packID: String

        func run() throws {
            try runReportingErrors {
                guard let workspace = try RequestIDs.workspaceID(workspaceID) else {
                    throw InvalidValue("Invalid workspace_id: must be a valid UUID")
                }
                guard let pack = try RequestIDs.packID(packID) else { throw InvalidValue("Invalid pack_id: must be a valid UUID") }
                try store.openForWriting().setWorkspacePack(workspace: workspace, pack: pack)
            }
        }
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest NDJSON raw events (one object per line) from a file or stdin.",
        discussion: """
            Bad lines are reported as FILE:LINE: field: reason and skipped; the valid lines commit. \
            Exit code 0 when every line was good, 65 when some were skipped as malformed.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions
    @Argument(help: "NDJSON file to read, or - for stdin (default: stdin).")
    var file: String = "-"
    @Option(help: "Source name for lines without a `source` field.")
    var source: String?
    @Flag(help: "Fail on the first bad line and write nothing at all.")
    var strict = false
    @Option(name: .customLong("batch-size"), help: "Lines per write transaction.")
    var batchSize = 50_000
    @Option(name: .customLong("idempotency-key"), help: "Return the recorded result if a run with this key completed.")
    var idempotencyKey: String?

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() throws {
        try runReportingErrors {
            let workspace = try scope.workspace
            let pack = try scope.pack
            let pipeline = try store.openForWriting()
            var input: FileHandle
            var name = file
            if file == "-" {
                name = "<stdin>"
                input = FileHandle.standardInput
                if strict {
                    // Strict mode reads twice; spool stdin to a temporary file first.
                    let spool = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-stdin-\(UUID().uuidString)")
                    _ = FileManager.default.createFile(atPath: spool.path, contents: nil)
                    let out = try FileHandle(forWritingTo: spool)
                    while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { out.write(chunk) }
                    try out.close()
                    input = try FileHandle(forReadingFrom: spool)
                    try? FileManager.default.removeItem(at: spool)
                }
            } else {
                guard FileManager.default.fileExists(atPath: file) else { throw SiglogError.fileNotFound(path: file) }
                input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
            }
            var options = IngestOptions(inputName: name)
            options.defaultSource = source
            options.workspace = workspace
            options.pack = pack
            options.strict = strict
            options.batchSize = batchSize
            options.idempotencyKey = idempotencyKey
            if isatty(STDERR_FILENO) != 0 {
                let started = Date()
                options.progress = { lines in
                    let rate = Double(lines) / max(Date().timeIntervalSince(started), 0.001)
                    FileHandle.standardError.write(Data(String(format: "\rread %d lines (%.0f lines/s)", lines, rate).utf8))
                }
            }
            let result = try pipeline.ingest(from: input, options: options)
            if options.progress != nil { FileHandle.standardError.write(Data("\n".utf8)) }
            for message in result.errors { printError(message) }
            printJSON(result.json)
            if !result.errors.isEmpty { throw ExitCode(SiglogExit.badInput) }
        }
    }
}
