public import EventLog
public import Foundation
public import SiglogCore

/// One alias of a company (`name`, `domain`, `url`, `social`), unique per type and value.
public struct CompanyAliasEntry: Sendable, Hashable {
    public var type: String
    public var value: String
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}

/// A company was created by ingest (or by hand). Its id is a small integer in creation order.
public struct CompanyCreated: SiglogRecord, Hashable {
    public static let recordType = RecordType.companyCreated
    public var companyID: Int64
    public var name: String
    public var domain: String?
    public var websiteURL: String?
    public var linkedinURL: String?
    public var source: String
    /// `normalizeName(name)`, kept so name matching never recomputes it on replay.
    public var normalizedName: String
    /// `extractDomain(website_url)`, for matching step 3.
    public var websiteDomain: String?
    public var aliases: [CompanyAliasEntry]
    public var jobRunID: UInt64?

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
}

/// A company's mutable state changed. Carries the complete new state of the fields it governs and
/// the new version, so the view applies it without reading the old row.
public struct CompanyUpdated: SiglogRecord, Hashable {
    public static let recordType = RecordType.companyUpdated
    public var companyID: Int64
    /// The version after this update (the first update of a company makes it 2).
    public var version: Int64
    /// `alignment_ok_to_contact`: true, false, or nil (unknown).
    public var alignmentOK: Bool?
    /// Recorded status (`acquired`, `dead`, …) or nil.
    public var status: String?

    public init(companyID: Int64, version: Int64, alignmentOK: Bool?, status: String?) {
        self.companyID = companyID
        self.version = version
        self.alignmentOK = alignmentOK
        self.status = status
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(1, companyID)
        w.write(2, version)
        w.write(3, alignmentOK)
        w.write(4, status)
    }

    public init(from r: inout PayloadReader) throws {
        companyID = 0; version = 0
        while let f = try r.next() {
            switch f.number {
            case 1: companyID = try f.int64()
            case 2: version = try f.int64()
            case 3: alignmentOK = try f.bool()
            case 4: status = try f.string()
            default: break
            }
        }
    }
}

/// A normalized signal event was stored for a company (a `signal_events` row). Its id is the
/// record's sequence number.
public struct EventStored: SiglogRecord, Hashable {
    public static let recordType = RecordType.eventStored
    public var companyID: Int64
    public var source: String
    public var sourceEventID: String?
    public var eventType: String
    public var eventTime: Timestamp
    public var title: String?
    public var summary: String?
    public var url: String?
    /// The adapter payload as compact JSON text.
    public var rawPayload: String?
    /// As given by the input (D16); nil reads as 0.7 where the formulas say so.
    public var confidence: Double?
    public var pack: UUID
    public var jobRunID: UInt64?

    public init(companyID: Int64, source: String, sourceEventID: String?, eventType: String, eventTime: Timestamp,
                title: String?, summary: String?, url: String?, rawPayload: String?, confidence: Double?,
                pack: UUID, jobRunID: UInt64?) {
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
        public static let companyID = 1
        public static let source = 2
        public static let sourceEventID = 3
        public static let eventType = 4
        public static let eventTime = 5
        public static let title = 6
        public static let summary = 7
        public static let url = 8
        public static let rawPayload = 9
        public static let confidence = 10
        public static let pack = 11
        public static let jobRunID = 12
    }

    public func encode(into w: inout PayloadWriter) {
        w.write(Field.companyID, companyID)
        w.write(Field.source, source)
        w.write(Field.sourceEventID, sourceEventID)
        w.write(Field.eventType, eventType)
        w.write(Field.eventTime, eventTime)
        w.write(Field.title, title)
        w.write(Field.summary, summary)
        w.write(Field.url, url)
        w.write(Field.rawPayload, rawPayload)
        w.write(Field.confidence, confidence)
        w.write(Field.pack, pack)
        if let jobRunID { w.write(Field.jobRunID, jobRunID) }
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
            default: break
            }
        }
        guard let pack else { throw missingField("pack_id", in: "event_stored") }
        self.pack = pack
    }
}
