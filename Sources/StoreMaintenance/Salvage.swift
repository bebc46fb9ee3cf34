public import EventLog
import Foundation
public import Projections
import SiglogRecords

/// `siglog-append salvage`: the intact part of a damaged store's log, in a new store.
public enum Salvage {
    /// What a salvage did and what it could not save.
    public struct Result: Sendable {
        /// The new store's figures: records copied (1 through `copied.records`), head, fingerprints.
        public var copied: LoadResult
        /// The damage that ended the copy, nil when the whole log was intact.
        public var problem: LogError?
        /// The old log's head.
        public var sourceHead: UInt64
        /// Records of the old log that were not copied (after the first damage), nil when none.
        public var lost: ClosedRange<UInt64>?
    }

    /// Copies every intact record of the store at `source` — in order, up to the first damaged one —
    /// into the new store `target` (which the caller created empty), folding its views and the log's
    /// indexes from them. The damaged store is read page by page and never written.
    public static func run(from source: String, into target: Store) throws -> Result {
        let loader = try StoreLoader(store: target)
        let report = try EventLog.readIntactRecords(path: source, knownTypes: RecordType.siglogTypes) { record in
            try loader.add(record.envelope, sequence: record.sequence)
        }
        try loader.flush()
        let copied = try LoadResult.of(target, records: loader.nextSequence - 1)
        return Result(copied: copied, problem: report.firstProblem, sourceHead: report.head, lost: report.lostSequences)
    }
}
