import Foundation
import LMDB
import SiglogCore
import SiglogRecords

/// The writes of a `signal_instance_derived` record when its instance key is new — the key, the
/// first version of the row, the timeline entry and the fingerprint hash of each — built on
/// replay's reader thread, where nothing depends on the views: the writer thread only does the puts.
/// The same definitions as the one-by-one path (`ViewProjector.instanceKey`, `firstInstanceRow`,
/// `instanceTimelineValue`), so the bytes are the same.
struct PreparedInstance: Sendable {
    /// The instances view's key.
    let key: [UInt8]
    /// `HeldInstanceRows.hash(key)`.
    let keyHash: Int
    /// The row as first inserted.
    let row: [UInt8]
    /// `Fingerprint.entryHash(key, row)`.
    let rowHash: UInt128
    /// The timeline key `(company, sequence)`, 16 bytes.
    let timelineKey: [UInt8]
    /// The timeline entry of the new row.
    let timelineValue: [UInt8]
    /// `Fingerprint.entryHash(timelineKey, timelineValue)`.
    let timelineHash: UInt128

    init(_ r: SignalInstanceDerived, sequence: UInt64, at: Timestamp) {
        key = ViewProjector.instanceKey(r).bytes
        keyHash = key.withUnsafeBytes { HeldInstanceRows.hash($0) }
        let first = ViewProjector.firstInstanceRow(r, at: at)
        row = first.encoded()
        rowHash = PreparedInstance.hash(key, row)
        timelineKey = ViewProjector.timelineKey(r.entityID, sequence).bytes
        timelineValue = ViewProjector.instanceTimelineValue(r, first, at: at)
        timelineHash = PreparedInstance.hash(timelineKey, timelineValue)
    }

    private static func hash(_ key: [UInt8], _ value: [UInt8]) -> UInt128 {
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in Fingerprint.entryHash(key: k, value: v) } }
    }
}
