import Foundation
import SiglogCore
import StageQueue
import Testing

@Suite("Handler outcome rules")
struct OutcomeRulesTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("exec: 0 completes with the JSON on stdout, 75 is retriable, anything else hard")
    func exec() {
        #expect(OutcomeRules.exec(exitStatus: 0, stdout: bytes(" {\"a\": 1}\n"), stderr: "") == .completed(.object(["a": 1])))
        #expect(OutcomeRules.exec(exitStatus: 0, stdout: [], stderr: "") == .completed(.object([:])))
        guard case .failed(.hard, let message) = OutcomeRules.exec(exitStatus: 0, stdout: bytes("done"), stderr: "") else {
            Issue.record("non-JSON stdout must be hard"); return
        }
        #expect(message.hasPrefix("exit 0 but stdout is not JSON"))
        #expect(OutcomeRules.exec(exitStatus: 75, stdout: [], stderr: "busy\nrate limited\n")
                == .failed(.retriable, "exit 75 (retry later): rate limited"))
        #expect(OutcomeRules.exec(exitStatus: 2, stdout: bytes("{}"), stderr: "no such site") == .failed(.hard, "exit 2: no such site"))
        #expect(OutcomeRules.exec(exitStatus: 1, stdout: [], stderr: "") == .failed(.hard, "exit 1"))
        #expect(OutcomeRules.timedOut(after: 1.5) == .failed(.retriable, "timed out after 1.5 s"))
    }

    @Test("POST: 202 + job_id accepted, other 2xx complete, 429/5xx retriable, other 4xx hard")
    func post() {
        #expect(OutcomeRules.post(status: 202, body: bytes(#"{"job_id": "abc"}"#)) == .accepted(jobID: "abc"))
        #expect(OutcomeRules.post(status: 202, body: bytes(#"{"job_id": 42}"#)) == .accepted(jobID: "42"))
        #expect(OutcomeRules.post(status: 202, body: bytes("{}")) == .failed(.hard, "HTTP 202 without a job_id"))
        #expect(OutcomeRules.post(status: 200, body: bytes(#"{"result": {"brief": "x"}, "meta": 1}"#)) == .completed(.object(["brief": "x"])))
        #expect(OutcomeRules.post(status: 201, body: bytes(#"{"brief": "x"}"#)) == .completed(.object(["brief": "x"])))
        #expect(OutcomeRules.post(status: 204, body: []) == .completed(.object([:])))
        #expect(OutcomeRules.post(status: 429, body: []) == .failed(.retriable, "HTTP 429"))
        #expect(OutcomeRules.post(status: 503, body: bytes("down")) == .failed(.retriable, "HTTP 503: down"))
        #expect(OutcomeRules.post(status: 404, body: []) == .failed(.hard, "HTTP 404"))
        #expect(OutcomeRules.post(status: 403, body: []) == .failed(.hard, "HTTP 403"))
        #expect(OutcomeRules.post(status: 302, body: []) == .failed(.hard, "HTTP 302"))
    }

    @Test("poll: completed/failed finish, anything else (and 202, 429, 5xx) is still pending, 404 is hard")
    func poll() {
        #expect(OutcomeRules.poll(status: 200, body: bytes(#"{"status": "completed", "result": {"x": 1}}"#))
                == .finished(.completed(.object(["x": 1]))))
        #expect(OutcomeRules.poll(status: 200, body: bytes(#"{"status": "running"}"#)) == .pending)
        #expect(OutcomeRules.poll(status: 200, body: bytes(#"{"status": "failed", "error": "no site"}"#))
                == .finished(.failed(.hard, "no site")))
        #expect(OutcomeRules.poll(status: 200, body: bytes(#"{"status": "failed", "error": "busy", "retriable": true}"#))
                == .finished(.failed(.retriable, "busy")))
        #expect(OutcomeRules.poll(status: 202, body: []) == .pending)
        #expect(OutcomeRules.poll(status: 429, body: []) == .pending)
        #expect(OutcomeRules.poll(status: 502, body: []) == .pending)
        #expect(OutcomeRules.poll(status: 404, body: []) == .finished(.failed(.hard, "HTTP 404 polling the job")))
    }
}

