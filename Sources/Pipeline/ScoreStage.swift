public import Foundation
import CMallocTrim
public import SiglogCore
import Projections
import ReadModel
import Scoring
import SiglogRecords
import Synchronization

/// Test seams of the company loops: `beforeCompany` runs inside the per-company error handling (a
/// throw there is one company's error), `afterCompany` after the company's records are appended (a
/// throw there fails the whole stage, so nothing of the run is kept).
///
/// The score stage's input reads have three more: `beforeChunkRead` runs on a reading thread
/// inside a chunk's read transaction, outside the per-company handling (a throw there is a failed
/// read, which fails the stage; the reading threads may call it at the same time); `afterReading`
/// is the last act of the last reading thread to end; `beforeAppend` runs
/// on the transaction's thread before a company's records are appended, with its input and a reader
/// of the write transaction as it stands then.
struct StageHooks {
    var beforeCompany: ((Int64) throws -> Void)?
    var afterCompany: ((Int64) throws -> Void)?
    var beforeChunkRead: (([Int64]) throws -> Void)?
    var afterReading: (() -> Void)?
    var beforeAppend: ((ScoreInput, ViewReader) throws -> Void)?
}

/// What scoring one company needs from the store (read before the pure, parallel part).
struct ScoreInput: Sendable {
    var company: Int64
    var events: CompanyEvents
    var status: String?
    var alignmentOK: Bool?
    var previousComposite: Int?
    /// The pack's snapshots dated `asOf − 90 ..< asOf`; today's is added once computed.
    var pressures: [PressureSnapshot]
    /// Latest outreach of the workspace sent before the end of `asOf` (D9, D15).
    var lastOutreachAt: Timestamp?
    var latestOutreach: OutreachSummary?
}

/// Result slots filled by concurrent iterations, each index by exactly one of them.
final class ScoreSlots: @unchecked Sendable {
    // @unchecked: every index is written once by one iteration of `concurrentPerform`, and read
    // only after all iterations have returned, so no two threads touch the same slot.
    private let slots: UnsafeMutableBufferPointer<CompanyScore?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: CompanyScore?) { slots[index] = value }

    var values: [CompanyScore?] { Array(slots) }
}

/// One chunk's inputs scored on a background thread (`StageRunner.computeScores`, every core);
/// `wait` hands the results back in input order.
final class BackgroundScores: @unchecked Sendable {
    // @unchecked: `results` is written once by the background work before it signals `done`, and
    // read only after `wait` has seen that signal.
    let inputs: [ScoreInput]
    private var results: [CompanyScore?] = []
    private let done = DispatchSemaphore(value: 0)
    private var waited = false

    init(_ inputs: [ScoreInput], pack: ResolvedPack, asOf: Day) {
        self.inputs = inputs
        DispatchQueue.global().async { [self] in
            results = StageRunner.computeScores(inputs, pack: pack, asOf: asOf)
            done.signal()
        }
    }

    /// Blocks until the chunk is scored (once; later calls return at once).
    func wait() -> [CompanyScore?] {
        if !waited {
            done.wait()
            waited = true
        }
        return results
    }
}

/// What scoring one company produced, before anything is appended.
struct CompanyScore {
    var readiness: ReadinessSnapshotRecorded
    var engagement: EngagementSnapshotRecorded
    var eslResult: EngagementResult
    var lastSignalAt: Timestamp?
    var latestOutreach: OutreachSummary?
}

/// Which snapshots of the scored day, and which lead-feed rows, the store may already hold
/// (`appendScore` looks up only those).
struct StoredSnapshots {
    var readiness = true
    var engagement = true
    /// Whether the workspace may hold a lead-feed row of the pack (of any day).
    var leadFeed = true
}

/// One chunk's inputs as read, with its companies' errors (in company order) and skips.
struct ScoreChunk: Sendable {
    var inputs: [ScoreInput] = []
    var errors: [String] = []
    var skipped = 0
}

/// How many of the score stage's reading threads have not ended yet.
final class ReadersLeft: Sendable {
    private let count: Mutex<Int>

    init(_ count: Int) { self.count = Mutex(count) }

