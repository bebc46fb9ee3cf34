import EventLog
import FuzzSupport
import SiglogRecords

/// The payload decoders of every record type. The first byte picks the type; the rest is the
/// payload. It decodes or throws a `LogError`; a decoded record encodes to a payload that decodes
/// again and re-encodes to the same bytes (compared as bytes, since a decoded double may be NaN).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecords(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let first = input.first else { return }
        let type = recordTypes[Int(first) % recordTypes.count]
        guard let record = decode(type, Array(input.dropFirst())) else { return }
        let payload = record.record.payload()
        guard let again = decode(type, payload) else {
            return invariant(false, "\(type.name): its own encoding does not decode")
        }
        invariant(again.record.payload() == payload, "\(type.name): decode → encode is not stable")
    }
}

private let recordTypes = RecordType.siglogTypes.sorted()

/// The record in `payload` read as a stored record of `type`; nil when decoding threw a `LogError`.
private func decode(_ type: RecordType, _ payload: [UInt8]) -> AnyRecord? {
    let stored = Envelope(type: type, appendedAt: 0, workspace: nil, payload: payload).encoded(sequence: 1)
    return stored.withUnsafeBytes { bytes in
        do {
            return try AnyRecord(RecordView(sequence: 1, bytes: bytes, knownTypes: RecordType.siglogTypes))
        } catch {
            invariant(error is LogError, "\(type.name): threw \(Swift.type(of: error)), not a LogError")
            return nil
        }
    }
}
