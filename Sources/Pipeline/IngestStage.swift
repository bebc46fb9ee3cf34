public import Foundation
import SiglogCore
import Ingest
import Projections
import ReadModel
import SiglogRecords

/// Options of one ingest run.
public struct IngestOptions: Sendable {
    /// Name used in error messages (`FILE:LINE: field: reason`).
    public var inputName: String
    /// Source for lines that carry none (`--source`).
    public var defaultSource: String?
    public var workspace: UUID?
    public var pack: UUID?
    /// Any bad line fails the whole input and writes nothing.
    public var strict = false
    /// Lines per write transaction.
    public var batchSize = 50_000
    public var idempotencyKey: String?
    public var parentJobRunID: UInt64?
    /// Bad lines kept with their message (and, under `strict`, checked) before only a count goes on.
    public var maxErrors = 100
    /// Called about once a second while reading (progress display).
    public var progress: (@Sendable (IngestProgress) -> Void)?
    /// The first line read (`--from-line`): lines before it are skipped; messages keep the file's numbers.
    public var firstLine = 1

    public init(inputName: String) { self.inputName = inputName }
}

/// How far the reading of an ingest input has come.
public struct IngestProgress: Sendable {
    /// Lines read.
    public var lines: Int
    /// Bytes read.
    public var bytes: Int
}

/// An event waiting for its batch to be written; everything that needs no store is already
/// computed (on the parsing thread, for a file).
struct PendingEvent: Sendable {
    /// The input line (0 for an adapter's event).
    var line: Int
    /// The event, unless its bytes are `prepared` (then nil: the writer needs nothing else of it).
    var event: NormalizedEvent?
    /// Where the event's payload fields and dedup key sit in the bytes handed over with it, for an
    /// accepted event of a file (its parsing thread wrote them); nil for any other event.
    var prepared: PreparedEvent?
    var company: CompanyInput
    /// `extractDomain(website_url)`: the key most events match on.
    var domain: String?
    /// `ViewReader.heldDomainHashes(domain)`, computed by a file's parsing thread (nil otherwise):
    /// the writer finds a held domain (and, for a new company, its alias and website-domain keys)
    /// without hashing it and asks memory for the places ahead.
    var domainHashes: HeldDomainHashes?
    var accepted: Bool
    var rawPayload: String?
    /// Where the event came from in messages, when not `FILE:LINE` (an adapter's `source:id`).
    var label: String?

    /// Normalizes a raw event (§2.5) and checks its type against the pack.
    init(_ raw: RawEvent, line: Int, acceptance: EventTypeAcceptance, label: String? = nil) {
        let (event, company) = EventNormalizer.normalize(raw)
        self.init(event: event, company: company, domain: company.websiteURL.flatMap(CompanyIdentity.extractDomain), line: line,
                  acceptance: acceptance, label: label)
    }

    /// An event from a normalized line's parts (`RawEventLineParser.parseNormalized`), moved in.
    init(event: NormalizedEvent, company: CompanyInput, domain: String?, line: Int, acceptance: EventTypeAcceptance,
         label: String? = nil) {
        // Read from `event` before it is moved into place (reading it after would copy it).
        accepted = acceptance.accepts(event.eventType)
        rawPayload = event.rawPayload.map { JSONWriter().string(.object($0)) }
        self.line = line
        self.event = event
        self.prepared = nil
        self.company = company
        self.domain = domain
        self.label = label
    }

    /// An event of a file's line whose store-independent bytes — the `EventStored` payload's fields
    /// 2–10 and the dedup key — are written now, on the parsing thread, into `bytes` (one buffer
    /// for a chunk of lines): the writing thread copies them instead of encoding them. A type the
    /// pack does not accept keeps its event (its message names the type).
    init(preparing event: consuming NormalizedEvent, company: consuming CompanyInput, domain: consuming String?, line: Int,
         acceptance: EventTypeAcceptance, into bytes: inout PreparedBytes) {
        accepted = acceptance.accepts(event.eventType)
        rawPayload = nil
        self.line = line
        self.company = company
        self.domainHashes = domain.flatMap(ViewReader.heldDomainHashes)
        self.domain = domain
        self.label = nil
        if accepted {
            prepared = bytes.prepare(event)
            self.event = nil
        } else {
            prepared = nil
            self.event = event
        }
    }
}