    /// Records that one reader ended; true for the last one.
    func finishOne() -> Bool {
        count.withLock { count in
            count -= 1
            return count == 0
        }
    }
}

/// The test seams the threads that read the score stage's inputs call (`StageHooks`).
final class ScoreReaderHooks: @unchecked Sendable {
    // @unchecked: the hooks are called by the reading threads, and `afterReading` once, by the
    // last of them to end; the stage hooks are test probes that tolerate concurrent calls.
    let beforeCompany: ((Int64) throws -> Void)?
    let beforeChunkRead: (([Int64]) throws -> Void)?
    let afterReading: (() -> Void)?

    init(_ hooks: StageHooks) {
        beforeCompany = hooks.beforeCompany
        beforeChunkRead = hooks.beforeChunkRead
        afterReading = hooks.afterReading
    }
}

extension StageRunner {
    /// The `score` stage (§6 with D1, D9, D10, D15): for every company with events of the pack in
    /// `[midnight(asOf − 365), midnight(asOf + 1))` (a company on the watchlist without such
    /// events is counted in `companies_skipped`), ascending id, a readiness snapshot (§4), an
    /// engagement snapshot (§5) and the incremental lead-feed row of the workspace (§7.2).
    ///
    /// A snapshot or row is appended only when its content differs from the stored one (every field
    /// but the job run and the time), so a same-day re-run with the same inputs leaves every view
    /// unchanged and the stored `computed_at` keeps meaning "when these values were first computed".
    /// A failure for one company is reported as `Company {id}: {error}` and the others are scored.
    /// No resolvable pack → `SiglogError.noPack`, no job run; a workspace that is given must exist (D20).
    public func runScore(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
        parentJobRunID: UInt64? = nil
    ) throws -> ScoreResult {
        try runScore(workspace: workspace, pack: pack, asOf: asOf, idempotencyKey: idempotencyKey,
                     parentJobRunID: parentJobRunID, hooks: StageHooks())
    }

    func runScore(
        workspace: UUID?, pack: UUID?, asOf: Day?, idempotencyKey: String?, parentJobRunID: UInt64?, hooks: StageHooks
    ) throws -> ScoreResult {
        let day = asOf ?? clock.now().day
        let (ws, resolved) = try stageScope(workspace: workspace, pack: pack)
        guard let resolved else { throw SiglogError.noPack(workspace: ws) }
        let request = JobRequest(jobType: .score, workspace: ws, pack: resolved.uuid, idempotencyKey: idempotencyKey,
                                 parentJobRunID: parentJobRunID, asOf: day)
        return try runJob(request) { writer, runID in
            try scoreBody(writer: writer, runID: runID, pack: resolved, workspace: ws, asOf: day, hooks: hooks)
        }
    }

