public import SiglogCore

/// An evidence bundle: one company and the events that are the evidence for watching it, the input
/// of the watchlist seeder (`watchlist_seed`). The spec names bundles only by their UUIDs, so this
/// is the smallest shape that carries what the seeder reports (`companies_created`,
/// `companies_matched`, `events_stored`, `events_skipped_duplicate`): one JSON object
///
/// ```json
/// {"id": "UUID (optional)", "company_name": "Acme", "domain": "acme.io", "website_url": "…",
///  "company_profile_url": "…", "reason": "why it is watched (optional)",
///  "events": [{"source": "research", "source_event_id": "…", "event_type": "funding_raised",
///              "event_time": "2026-02-10", "title": "…", "summary": "…", "url": "…",
///              "confidence": 0.8, "raw_payload": {…}}]}
/// ```
///
/// Each event has the fields of an ingest line (`RawEventLineParser`) without the company ones,
/// which come from the bundle (a company field inside an event is replaced by the bundle's).
public struct EvidenceBundle: Sendable, Hashable {
    /// The `id` member as written (checked as a UUID by the caller), or nil.
    public var id: String?
    /// `company_name`, trimmed (1…255 code points).
    public var companyName: String
    /// `domain`, or nil.
    public var domain: String?
    /// `website_url`, or nil.
    public var websiteURL: String?
    /// `company_profile_url`, or nil.
    public var companyProfileURL: String?
    /// Why the company is watched (the watchlist row's `added_reason`), or nil.
    public var reason: String?
    /// The event objects as given, without the company fields.
    public var events: [JSONObject]

    /// Members of an event object that belong to the bundle's company.
    public static let companyFields: Set<String> = ["company_name", "domain", "website_url", "company_profile_url"]

    /// Creates a bundle from its parts (as stored in the log).
    public init(id: String? = nil, companyName: String, domain: String? = nil, websiteURL: String? = nil,
                companyProfileURL: String? = nil, reason: String? = nil, events: [JSONObject] = []) {
        self.id = id
        self.companyName = companyName
        self.domain = domain
        self.websiteURL = websiteURL
        self.companyProfileURL = companyProfileURL
        self.reason = reason
        self.events = events.map { Self.withoutCompanyFields($0) }
    }

    /// Parses a bundle file. Every problem is an `EvidenceBundleError` naming the member at fault
    /// (`events[2]: event_time: …`); every event is checked as an ingest line would be.
    public static func parse(_ bytes: [UInt8], defaultSource: String? = nil) throws(EvidenceBundleError) -> EvidenceBundle {
        var input = bytes
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }  // UTF-8 BOM
        let document: JSONValue
        do throws(JSONParser.Failure) { document = try JSONParser.parse(input) } catch {
            throw EvidenceBundleError(member: nil, reason: "invalid JSON: \(error.description)")
        }
        guard case .object(let object) = document else {
            throw EvidenceBundleError(member: nil, reason: "expected one JSON object (the bundle)")
        }
        func text(_ key: String) throws(EvidenceBundleError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw EvidenceBundleError(member: key, reason: "expected a string")
            }
        }
        guard let name = try text("company_name") else { throw EvidenceBundleError(member: "company_name", reason: "required") }
        var events: [JSONObject] = []
        switch object["events"] {
        case nil, .null?: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .object(let event) = item else {
                    throw EvidenceBundleError(member: "events[\(index)]", reason: "expected an object")
                }
                events.append(event)
            }
        default: throw EvidenceBundleError(member: "events", reason: "expected an array of event objects")
        }
        let bundle = EvidenceBundle(id: try text("id"), companyName: Text.trimmed(name), domain: try text("domain"),
                                    websiteURL: try text("website_url"), companyProfileURL: try text("company_profile_url"),
                                    reason: Text.nonBlank(try text("reason")), events: events)
        try bundle.checkCompany()
        _ = try bundle.rawEvents(defaultSource: defaultSource)
        return bundle
    }

    /// The events as raw events, each with the bundle's company fields, in bundle order.
    public func rawEvents(defaultSource: String? = nil) throws(EvidenceBundleError) -> [RawEvent] {
        let parser = RawEventLineParser(defaultSource: defaultSource)
        var result: [RawEvent] = []
        for (index, event) in events.enumerated() {
            let line = Array(JSONWriter().string(.object(merged(event))).utf8)
            do throws(RawEventLineError) {
                if let raw = try parser.parse(line, lineNumber: index + 1) { result.append(raw) }
            } catch {
                throw EvidenceBundleError(member: "events[\(index)]" + (error.field.map { ".\($0)" } ?? ""), reason: error.reason)
            }
        }
        return result
    }

    /// The company to match or create (§2.5 rules for the website and LinkedIn URLs).
    public var company: CompanyInput {
        CompanyInput(name: Text.trimmed(companyName),
                     websiteURL: EventNormalizer.websiteURL(website: websiteURL, domain: domain, profile: companyProfileURL),
                     linkedinURL: EventNormalizer.linkedinURL(profile: companyProfileURL, website: websiteURL))
    }

    /// `extractDomain` of the company's website (the key company matching looks up first).
    public var companyDomain: String? { company.websiteURL.flatMap(CompanyIdentity.extractDomain) }

    /// The company fields as the members of an ingest line.
    var companyMembers: [JSONObject.Member] {
        var members: [JSONObject.Member] = [.init(key: "company_name", value: .string(companyName))]
        if let domain { members.append(.init(key: "domain", value: .string(domain))) }
        if let websiteURL { members.append(.init(key: "website_url", value: .string(websiteURL))) }
        if let companyProfileURL { members.append(.init(key: "company_profile_url", value: .string(companyProfileURL))) }
        return members
    }

    /// `event` with the bundle's company fields.
    func merged(_ event: JSONObject) -> JSONObject { JSONObject(companyMembers + event.members) }

    /// The company fields checked with the ingest line's limits (a probe line with a fixed event).
    func checkCompany() throws(EvidenceBundleError) {
        let probe = JSONObject(companyMembers + [.init(key: "source", value: "bundle"), .init(key: "event_type", value: "probe"),
                                                 .init(key: "event_time", value: "1970-01-01")])
        do throws(RawEventLineError) {
            _ = try RawEventLineParser().parse(Array(JSONWriter().string(.object(probe)).utf8), lineNumber: 1)
        } catch {
            throw EvidenceBundleError(member: error.field, reason: error.reason)
        }
    }

    static func withoutCompanyFields(_ event: JSONObject) -> JSONObject {
        JSONObject(event.members.filter { !companyFields.contains($0.key) })
    }
}

/// Why a bundle file was refused: the member at fault (`company_name`, `events[2].event_time`) and
/// the reason.
public struct EvidenceBundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The member at fault, nil when the whole document is.
    public var member: String?
    /// What is wrong with it.
    public var reason: String

    /// Creates an error.
    public init(member: String?, reason: String) {
        self.member = member
        self.reason = reason
    }

    /// `FILE: member: reason`.
    public func formatted(file: String) -> String { "\(file): " + (member.map { "\($0): " } ?? "") + reason }

    public var description: String { (member.map { "\($0): " } ?? "") + reason }
}
