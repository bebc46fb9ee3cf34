import EventLog
import LMDB
import SiglogCore
import SiglogRecords

/// The writes of a `company_created` record in a rebuild — the companies row, each company index
/// entry and the timeline entry, with the fingerprint hash of each — built on replay's reader
/// thread, where nothing depends on the views: the writer thread only does the puts. The log starts
/// with its companies (a store's first ingest creates them all before its events), and the writer
/// applied them alone while the readers waited. The same definitions as the one-by-one path
/// (`ViewProjector.firstCompanyRow`, `forEachCompanyIndexKey`, `companyCreatedDetail`,
/// `timelineKey`), so the bytes are the same.
///
/// A class: the item that carries it stays as small as the other items (one reference).
final class PreparedCompany: Sendable {
    /// The record (the one-by-one path applies it when the prepared writes do not fit the views).
    let record: CompanyCreated
    /// The company key (also every index entry's value), the row, the timeline key, the timeline
    /// value, then each index key, one after the other: one allocation for all of them.
    private let bytes: [UInt8]
    private let rowStart: Int
    private let timelineKeyStart: Int
    private let timelineValueStart: Int
    private let indexStart: Int
    /// The company indexes' entries in the order they are put: each key's view, where its key
    /// ends in `bytes` (it starts where the one before ended) and `Fingerprint.entryHash(key, id)`.
    let indexKeys: [IndexKey]
    /// `Fingerprint.entryHash(key, row)`.
    let rowHash: UInt128
    /// `Fingerprint.entryHash(timelineKey, timelineValue)`.
    let timelineHash: UInt128

    struct IndexKey: Sendable {
        var view: View
        var end: Int
        var hash: UInt128
    }

    init(_ r: CompanyCreated, sequence: UInt64, at: Timestamp) {
        var bytes = ViewKey().appending(r.companyID).bytes
        let rowStart = bytes.count
        bytes.append(contentsOf: ViewProjector.firstCompanyRow(r, at: at).encoded())
        let timelineKeyStart = bytes.count
        bytes.append(contentsOf: ViewProjector.timelineKey(r.companyID, sequence).bytes)
        let timelineValueStart = bytes.count
        bytes.append(contentsOf: TimelineEntry.encoded(at: at, kind: "company_created", detail: ViewProjector.companyCreatedDetail(r),
                                                       jobRunID: r.jobRunID))
        let indexStart = bytes.count
        // Each index key's view and where it ends; the hashes once `bytes` is complete.
        var ends: [(view: View, end: Int)] = []
        ViewProjector.forEachCompanyIndexKey(r) { view, text, second in
            bytes.append(contentsOf: ViewProjector.companyIndexKey(text, second).bytes)
            ends.append((view, bytes.count))
        }
        var indexKeys: [IndexKey] = []
        indexKeys.reserveCapacity(ends.count)
        var rowHash: UInt128 = 0, timelineHash: UInt128 = 0
        bytes.withUnsafeBytes { all in
            let id = UnsafeRawBufferPointer(rebasing: all[..<rowStart])
            rowHash = Fingerprint.entryHash(key: id, value: UnsafeRawBufferPointer(rebasing: all[rowStart..<timelineKeyStart]))
            timelineHash = Fingerprint.entryHash(key: UnsafeRawBufferPointer(rebasing: all[timelineKeyStart..<timelineValueStart]),
                                                 value: UnsafeRawBufferPointer(rebasing: all[timelineValueStart..<indexStart]))
            var start = indexStart
            for (view, end) in ends {
                let key = UnsafeRawBufferPointer(rebasing: all[start..<end])
                indexKeys.append(IndexKey(view: view, end: end, hash: Fingerprint.entryHash(key: key, value: id)))
                start = end
            }
        }
        self.record = r
        self.bytes = bytes
        self.rowStart = rowStart
        self.timelineKeyStart = timelineKeyStart
        self.timelineValueStart = timelineValueStart
        self.indexStart = indexStart
        self.indexKeys = indexKeys
        self.rowHash = rowHash
        self.timelineHash = timelineHash
    }

    /// Lends the company key (the index entries' value too), the row, the timeline key and the
    /// timeline value to `body`.
    func withParts<R>(
        _ body: (_ id: UnsafeRawBufferPointer, _ row: UnsafeRawBufferPointer, _ timelineKey: UnsafeRawBufferPointer,
                 _ timelineValue: UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[..<rowStart]),
                     UnsafeRawBufferPointer(rebasing: all[rowStart..<timelineKeyStart]),
                     UnsafeRawBufferPointer(rebasing: all[timelineKeyStart..<timelineValueStart]),
                     UnsafeRawBufferPointer(rebasing: all[timelineValueStart..<indexStart]))
        }
    }

    /// Calls `body` with each index entry's view, key and hash, in the order they are put.
    func forEachIndexKey(_ body: (_ view: View, _ key: UnsafeRawBufferPointer, _ hash: UInt128) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = indexStart
            for key in indexKeys {
                try body(key.view, UnsafeRawBufferPointer(rebasing: all[start..<key.end]), key.hash)
                start = key.end
            }
        }
    }
}
