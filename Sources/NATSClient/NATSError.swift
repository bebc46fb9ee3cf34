import CNATS

/// A failure reported by the NATS client library or by a JetStream server.
public struct NATSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The library's status code (`natsStatus`).
    public var status: Int32
    /// The JetStream API error code (`jsErrCode`), 0 when the server gave none.
    public var jetStreamCode: Int32
    /// The library call that failed.
    public var operation: String
    /// What the library (or the server) said.
    public var text: String

    /// Whether the call gave up waiting (no answer in time, or no message to fetch).
    public var isTimeout: Bool { status == Int32(NATS_TIMEOUT.rawValue) }

    /// Whether the thing asked for (stream, consumer, message) does not exist.
    public var isNotFound: Bool {
        status == Int32(NATS_NOT_FOUND.rawValue)
            || [JSStreamNotFoundErr, JSConsumerNotFoundErr, JSNoMessageFoundErr].contains { jetStreamCode == Int32($0.rawValue) }
    }

    public var description: String {
        jetStreamCode != 0 ? "\(operation): \(text) (JetStream error \(jetStreamCode))" : "\(operation): \(text)"
    }

    init(status: natsStatus, jetStreamCode: jsErrCode = jsErrCode(rawValue: 0), operation: String) {
        self.status = Int32(status.rawValue)
        self.jetStreamCode = Int32(jetStreamCode.rawValue)
        self.operation = operation
        var lastStatus = NATS_OK
        let last = nats_GetLastError(&lastStatus).map { String(cString: $0) } ?? ""
        let statusText = natsStatus_GetText(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        text = last.isEmpty ? statusText : last
    }
}

/// Throws `NATSError` unless `status` is `NATS_OK`.
func check(_ status: natsStatus, _ operation: String, _ jetStreamCode: jsErrCode = jsErrCode(rawValue: 0)) throws(NATSError) {
    guard status == NATS_OK else { throw NATSError(status: status, jetStreamCode: jetStreamCode, operation: operation) }
}