/// Where a prepared event's bytes sit in its chunk's `PreparedBytes`.
struct PreparedEvent: Sendable {
    /// The `EventStored` payload's fields 2–10 (`EventStored.encodeEventFields`), in `fields`.
    var fieldsStart: Int
    var fieldsCount: Int
    /// The dedup key (`LogIndexes.dedupKey`) in `keys`; a negative count when the event has no
    /// `source_event_id` (never deduplicated).
    var keyStart: Int
    var keyCount: Int
}

/// The bytes the parsing thread prepares for a chunk of events, one buffer each for the payload
/// fields and the dedup keys (no array per event), handed to the writer with the chunk.
struct PreparedBytes: Sendable {
    var fields: [UInt8] = []
    var keys: [UInt8] = []

    /// Buffers with room for what a chunk like the last one needed (growing them copies).
    init(fieldsCapacity: Int = 0, keysCapacity: Int = 0) {
        fields.reserveCapacity(fieldsCapacity)
        keys.reserveCapacity(keysCapacity)
    }

    /// Writes `event`'s payload fields and dedup key; returns where they are.
    mutating func prepare(_ event: borrowing NormalizedEvent) -> PreparedEvent {
        let fieldsStart = fields.count
        EventStored.appendEventFields(
            source: event.source, sourceEventID: event.sourceEventID, eventType: event.eventType, eventTime: event.eventTime,
            title: event.title, summary: event.summary, url: event.url,
            rawPayload: event.rawPayload.map { JSONWriter().string(.object($0)) }, confidence: event.confidence, to: &fields)
        let keyStart = keys.count
        var keyCount = -1
        if let id = event.sourceEventID {
            LogIndexes.appendDedupKey(source: event.source, sourceEventID: id, to: &keys)
            keyCount = keys.count - keyStart
        }
        return PreparedEvent(fieldsStart: fieldsStart, fieldsCount: fields.count - fieldsStart, keyStart: keyStart,
                             keyCount: keyCount)
    }
}

/// Consecutive events of one parsed chunk with the bytes prepared for them.
struct PendingSlice: Sendable {
    var events: ArraySlice<PendingEvent>
    var bytes: PreparedBytes
}

/// Lines parsed by the reading thread, in input order, with the messages of the bad ones.
private struct ParsedLines: Sendable {
    var events: [PendingEvent] = []
    var bytes = PreparedBytes()
    var errors: [String] = []
    var lines = 0
}

/// Parsed chunks the writing thread is done with, let go on the reading thread: that is where each
/// event's strings are released and freed. The writer sets ingest's pace and the reader has time
/// to spare, so the frees (and the atomic releases of strings the reader made) are moved to it.
private typealias SpentChunks = SpentItems<PendingSlice>

/// Messages kept up to a cap, and how many there were in all.
struct CappedMessages: Sendable {
    let cap: Int
    private(set) var kept: [String] = []
    private(set) var count = 0

    init(cap: Int) { self.cap = max(0, cap) }

    mutating func append(_ message: String) {
        count += 1
        if kept.count < cap { kept.append(message) }
    }

    mutating func append(contentsOf messages: [String]) { for message in messages { append(message) } }
}

/// Counts and messages of an ingest run.
struct IngestTally {
    var inserted = 0
    var skippedDuplicate = 0
    var skippedInvalid = 0
    var storedWithoutID = 0
    var errors: CappedMessages
    /// Accepted lines whose event type the pack does not take (counted in `skippedInvalid`).
    var rejectedTypes: CappedMessages
    var companiesCreated = 0

    init(maxErrors: Int) {
        errors = CappedMessages(cap: maxErrors)
        rejectedTypes = CappedMessages(cap: maxErrors)
    }

    var result: IngestResult {
        var result = IngestResult(status: .completed, jobRunID: nil, inserted: inserted, skippedDuplicate: skippedDuplicate,
                                  skippedInvalid: skippedInvalid, errors: errors.kept)
        result.errorsCount = errors.count
        result.storedWithoutID = storedWithoutID
        result.rejectedTypes = rejectedTypes.kept
        return result
    }
}

