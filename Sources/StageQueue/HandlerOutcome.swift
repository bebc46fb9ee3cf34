import Foundation

public import SiglogCore

/// What a handler made of one attempt.
public enum HandlerOutcome: Sendable, Hashable {
    /// Done, with this result.
    case completed(JSONValue)
    /// The service accepted the work under this job id; completion comes later (poll or webhook).
    case accepted(jobID: String)
    /// The attempt failed (`hard` or `retriable`).
    case failed(StageFailureKind, String)
}

/// What polling an accepted job told.
public enum PollOutcome: Sendable, Hashable {
    /// Not finished yet (or the service could not say right now): ask again later.
    case pending
    /// Finished: complete or fail the stage.
    case finished(HandlerOutcome)
}

/// The classification rules of STAGE-QUEUE.md §2, shared by the handlers and their tests.
public enum OutcomeRules {
    /// `EX_TEMPFAIL`: the exit status an exec handler uses for "try again later".
    public static let retriableExitStatus: Int32 = 75

    /// An exec handler's exit: 0 completes with `stdout` parsed as JSON (empty output is `{}`;
    /// output that is not JSON is a hard failure), 75 is retriable, any other status is hard.
    /// `stderr` (its last line) becomes the error text.
    public static func exec(exitStatus: Int32, stdout: [UInt8], stderr: String) -> HandlerOutcome {
        let detail = lastLine(stderr)
        switch exitStatus {
        case 0:
            let text = stdout.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            if text.isEmpty { return .completed(.object([:])) }
            do {
                return .completed(try JSONParser.parse(Array(text)))
            } catch {
                return .failed(.hard, "exit 0 but stdout is not JSON: \(error)")
            }
        case retriableExitStatus:
            return .failed(.retriable, "exit 75 (retry later)\(detail.map { ": \($0)" } ?? "")")
        default:
            return .failed(.hard, "exit \(exitStatus)\(detail.map { ": \($0)" } ?? "")")
        }
    }

    /// An exec handler killed by a signal (not a timeout of ours): hard, as any other abnormal end.
    public static func execSignalled(_ signal: Int32) -> HandlerOutcome {
        .failed(.hard, "terminated by signal \(signal)")
    }

    /// A timeout of any handler: retriable.
    public static func timedOut(after seconds: Double) -> HandlerOutcome {
        .failed(.retriable, "timed out after \(seconds) s")
    }

    /// The response to the handler's POST: a 202 with a `job_id` is accepted; another 2xx completes
    /// with the body's `result` member when it has one, else the whole body (an empty body is
    /// `{}`); 429 and 5xx are retriable; any other status is hard.
    public static func post(status: Int, body: [UInt8]) -> HandlerOutcome {
        switch status {
        case 202:
            guard let document = try? JSONParser.parse(body), let jobID = jobID(in: document) else {
                return .failed(.hard, "HTTP 202 without a job_id")
            }
            return .accepted(jobID: jobID)
        case 200..<300:
            return completed(body: body, status: status)
        case 429, 500..<600:
            return .failed(.retriable, "HTTP \(status)\(snippet(body))")
        default:
            return .failed(.hard, "HTTP \(status)\(snippet(body))")
        }
    }

    /// The response to `GET {url}/{job_id}`: a 2xx whose `status` is `completed` completes (with
    /// `result`), `failed` fails (retriable when `retriable` is true, else hard), anything else is
    /// still pending; 429, 5xx and 202 are pending (the stuck rule bounds the wait); 404 and other
    /// 4xx fail hard (the service does not know the job).
    public static func poll(status: Int, body: [UInt8]) -> PollOutcome {
        switch status {
        case 202, 429, 500..<600:
            return .pending
        case 200..<300:
            guard let document = try? JSONParser.parse(body), let object = document.objectValue else {
                return .finished(.failed(.hard, "HTTP \(status) with a body that is not a JSON object"))
            }
            switch object["status"]?.stringValue?.lowercased() {
            case "completed":
                return .finished(.completed(object["result"] ?? .object([:])))
            case "failed":
                let retriable = object["retriable"]?.boolValue ?? false
                let message = object["error"]?.stringValue ?? "the service reported the job failed"
                return .finished(.failed(retriable ? .retriable : .hard, message))
            default:
                return .pending
            }
        default:
            return .finished(.failed(.hard, "HTTP \(status) polling the job\(snippet(body))"))
        }
    }

    /// A 2xx body as a result.
    static func completed(body: [UInt8], status: Int) -> HandlerOutcome {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .completed(.object([:])) }
        guard let document = try? JSONParser.parse(body) else {
            return .failed(.hard, "HTTP \(status) with a body that is not JSON")
        }
        return .completed(document["result"] ?? document)
    }

    /// A `job_id` member that is a non-empty string or an integer.
    static func jobID(in document: JSONValue) -> String? {
        switch document["job_id"] {
        case .string(let text) where !text.isEmpty: text
        case .int(let number): String(number)
        default: nil
        }
    }

    /// `: <first 200 bytes of the body>` when there is a body.
    static func snippet(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = String(decoding: body.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        return ": \(text)"
    }

    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last.map { String($0.prefix(500)) }
    }
}
