public import EventLog

extension SiglogError {
    /// What a command that ran out of space kept, and how to go on (the end of a `noSpace` message).
    public enum SpaceOutcome: Sendable, Hashable {
        /// An input file was being ingested: lines through `line` are committed (`events` stored);
        /// the rest can be ingested with `--from-line line+1`.
        case ingest(throughLine: Int, events: Int)
        /// A one-transaction stage: nothing of it was kept.
        case stage(String)
        /// A view rebuild stopped before switching: the current views are in place.
        case replay
        /// Anything else: nothing of the command was written.
        case nothingWritten

        var text: String {
            switch self {
            case .ingest(let line, let events):
                "input committed through line \(line) (\(events) events); free space and run again with --from-line \(line + 1)"
            case .stage(let name):
                "stage \(name) wrote nothing (its transaction was rolled back); free space and run it again"
            case .replay:
                "the rebuild stopped before switching, so the current views stay in use; free space and run siglog-replay again"
            case .nothingWritten:
                "nothing of this command was written; free space and run it again"
            }
        }
    }

    /// `noSpace` for a storage failure of the store at `store`.
    public static func noSpace(_ failure: StorageFailure, store: String, _ outcome: SpaceOutcome) -> SiglogError {
        .noSpace(store: store, reason: failure.spaceReason, outcome: outcome.text)
    }

    /// The error users see for a failure of the log: out of space or a damaged store become the
    /// shared vocabulary (exit 74 and 65), anything else is nil (an internal error).
    public init?(_ error: LogError, store: String, outcome: SpaceOutcome = .nothingWritten) {
        switch error {
        case .storage(let failure) where failure.isNoSpace:
            self = .noSpace(failure, store: store, outcome)
        case .damagedStore(let path, _):
            self = .damagedStore(store: path, problem: error.description)
        default:
            return nil
        }
    }

    /// The no-space failure inside `error`, if that is what it is.
    public static func spaceFailure(in error: any Error) -> StorageFailure? {
        if case LogError.storage(let failure)? = error as? LogError, failure.isNoSpace { return failure }
        return nil
    }
}
