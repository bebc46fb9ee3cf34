import EventLog
import FuzzSupport
import Queries
import SiglogCore
import SiglogRecords

/// The log envelope as read back from storage: `RecordView` on arbitrary bytes under a sequence
/// number taken from the input. Half the inputs get a correct checksum trailer, so the fuzzer gets
/// past it. A record either reads (and then re-encodes to exactly its stored bytes, and its payload
/// decodes or is a `LogError`, and it exports as JSON) or is refused with a `LogError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let first = input.first else { return }
        let sequence = UInt64(first >> 1)
        var stored = Array(input.dropFirst())
        if first & 1 == 1 { seal(&stored, sequence: sequence) }
        stored.withUnsafeBytes { bytes in
            do throws(LogError) {
                checkReadable(try RecordView(sequence: sequence, bytes: bytes, knownTypes: RecordType.siglogTypes), stored)
            } catch {
                invariant(error.sequence == sequence, "error names record \(String(describing: error.sequence))")
            }
        }
    }
}

/// What must hold for a record that passed the envelope checks.
private func checkReadable(_ view: borrowing RecordView, _ stored: [UInt8]) {
    invariant(view.envelope.encoded(sequence: view.sequence) == stored, "re-encoding changed the stored bytes")
    // `siglog-query export`, the way to read out a damaged log, renders every readable record.
    do {
        let line = JSONWriter().string(.object(try LogQueries.exportJSON(view)))
        invariant((try? JSONParser.parse(line)) != nil, "export wrote invalid JSON: \(line)")
    } catch {
        invariant(error is LogError, "payload decoding threw \(type(of: error)), not a LogError")
    }
}

/// Overwrites the last 4 bytes with the checksum the log stores there (CRC-32C of the big-endian
/// sequence number, then the rest of the record; see `Envelope`).
private func seal(_ stored: inout [UInt8], sequence: UInt64) {
    guard stored.count >= 4 else { return }
    let bodyEnd = stored.count - 4
    var sequenceBytes = sequence.bigEndian
    let seeded = withUnsafeBytes(of: &sequenceBytes) { CRC32C.update(0, $0) }
    let crc = stored.withUnsafeBytes { CRC32C.update(seeded, UnsafeRawBufferPointer(rebasing: $0[0..<bodyEnd])) }
    withUnsafeBytes(of: crc.bigEndian) { stored.replaceSubrange(bodyEnd..., with: $0) }
}
