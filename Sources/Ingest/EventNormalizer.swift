public import SiglogCore

/// The event part of a normalized raw event (spec §2.5, confidence per D16): what is stored,
/// apart from the company id and pack the pipeline adds.
public struct NormalizedEvent: Sendable, Hashable {
    /// The adapter or feed name; with `sourceEventID` the dedup key (D2).
    public var source: String
    /// Trimmed; nil when absent or blank (such events are never de-duplicated, D2).
    public var sourceEventID: String?
    /// The candidate type, unchanged.
    public var eventType: String
    /// When the event happened, in UTC.
    public var eventTime: Timestamp
    /// Trimmed; nil when absent or blank.
    public var title: String?
    /// Trimmed; nil when absent or blank.
    public var summary: String?
    /// Trimmed; nil when absent or blank.
    public var url: String?
    /// The adapter payload, unchanged.
    public var rawPayload: JSONObject?
    /// As given; nil means "not stated", read as 0.7 by scoring (D16).
    public var confidence: Double?

    /// Creates a normalized event.
    public init(
        source: String, sourceEventID: String?, eventType: String, eventTime: Timestamp, title: String? = nil,
        summary: String? = nil, url: String? = nil, rawPayload: JSONObject? = nil, confidence: Double? = nil
    ) {
        self.source = source
        self.sourceEventID = sourceEventID
        self.eventType = eventType
        self.eventTime = eventTime
        self.title = title
        self.summary = summary
        self.url = url
        self.rawPayload = rawPayload
        self.confidence = confidence
    }
}

/// The company part of a normalized raw event: the input of company resolution (§2.6).
public struct CompanyInput: Sendable, Hashable {
    /// The trimmed company name.
    public var name: String
    /// The company's website per §2.5 (website, else `https://` + domain, else a non-LinkedIn profile URL).
    public var websiteURL: String?
    /// The first of profile URL and website that is a LinkedIn URL, trimmed.
    public var linkedinURL: String?
    /// How the company came to be known; ingest always says `research`.
    public var source: String

    /// Creates a company input.
    public init(name: String, websiteURL: String? = nil, linkedinURL: String? = nil, source: String = "research") {
        self.name = name
        self.websiteURL = websiteURL
        self.linkedinURL = linkedinURL
        self.source = source
    }
}

/// Turns a raw event into the event to store and the company to resolve (spec §2.5).
/// `IngestLineScan.normalized` applies the same rules to the common line straight from its bytes:
/// a change here must be made there too (`NormalizedLineTests` and the `ndjson` fuzz target compare them).
public enum EventNormalizer {
    /// Normalizes a raw event. Acceptance of the type (§2.4) is a separate check.
    public static func normalize(_ raw: RawEvent) -> (event: NormalizedEvent, company: CompanyInput) {
        let event = NormalizedEvent(
            source: raw.source,
            sourceEventID: Text.nonBlank(raw.sourceEventID),
            eventType: raw.eventType,
            eventTime: raw.eventTime,
            title: Text.nonBlank(raw.title),
            summary: Text.nonBlank(raw.summary),
            url: Text.nonBlank(raw.url),
            rawPayload: raw.rawPayload,
            confidence: raw.confidence
        )
        let company = CompanyInput(
            name: Text.trimmed(raw.companyName),
            websiteURL: websiteURL(website: raw.websiteURL, domain: raw.domain, profile: raw.companyProfileURL),
            linkedinURL: linkedinURL(profile: raw.companyProfileURL, website: raw.websiteURL),
            source: "research"
        )
        return (event, company)
    }

    /// §2.5: trimmed website if non-blank; else the lower-cased domain, with `https://` unless it
    /// already starts with `http`; else the trimmed profile URL unless it is a LinkedIn URL.
    public static func websiteURL(website: String?, domain: String?, profile: String?) -> String? {
        if let website = Text.nonBlank(website) { return website }
        if let domain = Text.nonBlank(domain) {
            let lowered = domain.lowercased()
            return Text.hasPrefix(lowered, "http") ? lowered : "https://" + lowered
        }
        if let profile = Text.nonBlank(profile), !isLinkedIn(profile) { return profile }
        return nil
    }

    /// §2.5: the first of profile URL and website that contains `linkedin.com`, trimmed.
    public static func linkedinURL(profile: String?, website: String?) -> String? {
        for candidate in [profile, website] {
            if let url = Text.nonBlank(candidate), isLinkedIn(url) { return url }
        }
        return nil
    }

    static func isLinkedIn(_ url: String) -> Bool { Text.containsASCIICaseInsensitive(url, "linkedin.com") }
}