    func scoreBody(writer: StoreWriter, runID: UInt64, pack: ResolvedPack, workspace: UUID, asOf: Day, hooks: StageHooks)
        throws -> StageOutcome<ScoreResult>
    {
        let reader = writer.reader
        var scored = 0, engaged = 0, suppressed = 0, skipped = 0
        var errors: [String] = []
        // §6 step 4: the companies with events, and those on the watchlist (a watched company
        // without events in the window has no readiness: it is counted as skipped).
        let watched = Set(try reader.watchedCompanies())
        let companies = try watched.isEmpty ? reader.companiesWithEvents()
            : Set(reader.companiesWithEvents()).union(watched).sorted()
        // A day scored for the first time has no snapshots to compare with: one probe of each
        // day index here instead of a lookup per company in the appending loop. Each company is
        // appended once, so no snapshot of the day appears for a company before its own append.
        // The same for the lead feed, whose rows are kept per company across days: a store whose
        // workspace has no row of the pack yet (its first score) has none to compare with.
        let compare = try StoredSnapshots(readiness: reader.hasReadinessSnapshots(pack: pack.uuid, asOf: asOf),
                                          engagement: reader.hasEngagementSnapshots(pack: pack.uuid, asOf: asOf),
                                          leadFeed: reader.hasLeadFeedRows(workspace: workspace, pack: pack.uuid))
        // The body reads neither ranking index from here on (the probe above was the last read).
        writer.holdRankingIndexInserts()
        // Companies go in chunks: their inputs are read on another thread, the pure scoring runs on
        // every core, and the records are appended here in company order — so the log is the same
        // whatever the number of cores or the timing. The three overlap: while chunk N+1 is scored
        // in the background, this thread appends chunk N's records and chunk N+2's inputs are read.
        //
        // The inputs are read in committed reads: short read-only transactions on the snapshot this
        // write transaction started from, which see none of its appends. That gives the inputs this
        // transaction would read itself, because nothing it writes is an input: a company's inputs
        // are its events, its scoring state, its own readiness snapshots of earlier days (previous
        // composite, pressure history before `asOf`) and its outreach, while this transaction
        // appends only the job-run start and, per company, the `asOf` snapshots and feed row
        // (`appendScore` compares with that same company's stored `asOf` snapshots, read here in the
        // write transaction). Each committed read checks that its snapshot is the one this
        // transaction started from (no other commit in between) and fails the stage otherwise.
        // `ScoreCommittedReadsTests` compares every company's input with a read of this transaction.
        //
        // Committed reads neither take nor wait for the store's transaction gate (this transaction
        // holds its shared side throughout), so the reading thread cannot deadlock behind a map
        // resize waiting for this thread; the reading thread is joined before the reads are closed.
        try writer.withCommittedReads { committed in
            // Two reading threads take turns: reader r reads chunks r, r + 2, r + 4, … into its own
            // channel, and this thread takes chunk k from channel k % 2, so the chunks arrive in
            // company order whatever the timing (a failed read arrives at its chunk's place). Reading
            // is the longest of the three pieces; two readers keep it off the critical path.
            let readerCount = Self.scoreReaderCount
            let channels = (0..<readerCount).map { _ in BoundedChannel<ScoreChunk>(capacity: 1) }
            let chunkReaders = DispatchGroup()
            let readerHooks = ScoreReaderHooks(hooks)
            let readersLeft = ReadersLeft(readerCount)
            let chunkCount = (companies.count + Self.scoreChunkSize - 1) / Self.scoreChunkSize
            for (first, channel) in channels.enumerated() {
                // Own threads, not the global queue: each blocks while its channel is full, and both
                // must run at once for the turns to overlap.
                chunkReaders.enter()
                Thread { [self] in
                    defer {
                        if readersLeft.finishOne() { readerHooks.afterReading?() }
                        chunkReaders.leave()
                    }
                    do {
                        var decoder = LeanEventDecoder(scoring: pack)
                        for index in stride(from: first, to: chunkCount, by: readerCount) {
                            try interruption.check()
                            let start = index * Self.scoreChunkSize
                            let chunk = Array(companies[start..<min(start + Self.scoreChunkSize, companies.count)])
                            let read = try committed.read { reader in
                                try readerHooks.beforeChunkRead?(chunk)
                                return try readScoreChunk(chunk, watched: watched, pack: pack, workspace: workspace, asOf: asOf,
                                                          decoder: &decoder, hooks: readerHooks, reader: reader)
                            }
                            guard channel.put(read) else { return }
                        }
                        channel.close()
                    } catch {
                        channel.close(failure: error)
                    }
                }.start()
            }
            // Whatever ends the stage, the reading threads are stopped and joined before the reads close.
            defer {
                for channel in channels { channel.cancel() }
                chunkReaders.wait()
            }
            // The next chunk's inputs; its per-company errors are recorded in company order, as before.
            var nextChunk = 0
            func readNextChunk() throws -> [ScoreInput]? {
                guard nextChunk < chunkCount, let chunk = try channels[nextChunk % readerCount].take() else { return nil }
                nextChunk += 1
                errors.append(contentsOf: chunk.errors)
                skipped += chunk.skipped
                return chunk.inputs
            }
            // The chunk being scored in the background; always waited for before leaving, so no scoring
            // outlives the stage (a throw while it runs still fails the stage as before).
            var scoring = try readNextChunk().map { BackgroundScores($0, pack: pack, asOf: asOf) }
            defer { _ = scoring?.wait() }
            var eventsSinceTrim = 0
            while let current = scoring {
                // The next chunk is scored from the moment it is read, not after this one's scores
                // are in: a chunk whose scoring ends on one long company history (the first ones at
                // 1M events) leaves the other core to the next chunk instead of idle.
                scoring = try readNextChunk().map { BackgroundScores($0, pack: pack, asOf: asOf) }
                let scores = current.wait()
                // By index: only the company is read from each input, not a copy of the whole input.
                let inputs = current.inputs
                for index in inputs.indices {
                    guard let score = scores[index] else {
                        skipped += 1
                        continue
                    }
                    let company = inputs[index].company
                    if let beforeAppend = hooks.beforeAppend { try beforeAppend(inputs[index], reader) }
                    try appendScore(score, company: company, pack: pack, workspace: workspace, asOf: asOf,
                                    runID: runID, writer: writer, compare: compare)
                    scored += 1
                    engaged += 1
                    if score.eslResult.decision == "suppress" { suppressed += 1 }
                    try hooks.afterCompany?(company)
                }
                // A chunk's inputs and scores are allocated on the reading and scoring threads and freed
                // here; each of those threads' malloc arenas keeps what is freed into it unless told to
                // give it back (a second day at 1M events: peak anonymous memory 264 → 222 MiB). What
                // they keep grows with the events read, so the arenas are trimmed after every
                // `scoreTrimEvents` of them (every two chunks at 1M events, ≈ 50 per company); on a
                // store of few events per company the arenas keep little, and each trim costs this
                // thread its passes over the arenas and the reading threads their pages again.
                eventsSinceTrim += inputs.reduce(0) { $0 + $1.events.upToEnd.count }
                if eventsSinceTrim >= Self.scoreTrimEvents {
                    siglog_release_free_heap_pages()
                    eventsSinceTrim = 0
                }
            }
        }
        let result = ScoreResult(
            status: .completed, jobRunID: nil, companiesScored: scored, companiesEngagement: engaged,
            companiesESLSuppressed: suppressed, companiesSkipped: skipped,
            error: errors.isEmpty ? nil : errors.joined(separator: "; "))
        return StageOutcome(result, companiesProcessed: scored, companiesESLSuppressed: suppressed,
                            errorMessage: errorMessage(errors))
    }