extension StageRunner {
    /// Ingests NDJSON raw events from `input` (read in chunks: memory stays bounded whatever the
    /// input size). Per line: parse, validate the event type against the pack (§2.4), normalize
    /// (§2.5), resolve or create the company (§2.6, D12), deduplicate by `(source, source_event_id)`
    /// (D2, also within the input), append. Bad lines are reported and skipped; the valid lines of
    /// the input commit, batch by batch. With `strict`, a bad line fails the run and nothing is written.
    public func ingest(from input: FileHandle, options: IngestOptions) throws -> IngestResult {
        let (workspace, pack, request, cached) = try prepareIngest(options)
        if let cached { return cached }

        let parser = RawEventLineParser(defaultSource: options.defaultSource)
        if options.strict {
            // First pass: every line must parse before anything is written; checking stops after
            // `maxErrors` bad lines.
            let problems = try Self.validateLines(input, parser: parser, name: options.inputName, limit: max(1, options.maxErrors),
                                                  firstLine: options.firstLine)
            if !problems.isEmpty {
                let more = problems.count >= max(1, options.maxErrors) ? "\nchecking stopped after \(problems.count) bad lines" : ""
                throw SiglogError.badInput(problems.joined(separator: "\n") + more + "\n--strict: nothing was written")
            }
            try input.seek(toOffset: 0)
        }

        var tally = IngestTally(maxErrors: options.maxErrors)
        var runID: UInt64?
        // Every line up to here is stored or reported: a rerun after a failure starts after it.
        var committedThroughLine = options.firstLine - 1
        // The parsed chunks as the reading thread handed them over: a batch is a list of slices of
        // them, so no event is copied between parsing and writing.
        var pending: [PendingSlice] = []
        var pendingCount = 0
        var inputEnded = false
        // A regular file is parsed faster than it is written, so its transactions take the parsed
        // chunks as they come and writing overlaps parsing from the first chunk on. Any other input
        // (a pipe, a terminal) may pause for any time, and a transaction must not wait on it holding
        // the store's write lock: its batch is gathered first. Batches hold `batchSize` lines either way.
        let streamsIntoTransaction = Self.isRegularFile(input)

        // Reading and parsing run on another thread; this one resolves companies and writes.
        let channel = BoundedChannel<ParsedLines>(capacity: 8)
        // The company index entries each batch flushes, found by the next batch without a lookup
        // in the views (while no other writer commits between them).
        let keptCompanyIndexes = KeptCompanyIndexes()
        let spent = SpentChunks()
        let producer = DispatchGroup()
        let acceptance = pack.acceptance
        let inputName = options.inputName
        let progress = options.progress
        let interruption = interruption
        let firstLine = options.firstLine

        /// The next parsed chunk's events go to `pending`; returns its bad lines' messages, nil at
        /// the end of the input (an interrupted read throws instead: it is no end).
        func takeChunk() throws -> [String]? {
            guard !inputEnded else { return nil }
            guard let parsed = try channel.take() else {
                inputEnded = true
                try interruption.check()
                return nil
            }
            if !parsed.events.isEmpty {
                pending.append(PendingSlice(events: parsed.events[...], bytes: parsed.bytes))
                pendingCount += parsed.events.count
            }
            return parsed.errors
        }

        /// Moves up to `limit` pending events, in order, to the end of `batch`; returns how many.
        func move(upTo limit: Int, into batch: inout [PendingSlice]) -> Int {
            var needed = limit
            while needed > 0, let first = pending.first {
                if first.events.count <= needed {
                    batch.append(first)
                    needed -= first.events.count
                    pending.removeFirst()
                } else {
                    batch.append(PendingSlice(events: first.events.prefix(needed), bytes: first.bytes))
                    pending[0].events = first.events.dropFirst(needed)
                    needed = 0
                }
            }
            pendingCount -= limit - needed
            return limit - needed
        }

        /// One transaction: the next `batchSize` events (fewer at the end of the input); the one
        /// that reaches the end of the input finishes the run too and returns its result.
        func writeBatch() throws -> IngestResult? {
            try interruption.check()
            var batch: [PendingSlice] = []
            var batchCount = move(upTo: options.batchSize, into: &batch)
            // A batch's commit writes tens of MiB: the disk starts on them while they are copied.
            let (count, run, result) = try store.writingBack { try store.write { writer -> (IngestTally, UInt64, IngestResult?) in
                let run = try runID ?? startJob(request, in: writer)
                // The events index and the timeline are not read here: their entries (one per event, one
                // per new company) go in sorted, once, before the commit.
                // One events index entry per event, at most one timeline entry (a new company's) per event.
                writer.holdEventIndexInserts(expecting: options.batchSize)
                writer.holdTimelineInserts(expecting: options.batchSize)
                // The company indexes are read only by the resolver, through `writer.reader`, which
                // finds the held entries.
                writer.holdCompanyIndexInserts(keeping: keptCompanyIndexes)
                var local = tally
                let now = clock.now()
                let directory = StoreCompanyDirectory(reader: writer.reader)
                // A retried transaction starts again with everything taken so far.
                try self.write(batch, run: run, pack: pack, workspace: workspace, inputName: options.inputName, now: now,
                               directory: directory, tally: &local, writer: writer)
                while streamsIntoTransaction, batchCount < options.batchSize, let errors = try takeChunk() {
                    tally.errors.append(contentsOf: errors)
                    local.errors.append(contentsOf: errors)
                    var more: [PendingSlice] = []
                    batchCount += move(upTo: options.batchSize - batchCount, into: &more)
                    // Part of the batch before it is written: a write that fails because the map must
                    // grow runs the transaction again from `batch`, and these events must be in it.
                    batch += more
                    try self.write(more, run: run, pack: pack, workspace: workspace, inputName: options.inputName, now: now,
                                   directory: directory, tally: &local, writer: writer)
                }
                // A full batch that took the last events: whether the input ends there is known before
                // the commit, so the run finishes in this transaction instead of a durable commit of its own.
                while streamsIntoTransaction, pendingCount == 0, let errors = try takeChunk() {
                    tally.errors.append(contentsOf: errors)
                    local.errors.append(contentsOf: errors)
                }
                guard inputEnded, pendingCount == 0 else { return (local, run, nil) }
                let outcome = StageOutcome(local.result, companiesProcessed: local.inserted,
                                           errorMessage: errorMessage(local.errors.kept))
                return (local, run, try finish(run, request, outcome, writer))
            } }
            // Published only after the commit: a retried transaction must not count twice.
            tally = count
            runID = run
            committedThroughLine = max(committedThroughLine,
                                       pending.first?.events.first.map { $0.line - 1 } ?? batch.last?.events.last?.line ?? 0)
            // Freed on the reading thread while this one writes the next batch (what is left when
            // the run ends is freed on a thread of its own).
            spent.add(contentsOf: batch)
            return result
        }

        DispatchQueue.global().async(group: producer) {
            do {
                try Self.parse(input, parser: parser, acceptance: acceptance, inputName: inputName, progress: progress,
                               interruption: interruption, firstLine: firstLine, into: channel, releasing: spent)
                channel.close()
            } catch {
                channel.close(failure: error)
            }
        }
        do {
            do {
                while true {
                    // Outside a transaction: an event to start with when streaming, a whole batch otherwise.
                    let wanted = streamsIntoTransaction ? 1 : options.batchSize
                    while pendingCount < wanted, let errors = try takeChunk() {
                        tally.errors.append(contentsOf: errors)
                    }
                    if let result = try writeBatch() {
                        producer.wait()
                        // The reader has ended: the parsed events it did not free (the last batches)
                        // are freed on another thread, without holding up the run's end (≈ 25 ms
                        // of a 100,000-event run's wall time were these frees).
                        DispatchQueue.global().async { spent.release() }
                        return result
                    }
                }
            } catch {
                channel.cancel()
                producer.wait()
                throw error
            }
        } catch {
            // The batches committed so far stay (each is whole); the run says how it ended.
            if let runID {
                let message = "\(error)"
                var failed = IngestResult.failed(message)
                failed.inserted = tally.inserted
                failed.skippedDuplicate = tally.skippedDuplicate
                failed.skippedInvalid = tally.skippedInvalid
                _ = try? store.write { writer in
                    try finish(runID, request, StageOutcome(failed, companiesProcessed: tally.inserted, errorMessage: message), writer)
                }
            }
            if let failure = SiglogError.spaceFailure(in: error) {
                throw SiglogError.noSpace(failure, store: store.path,
                                          .ingest(throughLine: committedThroughLine, events: tally.inserted))
            }
            throw error
        }
    }

