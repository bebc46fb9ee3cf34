public import Adapters
import Foundation
import SiglogCore
public import StageQueue

/// `http`: POSTs the entity JSON to `url`. A 2xx with a result completes; a 202 with a `job_id` is
/// accepted and completes later — by polling `GET {url}/{job_id}` every `COMPLETION_POLL_INTERVAL`
/// or by the completion webhook; 429, 5xx and timeouts are retriable; other 4xx (and a refused
/// connection, a DNS failure) are hard. Requests go through the project's HTTP transport
/// (AsyncHTTPClient, redirects not followed).
public struct HTTPStageHandler: ExternalStageHandler {
    /// The stage's URL (no trailing slash).
    public let url: String
    /// The longest one request may take.
    public let timeout: Duration
    /// Headers sent with every request (besides `Content-Type` and `Accept`).
    public let headers: [String: String]
    /// The session requests are sent on.
    public let session: any HTTPSession

    /// A handler posting to `url` through `session`.
    public init(url: String, timeout: Duration, headers: [String: String] = [:], session: any HTTPSession) {
        self.url = url
        self.timeout = timeout
        self.headers = headers
        self.session = session
    }

    public var pollsCompletion: Bool { true }

    var requestHeaders: [HTTPHeader] {
        [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "application/json")]
            + headers.sorted { $0.key < $1.key }.map { HTTPHeader($0.key, $0.value) }
    }

    public func perform(_ work: StageWork) async -> HandlerOutcome {
        let request = TransportRequest(method: .post, url: url, headers: requestHeaders, body: work.entityBytes, timeout: timeout)
        do {
            let response = try await session.send(request)
            return OutcomeRules.post(status: response.status, body: response.body)
        } catch {
            return Self.classify(error)
        }
    }

    public func poll(jobID: String, subject: StageSubject) async -> PollOutcome {
        let encoded = jobID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? jobID
        let request = TransportRequest(method: .get, url: "\(url)/\(encoded)", headers: requestHeaders, timeout: timeout)
        do {
            let response = try await session.send(request)
            return OutcomeRules.poll(status: response.status, body: response.body)
        } catch {
            // The service cannot be asked right now: ask again at the next poll (the stuck rule
            // bounds how long a job may stay accepted).
            return .pending
        }
    }

    /// A request that got no response: a timeout, or a connection the service dropped mid-way, is
    /// retriable; anything else — a refused connection, an unknown host, an invalid URL — cannot
    /// succeed by retrying, so it is hard.
    static func classify(_ error: TransportError) -> HandlerOutcome {
        let reason = error.reason.lowercased()
        // NIO reports a refused connect as "connection reset (error set): Connection refused".
        let permanent = ["refused", "dns", "resolve", "unknown host", "nodename", "invalid url", "unsupported"]
        if permanent.contains(where: reason.contains) { return .failed(.hard, error.description) }
        let transient = ["timeout", "timed out", "deadline", "connection reset", "remoteconnectionclosed", "eof"]
        if transient.contains(where: reason.contains) { return .failed(.retriable, error.description) }
        return .failed(.hard, error.description)
    }
}
