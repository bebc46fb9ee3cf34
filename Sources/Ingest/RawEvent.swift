public import SiglogCore

/// One raw event as read from an NDJSON line (spec §2.1, the adapter output contract), after the
/// JSON types and lengths were checked but before normalization (§2.5).
public struct RawEvent: Sendable, Hashable {
    /// The adapter or feed name (`crunchbase`, `test`, …): the line's `source`, else the caller's default.
    public var source: String
    /// The upstream id (dedup key together with `source`), as given.
    public var sourceEventID: String?
    /// The company name as given; trimmed it is 1…255 code points long.
    public var companyName: String
    /// The company's domain (`domain`), as given; becomes the website when there is none.
    public var domain: String?
    /// The company's website (`website_url`), as given.
    public var websiteURL: String?
    /// A profile page of the company (`company_profile_url`), e.g. on LinkedIn, as given.
    public var companyProfileURL: String?
    /// The candidate signal id (`event_type`, or `event_type_candidate`), unchanged.
    public var eventType: String
    /// When the event happened, in UTC (a date alone means 00:00 UTC).
    public var eventTime: Timestamp
    /// A headline (`title`), as given.
    public var title: String?
    /// A description (`summary`), as given.
    public var summary: String?
    /// Where the event was seen (`url`), as given.
    public var url: String?
    /// The input's confidence, kept as given (D16); nil when absent or null.
    public var confidence: Double?
    /// The adapter payload (`raw_payload`), member order kept.
    public var rawPayload: JSONObject?

    /// Creates a raw event; optional fields default to absent.
    public init(
        source: String, sourceEventID: String? = nil, companyName: String, domain: String? = nil,
        websiteURL: String? = nil, companyProfileURL: String? = nil, eventType: String, eventTime: Timestamp,
        title: String? = nil, summary: String? = nil, url: String? = nil, confidence: Double? = nil,
        rawPayload: JSONObject? = nil
    ) {
        self.source = source
        self.sourceEventID = sourceEventID
        self.companyName = companyName
        self.domain = domain
        self.websiteURL = websiteURL
        self.companyProfileURL = companyProfileURL
        self.eventType = eventType
        self.eventTime = eventTime
        self.title = title
        self.summary = summary
        self.url = url
        self.confidence = confidence
        self.rawPayload = rawPayload
    }

    /// The event as one object of ingest input (field names of the NDJSON format, absent fields
    /// left out): `RawEventLineParser` reads it back to an equal event.
    public var json: JSONObject {
        var object: JSONObject = ["source": .string(source)]
        if let sourceEventID { object["source_event_id"] = .string(sourceEventID) }
        object["company_name"] = .string(companyName)
        if let domain { object["domain"] = .string(domain) }
        if let websiteURL { object["website_url"] = .string(websiteURL) }
        if let companyProfileURL { object["company_profile_url"] = .string(companyProfileURL) }
        object["event_type"] = .string(eventType)
        object["event_time"] = .string(eventTime.description)
        if let title { object["title"] = .string(title) }
        if let summary { object["summary"] = .string(summary) }
        if let url { object["url"] = .string(url) }
        if let confidence { object["confidence"] = .double(confidence) }
        if let rawPayload { object["raw_payload"] = .object(rawPayload) }
        return object
    }
}
