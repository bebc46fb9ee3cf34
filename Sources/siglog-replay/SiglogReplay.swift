public import ArgumentParser
import EventLog
import Foundation
import Projections
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore

@main
struct SiglogReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siglog-replay",
        abstract: "Rebuild, verify or rewind a store's views from its log.",
        discussion: """
            Without options, every view is rebuilt into a new generation while readers keep using the \
            current one, then the store switches to it in one transaction. --projection rebuilds only the \
            named views (and the views they read); the others are copied unchanged into the new generation. \
            Exit codes: 0 done, 1 --verify found a difference, 64 bad option, 65 the store is damaged, \
            66 no store, 74 the disk is full (a rebuild that runs out of space leaves the current views in use).
            """,
        version: SiglogVersion.current)

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("projection"), help: "Rebuild only this view (repeatable); the views it reads are rebuilt too.")
    var projections: [View] = []

    @Flag(help: "Rebuild into scratch and compare with the live views; changes nothing, exits non-zero on a difference.")
    var verify = false

    @Option(name: .customLong("to-seq"), help: "Rebuild the views as they were after this log sequence number (needs --out).")
    var toSequence: UInt64?

    @Option(name: .customLong("to-time"), help: "Rebuild the views as of the last record appended at or before this time: YYYY-MM-DD (00:00 UTC) or ISO-8601 (needs --out).")
    var toTime: Timestamp?

    @Option(help: "Directory of the new store a point-in-time rebuild writes (log prefix and views).")
    var out: String?

    @Option(name: .customLong("transaction-size"), help: .hidden)
    var transactionSize: Int?

    func validate() throws {
        if toSequence != nil && toTime != nil { throw ValidationError("use either --to-seq or --to-time, not both") }
        let pointInTime = toSequence != nil || toTime != nil
        if pointInTime && out == nil { throw ValidationError("--to-seq and --to-time need --out PATH") }
        if out != nil && !pointInTime { throw ValidationError("--out is only for --to-seq or --to-time") }
        if verify && (pointInTime || !projections.isEmpty) {
            throw ValidationError("--verify checks every view and cannot be combined with other modes")
        }
        if pointInTime && !projections.isEmpty { throw ValidationError("a point-in-time rebuild builds every view") }
        if let transactionSize, transactionSize < 1 { throw ValidationError("--transaction-size must be positive") }
    }

    func run() throws {
        try runReportingErrors {
            do {
                try execute()
            } catch let error as ReplayError {
                printError("siglog-replay: \(error.description)")
                throw ExitCode(SiglogExit.usage)
            } catch let error as LogError {
                let rebuilding = !verify && out == nil
                if let shared = SiglogError(error, store: store.path, outcome: rebuilding ? .replay : .nothingWritten) { throw shared }
                throw error
            }
        }
    }

    private func execute() throws {
        let opened = try store.openForRebuilding()
        var options = ReplayOptions()
        if let transactionSize {  // a rebuild's and --verify's alike
            options.transactionSize = transactionSize
            options.verifyTransactionSize = transactionSize
        }
        if !projections.isEmpty { options.views = projections }
        let display = ProgressDisplay()
        if display.isTerminal { options.progress = { display.show($0) } }
        let replayer = Replayer(store: opened)

        if verify {
            let result = try replayer.verify(options: options)
            display.finish(records: result.recordsReplayed, elapsed: result.elapsed)
            var views: JSONObject = [:]
            for check in result.checks {
                let name = check.view.name
                switch check.status {
                case .ok:
                    views[name] = "ok"
                case .differs(let key, let live, let rebuilt):
                    printError("\(name): differs at key \(hex(key)): live \(live.map(hex) ?? "(absent)"), rebuilt \(rebuilt.map(hex) ?? "(absent)")")
                    views[name] = .object([
                        "status": "differs", "key": .string(hex(key)),
                        "live": live.map { .string(hex($0)) } ?? .null, "rebuilt": rebuilt.map { .string(hex($0)) } ?? .null,
                    ])
                case .fingerprintMismatch(let stored, let rebuilt):
                    printError("\(name): stored fingerprint \(stored) but rebuilt \(rebuilt)")
                    views[name] = .object([
                        "status": "fingerprint_mismatch", "stored": .string("\(stored)"), "rebuilt": .string("\(rebuilt)"),
                    ])
                }
            }
            printJSON(["status": .string(result.isOK ? "ok" : "differs"), "applied_sequence": .int(Int64(result.appliedSequence)),
                       "views": .object(views)])
            if !result.isOK { throw ExitCode(SiglogExit.stageFailed) }
            return
        }

        let result: ReplayResult
        if let out {
            let sequence = try toSequence ?? toTime.map(replayer.sequence(atOrBefore:)) ?? 0
            result = try replayer.pointInTime(through: sequence, outputPath: out, options: options)
        } else {
            result = try replayer.rebuild(options: options)
        }
        display.finish(records: result.recordsReplayed, elapsed: result.elapsed)
        var prints: JSONObject = [:]
        for (view, print) in result.fingerprints.sorted(by: { $0.key.name < $1.key.name }) { prints[view.name] = .string("\(print)") }
        printJSON([
            "status": "ok", "generation": .int(Int64(result.generation)), "applied_sequence": .int(Int64(result.appliedSequence)),
            "records_replayed": .int(Int64(result.recordsReplayed)), "rebuilt": .array(result.rebuilt.map { .string($0.name) }),
            "copied": .array(result.copied.map { .string($0.name) }), "out": out.map { .string($0) } ?? .null,
            "fingerprints": .object(prints),
        ])
    }
}

extension View: ExpressibleByArgument {
    /// A view name (`lead_feed`, `companies.domain`, …).
    init?(argument: String) { self.init(name: argument) }

    static var allValueStrings: [String] { View.names }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Progress on stderr while a terminal watches (records, rate, ETA) and the final summary line.
final class ProgressDisplay: Sendable {
    let isTerminal = isatty(STDERR_FILENO) != 0

    func show(_ progress: ReplayProgress) {
        let rate = progress.elapsed > 0 ? Double(progress.done) / progress.elapsed : 0
        let remaining = rate > 0 ? Double(progress.total - min(progress.done, progress.total)) / rate : 0
        FileHandle.standardError.write(Data(String(format: "\r%llu / %llu records, %.0f records/s, ETA %.0fs   ",
                                                   progress.done, progress.total, rate, remaining).utf8))
    }

    func finish(records: UInt64, elapsed: Double) {
        if isTerminal { FileHandle.standardError.write(Data("\r".utf8)) }
        let rate = elapsed > 0 ? Double(records) / elapsed : 0
        printError(String(format: "replayed %llu records in %.2fs (%.0f records/s)", records, elapsed, rate))
    }
}
