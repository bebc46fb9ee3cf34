public import EventLog
public import Foundation
public import SiglogCore

/// One alias of a company (`name`, `domain`, `url`, `social`), unique per type and value.
public struct CompanyAliasEntry: Sendable, Hashable {
    /// `alias_type`: `name`, `domain`, `url` or `social` (§1.2).
    public var type: String
    /// `alias_value`: the normalized name, the domain, the lower-cased website URL or the LinkedIn URL (§2.6 step 7).
    public var value: String
    /// An alias of `type` with `value`, both as stored (no normalization here).
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}

/// A company was created by ingest (or by hand). Its id is a small integer in creation order.
public struct CompanyCreated: SiglogRecord, Hashable {
    public static let recordType = RecordType.companyCreated
    /// The company's id: a small integer assigned in creation order (the last id + 1), used as `entity_id` everywhere.
    public var companyID: Int64
    /// The display name as first seen (the trimmed `company_name` of the event that created it).
    public var name: String
    /// `companies.domain`: `extractDomain(website_url)` at creation, or nil. Matching step 1 looks it up.
    public var domain: String?
    /// `website_url` as normalized by §2.5, or nil.
    public var websiteURL: String?
    /// `company_linkedin_url` (§2.5), compared as an exact string by matching step 4; nil when none.
    public var linkedinURL: String?
    /// Where the company came from: `manual`, `referral` or `research` (ingest creates `research`).
    public var source: String
    /// `normalizeName(name)`, kept so name matching never recomputes it on replay.
    public var normalizedName: String
    /// `extractDomain(website_url)`, for matching step 3.
    public var websiteDomain: String?
    /// The aliases created with the company (§2.6 step 7), indexed by the `companies.alias` view.
    public var aliases: [CompanyAliasEntry]
    /// The ingest run that created the company (the sequence number of its `JobRunStarted`), or nil.
    public var jobRunID: UInt64?

    /// Creates the record; `normalizedName` and `websiteDomain` must be the values derived from `name` and
    /// `websiteURL`.
    public init(companyID: Int64, name: String, domain: String?, websiteURL: String?, linkedinURL: String?,
                source: String, normalizedName: String, websiteDomain: String?, aliases: [CompanyAliasEntry],
                jobRunID: UInt64?) {
        self.companyID = companyID
        self.name = name
        self.domain = domain
        self.websiteURL = websiteURL
        self.linkedinURL = linkedinURL
        self.source = source
        self.normalizedName = normalizedName
        self.websiteDomain = websiteDomain
        self.aliases = aliases
        self.jobRunID = jobRunID
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, name)
        w.write(3, domain)
        w.write(4, websiteURL)
        w.write(5, linkedinURL)
        w.write(6, source)
        w.write(7, normalizedName)
        w.write(8, websiteDomain)
        for alias in aliases {
            w.write(9) { nested in
                nested.write(1, alias.type)
                nested.write(2, alias.value)
            }
        }
        if let jobRunID { w.write(10, jobRunID) }
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; name = ""; source = ""; normalizedName = ""; aliases = []
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: name = try f.string()
            case 3: domain = try f.string()
            case 4: websiteURL = try f.string()
            case 5: linkedinURL = try f.string()
            case 6: source = try f.string()
            case 7: normalizedName = try f.string()
            case 8: websiteDomain = try f.string()
            case 9:
                var nested = try f.message()
                var alias = CompanyAliasEntry(type: "", value: "")
                while let g = try nested.next() {
                    if g.number == 1 { alias.type = try g.string() } else if g.number == 2 { alias.value = try g.string() }
                }
                aliases.append(alias)
            case 10: jobRunID = try f.uint64()
            default: break
            }
        }
    }

    /// The label of a payload written by `encode(into:)` — or of a row that begins with one — the
    /// other fields skipped.
    public static func label(from r: inout PayloadReader) throws -> CompanyLabel {
        var label = CompanyLabel(name: "", domain: nil)
        while let f = try r.next() {
            if f.number == 2 { label.name = try f.string() } else if f.number == 3 { label.domain = try f.string() }
        }
        return label
    }
}

/// A company's display name and domain (`CompanyCreated`'s `name` and `domain`): what a query prints
/// beside a company's id.
public struct CompanyLabel: Sendable, Hashable {
    public var name: String
    public var domain: String?

