import Foundation
import Ingest
import SiglogCore

/// The key a resolved company is cached under, as in the Python baseline: the domain when the
/// input has one, else the LinkedIn URL, else the normalized name.
enum CompanyKey: Hashable, Sendable {
    case domain(String)
    case social(String)
    case name(String)
}

/// One parsed line, ready to store: its text fields live in the batch's byte buffer.
struct ParsedEvent: Sendable {
    var company: CompanyInput
    var domain: String?
    var key: CompanyKey
    /// Set when the key is the normalized name (no domain, no LinkedIn URL).
    var normalizedName: String?
}

/// Where one text value sits in a batch's byte buffer.
struct FieldRange: Sendable {
    var start: Int32
    var count: Int32
}

/// Consecutive parsed lines and the bytes of their text fields.
struct ParsedBatch: Sendable {
    /// Text fields per event, in `fields[i * fieldsPerEvent ..< (i + 1) * fieldsPerEvent]`.
    static let fieldsPerEvent = 7
    var events: [ParsedEvent] = []
    /// Byte ranges in `bytes` of each event's source, source_event_id, event_type, event_time,
    /// title, url and raw line; `count` -1 means NULL.
    var fields: [FieldRange] = []
    var bytes: [UInt8] = []
    var lines = 0
    var invalid = 0

    /// Copies `text` into the buffer; nil is recorded as NULL.
    mutating func append(_ text: String?) {
        guard let text else {
            fields.append(FieldRange(start: 0, count: -1))
            return
        }
        let start = bytes.count
        bytes.append(contentsOf: text.utf8)
        fields.append(FieldRange(start: Int32(start), count: Int32(bytes.count - start)))
    }

    mutating func append(_ raw: UnsafeBufferPointer<UInt8>) {
        let start = bytes.count
        bytes.append(contentsOf: raw)
        fields.append(FieldRange(start: Int32(start), count: Int32(raw.count)))
    }
}

/// The part of ingest that needs no database: read, split, parse with siglog's parser, normalize,
/// and compute the company's cache key. Hands over batches of `linesPerBatch` lines.
struct LineParsing {
    static let linesPerBatch = 4096

    static func run(path: String, _ deliver: (ParsedBatch) throws -> Bool) throws {
        let parser = RawEventLineParser()
        var splitter = NDJSONLineSplitter(maxLineBytes: parser.maxLineBytes)
        var batch = ParsedBatch()
        var stopped = false
        func handle(_ line: NDJSONLine) throws {
            if stopped { return }
            batch.lines += 1
            if let normalized = try? parser.parseNormalized(line) {
                batch.events.append(parsed(normalized, line: line.bytes, into: &batch))
            } else {
                batch.invalid += 1  // a bad or blank line, as json.loads would reject it
            }
            if batch.lines >= linesPerBatch {
                stopped = try !deliver(batch)
                batch = ParsedBatch()
            }
        }
        try forEachChunk(ofFile: path) { chunk in try splitter.feed(chunk, handle) }
        try splitter.finish(handle)
        if !stopped && batch.lines > 0 { _ = try deliver(batch) }
    }

    private static func parsed(_ normalized: NormalizedLine, line: UnsafeBufferPointer<UInt8>, into batch: inout ParsedBatch)
        -> ParsedEvent
    {
        let (event, company, domain) = (normalized.event, normalized.company, normalized.domain)
        let key: CompanyKey
        var normalizedName: String?
        if let domain {
            key = .domain(domain)
        } else if let linkedin = company.linkedinURL {
            key = .social(linkedin)
        } else {
            let name = CompanyIdentity.normalizeName(company.name)
            normalizedName = name
            key = .name(name)
        }
        batch.append(event.source)
        batch.append(event.sourceEventID)
        batch.append(event.eventType)
        batch.append(event.eventTime.isoNaive)
        batch.append(event.title)
        batch.append(event.url)
        batch.append(line)
        return ParsedEvent(company: company, domain: domain, key: key, normalizedName: normalizedName)
    }
}

/// Ingest (spec §2.5–2.8, storage only): parse each line with siglog's parser, normalize it, match
/// or create the company (cached in a dictionary after the first lookup), insert the event with
/// `INSERT OR IGNORE` on the unique `(source, source_event_id)` index. One transaction per
/// `Bench.batch` stored lines. With `parseThread`, reading and parsing run on a second thread, as
/// in siglog's ingest.
final class IngestPhase {
    private let db: SQLiteDatabase
    private let findByDomain, findBySocial, findByName, insertCompany, insertAlias, insertEvent: SQLiteStatement
    private var cache: [CompanyKey: Int64] = [:]
    private var stamp = nowText()
    private var pendingRows = 0

    private(set) var lines = 0, invalid = 0, inserted = 0, companiesCreated = 0

