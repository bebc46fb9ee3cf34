import FuzzSupport
import Ingest
import SiglogCore

/// The input path of `siglog-append events`. The first byte picks a chunk size; the rest is the
/// stream. `NDJSONLineSplitter` fed in those chunks must hand out the lines of a whole-buffer
/// split (over-limit lines counted, not kept), and `RawEventLineParser` turns each line into an
/// event, nil (blank) or an error naming that line; `parseNormalized` reads it as `parse` and
/// normalization do.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNDJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let first = input.first else { return }
        let stream = Array(input.dropFirst())
        let maxLineBytes = 512  // small, so the over-limit path is reached
        var expected = stream.split(separator: 0x0A, omittingEmptySubsequences: false)
        if expected.last?.isEmpty == true { expected.removeLast() }  // a final "\n" ends the last line
        let parser = RawEventLineParser(defaultSource: first & 1 == 0 ? nil : "fuzz", maxLineBytes: maxLineBytes)
        var splitter = NDJSONLineSplitter(maxLineBytes: maxLineBytes)
        var count = 0
        func check(_ line: NDJSONLine) {
            count += 1
            invariant(line.number == count && count <= expected.count, "line \(line.number) of \(expected.count)")
            let want = expected[count - 1]
            invariant(line.byteCount == want.count && line.isOverLimit == (want.count > maxLineBytes),
                      "line \(count): \(line.byteCount) bytes, over limit \(line.isOverLimit); want \(want.count)")
            invariant(line.isOverLimit || line.bytes.elementsEqual(want), "line \(count): bytes differ")
            // The ingest path (`parseNormalized`, which reads the common line straight from its bytes)
            // must give what the general parser and normalization give: the same line or error.
            let general: Result<NormalizedLine?, RawEventLineError>
            do throws(RawEventLineError) { general = .success(try parser.parse(line).map(NormalizedLine.init)) } catch {
                general = .failure(error)
            }
            let normalized: Result<NormalizedLine?, RawEventLineError>
            do throws(RawEventLineError) { normalized = .success(try parser.parseNormalized(line)) } catch {
                normalized = .failure(error)
            }
            invariant(normalized == general, "line \(count): parseNormalized gives \(normalized), the general path \(general)")
            if case .success(let fast?) = normalized, case .success(let slow?) = general {
                invariant(fast.event.confidence?.bitPattern == slow.event.confidence?.bitPattern, "line \(count): confidence bits differ")
            }
            do throws(RawEventLineError) {
                guard let event = try parser.parse(line) else {
                    let text = count == 1 && want.starts(with: [0xEF, 0xBB, 0xBF]) ? want.dropFirst(3) : want[...]
                    invariant(RawEventLineParser.isBlank(text), "line \(count): nil for a line that is not blank")
                    return
                }
                invariant(!event.eventType.isEmpty && !event.source.isEmpty, "line \(count): empty type or source")
                // A stored time is printed (`siglog-query`, export) and must read back as the same instant.
                invariant(Timestamp(iso: event.eventTime.description) == event.eventTime,
                          "line \(count): event_time prints as \(event.eventTime.description), which does not read back")
            } catch {
                invariant(error.line == count, "error for line \(error.line) while parsing line \(count)")
                invariant((error.kind == .lineTooLong) == line.isOverLimit, "line \(count): \(error)")
            }
        }
        let chunkSize = Int(first >> 1) % 64 + 1
        var offset = 0
        while offset < stream.count {
            let end = min(offset + chunkSize, stream.count)
            splitter.feed(Array(stream[offset..<end]), check)
            offset = end
        }
        splitter.finish(check)
        invariant(count == expected.count, "\(count) lines handed out, \(expected.count) in the stream")
    }
}