    public init(name: String, domain: String?) {
        self.name = name
        self.domain = domain
    }
}

/// The free-form profile fields of a company (§1.1) that `company update` sets: none of them
/// affects scoring.
public struct CompanyProfileFields: Sendable, Hashable {
    /// `founder_name`, or nil.
    public var founderName: String?
    /// `founder_linkedin_url`, or nil.
    public var founderLinkedInURL: String?
    /// `notes`, or nil.
    public var notes: String?
    /// `alignment_notes`, or nil.
    public var alignmentNotes: String?
    /// `current_stage`, or nil.
    public var currentStage: String?
    /// `target_profile_match` (default false).
    public var targetProfileMatch: Bool

    /// Creates the fields (all empty by default).
    public init(founderName: String? = nil, founderLinkedInURL: String? = nil, notes: String? = nil,
                alignmentNotes: String? = nil, currentStage: String? = nil, targetProfileMatch: Bool = false) {
        self.founderName = founderName
        self.founderLinkedInURL = founderLinkedInURL
        self.notes = notes
        self.alignmentNotes = alignmentNotes
        self.currentStage = currentStage
        self.targetProfileMatch = targetProfileMatch
    }

    /// Whether every field has its default (nothing set).
    public var isEmpty: Bool { self == CompanyProfileFields() }

    /// The names of the fields that are set, in field order (for timeline entries).
    public var setFieldNames: [String] {
        var names: [String] = []
        if founderName != nil { names.append("founder_name") }
        if founderLinkedInURL != nil { names.append("founder_linkedin_url") }
        if notes != nil { names.append("notes") }
        if alignmentNotes != nil { names.append("alignment_notes") }
        if currentStage != nil { names.append("current_stage") }
        if targetProfileMatch { names.append("target_profile_match") }
        return names
    }

    /// Writes the fields from `first` on (first, first + 1, …); unset fields are left out, so a
    /// payload without profile fields is byte for byte what it was before they existed.
    public func encode(into w: inout PayloadWriter, from first: Int) {
        w.write(first, founderName)
        w.write(first + 1, founderLinkedInURL)
        w.write(first + 2, notes)
        w.write(first + 3, alignmentNotes)
        w.write(first + 4, currentStage)
        if targetProfileMatch { w.write(first + 5, true) }
    }

    /// Reads field `f` when it is one of the numbers `encode(into:from: first)` writes; returns
    /// whether it was.
    public mutating func read(_ f: PayloadReader.Field, from first: Int) throws -> Bool {
        switch f.number - first {
        case 0: founderName = try f.string()
        case 1: founderLinkedInURL = try f.string()
        case 2: notes = try f.string()
        case 3: alignmentNotes = try f.string()
        case 4: currentStage = try f.string()
        case 5: targetProfileMatch = try f.bool()
        default: return false
        }
        return true
    }
}

/// A company's mutable state changed. Carries the complete new state of the fields it governs and
/// the new version, so the view applies it without reading the old row.
public struct CompanyUpdated: SiglogRecord, Hashable {
    public static let recordType = RecordType.companyUpdated
    /// The company updated (its `entity_id`).
    public var companyID: Int64
    /// The version after this update (the first update of a company makes it 2).
    public var version: Int64
    /// `alignment_ok_to_contact`: true, false, or nil (unknown).
    public var alignmentOK: Bool?
    /// Recorded status (`acquired`, `dead`, …) or nil.
    public var status: String?
    /// The profile fields after the update (fields 5–10; records written before they existed
    /// carry none, which is what those companies had).
    public var profile: CompanyProfileFields

    /// Creates the record with the company's complete new state.
    public init(companyID: Int64, version: Int64, alignmentOK: Bool?, status: String?,
                profile: CompanyProfileFields = CompanyProfileFields()) {
        self.companyID = companyID
        self.version = version
        self.alignmentOK = alignmentOK
        self.status = status
        self.profile = profile
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, version)
        w.write(3, alignmentOK)
        w.write(4, status)
        profile.encode(into: &w, from: 5)
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; version = 0; profile = CompanyProfileFields()
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: version = try f.int64()
            case 3: alignmentOK = try f.bool()
            case 4: status = try f.string()
            default: _ = try profile.read(f, from: 5)
            }
        }
    }
}

