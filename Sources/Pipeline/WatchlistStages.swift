public import Foundation
import Ingest
import Projections
import ReadModel
import Scoring
public import SiglogCore
import SiglogRecords

extension StageRunner {
    // MARK: - Watchlist seed

    /// The `watchlist_seed` stage (§9.3 `run_watchlist_seed`): a parent run `watchlist_seed`; then,
    /// in one transaction, each evidence bundle (`bundleIDs`, in order, stored before with
    /// `storeBundle`) seeds its company — matched (§2.6) or created (`companies_matched`,
    /// `companies_created`) — stores its events under the workspace's pack with
    /// `evidence_bundle_id` = the bundle (`events_stored`, `events_skipped_duplicate` by D2) and
    /// puts the company on the watchlist when it is not; then derive and score for `asOf`
    /// (default today in UTC, D11) as child runs. A missing bundle or a bad event is an entry of
    /// `seed_result.errors` (`Bundle {id}: …`); the other bundles are seeded.
    ///
    /// * `bundleIDs` must hold 1…500 ids (`usage` otherwise).
    /// * In a store with more than one workspace, `workspace` is required (`usage`:
    ///   `workspace_id is required …`); a given workspace must exist (D20).
    /// * No pack resolves → `{status: failed, job_run_id: null, …, error: "No pack resolved for
    ///   workspace"}` and no job run.
    /// * The idempotency key belongs to the parent (D5), then the rate limit of `watchlist_seed`.
    /// The parent records `companies_processed` = `events_stored`.
    public func runWatchlistSeed(
        bundleIDs: [UUID], workspace: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil
    ) throws -> WatchlistSeedResult {
        guard (1...RequestIDs.maxBundleIDs).contains(bundleIDs.count) else {
            throw SiglogError.usage("bundle_ids must hold 1 to \(RequestIDs.maxBundleIDs) bundle ids, got \(bundleIDs.count)")
        }
        if workspace == nil, try store.read({ try $0.allWorkspaces().count }) > 1 {
            throw SiglogError.usage("workspace_id is required: this store has more than one workspace")
        }
        let day = asOf ?? clock.now().day
        let (ws, resolved) = try stageScope(workspace: workspace, pack: nil)
        guard let resolved else { return .failed(SiglogError.noPack(workspace: ws).message) }
        let request = JobRequest(jobType: .watchlistSeed, workspace: ws, pack: resolved.uuid, idempotencyKey: idempotencyKey,
                                 asOf: day)
        if let cached = try cachedResult(for: request, as: WatchlistSeedResult.self) { return cached }
        try checkRateLimit(request)
        let parentID = try store.write { try startJob(request, in: $0) }

        var result = WatchlistSeedResult(status: .completed, jobRunID: nil)
        do {
            var unique = Set<UUID>()
            let ids = bundleIDs.filter { unique.insert($0).inserted }
            result.seed = try store.write { writer in
                try seedBundles(ids, run: parentID, pack: resolved, workspace: ws, writer: writer)
            }
            try interruption.check()
            result.derive = try runDerive(workspace: ws, pack: resolved.uuid, asOf: asOf, parentJobRunID: parentID)
            try interruption.check()
            result.score = try runScore(workspace: ws, pack: resolved.uuid, asOf: day, parentJobRunID: parentID)
            let outcome = StageOutcome(result, companiesProcessed: result.seed.eventsStored,
                                       errorMessage: errorMessage(result.seed.errors))
            return try store.write { try finish(parentID, request, outcome, $0) }
        } catch {
            let message = "\(error)"
            result.status = .failed
            result.error = message
            let outcome = StageOutcome(result, companiesProcessed: nil, errorMessage: message)
            let failed = try store.write { try finish(parentID, request, outcome, $0) }
            if case SiglogError.interrupted = error { throw error }
            return failed
        }
    }

