public import Adapters
public import Foundation
import ReadModel
public import SiglogCore

/// What one `runStage` call asks for beyond the job type.
public struct StageParameters: Sendable {
    public var workspace: UUID?
    public var pack: UUID?
    /// The day the stage works for (default: today in UTC from the runner's clock).
    public var asOf: Day?
    public var idempotencyKey: String?
    /// NDJSON events for `ingest` and `daily_aggregation`; nil: the source adapters fetch them.
    public var events: URL?
    /// The adapters of an ingest without `events` (nil: those the process environment selects).
    public var sources: [any SourceAdapter]?
    /// The evidence bundles of `watchlist_seed` (1…500).
    public var bundleIDs: [UUID] = []
    /// The `alert_scan` threshold (nil: `ALERT_DELTA_THRESHOLD`, else 15).
    public var alertThreshold: Int?
    /// The first line of `events` to ingest (`--from-line`; earlier lines are skipped).
    public var firstLine = 1

    /// Creates parameters.
    public init(workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
                events: URL? = nil, sources: [any SourceAdapter]? = nil) {
        self.workspace = workspace
        self.pack = pack
        self.asOf = asOf
        self.idempotencyKey = idempotencyKey
        self.events = events
        self.sources = sources
    }
}

extension StageRunner {
    /// The stage executor of §9.1: runs `jobType` with the workspace, pack, day and idempotency key
    /// of `parameters`. Each stage looks up the cached result of its key first, then the workspace's
    /// rate limit, as `runJob` does. Besides §9.1's registry, `alert_scan` and
    /// `backfill_lead_feed` (§9.3's other stage endpoints) run here too.
    public func runStage(_ jobType: JobType, _ parameters: StageParameters = StageParameters()) throws -> any StageResult {
        let p = parameters
        switch jobType {
        case .ingest:
            var options = IngestOptions(inputName: p.events?.relativePath ?? "<sources>")
            options.workspace = p.workspace
            options.pack = p.pack
            options.idempotencyKey = p.idempotencyKey
            options.firstLine = p.firstLine
            guard let events = p.events else {
                return try ingestDailyWaiting(options: options, adapters: p.sources ?? sourceAdapters())
            }
            return try withEvents(events) { try ingest(from: $0, options: options) }
        case .derive:
            return try runDerive(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case .score:
            return try runScore(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case .updateLeadFeed:
            return try runUpdateLeadFeed(workspace: p.workspace, pack: p.pack, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case .dailyAggregation:
            return try runDailyAggregation(workspace: p.workspace, pack: p.pack, asOf: p.asOf, events: p.events,
                                           sources: p.sources, idempotencyKey: p.idempotencyKey, firstLine: p.firstLine)
        case .watchlistSeed:
            return try runWatchlistSeed(bundleIDs: p.bundleIDs, workspace: p.workspace, asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        case .alertScan:
            return try runAlertScan(workspace: p.workspace, pack: p.pack, asOf: p.asOf, threshold: p.alertThreshold,
                                    idempotencyKey: p.idempotencyKey)
        case .backfillLeadFeed:
            return try runBackfillLeadFeed(asOf: p.asOf, idempotencyKey: p.idempotencyKey)
        }
    }

    /// Opens `events` for reading (a missing file is `fileNotFound`), or an empty input when nil.
    func withEvents<T>(_ events: URL?, _ body: (FileHandle) throws -> T) throws -> T {
        guard let events else {
            let empty = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/null"))
            defer { try? empty.close() }
            return try body(empty)
        }
        guard FileManager.default.fileExists(atPath: events.path) else { throw SiglogError.fileNotFound(path: events.path) }
        let handle = try FileHandle(forReadingFrom: events)
        defer { try? handle.close() }
        return try body(handle)
    }
}
