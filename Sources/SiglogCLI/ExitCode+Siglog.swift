import ArgumentParser
import EventLog
import Foundation
public import ReadModel
import SignalPacks
import SiglogCore
import StageQueue

/// The exit codes of every siglog tool (documented in the README).
public enum SiglogExit {
    /// The stage ran and its result says `failed`.
    public static let stageFailed: Int32 = 1
    /// A bad option value (invalid UUID, unknown name…).
    public static let usage: Int32 = 64
    /// Input data is malformed (bad lines under `--strict`, an invalid pack).
    public static let badInput: Int32 = 65
    /// Something named does not exist: the store, a workspace, a pack, a company.
    public static let notFound: Int32 = 66
    /// The request contradicts the stored state (stale version, different pack content, cooldown).
    public static let conflict: Int32 = 67
    /// The stage cannot run: no pack available.
    public static let cannotRun: Int32 = 69
    /// Storage or internal error.
    public static let internalError: Int32 = 70
    /// The disk holding the store is full (EX_IOERR): what committed stays, the message says how to go on.
    public static let noSpace: Int32 = 74
    /// The workspace's job rate limit is exhausted; try later.
    public static let rateLimited: Int32 = 75
    /// Stopped by SIGINT or SIGTERM (128 + SIGINT, the shell's convention); the run is recorded as failed.
    public static let interrupted: Int32 = 130

    /// The exit code of a failure class.
    public static func code(for kind: SiglogError.Kind) -> Int32 {
        switch kind {
        case .usage: usage
        case .badInput: badInput
        case .notFound: notFound
        case .conflict: conflict
        case .rateLimited: rateLimited
        case .cannotRun: cannotRun
        case .interrupted: interrupted
        case .noSpace: noSpace
        case .damaged: badInput
        }
    }
}

/// Runs a command body, turning every known error into one clear line on stderr — `Error: …`, the
/// prefix the argument parser uses for a bad option, so every tool speaks alike — and its exit code
/// (no stack traces).
public func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as SiglogError {
        reportError(error.message)
        if let hint = error.hint { printError("  " + hint) }
        throw ExitCode(SiglogExit.code(for: error.kind))
    } catch let error as InvalidValue {
        reportError(error.message)
        throw ExitCode(SiglogExit.usage)
    } catch let error as LogError {
        if let shared = SiglogError(error, store: "the store") {
            reportError(shared.message)
            if let hint = shared.hint { printError("  " + hint) }
            throw ExitCode(SiglogExit.code(for: shared.kind))
        }
        reportError(error.description)
        if case .storeNotFound = error { throw ExitCode(SiglogExit.notFound) }
        throw ExitCode(SiglogExit.internalError)
    } catch let error as StageChainError {
        reportError(error.description)
        throw ExitCode(SiglogExit.badInput)
    } catch let error as PackError {
        reportError(error.description)
        if error.kind == .notFound { throw ExitCode(SiglogExit.notFound) }
        throw ExitCode(SiglogExit.badInput)
    } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileNoSuchFile {
        reportError(error.localizedDescription)
        throw ExitCode(SiglogExit.notFound)
    }
}

/// `runReportingErrors` for an asynchronous body (long-running tools such as workers).
public func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try runReportingErrors { throw error }
    }
}

/// Writes `Error: message` to stderr.
public func reportError(_ message: String) { printError("Error: " + message) }

/// Writes one line to stderr (stdout carries data).
public func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}