    /// One chunk's inputs read through `reader` (per-company errors are recorded, not thrown).
    func readScoreChunk(_ chunk: [Int64], watched: Set<Int64>, pack: ResolvedPack, workspace: UUID, asOf: Day,
                        decoder: inout LeanEventDecoder, hooks: ScoreReaderHooks, reader: ViewReader) throws -> ScoreChunk
    {
        var read = ScoreChunk()
        // The chunk's events in one forward pass over the log (ascending ids), not one lookup each.
        let chunkEvents = try reader.leanEvents(ofCompanies: chunk, decoder: &decoder)
        let urlBytes = decoder.takeURLBytes()
        let typeSignals = pack.derivers.patterns.isEmpty ? decoder.typeNames.map { pack.derivers.passthrough[$0] } : []
        for (company, companyEvents) in zip(chunk, chunkEvents) {
            let events = CompanyEvents(companyEvents, asOf: asOf, urlBytes: urlBytes, typeSignals: typeSignals)
            if events.window.isEmpty {
                if watched.contains(company) { read.skipped += 1 }
                continue
            }
            do {
                try hooks.beforeCompany?(company)
                read.inputs.append(try gatherScoreInput(company, events: events, pack: pack, workspace: workspace,
                                                        asOf: asOf, reader: reader))
            } catch {
                read.errors.append("Company \(company): \(error)")
                read.skipped += 1
            }
        }
        return read
    }