/// A normalized signal event was stored for a company (a `signal_events` row). Its id is the
/// record's sequence number.
public struct EventStored: SiglogRecord, Hashable {
    public static let recordType = RecordType.eventStored
    /// The company the event was resolved to (§2.6): `company_id`.
    public var companyID: Int64
    /// The adapter name, e.g. `crunchbase` (`source`); with `sourceEventID` the global dedup key (D2).
    public var source: String
    /// The upstream id, trimmed (`source_event_id`); nil when absent or blank, and then never deduplicated.
    public var sourceEventID: String?
    /// `event_type`: a signal id (§2.3), what passthrough derivers map to instances.
    public var eventType: String
    /// When the event happened (`event_time`, UTC); the score windows and `last_seen` compare it.
    public var eventTime: Timestamp
    /// The trimmed title, or nil; pattern derivers may match it.
    public var title: String?
    /// The trimmed summary, or nil; pattern derivers may match it.
    public var summary: String?
    /// The trimmed link to the source, or nil.
    public var url: String?
    /// The adapter payload as compact JSON text.
    public var rawPayload: String?
    /// As given by the input (D16); nil reads as 0.7 where the formulas say so.
    public var confidence: Double?
    /// The pack the event was ingested for (`pack_id`); derive and score read only the events of their pack.
    public var pack: UUID
    /// The ingest run that stored the event, or nil.
    public var jobRunID: UInt64?
    /// `evidence_bundle_id`: the evidence bundle the watchlist seeder stored it from, or nil.
    public var evidenceBundleID: UUID?

    /// Creates the record; the event's id is the sequence number the log assigns when it is appended.
    public init(companyID: Int64, source: String, sourceEventID: String?, eventType: String, eventTime: Timestamp,
                title: String?, summary: String?, url: String?, rawPayload: String?, confidence: Double?,
                pack: UUID, jobRunID: UInt64?, evidenceBundleID: UUID? = nil) {
        self.evidenceBundleID = evidenceBundleID
        self.companyID = companyID
        self.source = source
        self.sourceEventID = sourceEventID
        self.eventType = eventType
        self.eventTime = eventTime
        self.title = title
        self.summary = summary
        self.url = url
        self.rawPayload = rawPayload
        self.confidence = confidence
        self.pack = pack
        self.jobRunID = jobRunID
    }

    /// The payload field numbers. Stored records use them, so they never change; the full decoder
    /// and the lean one (`LeanEventDecoder`) both read through these names.
    public enum Field {
        /// Field 1: `company_id`, int64.
        public static let companyID = 1
        /// Field 2: `source`, string.
        public static let source = 2
        /// Field 3: `source_event_id`, string, absent when nil.
        public static let sourceEventID = 3
        /// Field 4: `event_type`, string.
        public static let eventType = 4
        /// Field 5: `event_time`, int64 microseconds since the epoch.
        public static let eventTime = 5
        /// Field 6: `title`, string, absent when nil.
        public static let title = 6
        /// Field 7: `summary`, string, absent when nil.
        public static let summary = 7
        /// Field 8: `url`, string, absent when nil.
        public static let url = 8
        /// Field 9: `raw`, compact JSON text, absent when nil.
        public static let rawPayload = 9
        /// Field 10: `confidence`, double, absent when null.
        public static let confidence = 10
        /// Field 11: `pack_id`, 16 UUID bytes; required.
        public static let pack = 11
        /// Field 12: the ingest run's id, uint64, absent when nil.
        public static let jobRunID = 12
        /// Field 13: `evidence_bundle_id`, 16 UUID bytes, absent when nil.
        public static let evidenceBundleID = 13
    }

    public func encode(into w: inout PayloadWriter) {
        Self.encode(companyID: companyID, source: source, sourceEventID: sourceEventID, eventType: eventType,
                    eventTime: eventTime, title: title, summary: summary, url: url, rawPayload: rawPayload,
                    confidence: confidence, pack: pack, jobRunID: jobRunID, evidenceBundleID: evidenceBundleID, into: &w)
    }

