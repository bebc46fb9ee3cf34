public import Foundation
public import SiglogCore
import Projections
import ReadModel
import Scoring
import SiglogRecords

extension StageRunner {
    /// The `derive` stage (§3 with D3/D4): applies the pack's derivers to the pack's events (every
    /// company, log order) and upserts one signal instance per `(entity, signal, pack)` aggregate.
    ///
    /// The pack is `pack` when given, else the workspace's pack (→ the default pack); when none
    /// resolves the stage fails with `SiglogError.deriveRequiresPack` and no job run is recorded. A
    /// workspace that is given must exist (D20).
    /// An explicit `asOf` limits the input to events with `event_time < midnight(asOf + 1)` (a
    /// point-in-time derive, D15); without one every event of the pack is read, as the reference does.
    /// Aggregates whose merge would not change the stored instance are not appended, so a re-run with
    /// the same inputs leaves the instance view unchanged; `instances_upserted` still counts every
    /// aggregate (the reference's upsert count).
    ///
    public func runDerive(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
        parentJobRunID: UInt64? = nil
    ) throws -> DeriveResult {
        let (ws, resolved) = try stageScope(workspace: workspace, pack: pack)
        guard let resolved else { throw SiglogError.deriveRequiresPack }
        let request = JobRequest(jobType: .derive, workspace: ws, pack: resolved.uuid, idempotencyKey: idempotencyKey,
                                 parentJobRunID: parentJobRunID, asOf: asOf)
        return try runJob(request) { writer, runID in
            try deriveBody(writer: writer, runID: runID, pack: resolved, workspace: ws, bound: asOf.map { $0.adding(days: 1).midnight })
        }
    }

    func deriveBody(writer: StoreWriter, runID: UInt64, pack: ResolvedPack, workspace: UUID, bound: Timestamp?) throws
        -> StageOutcome<DeriveResult>
    {
        let reader = writer.reader
        var aggregator = SignalAggregator(derivers: pack.derivers)
        // Passthrough derivers read only the type; patterns may read the url too.
        let decoder = LeanEventDecoder(pack: pack.uuid, decodesText: !pack.derivers.patterns.isEmpty,
                                       decodesURL: !pack.derivers.patterns.isEmpty)
        let passthroughSlots = DeriveReader.passthroughSlots(of: aggregator, derivers: pack.derivers)
        // One sequential pass over the log beats a lookup per event; each event is folded in as it
        // is read, so memory holds the aggregates, not the events. The log is read and decoded on a
        // second thread (in log order, errors at their place) while this one folds; it reads in a committed
        // read of this write transaction (the snapshot it started from; nothing before the fold is appended).
        try writer.withCommittedReads { reads in
            try DeriveReader.forEach(reads, decoder: decoder, bound: bound, passthroughSlots: passthroughSlots,
                                     interruption: interruption) { batch in
                batch.fold(into: &aggregator)
            }
        }
        let aggregation = aggregator.aggregation
        let now = clock.now()
        // Each aggregate has its own (entity, signal, pack) key, so when the store holds no instance
        // at all (a first derive) none of them has a row to merge with: skip the lookups.
        var storeHasInstances = false
        try reader.forEachInstance { _ in
            storeHasInstances = true
            return false
        }
        // The instances' timeline entries go to companies in first-contribution order, all over
        // the timeline; nothing here reads it back, so they are inserted in key order at the end.
        writer.holdTimelineInserts()
        // Each aggregate has its own instance key, and the rows are read before their own append:
        // the rows are put in key order at the end too.
        writer.holdInstanceInserts()
        for aggregate in aggregation.aggregates {
            let existing = storeHasInstances
                ? try reader.instance(entity: Int64(aggregate.entityID), signalID: aggregate.signalID, pack: pack.uuid) : nil
            if let existing, !Self.mergeChanges(aggregate, existing) { continue }
            let record = SignalInstanceDerived(
                entityID: Int64(aggregate.entityID), signalID: aggregate.signalID, pack: pack.uuid,
                confidence: aggregate.confidence, firstSeen: aggregate.firstSeen, lastSeen: aggregate.lastSeen,
                evidence: aggregate.evidenceEventIDs.map { Int64($0) }, jobRunID: runID)
            try writer.append(record, at: now, workspace: workspace)
        }
        let upserted = aggregation.aggregates.count
        let result = DeriveResult(status: .completed, jobRunID: nil, instancesUpserted: upserted,
                                  eventsProcessed: aggregation.eventsProcessed, eventsSkipped: aggregation.eventsSkipped, error: nil)
        return StageOutcome(result, companiesProcessed: upserted)
    }

    /// True when upserting `aggregate` (§3.2 step 6) would change any stored value of `existing`.
    static func mergeChanges(_ aggregate: SignalAggregate, _ existing: InstanceRow) -> Bool {
        let previous = SignalInstance(
            entityID: Int(existing.entityID), signalID: existing.signalID, strength: existing.strength,
            confidence: existing.confidence, firstSeen: existing.firstSeen, lastSeen: existing.lastSeen,
            evidenceEventIDs: existing.evidenceEventIDs.map { Int($0) })
        let merged = SignalInstance.upserting(aggregate, into: previous)
        return merged.strength != existing.strength || merged.confidence != existing.confidence
            || merged.firstSeen != existing.firstSeen || merged.lastSeen != existing.lastSeen
            || (merged.evidenceEventIDs ?? []) != existing.evidenceEventIDs.map({ Int($0) })
    }
}