    /// Seeds each bundle inside `writer`'s transaction (see `runWatchlistSeed`).
    func seedBundles(_ ids: [UUID], run: UInt64, pack: ResolvedPack, workspace: UUID, writer: StoreWriter) throws -> SeedCounts {
        var counts = SeedCounts()
        let reader = writer.reader
        let directory = StoreCompanyDirectory(reader: reader)
        let now = clock.now()
        for id in ids {
            try interruption.check()
            let label = "Bundle \(id.lowercased)"
            guard let stored = try reader.bundle(id)?.record else {
                counts.errors.append("\(label): not found")
                continue
            }
            let bundle: EvidenceBundle
            let events: [RawEvent]
            do {
                bundle = try EvidenceBundle(stored)
                events = try bundle.rawEvents()
            } catch {
                counts.errors.append("\(label): \(error)")
                continue
            }
            let company = try resolveCompany(bundle.company, domain: bundle.companyDomain, directory: directory, run: run,
                                             at: now, writer: writer)
            if company.created { counts.companiesCreated += 1 } else { counts.companiesMatched += 1 }
            for (index, raw) in events.enumerated() {
                let item = PendingEvent(raw, line: index + 1, acceptance: pack.acceptance)
                guard let event = item.event else { preconditionFailure("an evidence bundle's event is not prepared") }
                guard item.accepted else {
                    counts.errors.append("\(label): events[\(index)]: event_type: \"\(event.eventType)\" is not accepted by "
                        + "pack \(pack.pack.id)")
                    continue
                }
                guard let dedupKey = try newDedupKey(of: event, writer: writer) else {
                    counts.eventsSkippedDuplicate += 1
                    continue
                }
                try appendEvent(item, companyID: company.id, dedupKey: dedupKey, run: run, pack: pack, workspace: workspace,
                                evidenceBundle: id, at: now, writer: writer)
                counts.eventsStored += 1
            }
            if try reader.activeWatchlistRow(ofCompany: company.id) == nil {
                try writer.append(WatchlistAdded(companyID: company.id, reason: bundle.reason ?? "evidence bundle \(id.lowercased)",
                                                 bundleID: id, jobRunID: run),
                                  at: now, workspace: workspace)
            }
        }
        return counts
    }

    // MARK: - Alert scan

