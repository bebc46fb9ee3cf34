public import Foundation
public import SiglogCore
import EventLog
import Projections
import Scoring
import SiglogRecords

extension Pipeline {
    /// The `derive` stage (§3 with D3/D4): applies the pack's derivers to the pack's events (every
    /// company, log order) and upserts one signal instance per `(entity, signal, pack)` aggregate.
    ///
    /// The pack is `pack` when given, else the workspace's pack (→ the default pack); when none
    /// resolves the stage fails with `PipelineError.deriveRequiresPack` and no job run is recorded.
    /// An explicit `asOf` limits the input to events with `event_time < midnight(asOf + 1)` (a
    /// point-in-time derive, D15); without one every event of the pack is read, as the reference does.
    /// Aggregates whose merge would not change the stored instance are not appended, so a re-run with
    /// the same inputs leaves the instance view unchanged; `instances_upserted` still counts every
    /// aggregate (the reference's upsert count).
    ///
    /// Result: `{status, job_run_id, instances_upserted, events_processed, events_skipped, error}`.
    public func runDerive(
        workspace: UUID? = nil, pack: UUID? = nil, asOf: Day? = nil, idempotencyKey: String? = nil,
        parentJobRunID: UInt64? = nil
    ) throws -> JSONObject {
        let ws = workspace ?? WellKnownIDs.defaultWorkspace
        guard let resolved = try store.read({ try stagePack(explicit: pack, workspace: ws, in: $0) }) else {
            throw PipelineError.deriveRequiresPack
        }
        let request = JobRequest(jobType: "derive", workspace: ws, pack: resolved.uuid, idempotencyKey: idempotencyKey,
                                 parentJobRunID: parentJobRunID, asOf: asOf)
        return try runJob(request) { writer, runID in
            try deriveBody(writer: writer, runID: runID, pack: resolved, workspace: ws, bound: asOf.map { $0.adding(days: 1).midnight })
        }
    }

    func deriveBody(writer: StoreWriter, runID: UInt64, pack: ResolvedPack, workspace: UUID, bound: Timestamp?) throws
        -> StageOutcome
    {
        let reader = writer.reader
        var events: [DeriverEvent] = []
        var eventReader = CompanyEventReader(pack: pack)
        // One sequential pass over the log (in this transaction) beats a lookup per event.
        try reader.log.forEach(in: writer.writer.transaction) { view in
            guard view.type == .eventStored,
                let (company, event) = try eventReader.decodeWithCompany(view.payload, id: view.sequence)
            else { return true }
            if let bound, event.eventTime >= bound { return true }
            var deriverEvent = event.deriverEvent
            deriverEvent.entityID = Int(company)
            events.append(deriverEvent)
            return true
        }
        let aggregation = SignalAggregation(events: events, derivers: pack.derivers)
        let now = clock.now()
        for aggregate in aggregation.aggregates {
            let existing = try reader.instance(entity: Int64(aggregate.entityID), signalID: aggregate.signalID, pack: pack.uuid)
            if let existing, !Self.mergeChanges(aggregate, existing) { continue }
            let record = SignalInstanceDerived(
                entityID: Int64(aggregate.entityID), signalID: aggregate.signalID, pack: pack.uuid,
                confidence: aggregate.confidence, firstSeen: aggregate.firstSeen, lastSeen: aggregate.lastSeen,
                evidence: aggregate.evidenceEventIDs.map { Int64($0) }, jobRunID: runID)
            try writer.append(record, at: now, workspace: workspace)
        }
        let upserted = aggregation.aggregates.count
        return StageOutcome(companiesProcessed: upserted, result: [
            "status": "completed",
            "instances_upserted": .int(Int64(upserted)),
            "events_processed": .int(Int64(aggregation.eventsProcessed)),
            "events_skipped": .int(Int64(aggregation.eventsSkipped)),
            "error": .null,
        ])
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

extension DeriverEvent {
    /// The deriver view of a stored event; its id is the event's log position.
    init(_ stamped: Stamped<EventStored>) {
        let e = stamped.record
        self.init(id: Int(stamped.sequence), entityID: Int(e.companyID), eventType: e.eventType, eventTime: e.eventTime,
                  title: e.title, summary: e.summary, url: e.url, source: e.source, confidence: e.confidence)
    }
}