    /// What every ingest does before it reads anything: the workspace (which must exist, D20) and its
    /// pack (`noPack` without one), the job request, then the recorded result of a repeated
    /// idempotency key (returned as is) or the rate limit.
    func prepareIngest(_ options: IngestOptions) throws
        -> (workspace: UUID, pack: ResolvedPack, request: JobRequest, cached: IngestResult?)
    {
        let (workspace, resolved) = try stageScope(workspace: options.workspace, pack: options.pack)
        guard let pack = resolved else { throw SiglogError.noPack(workspace: workspace) }
        let request = JobRequest(jobType: .ingest, workspace: workspace, pack: pack.uuid,
                                 idempotencyKey: options.idempotencyKey, parentJobRunID: options.parentJobRunID)
        if let cached = try cachedResult(for: request, as: IngestResult.self) { return (workspace, pack, request, cached) }
        try checkRateLimit(request)
        return (workspace, pack, request, nil)
    }

    /// The reading thread: splits the input into lines, parses and normalizes them, and hands them
    /// over in batches (input order kept, bad lines as their `FILE:LINE: field: reason` messages).
    private static func parse(_ input: FileHandle, parser: RawEventLineParser, acceptance: EventTypeAcceptance,
                              inputName: String, progress: (@Sendable (IngestProgress) -> Void)?, interruption: Interruption,
                              firstLine: Int, into channel: BoundedChannel<ParsedLines>, releasing spent: SpentChunks) throws {
        var splitter = NDJSONLineSplitter(maxLineBytes: parser.maxLineBytes)
        var batch = ParsedLines()
        var lastProgress = Date()
        var stopped = false
        var bytesRead = 0
        // The first hand-over is small: the writer waits for it before its first transaction starts
        // (4,096 lines took ≈ 10 ms to parse, a fixed cost of every run); the parser keeps ahead after.
        var chunkLines = 256
        let handleLine: (NDJSONLine) throws -> Void = { line in
            guard !stopped, line.number >= firstLine else { return }
            do {
                _ = try parser.parseNormalized(line) { event, company, domain in
                    batch.events.append(PendingEvent(preparing: event, company: company, domain: domain, line: line.number,
                                                     acceptance: acceptance, into: &batch.bytes))
                }
            } catch let error as RawEventLineError {
                batch.errors.append(error.formatted(file: inputName))
            }
            batch.lines += 1
            if batch.lines >= chunkLines {
                // The next chunk's buffers sized per line as this one's: they grow without copies.
                let fieldsCapacity = batch.bytes.fields.count * 4096 / batch.lines + 4096
                let keysCapacity = batch.bytes.keys.count * 4096 / batch.lines + 256
                if !channel.put(batch) { stopped = true }
                batch = ParsedLines()
                batch.bytes = PreparedBytes(fieldsCapacity: fieldsCapacity, keysCapacity: keysCapacity)
                spent.release()
                chunkLines = 4096
            }
            if let progress, line.number % 4096 == 0, Date().timeIntervalSince(lastProgress) >= 1 {
                progress(IngestProgress(lines: line.number, bytes: bytesRead))
                lastProgress = Date()
            }
        }
        try forEachLine(of: input, splitter: &splitter, while: { !stopped && !interruption.isRequested },
                        chunkRead: { bytesRead += $0 }, handleLine)
        if !stopped { _ = channel.put(batch) }
    }

