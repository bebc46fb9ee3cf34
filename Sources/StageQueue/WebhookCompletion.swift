import Crypto
import Foundation
public import SiglogCore

/// The signature rule of the completion webhook: `X-Signature: sha256=<hex>` where `<hex>` is the
/// HMAC-SHA256 of the raw request body under `WEBHOOK_SECRET`.
public enum WebhookSignature {
    /// The header that carries the signature.
    public static let header = "X-Signature"

    /// Whether `header` is a valid signature of `body` under `secret`. No secret (nil or empty),
    /// no header, a header without the `sha256=` prefix or with anything but 64 hex digits is
    /// refused. The MAC comparison is constant-time (swift-crypto's `isValidAuthenticationCode`).
    public static func isValid(body: [UInt8], header: String?, secret: String?) -> Bool {
        guard let secret, !secret.isEmpty, let header else { return false }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("sha256=") else { return false }
        guard let mac = hexBytes(trimmed.dropFirst("sha256=".count)), mac.count == SHA256.byteCount else { return false }
        let key = SymmetricKey(data: Array(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    /// `sha256=<hex>` for `body` under `secret` (what a service sends; tests and tools sign with it).
    public static func sign(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A completion reported by the service that accepted a job:
/// `{stage, company_id, workspace_id, job_id, status, result | error}`, `status` being `completed`
/// or `failed` (`retriable: true` makes a failure retriable; it is hard otherwise).
public struct WebhookCompletion: Sendable, Hashable {
    /// Which company's stage.
    public var subject: StageSubject
    /// The job the service completed.
    public var jobID: String
    /// The completion as a handler outcome (`completed(result)` or `failed(kind, error)`).
    public var outcome: HandlerOutcome

    /// A completion.
    public init(subject: StageSubject, jobID: String, outcome: HandlerOutcome) {
        self.subject = subject
        self.jobID = jobID
        self.outcome = outcome
    }

    /// Parses a (verified) body; the error names the field.
    public static func parse(_ body: [UInt8]) throws(InvalidValue) -> WebhookCompletion {
        let document: JSONValue
        do { document = try JSONParser.parse(body) } catch { throw InvalidValue("body is not JSON: \(error)") }
        guard let object = document.objectValue else { throw InvalidValue("body must be a JSON object") }
        guard let stage = object["stage"]?.stringValue, !stage.isEmpty else { throw InvalidValue("stage: required string") }
        let company: Int64
        switch object["company_id"] {
        case .int(let id): company = id
        case .string(let text) where Int64(text) != nil: company = Int64(text)!
        default: throw InvalidValue("company_id: required integer")
        }
        guard let workspaceText = object["workspace_id"]?.stringValue else { throw InvalidValue("workspace_id: required UUID") }
        guard let workspace = try RequestIDs.workspaceID(workspaceText) else { throw InvalidValue("workspace_id: required UUID") }
        let jobID: String
        switch object["job_id"] {
        case .string(let text) where !text.isEmpty: jobID = text
        case .int(let number): jobID = String(number)
        default: throw InvalidValue("job_id: required string")
        }
        let outcome: HandlerOutcome
        switch object["status"]?.stringValue?.lowercased() {
        case "completed":
            outcome = .completed(object["result"] ?? .object([:]))
        case "failed":
            let message = object["error"]?.stringValue ?? "the service reported the job failed"
            outcome = .failed(object["retriable"]?.boolValue == true ? .retriable : .hard, message)
        default:
            throw InvalidValue("status: must be completed or failed")
        }
        return WebhookCompletion(subject: StageSubject(workspace: workspace, company: company, stage: stage), jobID: jobID,
                                 outcome: outcome)
    }
}
