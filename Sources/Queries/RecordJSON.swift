public import SiglogCore
public import SiglogRecords

/// The decoded fields of every record type, with the spec's column names (for `export`).
public enum RecordJSON {
    public static func fields(_ record: AnyRecord) -> JSONObject {
        switch record {
        case .packInstalled(let r):
            return ["id": .string(r.packUUID.lowercased), "pack_id": .string(r.packID), "version": .string(r.version),
                    "config_checksum": .string(r.checksum), "document": r.document]
        case .workspaceCreated(let r):
            return ["id": .string(r.workspaceID.lowercased), "name": .string(r.name), "active_pack_id": nullable(r.activePack?.lowercased)]
        case .workspacePackSet(let r):
            return ["workspace_id": .string(r.workspaceID.lowercased), "active_pack_id": .string(r.pack.lowercased)]
        case .companyCreated(let r):
            return ["id": .int(r.companyID), "name": .string(r.name), "domain": nullable(r.domain), "website_url": nullable(r.websiteURL),
                    "company_linkedin_url": nullable(r.linkedinURL), "source": .string(r.source),
                    "normalized_name": .string(r.normalizedName), "website_domain": nullable(r.websiteDomain),
                    "aliases": .array(r.aliases.map { .object(["alias_type": .string($0.type), "alias_value": .string($0.value)]) }),
                    "job_run_id": nullable(r.jobRunID)]
        case .companyUpdated(let r):
            return ["id": .int(r.companyID), "version": .int(r.version), "alignment_ok_to_contact": nullable(r.alignmentOK),
                    "status": nullable(r.status)]
        case .eventStored(let r):
            return ["company_id": .int(r.companyID), "source": .string(r.source), "source_event_id": nullable(r.sourceEventID),
                    "event_type": .string(r.eventType), "event_time": r.eventTime.queryJSON, "title": nullable(r.title),
                    "summary": nullable(r.summary), "url": nullable(r.url), "raw": parsedJSON(r.rawPayload),
                    "confidence": nullable(r.confidence), "pack_id": .string(r.pack.lowercased), "job_run_id": nullable(r.jobRunID)]
        case .signalInstanceDerived(let r):
            return ["entity_id": .int(r.entityID), "signal_id": .string(r.signalID), "pack_id": .string(r.pack.lowercased),
                    "confidence": nullable(r.confidence), "first_seen": r.firstSeen.queryJSON, "last_seen": r.lastSeen.queryJSON,
                    "evidence_event_ids": .array(r.evidence.map(JSONValue.int)), "job_run_id": nullable(r.jobRunID)]
        case .readinessSnapshot(let r):
            return ["company_id": .int(r.companyID), "as_of": r.asOf.queryJSON, "pack_id": .string(r.pack.lowercased),
                    "momentum": .int(Int64(r.momentum)), "complexity": .int(Int64(r.complexity)),
                    "pressure": .int(Int64(r.pressure)), "leadership_gap": .int(Int64(r.leadershipGap)),
                    "composite": .int(Int64(r.composite)), "explain": r.explain.json, "job_run_id": nullable(r.jobRunID)]
        case .engagementSnapshot(let r):
            return ["company_id": .int(r.companyID), "as_of": r.asOf.queryJSON, "pack_id": .string(r.pack.lowercased),
                    "esl_score": .double(r.eslScore), "outreach_score": .int(Int64(r.outreachScore)),
                    "engagement_type": .string(r.engagementType), "stress_volatility_index": .double(r.stressVolatilityIndex),
                    "communication_stability_index": .double(r.communicationStabilityIndex),
                    "sustained_pressure_index": .double(r.sustainedPressureIndex), "cadence_blocked": .bool(r.cadenceBlocked),
                    "esl_decision": .string(r.eslDecision), "esl_reason_code": .string(r.eslReasonCode),
                    "sensitivity_level": nullable(r.sensitivityLevel), "explain": r.explain.json,
                    "job_run_id": nullable(r.jobRunID)]
        case .leadFeedRow(let r):
            return ["workspace_id": .string(r.workspaceID.lowercased), "pack_id": .string(r.pack.lowercased),
                    "entity_id": .int(r.entityID), "composite_score": .int(Int64(r.compositeScore)),
                    "top_signal_ids": .array(r.topSignalIDs.map(JSONValue.string)), "esl_decision": nullable(r.eslDecision),
                    "sensitivity_level": nullable(r.sensitivityLevel), "recommendation_band": nullable(r.recommendationBand?.rawValue),
                    "last_seen": r.lastSeen.queryJSON, "outreach_status_summary": r.outreachStatusSummary?.json ?? .null,
                    "as_of": r.asOf.queryJSON, "job_run_id": nullable(r.jobRunID)]
        case .jobRunStarted(let r):
            return ["job_type": .string(r.jobType.rawValue), "workspace_id": nullable(r.workspaceID?.lowercased),
                    "pack_id": nullable(r.pack?.lowercased), "idempotency_key": nullable(r.idempotencyKey),
                    "parent_job_run_id": nullable(r.parentJobRunID), "as_of": r.asOf.map(\.queryJSON) ?? .null]
        case .jobRunFinished(let r):
            return ["job_run_id": jsonInteger(r.jobRunID), "status": .string(r.status.rawValue),
                    "companies_processed": nullable(r.companiesProcessed), "companies_esl_suppressed": nullable(r.companiesESLSuppressed),
                    "error_message": nullable(r.errorMessage), "result": r.result]
        case .outreachRecorded(let r):
            var o = OutreachJSON.json(r)
            o["forced"] = .bool(r.forced)
            return o
        case .stageQueued, .stageStarted, .stageJobAccepted, .stageCompleted, .stageFailed, .stageStuckReset, .stageRetried,
             .stageReleased:
            return QueueQueries.recordFields(record.stageQueueRecord!)
        }
    }
}
