import Ingest
import Testing

@Suite("NDJSON line splitter")
struct NDJSONLineSplitterTests {
    struct Seen: Equatable {
        var number: Int
        var text: String?
        var byteCount: Int
    }

    static func split(_ text: String, chunkSize: Int, maxLineBytes: Int = 16) -> [Seen] {
        let bytes = Array(text.utf8)
        var splitter = NDJSONLineSplitter(maxLineBytes: maxLineBytes)
        var seen: [Seen] = []
        let record = { (line: NDJSONLine) in
            seen.append(Seen(number: line.number, text: line.isOverLimit ? nil : String(decoding: line.bytes, as: UTF8.self),
                             byteCount: line.byteCount))
        }
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunkSize)
            splitter.feed(Array(bytes[start..<end]), record)
            start = end
        }
        splitter.finish(record)
        return seen
    }

    static let stream = "{\"a\":1}\n\nshort\r\n" + String(repeating: "x", count: 40) + "\nafter long\nlast no newline"
    static let expected = [
        Seen(number: 1, text: "{\"a\":1}", byteCount: 7), Seen(number: 2, text: "", byteCount: 0),
        Seen(number: 3, text: "short\r", byteCount: 6), Seen(number: 4, text: nil, byteCount: 40),
        Seen(number: 5, text: "after long", byteCount: 10), Seen(number: 6, text: "last no newline", byteCount: 15),
    ]

    @Test("lines are the same whatever the chunk size", arguments: [1, 2, 3, 7, 16, 17, 64, 4096])
    func chunkSizes(chunkSize: Int) {
        #expect(Self.split(Self.stream, chunkSize: chunkSize) == Self.expected)
    }

    @Test("a final line break does not add an empty line")
    func finalNewline() {
        #expect(Self.split("a\nb\n", chunkSize: 3).map(\.text) == ["a", "b"])
    }

    @Test("an over-limit line is a lineTooLong error naming its line")
    func overLimitLine() throws {
        var splitter = NDJSONLineSplitter(maxLineBytes: 8)
        let parser = RawEventLineParser(defaultSource: "x", maxLineBytes: 8)
        var errors: [RawEventLineError] = []
        splitter.feed(Array("\n\(String(repeating: "y", count: 20))\n".utf8)) { line in
            do throws(RawEventLineError) { _ = try parser.parse(line) } catch { errors.append(error) }
        }
        #expect(errors == [RawEventLineError(line: 2, field: nil, kind: .lineTooLong, reason: "line longer than 8 bytes")])
    }
}
