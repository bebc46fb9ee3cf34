import EventLog
import Foundation
import LMDB
import SiglogCore
import SiglogRecords

/// The writes of a readiness snapshot, engagement snapshot or lead-feed row that depend on the
/// record alone — its view key, its stamped row, its timeline key and entry, and the fingerprint
/// hash of each — built on replay's decoder threads, so the writer thread (which paces the second
/// fold while it re-encodes these records) only puts bytes. Each part is made by the same function
/// the writer called before (`Stamped(record:sequence:recordedAt:).encoded()`, the view's key, the
/// `…Detail` of the record and `TimelineEntry.encoded`), on another thread: the bytes are the same.
/// Never the log's payload as the row: encoding a decoded record is not proven to give it back for
/// every older log.
struct PreparedStamped: Sendable {
    /// The key of the record's row in its view (readiness, engagement or lead_feed).
    let key: [UInt8]
    /// `Stamped(record:sequence:recordedAt:).encoded()`.
    let row: [UInt8]
    /// The timeline key `(company, sequence)`.
    let timelineKey: [UInt8]
    /// The timeline entry the record writes (for a lead-feed row: when its band changed).
    let timelineValue: [UInt8]
    /// `Fingerprint.entryHash(key, row)`.
    let rowHash: UInt128
    /// `Fingerprint.entryHash(timelineKey, timelineValue)`.
    let timelineHash: UInt128

    /// The prepared writes of `record` at `sequence`, appended `at`; nil for records the writer
    /// projects itself.
    init?(_ record: AnyRecord, sequence: UInt64, at: Timestamp) {
        switch record {
        case .readinessSnapshot(let r):
            self.init(key: ViewProjector.readinessKey(r), row: Stamped(record: r, sequence: sequence, recordedAt: at).encoded(),
                      company: r.companyID, sequence: sequence,
                      timelineValue: TimelineEntry.encoded(at: at, kind: "readiness_snapshot",
                                                           detail: ViewProjector.readinessDetail(r), jobRunID: r.jobRunID))
        case .engagementSnapshot(let r):
            self.init(key: ViewProjector.engagementKey(r), row: Stamped(record: r, sequence: sequence, recordedAt: at).encoded(),
                      company: r.companyID, sequence: sequence,
                      timelineValue: TimelineEntry.encoded(at: at, kind: "engagement_snapshot",
                                                           detail: ViewProjector.engagementDetail(r), jobRunID: r.jobRunID))
        case .leadFeedRow(let r):
            self.init(key: ViewProjector.leadFeedKey(r), row: Stamped(record: r, sequence: sequence, recordedAt: at).encoded(),
                      company: r.entityID, sequence: sequence,
                      timelineValue: TimelineEntry.encoded(at: at, kind: "lead_feed_band",
                                                           detail: ViewProjector.bandDetail(r), jobRunID: r.jobRunID))
        default:
            return nil
        }
    }

    private init(key: ViewKey, row: [UInt8], company: Int64, sequence: UInt64, timelineValue: [UInt8]) {
        self.key = key.bytes
        self.row = row
        self.timelineKey = ViewProjector.timelineKey(company, sequence).bytes
        self.timelineValue = timelineValue
        rowHash = self.key.withUnsafeBytes { k in row.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } }
        timelineHash = timelineKey.withUnsafeBytes { k in timelineValue.withUnsafeBytes { Fingerprint.entryHash(key: k, value: $0) } }
    }
}
