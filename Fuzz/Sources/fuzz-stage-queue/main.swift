import FuzzSupport
import SiglogCore
import StageQueue

/// The stage queue's readers of untrusted bytes; the first byte picks one, the rest is its input.
///
/// * even: the completion webhook (`POST /hooks/job-complete`, bytes from the network): the body
///   signed under a key verifies, the same body under another key and the body's own text as
///   `X-Signature` do not; `WebhookCompletion.parse` gives a completion with a stage and a job id,
///   or an `InvalidValue`.
/// * odd: a stage chain file (`StageChainLoader.parse`): a chain whose every `next` and trigger
///   stage is one of its stages, whose names are unique, and whose `next` links have no cycle; or
///   an error naming the file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStageQueue(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let selector = input.first else { return }
        let rest = Array(input.dropFirst())
        if selector % 2 == 0 { webhook(rest) } else { chain(rest) }
    }
}

private func webhook(_ body: [UInt8]) {
    let signature = WebhookSignature.sign(body: body, secret: "fuzz-key")
    invariant(WebhookSignature.isValid(body: body, header: signature, secret: "fuzz-key"), "a signed body does not verify")
    invariant(!WebhookSignature.isValid(body: body, header: signature, secret: "other-key"), "another key verifies")
    invariant(!WebhookSignature.isValid(body: body, header: signature, secret: ""), "an empty secret verifies")
    let text = String(decoding: body, as: UTF8.self)
    invariant(!WebhookSignature.isValid(body: body, header: text, secret: "fuzz-key") || text.lowercased().hasPrefix("sha256="),
              "a header without sha256= verifies")
    do throws(InvalidValue) {
        let completion = try WebhookCompletion.parse(body)
        invariant(!completion.subject.stage.isEmpty && !completion.jobID.isEmpty, "a completion without a stage or job id")
    } catch {
        invariant(!error.message.isEmpty, "an error without a message")
    }
}

private func chain(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self) else { return }  // files are read as UTF-8 first
    do throws(StageChainError) {
        let chain = try StageChainLoader.parse(text, file: "fuzz.yaml")
        let names = chain.names
        invariant(!names.isEmpty && Set(names).count == names.count, "stage names empty or repeated: \(names)")
        for stage in chain.stages {
            if let next = stage.next { invariant(names.contains(next), "next names no stage: \(next)") }
            invariant(stage.batchSize > 0 && stage.maxRetries >= 0, "limits out of range in \(stage.name)")
            // Following `next` from any stage ends within the chain's length (no cycle).
            var current: String? = stage.name
            var steps = 0
            while let name = current, steps <= names.count {
                current = chain.next(after: name)
                steps += 1
            }
            invariant(current == nil, "next links cycle from \(stage.name)")
        }
        if let trigger = chain.trigger { invariant(names.contains(trigger.stage), "trigger names no stage: \(trigger.stage)") }
    } catch {
        invariant(error.file == "fuzz.yaml" && !error.reason.isEmpty, "an error that does not name the file: \(error)")
    }
}
