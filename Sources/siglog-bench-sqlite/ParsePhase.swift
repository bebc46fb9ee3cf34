import Ingest

/// The ceiling both ingest paths share: siglog's line splitter and parser over the file, no
/// storage. With `normalize`, also the normalization and domain extraction that every event needs
/// before company matching, as ingest does them (`parseNormalized`).
enum ParsePhase {
    static func run(path: String, normalize: Bool) throws -> [(String, Int)] {
        let parser = RawEventLineParser()
        var splitter = NDJSONLineSplitter(maxLineBytes: parser.maxLineBytes)
        var lines = 0, parsed = 0, withDomain = 0
        let handle: (NDJSONLine) -> Void = { line in
            lines += 1
            if normalize {
                // What `siglog-append events` does per line: parsed and normalized in one step.
                guard let normalized = try? parser.parseNormalized(line) else { return }
                parsed += 1
                if normalized.domain != nil { withDomain += 1 }
            } else {
                guard (try? parser.parse(line)) != nil else { return }
                parsed += 1
            }
        }
        try forEachChunk(ofFile: path) { chunk in splitter.feed(chunk, handle) }
        splitter.finish(handle)
        return [("count", lines), ("parsed", parsed), ("with_domain", withDomain)]
    }
}