    /// `ALERT_DELTA_THRESHOLD` from the environment (default 15; a value that is not an integer
    /// reads as the default).
    public static func alertDeltaThreshold(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        environment["ALERT_DELTA_THRESHOLD"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            ?? ReadinessJump.defaultThreshold
    }

    /// The alert scan (§9.3 `run_alert_scan`): for every readiness snapshot of the pack on `asOf`
    /// (default today in UTC, D11; `companies_scanned` counts them) whose company has one of the
    /// same pack the day before, a `readiness_jump` alert `{old_composite, new_composite, delta,
    /// as_of}` with status `pending` when `|today − yesterday| >= threshold` (default
    /// `ALERT_DELTA_THRESHOLD`, else 15) and the company has no `readiness_jump` alert for `asOf`
    /// yet (any pack). Companies ascending; one run `alert_scan` in one transaction.
    ///
    /// The pack is `pack`, else the workspace's (§9.4); none → `{status: failed, job_run_id: null,
    /// …, error: "No pack resolved for workspace"}` and no run. A given workspace must exist (D20).
    public func runAlertScan(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, threshold: Int? = nil, idempotencyKey: String? = nil
    ) throws -> AlertScanResult {
        let day = asOf ?? clock.now().day
        let limit = threshold ?? Self.alertDeltaThreshold()
        let (ws, resolved) = try stageScope(workspace: workspace, pack: pack)
        guard let resolved else { return .failed(SiglogError.noPack(workspace: ws).message) }
        let request = JobRequest(jobType: .alertScan, workspace: ws, pack: resolved.uuid, idempotencyKey: idempotencyKey,
                                 asOf: day)
        return try runJob(request) { writer, runID in
            let reader = writer.reader
            var scanned = 0, created = 0
            let now = clock.now()
            for company in try reader.companiesScored(pack: resolved.uuid, asOf: day) {
                if company % 1_024 == 0 { try interruption.check() }
                scanned += 1
                guard let today = try reader.readiness(company: company, asOf: day, pack: resolved.uuid)?.record,
                    let yesterday = try reader.readiness(company: company, asOf: day.adding(days: -1), pack: resolved.uuid)?.record,
                    let delta = ReadinessJump.delta(old: yesterday.composite, new: today.composite, threshold: limit),
                    try !reader.hasAlert(company: company, type: AlertCreated.readinessJump, asOf: day)
                else { continue }
                try writer.append(AlertCreated(companyID: company, alertType: AlertCreated.readinessJump, pack: resolved.uuid,
                                               oldComposite: yesterday.composite, newComposite: today.composite, delta: delta,
                                               asOf: day, jobRunID: runID),
                                  at: now, workspace: ws)
                created += 1
            }
            return StageOutcome(AlertScanResult(status: .completed, jobRunID: nil, alertsCreated: created, companiesScanned: scanned),
                                companiesProcessed: scanned)
        }
    }

    // MARK: - Backfill

    /// The lead-feed backfill (§7.3, `run_backfill_lead_feed`): the batch build of `update_lead_feed`
    /// for `asOf` (default today in UTC) in every workspace with a resolvable pack, by workspace id,
    /// each as a child run of one `backfill_lead_feed` run (recorded in the default workspace) and
    /// committed on its own. A workspace whose build fails is listed in `errors` as
    /// `{workspace_id}: {error}` and the others are built; the answer's status is then
    /// `completed_with_errors`. The parent records `companies_processed` = `total_rows_upserted`.
    public func runBackfillLeadFeed(asOf: Day? = nil, idempotencyKey: String? = nil) throws -> BackfillResult {
        try runBackfillLeadFeed(asOf: asOf, idempotencyKey: idempotencyKey, hooks: StageHooks())
    }

    func runBackfillLeadFeed(asOf: Day?, idempotencyKey: String?, hooks: StageHooks) throws -> BackfillResult {
        let day = asOf ?? clock.now().day
        let request = JobRequest(jobType: .backfillLeadFeed, workspace: WellKnownIDs.defaultWorkspace, pack: nil,
                                 idempotencyKey: idempotencyKey, asOf: day)
        if let cached = try cachedResult(for: request, as: BackfillResult.self) { return cached }
        try checkRateLimit(request)
        let parentID = try store.write { try startJob(request, in: $0) }
        var result = BackfillResult(status: .completed, jobRunID: nil)
        do {
            for workspace in try store.read({ try $0.allWorkspaces() }) {
                try interruption.check()
                guard let pack = try stageScope(workspace: workspace.id, pack: nil).pack else { continue }
                let build: LeadFeedResult
                do {
                    build = try runUpdateLeadFeed(workspace: workspace.id, pack: pack.uuid, asOf: day, idempotencyKey: nil,
                                                  parentJobRunID: parentID, hooks: hooks)
                } catch SiglogError.interrupted {
                    throw SiglogError.interrupted
                } catch {
                    build = .failed("\(error)")
                }
                result.workspaces.append(.init(workspace: workspace.id, pack: pack.uuid, result: build))
                if build.status != .completed {
                    result.errors.append("\(workspace.id.lowercased): \(build.error ?? build.status.rawValue)")
                }
            }
            let outcome = StageOutcome(result, companiesProcessed: result.totalRowsUpserted, errorMessage: errorMessage(result.errors))
            return try store.write { try finish(parentID, request, outcome, $0) }
        } catch {
            let message = "\(error)"
            result.status = .failed
            result.errors.append(message)
            let outcome = StageOutcome(result, companiesProcessed: nil, errorMessage: message)
            let failed = try store.write { try finish(parentID, request, outcome, $0) }
            if case SiglogError.interrupted = error { throw error }
            return failed
        }
    }
}
