import Ingest

/// The limits of PIPELINE.md §2.1 that an adapter's event must meet when it is built; the
/// reference validates on construction, so an event that breaks one makes the fetch throw (§0.1).
enum RawEventLimits {
    /// `event` unchanged, or an error naming the first field out of its limits.
    static func checked(_ event: RawEvent) throws(AdapterError) -> RawEvent {
        func length(_ text: String) -> Int { text.unicodeScalars.count }
        func fail(_ field: String, _ reason: String) -> AdapterError {
            AdapterError(.eventOutOfLimits, "event \(event.sourceEventID ?? "without id"): \(field) \(reason)")
        }
        let name = length(event.companyName)
        if name == 0 { throw fail("company_name", "is empty") }
        if name > 255 { throw fail("company_name", "is longer than 255 characters") }
        let type = length(event.eventType)
        if type == 0 || type > 64 { throw fail("event_type_candidate", "must be 1 to 64 characters") }
        let limits: [(String, String?, Int)] = [
            ("source_event_id", event.sourceEventID, 255), ("domain", event.domain, 255),
            ("website_url", event.websiteURL, 2048), ("company_profile_url", event.companyProfileURL, 2048),
            ("title", event.title, 512), ("url", event.url, 2048),
        ]
        for (field, value, limit) in limits {
            if let value, length(value) > limit { throw fail(field, "is longer than \(limit) characters") }
        }
        return event
    }
}
