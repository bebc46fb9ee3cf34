public import Foundation
public import Pipeline
import Projections
import ReadModel
public import SiglogCore
public import StageQueue

/// How a webhook request was answered; the HTTP service maps it to a status.
public enum WebhookAnswer: Sendable, Hashable {
    /// The signature did not verify (or no secret is configured): nothing changed. → 401.
    case unauthorized(String)
    /// The body is signed but malformed, names a stage the chain does not have, or there is no
    /// chain. → 422 (the service's status for a value that does not parse).
    case invalid(String)
    /// The completion was recorded (`changed`), or it named a job that is not the current one
    /// and changed nothing (a duplicate or stale completion). → 200.
    case accepted(changed: Bool)

    /// The HTTP status the service answers.
    public var httpStatus: Int {
        switch self {
        case .unauthorized: 401
        case .invalid: 422
        case .accepted: 200
        }
    }

    /// The response body: `{"detail": …}` for refusals, `{"status": "ok", "changed": …}` otherwise.
    public var json: JSONObject {
        switch self {
        case .unauthorized(let reason), .invalid(let reason): ["detail": .string(reason)]
        case .accepted(let changed): ["status": "ok", "changed": .bool(changed)]
        }
    }
}

/// The completion webhook (`POST /hooks/job-complete` on the HTTP service), as a function: the
/// route passes the raw body, the `X-Signature` header and `WEBHOOK_SECRET`.
public enum StageWebhook {
    /// Verifies the signature first — a missing or wrong signature, or no secret configured,
    /// changes nothing — then records the completion under its job id: a job id that is not the
    /// current one of `(workspace, company, stage)` changes nothing (idempotent, replay-safe).
    /// Without a chain (`nil`) a verified completion is refused as invalid.
    public static func handle(body: [UInt8], signature: String?, secret: String?, runner: StageRunner, chain: StageChain?) throws
        -> WebhookAnswer
    {
        if let refusal = verify(body: body, signature: signature, secret: secret) { return refusal }
        let completion: WebhookCompletion
        do { completion = try WebhookCompletion.parse(body) } catch { return .invalid(error.message) }
        guard let chain else { return .invalid("No stage chain is configured") }
        guard chain.stage(completion.subject.stage) != nil else {
            return .invalid("stage: unknown stage '\(completion.subject.stage)'")
        }
        let changed = try runner.recordJobOutcome(completion.outcome, subject: completion.subject, jobID: completion.jobID,
                                                  chain: chain)
        return .accepted(changed: changed)
    }

    /// The signature check alone (no store access): nil when `signature` verifies `body` under
    /// `secret`, else the 401 answer. A server runs it before queueing the write, so a forged
    /// request never waits for the writer.
    public static func verify(body: [UInt8], signature: String?, secret: String?) -> WebhookAnswer? {
        guard let secret, !secret.isEmpty else { return .unauthorized("Webhook secret not configured") }
        guard WebhookSignature.isValid(body: body, header: signature, secret: secret) else {
            return .unauthorized("Invalid signature")
        }
        return nil
    }

    /// `WEBHOOK_SECRET` from the environment (nil when unset or empty).
    public static func secret(from environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        environment["WEBHOOK_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