    /// Appends one batch: company resolution, dedup and the event records, inside `writer`'s transaction.
    func write(_ batch: [PendingEvent], run: UInt64, pack: ResolvedPack, workspace: UUID, inputName: String,
               tally: inout IngestTally, writer: StoreWriter) throws {
        try write([PendingSlice(events: batch[...], bytes: PreparedBytes())], run: run, pack: pack, workspace: workspace,
                  inputName: inputName, tally: &tally, writer: writer)
    }

    /// `write` of a batch given as consecutive slices, each event read in place (not copied).
    func write(_ batch: [PendingSlice], run: UInt64, pack: ResolvedPack, workspace: UUID, inputName: String,
               tally: inout IngestTally, writer: StoreWriter) throws {
        try write(batch, run: run, pack: pack, workspace: workspace, inputName: inputName, now: clock.now(),
                  directory: StoreCompanyDirectory(reader: writer.reader), tally: &tally, writer: writer)
    }

    /// `write` at `now`, matching companies through `directory` (one per transaction).
    private func write(_ batch: [PendingSlice], run: UInt64, pack: ResolvedPack, workspace: UUID, inputName: String,
                       now: Timestamp, directory: StoreCompanyDirectory, tally: inout IngestTally, writer: StoreWriter) throws {
        for chunk in batch {
            // Through the buffer, each event is lent to `write` in place instead of copied out of the slice.
            try chunk.bytes.fields.withUnsafeBytes { fields in
                try chunk.bytes.keys.withUnsafeBytes { keys in
                    try chunk.events.withUnsafeBufferPointer { events in
                        guard let first = events.baseAddress else { return }
                        // Copied once per chunk: read through `directory` at each use, the reader
                        // was copied (a retain and release of each of its references) per call.
                        let reader = directory.reader
                        for index in events.indices {
                            // The held domain place of the event eight ahead, the held entry of the
                            // one four ahead (its place is in the cache by then; when none can be
                            // the domain's, a new company's next two places): their misses overlap
                            // this event's work instead of stalling their own lookups.
                            if index + 8 < events.count, let hashes = events[index + 8].domainHashes {
                                reader.prefetchCompanyID(withDomainHashes: hashes, entry: false)
                            }
                            if index + 4 < events.count, let hashes = events[index + 4].domainHashes {
                                reader.prefetchCompanyID(withDomainHashes: hashes, entry: true)
                            }
                            try write(first + index, fields: fields, keys: keys, run: run, pack: pack, workspace: workspace,
                                      inputName: inputName, now: now, directory: directory, tally: &tally, writer: writer)
                        }
                    }
                }
            }
        }
    }

