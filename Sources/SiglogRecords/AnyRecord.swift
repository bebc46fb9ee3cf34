public import EventLog

/// Any record of the log, decoded by its type.
public enum AnyRecord: Sendable, Hashable {
    case packInstalled(PackInstalled)
    case workspaceCreated(WorkspaceCreated)
    case workspacePackSet(WorkspacePackSet)
    case companyCreated(CompanyCreated)
    case companyUpdated(CompanyUpdated)
    case eventStored(EventStored)
    case signalInstanceDerived(SignalInstanceDerived)
    case readinessSnapshot(ReadinessSnapshotRecorded)
    case engagementSnapshot(EngagementSnapshotRecorded)
    case leadFeedRow(LeadFeedRowRecorded)
    case jobRunStarted(JobRunStarted)
    case jobRunFinished(JobRunFinished)
    case outreachRecorded(OutreachRecorded)
    case stageQueued(StageQueued)
    case stageStarted(StageStarted)
    case stageJobAccepted(StageJobAccepted)
    case stageCompleted(StageCompleted)
    case stageFailed(StageFailed)
    case stageStuckReset(StageStuckReset)
    case stageRetried(StageRetried)
    case stageReleased(StageReleased)
    case watchlistAdded(WatchlistAdded)
    case watchlistRemoved(WatchlistRemoved)
    case evidenceBundleStored(EvidenceBundleStored)
    case alertCreated(AlertCreated)

    /// Decodes a stored record; an undecodable payload is reported with its sequence number.
    public init(_ view: borrowing RecordView) throws {
        switch view.type {
        case .packInstalled: self = .packInstalled(try .decode(view))
        case .workspaceCreated: self = .workspaceCreated(try .decode(view))
        case .workspacePackSet: self = .workspacePackSet(try .decode(view))
        case .companyCreated: self = .companyCreated(try .decode(view))
        case .companyUpdated: self = .companyUpdated(try .decode(view))
        case .eventStored: self = .eventStored(try .decode(view))
        case .signalInstanceDerived: self = .signalInstanceDerived(try .decode(view))
        case .readinessSnapshot: self = .readinessSnapshot(try .decode(view))
        case .engagementSnapshot: self = .engagementSnapshot(try .decode(view))
        case .leadFeedRow: self = .leadFeedRow(try .decode(view))
        case .jobRunStarted: self = .jobRunStarted(try .decode(view))
        case .jobRunFinished: self = .jobRunFinished(try .decode(view))
        case .outreachRecorded: self = .outreachRecorded(try .decode(view))
        case .stageQueued: self = .stageQueued(try .decode(view))
        case .stageStarted: self = .stageStarted(try .decode(view))
        case .stageJobAccepted: self = .stageJobAccepted(try .decode(view))
        case .stageCompleted: self = .stageCompleted(try .decode(view))
        case .stageFailed: self = .stageFailed(try .decode(view))
        case .stageStuckReset: self = .stageStuckReset(try .decode(view))
        case .stageRetried: self = .stageRetried(try .decode(view))
        case .stageReleased: self = .stageReleased(try .decode(view))
        case .watchlistAdded: self = .watchlistAdded(try .decode(view))
        case .watchlistRemoved: self = .watchlistRemoved(try .decode(view))
        case .evidenceBundleStored: self = .evidenceBundleStored(try .decode(view))
        case .alertCreated: self = .alertCreated(try .decode(view))
        default: throw LogError.unknownRecordType(sequence: view.sequence, type: view.type.rawValue)
        }
    }

    /// The record `view` holds, taken from `typed` (the value its payload was just encoded from)
    /// for the types written per company by `derive` and `score` and for the companies ingest
    /// creates, where decoding it back was a measurable part of the append; decoded from the view
    /// for the other types, or when `typed` is of another type. For these types every field a projection reads (integers, days, UUIDs,
    /// bit-exact doubles, strings and lists of them) decodes back to exactly the typed value, so the
    /// projection is the same as replay's, which decodes (`TypedProjectionTests` checks it).
    public init(_ view: borrowing RecordView, typed: any Sendable) throws {
        switch view.type {
        case .readinessSnapshot:
            if let r = typed as? ReadinessSnapshotRecorded { self = .readinessSnapshot(r); return }
        case .engagementSnapshot:
            if let r = typed as? EngagementSnapshotRecorded { self = .engagementSnapshot(r); return }
        case .leadFeedRow:
            if let r = typed as? LeadFeedRowRecorded { self = .leadFeedRow(r); return }
        case .signalInstanceDerived:
            if let r = typed as? SignalInstanceDerived { self = .signalInstanceDerived(r); return }
        case .companyCreated:
            if let r = typed as? CompanyCreated { self = .companyCreated(r); return }
        default:
            break
        }
        try self.init(view)
    }

    /// The record, type-erased, for encoding.
    public var record: any SiglogRecord {
        switch self {
        case .packInstalled(let r): r
        case .workspaceCreated(let r): r
        case .workspacePackSet(let r): r
        case .companyCreated(let r): r
        case .companyUpdated(let r): r
        case .eventStored(let r): r
        case .signalInstanceDerived(let r): r
        case .readinessSnapshot(let r): r
        case .engagementSnapshot(let r): r
        case .leadFeedRow(let r): r
        case .jobRunStarted(let r): r
        case .jobRunFinished(let r): r
        case .outreachRecorded(let r): r
        case .stageQueued(let r): r
        case .stageStarted(let r): r
        case .stageJobAccepted(let r): r
        case .stageCompleted(let r): r
        case .stageFailed(let r): r
        case .stageStuckReset(let r): r
        case .stageRetried(let r): r
        case .stageReleased(let r): r
        case .watchlistAdded(let r): r
        case .watchlistRemoved(let r): r
        case .evidenceBundleStored(let r): r
        case .alertCreated(let r): r
        }
    }

    /// The record as a stage-queue record (its subject and transition), nil for other records.
    public var stageQueueRecord: (any StageQueueRecord)? { record as? any StageQueueRecord }
}