    init(db: SQLiteDatabase) throws(SQLiteError) {
        self.db = db
        findByDomain = try db.prepare(
            "SELECT id FROM companies WHERE domain = ?1 UNION ALL SELECT company_id FROM company_aliases "
                + "WHERE alias_type = 'domain' AND alias_value = ?1 LIMIT 1")
        findBySocial = try db.prepare(
            "SELECT company_id FROM company_aliases WHERE alias_type = 'social' AND alias_value = ?")
        findByName = try db.prepare(
            "SELECT company_id FROM company_aliases WHERE alias_type = 'name' AND alias_value = ?")
        insertCompany = try db.prepare(
            "INSERT INTO companies (name, domain, website_url, company_linkedin_url, source, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, 'research', ?6, ?6)")
        insertAlias = try db.prepare(
            "INSERT OR IGNORE INTO company_aliases (company_id, alias_type, alias_value, created_at) VALUES (?, ?, ?, ?)")
        insertEvent = try db.prepare(
            "INSERT OR IGNORE INTO signal_events (company_id, source, source_event_id, event_type, event_time, "
                + "ingested_at, title, url, raw, confidence, pack_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        // Bound once: the same for every event.
        insertEvent.bind(6, stamp)  // ingested_at: rebound per transaction
        insertEvent.bind(10, Bench.storedConfidence)
        insertEvent.bind(11, Bench.pack)
    }

    /// Reads `path` and stores every valid line.
    func run(path: String, parseThread: Bool) throws {
        try db.execute("BEGIN")
        if parseThread {
            let channel = BoundedChannel<ParsedBatch>(capacity: 8)
            let producer = Thread {
                do {
                    try LineParsing.run(path: path) { channel.put($0) }
                    channel.close(failure: nil)
                } catch {
                    channel.close(failure: error)
                }
            }
            producer.start()
            do {
                while let batch = try channel.take() { try store(batch) }
            } catch {
                channel.cancel()
                throw error
            }
        } else {
            try LineParsing.run(path: path) { batch in
                try store(batch)
                return true
            }
        }
        try db.execute("COMMIT")
    }

    private func store(_ batch: ParsedBatch) throws {
        lines += batch.lines
        invalid += batch.invalid
        try batch.bytes.withUnsafeBytes { base in
            for index in batch.events.indices {
                insertEvent.bind(1, try resolve(batch.events[index]))
                let first = index * ParsedBatch.fieldsPerEvent
                for offset in 0..<ParsedBatch.fieldsPerEvent {
                    let field = batch.fields[first + offset]
                    let parameter = Int32(offset < 4 ? offset + 2 : offset + 3)  // 2…5, then 7…9 (6 is ingested_at)
                    if field.count < 0 {
                        insertEvent.bindNull(parameter)
                    } else {
                        let start = Int(field.start)
                        insertEvent.bindNoCopy(parameter, UnsafeRawBufferPointer(rebasing: base[start..<start + Int(field.count)]))
                    }
                }
                try insertEvent.run()
                inserted += db.changes
                pendingRows += 1
                if pendingRows >= Bench.batch {
                    try db.execute("COMMIT")
                    stamp = nowText()
                    insertEvent.bind(6, stamp)
                    try db.execute("BEGIN")
                    pendingRows = 0
                }
            }
        }
    }

    /// The company id for an event: from the cache, else looked up (domain, then LinkedIn URL, then
    /// normalized name when there is neither), else created with its aliases.
    private func resolve(_ event: ParsedEvent) throws(SQLiteError) -> Int64 {
        if let hit = cache[event.key] { return hit }
        let input = event.company
        var found: Int64?
        if let domain = event.domain { found = try lookUp(findByDomain, domain) }
        if found == nil, let linkedin = input.linkedinURL { found = try lookUp(findBySocial, linkedin) }
        if found == nil, let name = event.normalizedName, !name.isEmpty { found = try lookUp(findByName, name) }
        let id: Int64
        if let found {
            id = found
        } else {
            id = try create(input, domain: event.domain, normalizedName: event.normalizedName)
        }
        cache[event.key] = id
        return id
    }

    private func lookUp(_ statement: SQLiteStatement, _ value: String) throws(SQLiteError) -> Int64? {
        defer { statement.reset() }
        statement.bind(1, value)
        return try statement.step() ? statement.int64(0) : nil
    }

    private func create(_ input: CompanyInput, domain: String?, normalizedName: String?) throws(SQLiteError) -> Int64 {
        let keys = CompanyMatchKeys(domain: domain, linkedinURL: input.linkedinURL,
                                    normalizedName: normalizedName ?? CompanyIdentity.normalizeName(input.name))
        let new = CompanyResolver.newCompany(for: input, keys: keys)
        insertCompany.bind(1, new.name)
        insertCompany.bind(2, new.domain)
        insertCompany.bind(3, new.websiteURL)
        insertCompany.bind(4, new.linkedinURL)
        insertCompany.bind(6, stamp)
        try insertCompany.run()
        let id = db.lastInsertRowID
        companiesCreated += 1
        for alias in new.aliases {
            insertAlias.bind(1, id)
            insertAlias.bind(2, alias.type.rawValue)
            insertAlias.bind(3, alias.value)
            insertAlias.bind(4, stamp)
            try insertAlias.run()
        }
        return id
    }

    /// The phase's counts, in the Python baseline's names.
    var result: [(String, Int)] {
        [("count", lines), ("inserted", inserted), ("skipped_duplicate", lines - invalid - inserted),
         ("skipped_invalid", invalid), ("companies_created", companiesCreated)]
    }
}
