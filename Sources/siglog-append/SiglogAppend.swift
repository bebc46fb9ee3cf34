import ArgumentParser
import Foundation
import Pipeline
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore
import SignalPacks

@main
struct SiglogAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-append",
        abstract: "Append to a siglog store: initialize it, install packs, manage workspaces, ingest events.",
        version: SiglogVersion.current,
        subcommands: [Init.self, PackCommand.self, WorkspaceCommand.self, Events.self, Fetch.self, Stage.self, Outreach.self,
                      CompanyCommand.self, WatchlistCommand.self, BundleCommand.self, JobCommand.self, QueueCommand.self,
                      BackupCommand.self, RestoreCommand.self, ImportCommand.self, SalvageCommand.self])
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the store if missing, the default workspace and its pack (fractional_cto_v1).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let pack = try PackLoader.bundledDefault()
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
            commandName: "install",
            abstract: "Validate a pack directory and install it; prints the pack's UUID.",
            discussion: """
                Without --id, the packs with a fixed id (fractional_cto_v1, bookkeeping_v1, \
                fractional_cmo_v1, fractional_coo_v1, fractional_cfo_v1 and core, at version 1) get it; \
                others get a new UUID.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var strict: StrictOptions
        @Argument(help: "The pack directory (pack.json, taxonomy, scoring, ESL policy, derivers).")
        var directory: String
        @Option(name: .customLong("id"), help: "UUID to install the pack under (default: its fixed id, else a new one).")
        var id: String?

        func run() throws {
            try runReportingErrors {
                let requested = try RequestIDs.packID(id)
                let pack = try PackLoader.load(directory: URL(fileURLWithPath: directory))
                try PackValidator.validateStrict(pack, modes: strict.modes)
                let result = try store.openForWriting().installPack(pack, uuid: requested)
                if !result.installed { printError("pack \(pack.id) version \(pack.version) is already installed; nothing changed") }
                print(result.uuid.lowercased)
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Validate a pack directory, or with --all every pack directory under DIR; writes nothing.",
            discussion: """
                With --all, one JSON line per directory ({valid, pack_id, version, schema_version, checksum, \
                directory}, or {directory, valid: false, error}, or {directory, skipped: true} for \
                invalid_schema_pack, which the reference's "validate all" skips) and exit 65 when any is invalid.
                """)

        @OptionGroup var strict: StrictOptions
        @Argument(help: "The pack directory to validate (with --all: the directory holding the packs).")
        var directory: String
        @Flag(help: "Validate every pack directory directly under DIR.")
        var all = false

        func run() throws {
            try runReportingErrors {
                guard all else {
                    let pack = try PackLoader.load(directory: URL(fileURLWithPath: directory))
                    try PackValidator.validateStrict(pack, modes: strict.modes)
                    printJSON(Self.json(pack))
                    return
                }
                var invalid = 0
                for entry in try PackLoader.validateAll(in: URL(fileURLWithPath: directory), modes: strict.modes) {
                    switch entry.result {
                    case nil:
                        printJSON(["directory": .string(entry.name), "skipped": true])
                    case .success(let pack)?:
                        var object = Self.json(pack)
                        object["directory"] = .string(entry.name)
                        printJSON(object)
                    case .failure(let error)?:
                        invalid += 1
                        printError("Error: \(error)")
                        printJSON(["directory": .string(entry.name), "valid": false, "error": .string(error.description)])
                    }
                }
                if invalid > 0 {
                    printError("\(invalid) invalid pack\(invalid == 1 ? "" : "s") under \(directory)")
                    throw ExitCode(SiglogExit.badInput)
                }
            }
        }

        static func json(_ pack: Pack) -> JSONObject {
            [
                "valid": true, "pack_id": .string(pack.id), "version": .string(pack.version),
                "schema_version": .int(Int64(pack.schemaVersion.rawValue)), "checksum": .string(pack.checksum),
            ]
        }
    }
}

/// The strict validation modes of §10.2 (off by default).
struct StrictOptions: ParsableArguments {
    @Flag(name: .customLong("strict-semver"), help: "Require the pack version to be a semantic version x.y.z.")
    var semanticVersion = false
    @Flag(name: .customLong("require-explainability"),
          help: "Require taxonomy.explainability_templates to hold a template for every signal id the pack may use.")
    var explainability = false

    var modes: StrictModes { StrictModes(semanticVersion: semanticVersion, explainabilityTemplates: explainability) }
}

struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace", abstract: "Create workspaces and choose their pack.",
        subcommands: [Create.self, SetPack.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a workspace; prints its UUID.")

        @OptionGroup var store: StoreOptions
        @Option(help: "The workspace's display name.")
        var name: String
        @Option(name: .customLong("id"), help: "UUID for the workspace (default: a new one).")
        var id: String?
        @Option(name: .customLong("pack-id"), help: "An installed pack to make active: its UUID or pack_id[@version].")
        var packID: String?

        func run() throws {
            try runReportingErrors {
                let workspaceID = try RequestIDs.workspaceID(id)
                let runner = try store.openForWriting()
                let pack = try runner.store.read { reader in try NameOrID(parsing: packID).map(reader.packID) }
                let created = try runner.createWorkspace(name: name, id: workspaceID, pack: pack)
                print(created.lowercased)
            }
        }
    }

    struct SetPack: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-pack", abstract: "Change a workspace's active pack.")

        @OptionGroup var store: StoreOptions
        @Option(name: .customLong("workspace-id"), help: "The workspace: its UUID or its name.")
        var workspaceID: String
        @Option(name: .customLong("pack-id"), help: "An installed pack: its UUID or pack_id[@version].")
        var packID: String

        func run() throws {
            try runReportingErrors {
                let runner = try store.openForWriting()
                let (workspace, pack) = try runner.store.read { reader in
                    (try reader.workspaceID(NameOrID(parsing: workspaceID) ?? .name(workspaceID)),
                     try reader.packID(NameOrID(parsing: packID) ?? .name(packID)))
                }
                try runner.setWorkspacePack(workspace: workspace, pack: pack)
            }
        }
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Ingest NDJSON raw events (one object per line) from a file or stdin.",
        discussion: """
            Bad lines are reported as FILE:LINE: field: reason and skipped; the valid lines commit. \
            Exit code 0 when every line was good, 65 when some were skipped as malformed or the store is \
            damaged, 74 when the disk is full: the message says through which line the input is committed \
            and the --from-line to go on with.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var scope: ScopeOptions
    @Argument(help: "NDJSON file to read, or - for stdin (default: stdin).")
    var file: String = "-"
    @Option(help: "Source name for lines without a `source` field.")
    var source: String?
    @Flag(help: "Check every line first; on any bad line write nothing at all.")
    var strict = false
    @Option(name: .customLong("batch-size"), help: "Lines per write transaction.")
    var batchSize = 50_000
    @Option(name: .customLong("max-errors"),
            help: "Bad lines listed one by one (after that only counted; with --strict, checking stops there).")
    var maxErrors = 100
    @Option(name: .customLong("idempotency-key"), help: "Return the recorded result if a run with this key completed.")
    var idempotencyKey: String?
    @Option(name: .customLong("from-line"),
            help: "Start at this line of the input (the lines before it are skipped; messages keep the file's line numbers).")
    var fromLine = 1

    func validate() throws {
        guard fromLine >= 1 else { throw ValidationError("--from-line must be 1 or more") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard maxErrors >= 0 else { throw ValidationError("--max-errors must not be negative") }
    }

    func run() throws {
        try runReportingErrors {
            let (input, name, size) = try openInput()
            let pipeline = try store.openForWriting()
            let (workspace, pack) = try pipeline.store.read { try scope.ids(in: $0) }
            var options = IngestOptions(inputName: name)
            options.defaultSource = source
            options.workspace = workspace
            options.pack = pack
            options.strict = strict
            options.batchSize = batchSize
            options.maxErrors = maxErrors
            options.idempotencyKey = idempotencyKey
            options.firstLine = fromLine
            let started = Date()
            let terminal = isatty(STDERR_FILENO) != 0
            if terminal {
                options.progress = { progress in
                    FileHandle.standardError.write(Data(("\r" + ProgressLine.ingest(progress, size: size, since: started)).utf8))
                }
            }
            let result = try pipeline.ingest(from: input, options: options)
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            for message in result.errors { printError(message) }
            if result.errorsCount > result.errors.count {
                printError("… and \(result.errorsCount - result.errors.count) more bad lines (--max-errors \(maxErrors))")
            }
            for message in result.rejectedTypes { printError(message) }
            if result.storedWithoutID > 0 {
                printError("warning: \(result.storedWithoutID.formatted()) events had no source_event_id; they are stored again "
                    + "each time the same input is ingested")
            }
            printError(ProgressLine.ingestSummary(result, seconds: Date().timeIntervalSince(started)))
            printJSON(result.json)
            if result.errorsCount > 0 { throw ExitCode(SiglogExit.badInput) }
        }
    }

    /// The input, its name for messages and its size in bytes when known (for the progress line).
    private func openInput() throws -> (FileHandle, String, Int?) {
        if file == "-" {
            if isatty(STDIN_FILENO) != 0 {
                printError("reading NDJSON events from standard input (end with Ctrl-D; pass a file name to read a file)")
            }
            guard strict else { return (FileHandle.standardInput, "<stdin>", nil) }
            // Strict mode reads twice: spool stdin to a temporary file first.
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-stdin-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: spool.path, contents: nil)
            let out = try FileHandle(forWritingTo: spool)
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty { out.write(chunk) }
            try out.close()
            let input = try FileHandle(forReadingFrom: spool)
            try? FileManager.default.removeItem(at: spool)
            return (input, "<stdin>", nil)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw SiglogError.fileNotFound(path: file)
        }
        if isDirectory.boolValue { throw SiglogError.usage("\(file) is a directory; give an NDJSON file (or - for stdin)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue
        return (try FileHandle(forReadingFrom: URL(fileURLWithPath: file)), file, size)
    }
}