    /// Company resolution, dedup and the records of one event. The event is read through a pointer
    /// into its batch: a `PendingEvent` argument read out of the buffer was copied whole per event
    /// (a retain and release of every string in it).
    /// `fields` and `keys`: the bytes a prepared event's `PreparedEvent` points into.
    private func write(_ item: UnsafePointer<PendingEvent>, fields: UnsafeRawBufferPointer, keys: UnsafeRawBufferPointer,
                       run: UInt64, pack: ResolvedPack, workspace: UUID, inputName: String, now: Timestamp,
                       directory: StoreCompanyDirectory, tally: inout IngestTally, writer: StoreWriter) throws {
        guard item.pointee.accepted else {
            tally.skippedInvalid += 1
            tally.rejectedTypes.append(
                "\(item.pointee.label ?? "\(inputName):\(item.pointee.line)"): event_type: \"\(item.pointee.event?.eventType ?? "")\" is not accepted by pack \(pack.pack.id)")
            return
        }
        // The company is matched first (lookups only), then the dedup entry claimed with the sequence
        // the event will get (after the new company's record when one is created), and only a new
        // event creates its company: one descent into the dedup index per event, none to correct
        // the sequence afterwards. The event's source and id are read in place (passing the whole
        // `NormalizedEvent` copied it).
        directory.domainHashes = item.pointee.domainHashes  // nil when the event has no domain
        let resolution: CompanyResolution
        // The resolver's first step, asked here: most events match by their domain, and handing the
        // resolver the event's `CompanyInput` copied it (a retain and release of each of its strings,
        // which the parsing thread made: their counts on the other core's cache lines).
        if let domain = item.pointee.domain {
            if let id = directory.companyID(withDomain: domain) {
                resolution = .existing(id)
            } else {
                resolution = CompanyResolver.resolve(item.pointee.company, afterMissOfDomain: domain, in: directory)
            }
        } else {
            resolution = CompanyResolver.resolve(item.pointee.company, domain: nil, in: directory)
        }
        directory.domainHashes = nil
        if let error = directory.failure { throw error }  // a storage error, not a miss
        var claimed = writer.writer.nextSequence
        if case .create = resolution { claimed += 1 }
        let prepared = item.pointee.prepared
        if let prepared {
            if prepared.keyCount >= 0 {
                let key = UnsafeRawBufferPointer(rebasing: keys[prepared.keyStart..<(prepared.keyStart + prepared.keyCount)])
                guard try writer.writer.claimDedup(key, sequence: claimed) else {
                    tally.skippedDuplicate += 1
                    return
                }
            } else {
                tally.storedWithoutID += 1
            }
        } else if let event = item.pointee.event, let id = event.sourceEventID {
            let key = LogIndexes.dedupKey(source: event.source, sourceEventID: id)
            guard try writer.writer.claimDedup(key, sequence: claimed) else {
                tally.skippedDuplicate += 1
                return
            }
        } else {
            tally.storedWithoutID += 1
        }
        // A new company's website domain is the event's domain, which the parsing thread extracted
        // from the same website, unless the new company's website is trimmed (shorter): then it is
        // extracted again from that.
        var websiteDomain: String?? = nil
        if case .create(let new) = resolution, new.websiteURL?.utf8.count == item.pointee.company.websiteURL?.utf8.count {
            websiteDomain = .some(item.pointee.domain)
        }
        let resolved = try company(resolution, websiteDomain: websiteDomain, run: run, at: now, writer: writer)
        if resolved.created { tally.companiesCreated += 1 }
        let seq: UInt64
        if let prepared {
            let eventFields = UnsafeRawBufferPointer(
                rebasing: fields[prepared.fieldsStart..<(prepared.fieldsStart + prepared.fieldsCount)])
            seq = try writer.append(EventStored.self, at: now, workspace: workspace) { payload in
                EventStored.encode(companyID: resolved.id, eventFields: eventFields, pack: pack.uuid, jobRunID: run,
                                   evidenceBundleID: nil, into: &payload)
            }
        } else {
            seq = try appendEventRecord(item, companyID: resolved.id, run: run, pack: pack, workspace: workspace,
                                        evidenceBundle: nil, at: now, writer: writer)
        }
        precondition(seq == claimed, "the event was appended at the sequence its dedup entry claimed")
        tally.inserted += 1
    }

