import Ingest

/// The ceiling both ingest paths share: siglog's line splitter and parser over the file, no
/// storage. With `normalize`, also the normalization and domain extraction that every event needs
/// before company matching.
enum ParsePhase {
    static func run(path: String, normalize: Bool) throws -> [(String, Int)] {
        let parser = RawEventLineParser()
        var splitter = NDJSONLineSplitter(maxLineBytes: parser.maxLineBytes)
        var lines = 0, parsed = 0, withDomain = 0
        let handle: (NDJSONLine) -> Void = { line in
            lines += 1
            guard let raw = try? parser.parse(line) else { return }
            parsed += 1
            if normalize {
                let (_, company) = EventNormalizer.normalize(raw)
                if company.websiteURL.flatMap(CompanyIdentity.extractDomain) != nil { withDomain += 1 }
            }
        }
        try forEachChunk(ofFile: path) { chunk in splitter.feed(chunk, handle) }
        splitter.finish(handle)
        return [("count", lines), ("parsed", parsed), ("with_domain", withDomain)]
    }
}
