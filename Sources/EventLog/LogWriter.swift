public import Foundation
package import LMDB
import Crypto

/// Appends records and maintains the log's indexes inside one write transaction. Obtained from
/// `EventLog.write`; valid only inside that closure.
public final class LogWriter {
    /// The log being appended to.
    public let log: EventLog
    /// The transaction everything commits in; views write through it too.
    package let transaction: WriteTransaction
    let projections: [any LogProjection]
    // Unchecked: the writer belongs to the one thread of its transaction, and these are read by
    // every append, where the run-time exclusivity checks were a measurable part of ingest's writer.
    /// The sequence number the next append will get.
    @exclusivity(unchecked) public internal(set) var nextSequence: UInt64
    @exclusivity(unchecked) private var isValid = true
    /// The buffer the last record was encoded in, reused by the next `append(type:…payload:)`.
    @exclusivity(unchecked) private var scratch: [UInt8] = []

    init(log: EventLog, transaction: WriteTransaction, projections: [any LogProjection]) throws {
        self.log = log
        self.transaction = transaction
        self.projections = projections
        self.nextSequence = try EventLog.head(of: log.records, in: transaction) + 1
    }

    func invalidate() { isValid = false }

    /// The sequence number of the last record appended so far (0 when the log is empty).
    public var head: UInt64 { nextSequence - 1 }

    /// Appends one record with the next sequence number and applies the projections to it.
    @discardableResult
    public func append(_ envelope: Envelope) throws -> UInt64 { try append(envelope, typed: nil) }

    /// Appends one record whose payload was encoded from `typed`, which the projections receive
    /// with the stored bytes (so they need not decode what was just encoded).
    @discardableResult
    public func append(_ envelope: Envelope, typed: (any Sendable)?) throws -> UInt64 {
        precondition(isValid, "LogWriter used outside of its write closure")
        let seq = nextSequence
        var key = seq.bigEndian
        if projections.isEmpty {
            let size = envelope.encodedSize
            try withUnsafeBytes(of: &key) { k in
                // MDB_APPEND: sequence keys only grow, so LMDB skips the search and fills pages fully.
                try transaction.put(log.records, key: k, reserving: size, options: .append) { out in
                    envelope.encode(sequence: seq, into: out)
                }
            }
        } else {
            // Encode once; the same bytes are stored and handed to the projections.
            let bytes = envelope.encoded(sequence: seq)
            try bytes.withUnsafeBytes { try storeAndProject($0, sequence: seq, typed: typed) }
        }
        nextSequence += 1
        return seq
    }

    /// Appends one record of `type` whose payload `encodePayload` writes: the envelope is built
    /// around it in one buffer the writer reuses for every record (the same bytes
    /// `Envelope.encoded(sequence:)` gives), so an append allocates no payload or envelope arrays.
    /// `typed` is handed to the projections as in `append(_:typed:)`.
    @discardableResult
    public func append(type: RecordType, appendedAt: Int64, workspace: UUID?, typed: (any Sendable)?,
                       payload encodePayload: (inout PayloadWriter) -> Void) throws -> UInt64 {
        precondition(isValid, "LogWriter used outside of its write closure")
        // The buffer moved out of `scratch` before it is reused: while `scratch` still referred to
        // it, emptying it allocated a new buffer per record (and freed the old one).
        var storage: [UInt8] = []
        swap(&storage, &scratch)
        var payload = PayloadWriter(reusing: consume storage, reserved: Envelope.headerSize)
        encodePayload(&payload)
        let seq = nextSequence
        let record = payload.withBytes { bytes -> [UInt8] in
            let payloadCount = bytes.count - Envelope.headerSize
            bytes.withUnsafeMutableBytes { out in
                Envelope.writeHeader(formatVersion: Envelope.currentFormatVersion, type: type, appendedAt: appendedAt,
                                     workspace: workspace, payloadCount: payloadCount, into: out)
            }
            let crc = bytes.withUnsafeBytes { Envelope.checksum(sequence: seq, body: $0) }
            withUnsafeBytes(of: crc.bigEndian) { bytes.append(contentsOf: $0) }
            return bytes
        }
        try record.withUnsafeBytes { try storeAndProject($0, sequence: seq, typed: typed) }
        scratch = record
        nextSequence += 1
        return seq
    }