@Suite("Webhook signature and body")
struct WebhookTests {
    let body = Array(#"{"stage":"intel","company_id":7,"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"J1","status":"completed","result":{"brief":"ok"}}"#.utf8)

    @Test("a body signed with the secret verifies; the signature is HMAC-SHA256 hex under sha256=")
    func valid() {
        let header = WebhookSignature.sign(body: body, secret: "s3cret")
        #expect(header.hasPrefix("sha256=") && header.count == 7 + 64)
        #expect(WebhookSignature.isValid(body: body, header: header, secret: "s3cret"))
        #expect(WebhookSignature.isValid(body: body, header: header.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="),
                                         secret: "s3cret"), "hex digits in either case")
        // Known answer (RFC 4231 test case 2): key "Jefe", data "what do ya want for nothing?".
        #expect(WebhookSignature.sign(body: Array("what do ya want for nothing?".utf8), secret: "Jefe")
                == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("missing, malformed or wrong signatures, and no secret, are refused")
    func refused() {
        let good = WebhookSignature.sign(body: body, secret: "s3cret")
        #expect(!WebhookSignature.isValid(body: body, header: nil, secret: "s3cret"))
        #expect(!WebhookSignature.isValid(body: body, header: good, secret: nil))
        #expect(!WebhookSignature.isValid(body: body, header: good, secret: ""))
        #expect(!WebhookSignature.isValid(body: body, header: good, secret: "other"))
        #expect(!WebhookSignature.isValid(body: body, header: String(good.dropFirst(7)), secret: "s3cret"), "no sha256= prefix")
        #expect(!WebhookSignature.isValid(body: body, header: "sha256=zz" + good.dropFirst(9), secret: "s3cret"))
        #expect(!WebhookSignature.isValid(body: body, header: String(good.dropLast(2)), secret: "s3cret"))
        var lastByte = good
        let last = lastByte.removeLast()
        lastByte.append(last == "0" ? "1" : "0")
        #expect(!WebhookSignature.isValid(body: body, header: lastByte, secret: "s3cret"), "differs in the last digit")
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        #expect(!WebhookSignature.isValid(body: tampered, header: good, secret: "s3cret"), "the body changed")
    }

    @Test("the body parses into a completion; failed with retriable; errors name the field")
    func parse() throws {
        let completion = try WebhookCompletion.parse(body)
        #expect(completion.subject == StageSubject(workspace: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!,
                                                   company: 7, stage: "intel"))
        #expect(completion.jobID == "J1")
        #expect(completion.outcome == .completed(.object(["brief": "ok"])))
        let failed = try WebhookCompletion.parse(Array(#"{"stage":"a","company_id":"3","workspace_id":"00000000-0000-0000-0000-000000000001","job_id":9,"status":"failed","error":"busy","retriable":true}"#.utf8))
        #expect(failed.outcome == .failed(.retriable, "busy") && failed.jobID == "9" && failed.subject.company == 3)
        #expect(throws: InvalidValue("job_id: required string")) {
            try WebhookCompletion.parse(Array(#"{"stage":"a","company_id":3,"workspace_id":"00000000-0000-0000-0000-000000000001","status":"completed"}"#.utf8))
        }
        #expect(throws: InvalidValue("status: must be completed or failed")) {
            try WebhookCompletion.parse(Array(#"{"stage":"a","company_id":3,"workspace_id":"00000000-0000-0000-0000-000000000001","job_id":"x","status":"done"}"#.utf8))
        }
        #expect(throws: InvalidValue("Invalid workspace_id: must be a valid UUID")) {
            try WebhookCompletion.parse(Array(#"{"stage":"a","company_id":3,"workspace_id":"nope","job_id":"x","status":"completed"}"#.utf8))
        }
    }
}
