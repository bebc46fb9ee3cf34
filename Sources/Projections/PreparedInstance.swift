import EventLog
import Foundation
import LMDB
import SiglogCore
import SiglogRecords

/// The writes of a `signal_instance_derived` record when its instance key is new — the key, the
/// first version of the row, the timeline entry and the fingerprint hash of each — built on
/// replay's reader thread, where nothing depends on the views: the writer thread only does the puts.
/// The same definitions as the one-by-one path (`ViewProjector.instanceKey`, `firstInstanceRow`,
/// `timelineKey`, `instanceTimelineValue`), so the bytes are the same.
struct PreparedInstance: Sendable {
    /// The instances view's key, the row as first inserted, the timeline key `(company, sequence)`
    /// and the timeline entry of the new row, one after the other: one allocation (and one free)
    /// for the four.
    private let bytes: [UInt8]
    private let rowStart: Int
    private let timelineKeyStart: Int
    private let timelineValueStart: Int
    /// `HeldInstanceRows.hash(key)`.
    let keyHash: Int
    /// `Fingerprint.entryHash(key, row)`.
    let rowHash: UInt128
    /// `Fingerprint.entryHash(timelineKey, timelineValue)`.
    let timelineHash: UInt128

    init(_ r: SignalInstanceDerived, sequence: UInt64, at: Timestamp) {
        let first = ViewProjector.firstInstanceRow(r, at: at)
        let detail = ViewProjector.instanceDetail(r, first)
        // The key's buffer holds the other three after it (each size an upper bound, from its writer).
        let capacity = ViewProjector.instanceKeyCapacity(r) + first.encodedCapacity + 16
            + TimelineEntry.encodedCapacity(kind: "instance_derived", detail: detail)
        var bytes = ViewProjector.instanceKey(r, capacity: capacity).bytes
        rowStart = bytes.count
        PayloadWriter.appending(to: &bytes) { first.encode(into: &$0) }
        timelineKeyStart = bytes.count
        bytes.append(contentsOf: ViewProjector.timelineKey(r.entityID, sequence).bytes)
        timelineValueStart = bytes.count
        PayloadWriter.appending(to: &bytes) {
            TimelineEntry.encode(into: &$0, at: at, kind: "instance_derived", detail: detail, jobRunID: r.jobRunID)
        }
        self.bytes = bytes
        var keyHash = 0, rowHash: UInt128 = 0, timelineHash: UInt128 = 0
        PreparedInstance.parts(of: bytes, rowStart, timelineKeyStart, timelineValueStart) { key, row, timelineKey, timelineValue in
            keyHash = HeldInstanceRows.hash(key)
            rowHash = Fingerprint.entryHash(key: key, value: row)
            timelineHash = Fingerprint.entryHash(key: timelineKey, value: timelineValue)
        }
        self.keyHash = keyHash
        self.rowHash = rowHash
        self.timelineHash = timelineHash
    }

    /// Lends the key, the row, the timeline key and the timeline value to `body`.
    func withParts<R>(
        _ body: (_ key: UnsafeRawBufferPointer, _ row: UnsafeRawBufferPointer, _ timelineKey: UnsafeRawBufferPointer,
                 _ timelineValue: UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try PreparedInstance.parts(of: bytes, rowStart, timelineKeyStart, timelineValueStart, body)
    }

    private static func parts<R>(
        of bytes: [UInt8], _ rowStart: Int, _ timelineKeyStart: Int, _ timelineValueStart: Int,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[..<rowStart]),
                     UnsafeRawBufferPointer(rebasing: all[rowStart..<timelineKeyStart]),
                     UnsafeRawBufferPointer(rebasing: all[timelineKeyStart..<timelineValueStart]),
                     UnsafeRawBufferPointer(rebasing: all[timelineValueStart...]))
        }
    }
}