    /// Stores a record's encoded bytes at `sequence` (MDB_APPEND: sequence keys only grow) and
    /// hands them to the projections, with `typed` when the caller has the record's value.
    private func storeAndProject(_ raw: UnsafeRawBufferPointer, sequence: UInt64, typed: (any Sendable)?) throws {
        try withUnsafeBytes(of: sequence.bigEndian) { k in
            try transaction.put(log.records, key: k, value: raw, options: .append)
        }
        if projections.isEmpty { return }
        let view = try RecordView(sequence: sequence, bytes: raw, knownTypes: nil, verifyChecksum: false)
        // Each projection called in place through the buffer: a `for` over the array copied the
        // existential per record (a retain and release of every reference the projector holds).
        try projections.withUnsafeBufferPointer { projections in
            if let typed {
                for index in projections.indices { try projections[index].apply(view, typed: typed, in: transaction) }
            } else {
                for index in projections.indices { try projections[index].apply(view, in: transaction) }
            }
        }
        _ = consume view
    }

    /// Appends a record built from its parts.
    @discardableResult
    public func append(type: RecordType, appendedAt: Int64, workspace: UUID?, payload: [UInt8]) throws -> UInt64 {
        try append(Envelope(type: type, appendedAt: appendedAt, workspace: workspace, payload: payload))
    }

    // MARK: - Dedup index

    /// The sequence number recorded for a natural key (such as `source` + `source_event_id`), if any.
    public func dedupSequence(for naturalKey: [UInt8]) throws -> UInt64? {
        try DedupIndex.lookup(naturalKey, in: log.dedup, transaction: transaction)
    }

    /// Records `naturalKey → sequence`; an existing entry is kept (first occurrence wins).
    /// Returns false when the key was already present.
    @discardableResult
    public func recordDedup(_ naturalKey: [UInt8], sequence: UInt64) throws -> Bool {
        try DedupIndex.insert(naturalKey, sequence: sequence, in: log.dedup, transaction: transaction)
    }

    /// Claims `naturalKey` for the record that will be appended at `sequence` (records appended
    /// before it in this transaction, such as the company record an event needs, already counted):
    /// records `naturalKey → sequence` and returns true when the key is new, returns false
    /// (changing nothing) when it is present. For a short key this is one B-tree descent instead of
    /// a lookup and then an insert.
    public func claimDedup(_ naturalKey: [UInt8], sequence: UInt64) throws -> Bool {
        // A hashed key is looked up first: a stored entry for another natural key is an error.
        if DedupIndex.isHashed(naturalKey), try dedupSequence(for: naturalKey) != nil { return false }
        return try recordDedup(naturalKey, sequence: sequence)
    }

    /// `claimDedup` of a key lent as bytes (ingest's keys prepared in a chunk's buffer): a short
    /// key is inserted from those bytes, no array made of it.
    public func claimDedup(_ naturalKey: UnsafeRawBufferPointer, sequence: UInt64) throws -> Bool {
        guard !DedupIndex.isHashed(naturalKey) else { return try claimDedup(Array(naturalKey), sequence: sequence) }
        return try DedupIndex.insertInline(naturalKey, sequence: sequence, in: log.dedup, transaction: transaction)
    }

    // MARK: - Idempotency ledger

    /// The result recorded for `(workspace, key)`, if a run with that key completed.
    public func idempotentResult(workspace: UUID, key: String) throws -> [UInt8]? {
        try transaction.value(log.idempotency, key: IdempotencyLedger.key(workspace: workspace, key: key))
    }

    /// Records the result of a completed run under `(workspace, key)`.
    public func recordIdempotentResult(workspace: UUID, key: String, result: [UInt8]) throws {
        try transaction.put(log.idempotency, key: IdempotencyLedger.key(workspace: workspace, key: key), value: result)
    }

