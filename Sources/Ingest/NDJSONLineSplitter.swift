/// One line of an NDJSON stream, as handed out by `NDJSONLineSplitter`.
public struct NDJSONLine {
    /// 1-based line number.
    public var number: Int
    /// The line without its `\n`; empty when the line was over the limit.
    public var bytes: UnsafeBufferPointer<UInt8>
    /// The line's full length in bytes (without `\n`), also when its bytes were dropped.
    public var byteCount: Int
    /// Whether the line exceeded the splitter's limit (its bytes were not kept).
    public var isOverLimit: Bool
}

/// Splits a byte stream into NDJSON lines chunk by chunk, so a file of any size is read with
/// memory bounded by the chunk size plus one line. Lines inside a chunk are handed out without
/// copying; only a line that spans chunks is assembled in a buffer, and a line longer than
/// `maxLineBytes` is counted but not kept.
public struct NDJSONLineSplitter: Sendable {
    /// Lines longer than this many bytes are reported with `isOverLimit`.
    public let maxLineBytes: Int
    /// The number of lines handed out so far.
    public private(set) var lineCount = 0
    private var pending: [UInt8] = []
    private var pendingLength = 0
    private var pendingOverLimit = false

    /// Creates a splitter.
    public init(maxLineBytes: Int = RawEventLineParser.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds the next chunk of the stream and calls `body` for every line it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (NDJSONLine) throws -> Void) rethrows {
        let bytes = chunk.bindMemory(to: UInt8.self)
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                append(UnsafeBufferPointer(rebasing: bytes[start...]))
                return
            }
            let segment = UnsafeBufferPointer(rebasing: bytes[start..<newline])
            if pendingLength == 0 && !pendingOverLimit {
                try emit(segment, length: segment.count, overLimit: segment.count > maxLineBytes, body)
            } else {
                append(segment)
                try flushPending(body)
            }
            start = newline + 1
        }
    }

    /// Feeds a chunk held in an array.
    public mutating func feed(_ chunk: [UInt8], _ body: (NDJSONLine) throws -> Void) rethrows {
        try chunk.withUnsafeBytes { buffer in try feed(buffer, body) }
    }

    /// Ends the stream: hands out a last line that had no final `\n`.
    public mutating func finish(_ body: (NDJSONLine) throws -> Void) rethrows {
        if pendingLength > 0 || pendingOverLimit { try flushPending(body) }
    }

    private mutating func append(_ segment: UnsafeBufferPointer<UInt8>) {
        pendingLength += segment.count
        if pendingOverLimit { return }
        if pendingLength > maxLineBytes {
            pendingOverLimit = true
            pending = []
        } else {
            pending.append(contentsOf: segment)
        }
    }

    private mutating func flushPending(_ body: (NDJSONLine) throws -> Void) rethrows {
        let line = pending
        let length = pendingLength
        let overLimit = pendingOverLimit
        pending.removeAll(keepingCapacity: true)
        pendingLength = 0
        pendingOverLimit = false
        try line.withUnsafeBufferPointer { buffer in
            try emit(overLimit ? UnsafeBufferPointer(start: nil, count: 0) : buffer, length: length,
                     overLimit: overLimit, body)
        }
    }

    private mutating func emit(_ bytes: UnsafeBufferPointer<UInt8>, length: Int, overLimit: Bool,
                               _ body: (NDJSONLine) throws -> Void) rethrows {
        lineCount += 1
        try body(NDJSONLine(number: lineCount, bytes: overLimit ? UnsafeBufferPointer(start: nil, count: 0) : bytes,
                            byteCount: length, isOverLimit: overLimit))
    }
}

extension RawEventLineParser {
    /// Parses a line from `NDJSONLineSplitter`; an over-limit line is a `lineTooLong` error.
    public func parse(_ line: NDJSONLine) throws(RawEventLineError) -> RawEvent? {
        if line.isOverLimit || line.byteCount > maxLineBytes { throw lineTooLong(line.number) }
        return try parse(buffer: line.bytes, lineNumber: line.number)
    }
}