    /// The dedup key of `event` (D2): `.some(nil)` for an event without a `source_event_id` (never
    /// deduplicated), `.some(key)` for a new one, nil when `(source, source_event_id)` is already stored.
    func newDedupKey(of event: NormalizedEvent, writer: StoreWriter) throws -> [UInt8]?? {
        guard let id = event.sourceEventID else { return .some(nil) }
        let key = LogIndexes.dedupKey(source: event.source, sourceEventID: id)
        return try writer.dedupSequence(for: key) != nil ? nil : .some(key)
    }

    /// Matches the company (§2.6, D12) or creates it with a `CompanyCreated` record; returns its id
    /// and whether it was created.
    func resolveCompany(_ company: CompanyInput, domain: String?, directory: StoreCompanyDirectory, run: UInt64,
                        at now: Timestamp, writer: StoreWriter) throws -> (id: Int64, created: Bool) {
        let resolution = CompanyResolver.resolve(company, domain: domain, in: directory)
        if let error = directory.failure { throw error }  // a storage error, not a miss
        return try self.company(resolution, run: run, at: now, writer: writer)
    }

    /// The company `resolution` names: the matched one, or a new one created with a
    /// `CompanyCreated` record; its id and whether it was created. `websiteDomain`: a new
    /// company's `extractDomain(websiteURL)` when the caller has it already (nil: extracted here).
    func company(_ resolution: CompanyResolution, websiteDomain: String?? = nil, run: UInt64, at now: Timestamp,
                 writer: StoreWriter) throws
        -> (id: Int64, created: Bool)
    {
        switch resolution {
        case .existing(let id):
            return (Int64(id), false)
        case .create(let new):
            let companyID = try writer.reader.lastCompanyID() + 1
            let record = CompanyCreated(
                companyID: companyID, name: new.name, domain: new.domain, websiteURL: new.websiteURL,
                linkedinURL: new.linkedinURL, source: new.source,
                normalizedName: new.aliases.first { $0.type == .name }?.value ?? CompanyIdentity.normalizeName(new.name),
                websiteDomain: websiteDomain ?? new.websiteURL.flatMap(CompanyIdentity.extractDomain),
                aliases: new.aliases.map { CompanyAliasEntry(type: $0.type.rawValue, value: $0.value) },
                jobRunID: run)
            try writer.append(record, at: now)
            return (companyID, true)
        }
    }

    /// Appends the event record for `companyID` and its dedup entry (when it has a key); returns
    /// the dedup key it recorded, nil for an event without a `source_event_id`.
    @discardableResult
    func appendEvent(_ item: PendingEvent, companyID: Int64, dedupKey: [UInt8]?, run: UInt64, pack: ResolvedPack,
                     workspace: UUID, evidenceBundle: UUID? = nil, at now: Timestamp, writer: StoreWriter) throws -> [UInt8]? {
        try withUnsafePointer(to: item) { item in
            try appendEvent(item, companyID: companyID, dedupKey: dedupKey, run: run, pack: pack, workspace: workspace,
                            evidenceBundle: evidenceBundle, at: now, writer: writer)
        }
    }

    /// `appendEvent` of an event read in place (see the per-event `write`).
    @discardableResult
    func appendEvent(_ item: UnsafePointer<PendingEvent>, companyID: Int64, dedupKey: [UInt8]?, run: UInt64, pack: ResolvedPack,
                     workspace: UUID, evidenceBundle: UUID? = nil, at now: Timestamp, writer: StoreWriter) throws -> [UInt8]? {
        let seq = try appendEventRecord(item, companyID: companyID, run: run, pack: pack, workspace: workspace,
                                        evidenceBundle: evidenceBundle, at: now, writer: writer)
        if let dedupKey { try writer.recordDedup(dedupKey, sequence: seq) }
        return dedupKey
    }