    // MARK: - Metadata

    /// Stores a metadata value of the store.
    public func setMetadata(_ key: String, _ value: [UInt8]) throws {
        try transaction.put(log.meta, key: Array(key.utf8), value: value)
    }
}

extension EventLog {
    /// The result recorded for `(workspace, key)`, read in its own short transaction.
    public func idempotentResult(workspace: UUID, key: String) throws -> [UInt8]? {
        try read { try $0.value(idempotency, key: IdempotencyLedger.key(workspace: workspace, key: key)) }
    }

    /// The sequence recorded for a natural key, read in its own short transaction.
    public func dedupSequence(for naturalKey: [UInt8]) throws -> UInt64? {
        try read { try DedupIndex.lookup(naturalKey, in: dedup, transaction: $0) }
    }
}

/// Natural keys up to `inlineLimit` bytes are stored as they are; longer ones (LMDB keys stop at
/// 511 bytes) are replaced by `0xFF` + SHA-256, with the full key kept in the value and compared on
/// every hit. Short keys keep pages dense, which is what makes the random inserts affordable.
enum DedupIndex {
    static let inlineLimit = 128

    /// Whether `naturalKey` is stored under its SHA-256 (long, or starting with the marker byte).
    static func isHashed(_ naturalKey: some Collection<UInt8>) -> Bool {
        naturalKey.count > inlineLimit || naturalKey.first == 0xFF
    }

    static func indexKey(_ naturalKey: [UInt8]) -> (key: [UInt8], hashed: Bool) {
        if !isHashed(naturalKey) { return (naturalKey, false) }
        return ([0xFF] + Array(SHA256.hash(data: naturalKey)), true)
    }

    static func lookup(_ naturalKey: [UInt8], in db: Database, transaction: Transaction) throws -> UInt64? {
        let (key, hashed) = indexKey(naturalKey)
        let sequence = try transaction.withValue(db, key: key) { value -> UInt64? in
            guard value.count >= 8 else { return nil }
            if hashed && !UnsafeRawBufferPointer(rebasing: value[8...]).elementsEqual(naturalKey) {
                throw LogError.dedupKeyMismatch
            }
            return UInt64(bigEndian: value.loadUnaligned(as: UInt64.self))
        }
        return sequence ?? nil
    }

    /// Records `naturalKey → sequence` unless `naturalKey` is present; returns whether it was new.
    static func insert(_ naturalKey: [UInt8], sequence: UInt64, in db: Database, transaction: WriteTransaction) throws -> Bool {
        let (key, hashed) = indexKey(naturalKey)
        guard hashed else { return try key.withUnsafeBytes { try insertInline($0, sequence: sequence, in: db, transaction: transaction) } }
        let value = withUnsafeBytes(of: sequence.bigEndian) { Array($0) } + naturalKey
        return try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { try transaction.insert(db, key: k, value: $0) }
        }
    }

    /// `insert` of a key stored as it is (`!isHashed`): its 8-byte value from the stack, no array
    /// per insert (the common short key, and ingest's keys lent from a chunk's buffer).
    static func insertInline(_ naturalKey: UnsafeRawBufferPointer, sequence: UInt64, in db: Database,
                             transaction: WriteTransaction) throws -> Bool {
        try withUnsafeBytes(of: sequence.bigEndian) { try transaction.insert(db, key: naturalKey, value: $0) }
    }
}

/// Keys of the idempotency ledger: the workspace's 16 bytes then the key's UTF-8 (hashed when
/// the whole would exceed LMDB's key limit).
enum IdempotencyLedger {
    static func key(workspace: UUID, key: String) -> [UInt8] {
        var bytes = withUnsafeBytes(of: workspace.uuid) { Array($0) }
        let text = Array(key.utf8)
        if text.count <= 400 { bytes += text } else { bytes += [0xFF] + Array(SHA256.hash(data: text)) }
        return bytes
    }
}
