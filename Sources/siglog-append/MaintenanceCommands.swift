import ArgumentParser
import EventLog
import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCLI
import SiglogCore
import StoreMaintenance

// `backup`, `restore`, `import`, `salvage`: copies of a store, made safely while it is in use, and
// the way out of a damaged one.

/// Exit codes shared by the maintenance commands' help.
private let maintenanceExitCodes = """
    Exit codes: 0 done, 64 bad option, 65 bad input or a damaged store, 66 not found, 67 the target \
    already holds something or a backup does not match its manifest, 74 the disk is full.
    """

/// Turns a storage failure of the store at `store` into the shared error (no space → 74).
private func reportingSpace<T>(store: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as LogError {
        if let shared = SiglogError(error, store: store) { throw shared }
        throw error
    }
}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the store into a new directory while it is in use, with a manifest to check it by.",
        discussion: """
            The copy is LMDB's compacting copy of one consistent snapshot, taken while writers and readers \
            go on. It is verified (every page and record), then DIR/manifest.json is written: the log head, \
            every view's fingerprint, the SHA-256 of DIR/data.mdb and the siglog version. A directory \
            without a manifest is an unfinished backup and may be backed up into again. \
            \(maintenanceExitCodes)
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The directory to write (new or empty).")
    var out: String

    func run() throws {
        try runReportingErrors {
            let source = try store.openForReading()
            let manifest = try reportingSpace(store: out) { try Backup.take(of: source, into: out, now: SystemClock().now()) }
            printError("backed up \(store.path) to \(out): \(manifest.logHead) records, \(manifest.dataBytes) bytes")
            printJSON(["out": .string(out), "manifest": .object(manifest.json)])
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make a new store from a backup directory, after checking it against its manifest.",
        discussion: """
            Refuses a backup whose data.mdb differs from its manifest (size or SHA-256). The restored store \
            (--store, which must be new or empty) is opened as a writer would open it, and its log head and \
            view fingerprints must equal the manifest's (`siglog-query stats` shows the same fingerprints). \
            \(maintenanceExitCodes)
            """)

    @Argument(help: "The backup directory (written by `siglog-append backup`).")
    var directory: String
    @Option(help: "The new store directory.")
    var store: String

    func run() throws {
        try runReportingErrors {
            let manifest = try reportingSpace(store: store) { try Backup.restore(from: directory, to: store) }
            printError("restored \(directory) to \(store): \(manifest.logHead) records; fingerprints match the manifest")
            printJSON(["store": .string(store), "log_head": .int(Int64(manifest.logHead)), "fingerprints_match": true,
                       "manifest": .object(manifest.json)])
        }
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a `siglog-query export` stream into a new, empty store.",
        discussion: """
            Every record is rebuilt from its exported bytes (payload, type, appended_at, workspace_id), so \
            the new store has the same log head and view fingerprints as the exported one. The store \
            (--store) must not exist yet or be empty. \(maintenanceExitCodes)
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "The export (NDJSON), or - for stdin.")
    var file: String = "-"

    func run() throws {
        try runReportingErrors {
            let path = store.path
            let input: FileHandle
            if file == "-" {
                input = FileHandle.standardInput
            } else {
                guard let handle = FileHandle(forReadingAtPath: file) else { throw SiglogError.fileNotFound(path: file) }
                input = handle
            }
            let result = try reportingSpace(store: path) {
                let target = try Store(path: path, mode: .create)
                if try target.log.head() > 0 { throw SiglogError.conflict("\(path) already holds records; import into a new store") }
                return try LogImport.load(input, name: file == "-" ? "<stdin>" : file, into: target)
            }
            printError("imported \(result.records) records into \(path)")
            printJSON(["store": .string(path), "records": .int(Int64(result.records)), "head": .int(Int64(result.head)),
                       "view_fingerprints": .object(JSONObject(result.viewFingerprints.sorted { $0.key < $1.key }
                           .map { .init(key: $0.key, value: .string($0.value)) }))])
        }
    }
}

struct SalvageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salvage",
        abstract: "Copy every intact record of a damaged store, up to the first damage, into a new store.",
        discussion: """
            The damaged store (--store) is read page by page and never written. The new store (--out, new \
            or empty) gets records 1…N with their append times and workspaces, its views rebuilt from them, \
            and the log's dedup index and idempotency ledger. What could not be copied (the records after \
            the damage: count and sequence range) is reported. \(maintenanceExitCodes)
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The new store directory.")
    var out: String

    func run() throws {
        try runReportingErrors {
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: out), !entries.isEmpty {
                throw SiglogError.conflict("\(out) is not empty; salvage into a new directory")
            }
            let result = try reportingSpace(store: out) { try Salvage.run(from: store.path, into: try Store(path: out, mode: .create)) }
            let copied = result.copied.records
            if let lost = result.lost {
                printError("copied records 1…\(copied) into \(out); lost \(lost.count) records (\(lost.lowerBound)…\(lost.upperBound)) "
                    + "after the damage: \(result.problem.map(String.init(describing:)) ?? "")")
            } else if let problem = result.problem {
                printError("copied \(copied) records into \(out); the damage (\(problem)) is outside the records")
            } else {
                printError("the log was intact: copied all \(copied) records into \(out) and rebuilt its views")
            }
            printJSON([
                "out": .string(out), "copied_records": .int(Int64(copied)), "source_head": .int(Int64(result.sourceHead)),
                "lost_records": .int(Int64(result.lost?.count ?? 0)),
                "lost_from": result.lost.map { .int(Int64($0.lowerBound)) } ?? .null,
                "lost_through": result.lost.map { .int(Int64($0.upperBound)) } ?? .null,
                "problem": result.problem.map { .string($0.description) } ?? .null,
            ])
        }
    }
}