    /// Appends one company's score: the readiness and engagement snapshots when their content
    /// changed, then the incremental lead-feed row of the workspace (§7.2). `runID` is the job run
    /// the records belong to, nil for work recorded by the stage queue.
    /// `compare`: which of the day's stored snapshots, and whether a stored lead-feed row, may exist
    /// (false: none does, so none is looked up).
    func appendScore(_ score: CompanyScore, company: Int64, pack: ResolvedPack, workspace: UUID, asOf: Day, runID: UInt64?,
                     writer: StoreWriter, compare: StoredSnapshots = StoredSnapshots()) throws {
        let reader = writer.reader
        let now = clock.now()
        let storedReadiness = try compare.readiness ? reader.readiness(company: company, asOf: asOf, pack: pack.uuid) : nil
        let computedAt = try appendIfChanged(score.readiness, stored: storedReadiness,
                                             jobRun: \.jobRunID, runID: runID, at: now, writer: writer, workspace: workspace)
        let storedEngagement = try compare.engagement ? reader.engagement(company: company, asOf: asOf, pack: pack.uuid) : nil
        try appendIfChanged(score.engagement, stored: storedEngagement,
                            jobRun: \.jobRunID, runID: runID, at: now, writer: writer, workspace: workspace)
        let feedInput = LeadFeedInput(
            workspaceID: workspace, packID: pack.uuid, entityID: Int(company), asOf: asOf,
            composite: score.readiness.composite, readinessExplain: score.readiness.explain,
            readinessComputedAt: computedAt, eslDecision: score.eslResult.decision,
            sensitivityLevel: score.eslResult.sensitivity, engagementExplain: score.engagement.explain,
            lastSignalAt: score.lastSignalAt, latestOutreach: score.latestOutreach, updatedAt: now)
        if let row = LeadFeedRowBuilder.build(feedInput) {
            try appendLeadFeedRow(row, runID: runID, at: now, writer: writer, mayBeStored: compare.leadFeed)
        }
    }

    /// Companies scored per chunk (inputs held in memory at once; up to seven chunks are in flight:
    /// two read ahead, two being read, two scored, one appended).
    static let scoreChunkSize = 512

    /// Threads reading chunk inputs, taking turns chunk by chunk.
    static let scoreReaderCount = 2

    /// Events of the appended chunks' inputs between two returns of the malloc arenas' free pages
    /// to the system.
    static let scoreTrimEvents = 40_000

    /// Everything scoring one company reads from the store.
    func gatherScoreInput(_ company: Int64, events: CompanyEvents, pack: ResolvedPack, workspace: UUID, asOf: Day,
                          reader: ViewReader) throws -> ScoreInput
    {
        let state = try reader.companyScoringState(company)
        let previous = try reader.readinessComposite(company: company, asOf: asOf.adding(days: -1), pack: pack.uuid)
        let pressures = try Self.pressureHistory(company: company, pack: pack.uuid, from: asOf.adding(days: -90),
                                                 before: asOf, reader: reader)
        let end = asOf.adding(days: 1).midnight
        // Only outreach sent by the end of `asOf` counts, for ESL's cadence and the feed's summary (D15).
        let outreach = try reader.outreach(ofCompany: company)
            .filter { $0.record.workspaceID == workspace && $0.record.sentAt < end }
        return ScoreInput(
            company: company, events: events, status: state?.status, alignmentOK: state?.alignmentOK,
            previousComposite: previous, pressures: pressures,
            lastOutreachAt: outreach.map(\.record.sentAt).max(), latestOutreach: Self.latestOutreach(outreach))
    }

    /// Scores every input on all cores; results in input order.
    static func computeScores(_ inputs: [ScoreInput], pack: ResolvedPack, asOf: Day) -> [CompanyScore?] {
        let results = ScoreSlots(count: inputs.count)
        let types = ReadinessTypeTable(pack.readiness)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { index in
            results.set(index, scoreCompany(inputs[index], pack: pack, asOf: asOf, types: types))
        }
        return results.values
    }

