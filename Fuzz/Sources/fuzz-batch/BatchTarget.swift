import EventLog
import FuzzSupport

/// A record batch as a replica receives it from the network (`RecordBatch(decoding:)`, what
/// `siglog-replicate follow` unpacks from every message). The bytes are a batch or a
/// `RecordBatchError` whose offset lies inside them; an accepted batch holds consecutive records
/// from its first sequence, each no shorter than an envelope, that lie exactly in the input, and
/// grouped again by `RecordBatchBuilder` they read back as the same records.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBatch(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        let bytes = Array(input)
        let batch: RecordBatch
        do throws(RecordBatchError) {
            batch = try RecordBatch(decoding: bytes)
        } catch {
            invariant(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes")
            invariant(!error.reason.isEmpty, "an error without a reason")
            return
        }
        invariant(batch.count >= 1 && batch.first >= 1, "an accepted batch without records")
        invariant(batch.bytes == bytes, "the batch does not keep its bytes")
        var records: [(UInt64, [UInt8])] = []
        var total = RecordBatch.headerSize
        for index in 0..<batch.count {
            batch.withRecord(at: index) { sequence, stored in
                invariant(sequence == batch.first + UInt64(index), "record \(index) has sequence \(sequence)")
                records.append((sequence, Array(stored)))
                total += 4 + stored.count
            }
        }
        invariant(total == bytes.count, "the records cover \(total) of \(bytes.count) bytes")
        // Grouped again (any limits): the batches hold the same records in the same order.
        var builder = RecordBatchBuilder(limits: RecordBatchLimits(maxRecords: Int(bytes[0] % 7) + 1, maxBytes: Int(bytes[1]) * 64))
        var regrouped: [(UInt64, [UInt8])] = []
        func read(_ encoded: (first: UInt64, last: UInt64, bytes: [UInt8])) {
            guard let again = try? RecordBatch(decoding: encoded.bytes) else {
                invariant(false, "a built batch does not decode")
                return
            }
            invariant(again.sequences == encoded.first...encoded.last, "a built batch names other sequences")
            for index in 0..<again.count { again.withRecord(at: index) { regrouped.append(($0, Array($1))) } }
        }
        for (sequence, stored) in records {
            if let finished = stored.withUnsafeBytes({ builder.append(sequence: sequence, stored: $0) }) { read(finished) }
        }
        if let finished = builder.finish() { read(finished) }
        invariant(regrouped.count == records.count && zip(regrouped, records).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 },
                  "regrouping changed the records")
    }
}