    /// Appends the event record of an event read in place for `companyID`; returns its sequence.
    private func appendEventRecord(_ item: UnsafePointer<PendingEvent>, companyID: Int64, run: UInt64, pack: ResolvedPack,
                                   workspace: UUID, evidenceBundle: UUID?, at now: Timestamp, writer: StoreWriter) throws -> UInt64 {
        // Encoded from the pending event's own fields: no `EventStored` copy of them per event.
        guard let event = item.pointee.event else { preconditionFailure("a prepared event is appended from its bytes") }
        return try writer.append(EventStored.self, at: now, workspace: workspace) { payload in
            EventStored.encode(
                companyID: companyID, source: event.source, sourceEventID: event.sourceEventID,
                eventType: event.eventType, eventTime: event.eventTime, title: event.title,
                summary: event.summary, url: event.url, rawPayload: item.pointee.rawPayload,
                confidence: event.confidence, pack: pack.uuid, jobRunID: run, evidenceBundleID: evidenceBundle,
                into: &payload)
        }
    }

    /// Parses the lines without writing until `limit` bad ones are found; returns their messages.
    static func validateLines(_ input: FileHandle, parser: RawEventLineParser, name: String, limit: Int = .max,
                              firstLine: Int = 1) throws -> [String] {
        var problems: [String] = []
        var splitter = NDJSONLineSplitter(maxLineBytes: parser.maxLineBytes)
        let check: (NDJSONLine) -> Void = { line in
            guard problems.count < limit, line.number >= firstLine else { return }
            do { _ = try parser.parseNormalized(line) { _, _, _ in } } catch let error as RawEventLineError {
                problems.append(error.formatted(file: name))
            } catch {
                problems.append("\(name):\(line.number): \(error)")
            }
        }
        try forEachLine(of: input, splitter: &splitter, while: { problems.count < limit }, check)
        return problems
    }

    /// Whether `input` is a regular file (not a pipe, socket or terminal).
    static func isRegularFile(_ input: FileHandle) -> Bool {
        var status = stat()
        return fstat(input.fileDescriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads `input` in 1 MiB chunks and hands every line to `body`, the last one too; stops reading
    /// as soon as `proceed` says so (the lines of the chunk in hand are still delivered).
    static func forEachLine(of input: FileHandle, splitter: inout NDJSONLineSplitter, while proceed: () -> Bool = { true },
                            chunkRead: (Int) -> Void = { _ in }, _ body: (NDJSONLine) throws -> Void) throws {
        while proceed() {
            let chunk = try input.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            chunkRead(chunk.count)
            try chunk.withUnsafeBytes { try splitter.feed($0, body) }
        }
        if proceed() { try splitter.finish(body) }
    }
}

/// Company matching against the companies view inside the current transaction. Lookups cannot
/// throw through the matching protocol, so the first storage error is kept and rethrown by the
/// caller.
final class StoreCompanyDirectory: CompanyDirectory {
    let reader: ViewReader
    private(set) var failure: (any Error)?
    /// `ViewReader.heldDomainHashes` of the domain the next resolution is given, when computed ahead
    /// (nil: each lookup hashes its key). Only the domain lookups of steps 1–3 use them: the resolver
    /// asks those for that domain and nothing else. Not checked against the domain: keeping the
    /// string would retain and release, per event, a string the parsing thread made (its reference
    /// count on the other core's cache line).
    var domainHashes: HeldDomainHashes?

    init(reader: ViewReader) { self.reader = reader }

    private func lookup(_ body: () throws -> Int64?) -> Int? {
        do { return try body().map { Int($0) } } catch {
            if failure == nil { failure = error }
            return nil
        }
    }

    func companyID(withDomain domain: String) -> Int? {
        guard let hashes = domainHashes else { return lookup { try reader.companyID(withDomain: domain) } }
        let found = lookup { try reader.companyID(withDomain: domain, heldHash: hashes.domain) }
        // A miss is (nearly always) a new company: its alias and website-domain keys are asked next.
        if found == nil { reader.prefetchCompanyIDAfterDomainMiss(hashes) }
        return found
    }
    func companyID(aliasType: CompanyAliasType, value: String) -> Int? {
        if aliasType == .domain, let hashes = domainHashes {
            return lookup { try reader.companyID(withDomainAlias: value, heldHash: hashes.alias) }
        }
        return lookup { try reader.companyID(aliasType: aliasType.rawValue, value: value) }
    }
    func companyID(withWebsiteDomain domain: String) -> Int? {
        if let hashes = domainHashes {
            return lookup { try reader.companyID(withWebsiteDomain: domain, heldHash: hashes.websiteDomain) }
        }
        return lookup { try reader.companyID(withWebsiteDomain: domain) }
    }
    func companyID(withLinkedInURL url: String) -> Int? { lookup { try reader.companyID(withLinkedInURL: url) } }
    func companyID(withNormalizedName name: String) -> Int? { lookup { try reader.companyID(withNormalizedName: name) } }
}