    /// Readiness (§4) and engagement (§5) of one company, with the lead-feed facts; nil when the
    /// company has no events in the window. Pure: reads nothing from the store.
    static func scoreCompany(_ input: ScoreInput, pack: ResolvedPack, asOf: Day, types: ReadinessTypeTable? = nil)
        -> CompanyScore?
    {
        let company = input.company
        let events = input.events.upToEnd
        // The window by time ascending, ties by log position; descending (ties by position
        // descending) is its reverse. Positions in `events` are sorted, not the events themselves.
        // Plain `(time, id, position)` keys sort without reaching back into the events (ids are unique).
        let ascending = input.events.window
            .map { (time: events[$0].eventTime.microseconds, id: events[$0].id, position: $0) }
            .sorted { ($0.time, $0.id) < ($1.time, $1.id) }
            .map(\.position)
        // Urls kept as bytes become strings only for the explain's top events.
        let descending = Array(ascending.reversed())
        guard let result = ReadinessEngine.compute(
            events: descending.map {
                let event = events[$0]
                return ReadinessEvent(eventType: event.eventType, eventTime: event.eventTime, confidence: event.confidence,
                                      source: event.source, url: event.url)
            },
            asOf: asOf, config: pack.readiness, types: types ?? ReadinessTypeTable(pack.readiness),
            companyStatus: input.status, previousComposite: input.previousComposite,
            url: { input.events.url(at: descending[$0]) })
        else { return nil }
        let derived = input.events.derived(with: pack.derivers)
        let readiness = ReadinessSnapshotRecorded(
            companyID: company, asOf: asOf, pack: pack.uuid, explain: result.explain, jobRunID: nil,
            lastSignalAt: derived.lastSignalAt, carriesLastSignal: true)

        // Pressure history of the pack in [asOf − 90, asOf], today's being the one just computed.
        var pressures = input.pressures
        pressures.append(PressureSnapshot(asOf: asOf, pressure: result.pressure))
        let eslInput = ESLInput(
            composite: result.composite,
            events: ascending.map {
                let event = events[$0]
                return ESLEvent(eventType: event.eventType, eventTime: event.eventTime, confidence: event.confidence)
            },
            pressureSnapshots: pressures, lastOutreachAt: input.lastOutreachAt, alignmentOK: input.alignmentOK,
            signalIDs: derived.signalIDs)
        let engagement = EngagementEngine.compute(eslInput, asOf: asOf, policy: pack.esl)
        let record = EngagementSnapshotRecorded(
            companyID: company, asOf: asOf, pack: pack.uuid, outreachScore: engagement.outreachScore,
            explain: engagement.explain, jobRunID: nil)
        return CompanyScore(
            readiness: readiness, engagement: record, eslResult: engagement,
            lastSignalAt: derived.lastSignalAt, latestOutreach: input.latestOutreach)
    }

    /// The pack's readiness pressures of `company` dated `from ..< before`, oldest first: a range
    /// scan of the `(company_id, as_of, pack_id)` keys, so a long daily history is not read whole.
    static func pressureHistory(company: Int64, pack: UUID, from: Day, before: Day, reader: ViewReader) throws
        -> [PressureSnapshot]
    {
        var result: [PressureSnapshot] = []
        try reader.forEachReadinessPressure(company: company, from: from) { day, snapshotPack, pressure in
            guard day < before else { return false }
            if snapshotPack == pack { result.append(PressureSnapshot(asOf: day, pressure: pressure)) }
            return true
        }
        return result
    }

    /// The latest outreach of `records` (one company, one workspace) as a lead-feed summary.
    static func latestOutreach(_ records: [Stamped<OutreachRecorded>]) -> OutreachSummary? {
        OutreachRecord.latest(of: records.map {
            OutreachRecord(entityID: Int($0.record.companyID), workspaceID: $0.record.workspaceID,
                           outreachType: $0.record.outreachType, sentAt: $0.record.sentAt, outcome: $0.record.outcome)
        }).map(OutreachSummary.init)
    }

    /// Appends `record` (with `runID`) unless the stored row already holds the same content; returns
    /// the time of the record the view now holds (its `computed_at`, D14).
    @discardableResult
    func appendIfChanged<R: SiglogRecord & Hashable>(
        _ record: R, stored: Stamped<R>?, jobRun: WritableKeyPath<R, UInt64?>, runID: UInt64?, at now: Timestamp,
        writer: StoreWriter, workspace: UUID
    ) throws -> Timestamp {
        if let stored {
            var old = stored.record
            old[keyPath: jobRun] = nil
            var new = record
            new[keyPath: jobRun] = nil
            if old == new { return stored.recordedAt }
        }
        var stamped = record
        stamped[keyPath: jobRun] = runID
        try writer.append(stamped, at: now, workspace: workspace)
        return now
    }
}