    /// The payload of the record these fields make, written without making it: ingest encodes
    /// each event from the fields it holds instead of copying them into a record first.
    public static func encode(companyID: Int64, source: String, sourceEventID: String?, eventType: String,
                              eventTime: Timestamp, title: String?, summary: String?, url: String?, rawPayload: String?,
                              confidence: Double?, pack: UUID, jobRunID: UInt64?, evidenceBundleID: UUID?,
                              into w: inout PayloadWriter) {
        w.write(Field.companyID, companyID)
        encodeEventFields(source: source, sourceEventID: sourceEventID, eventType: eventType, eventTime: eventTime,
                          title: title, summary: summary, url: url, rawPayload: rawPayload, confidence: confidence, into: &w)
        encodeRunFields(pack: pack, jobRunID: jobRunID, evidenceBundleID: evidenceBundleID, into: &w)
    }

    /// The payload of the record whose fields 2–10 (`source` to `confidence`) were written earlier
    /// by `encodeEventFields` — e.g. on the thread that parsed the event, where the writer has no
    /// part in it: the same bytes `encode(companyID:source:…)` writes, with the company id, which
    /// only the writer knows, put before them and the run's fields after them.
    public static func encode(companyID: Int64, eventFields: UnsafeRawBufferPointer, pack: UUID, jobRunID: UInt64?,
                              evidenceBundleID: UUID?, into w: inout PayloadWriter) {
        w.write(Field.companyID, companyID)
        w.append(fields: eventFields)
        encodeRunFields(pack: pack, jobRunID: jobRunID, evidenceBundleID: evidenceBundleID, into: &w)
    }

    /// Fields 2–10, the event's own (everything but the company and the run's fields), in the order
    /// of the payload.
    public static func encodeEventFields(source: String, sourceEventID: String?, eventType: String, eventTime: Timestamp,
                                         title: String?, summary: String?, url: String?, rawPayload: String?,
                                         confidence: Double?, into w: inout PayloadWriter) {
        w.write(Field.source, source)
        w.write(Field.sourceEventID, sourceEventID)
        w.write(Field.eventType, eventType)
        w.write(Field.eventTime, eventTime)
        w.write(Field.title, title)
        w.write(Field.summary, summary)
        w.write(Field.url, url)
        w.write(Field.rawPayload, rawPayload)
        w.write(Field.confidence, confidence)
    }

    /// `encodeEventFields` onto the end of `buffer` (ingest's parsing thread writes a chunk's
    /// events into one buffer).
    public static func appendEventFields(source: String, sourceEventID: String?, eventType: String, eventTime: Timestamp,
                                         title: String?, summary: String?, url: String?, rawPayload: String?,
                                         confidence: Double?, to buffer: inout [UInt8]) {
        PayloadWriter.appending(to: &buffer) { w in
            encodeEventFields(source: source, sourceEventID: sourceEventID, eventType: eventType, eventTime: eventTime,
                              title: title, summary: summary, url: url, rawPayload: rawPayload, confidence: confidence,
                              into: &w)
        }
    }

    /// Fields 11–13: the pack and what the run that stores the event gives it.
    private static func encodeRunFields(pack: UUID, jobRunID: UInt64?, evidenceBundleID: UUID?, into w: inout PayloadWriter) {
        w.write(Field.pack, pack)
        if let jobRunID { w.write(Field.jobRunID, jobRunID) }
        w.write(Field.evidenceBundleID, evidenceBundleID)
    }

    /// Reads only the company id of an encoded event (no string is decoded): the hot path of the
    /// events-by-company view.
    public static func companyID(inPayload payload: UnsafeRawBufferPointer) throws -> Int64 {
        var reader = PayloadReader(payload)
        while let f = try reader.next() { if f.number == Field.companyID { return try f.int64() } }
        throw missingField("company_id", in: "event_stored")
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; source = ""; eventType = ""; eventTime = Timestamp(microseconds: 0)
        var pack: UUID?
        while let f = try r.next() {
            switch f.number {
            case Field.companyID: companyID = try f.int64()
            case Field.source: source = try f.string()
            case Field.sourceEventID: sourceEventID = try f.string()
            case Field.eventType: eventType = try f.string()
            case Field.eventTime: eventTime = try f.timestamp()
            case Field.title: title = try f.string()
            case Field.summary: summary = try f.string()
            case Field.url: url = try f.string()
            case Field.rawPayload: rawPayload = try f.string()
            case Field.confidence: confidence = try f.double()
            case Field.pack: pack = try f.uuid()
            case Field.jobRunID: jobRunID = try f.uint64()
            case Field.evidenceBundleID: evidenceBundleID = try f.uuid()
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "event_stored") }
        self.pack = pack
    }
}
