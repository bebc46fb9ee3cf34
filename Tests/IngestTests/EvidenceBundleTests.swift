import Ingest
import SiglogCore
import Testing

/// The evidence-bundle file of the watchlist seeder: one company and its events (the fields of an
/// ingest line), every problem named by the member at fault.
@Suite("Evidence bundles")
struct EvidenceBundleTests {
    static func parse(_ text: String) throws(EvidenceBundleError) -> EvidenceBundle {
        try EvidenceBundle.parse(Array(text.utf8))
    }

    @Test("A bundle's events take the bundle's company; §2.5 normalization of its website and LinkedIn URL")
    func parsesAndMerges() throws {
        let bundle = try Self.parse("""
            {"id": "6f1c0000-0000-4000-8000-00000000000a", "company_name": "  Acme Robotics Inc. ", "domain": "Acme.io",
             "company_profile_url": "https://www.linkedin.com/company/acme", "reason": " hiring a CTO ",
             "events": [{"source": "research", "source_event_id": "r-1", "event_type": "cto_role_posted",
                         "event_time": "2026-02-10", "title": "CTO wanted", "company_name": "ignored", "confidence": 0.9},
                        {"source": "research", "event_type": "funding_raised", "event_time": "2026-02-01T12:00:00Z"}]}
            """)
        #expect(bundle.id == "6f1c0000-0000-4000-8000-00000000000a")
        #expect(bundle.companyName == "Acme Robotics Inc.")
        #expect(bundle.reason == "hiring a CTO")
        // §2.5: the lower-cased domain with https:// is the website; the LinkedIn profile URL is kept apart.
        #expect(bundle.company.websiteURL == "https://acme.io")
        #expect(bundle.company.linkedinURL == "https://www.linkedin.com/company/acme")
        #expect(bundle.companyDomain == "acme.io")
        #expect(bundle.events.allSatisfy { $0["company_name"] == nil }, "company fields of an event are the bundle's")
        let events = try bundle.rawEvents()
        #expect(events.map(\.eventType) == ["cto_role_posted", "funding_raised"])
        #expect(events.map(\.companyName) == ["Acme Robotics Inc.", "Acme Robotics Inc."])
        #expect(events.map(\.domain) == ["Acme.io", "Acme.io"])
        #expect(events[0].sourceEventID == "r-1")
        #expect(events[0].confidence == 0.9)
        #expect(events[1].eventTime == Timestamp(day: Day(year: 2026, month: 2, day: 1)!, hour: 12))
    }

    @Test("A bundle without events is a company to watch; id and reason are optional")
    func companyOnly() throws {
        let bundle = try Self.parse(#"{"company_name": "Solo"}"#)
        #expect(bundle.id == nil && bundle.reason == nil)
        #expect(try bundle.rawEvents().isEmpty)
        #expect(bundle.company.websiteURL == nil)
    }

    @Test("Errors name the member: company_name missing or too long, events not a list, a bad event field")
    func errors() {
        func failure(_ text: String) -> String? {
            do {
                _ = try Self.parse(text)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("[1]") == "expected one JSON object (the bundle)")
        #expect(failure("{")?.hasPrefix("invalid JSON") == true)
        #expect(failure(#"{"events": []}"#) == "company_name: required")
        #expect(failure(#"{"company_name": 5}"#) == "company_name: expected a string")
        #expect(failure(#"{"company_name": "\#(String(repeating: "x", count: 256))"}"#)?.hasPrefix("company_name: ") == true)
        #expect(failure(#"{"company_name": "A", "events": {}}"#) == "events: expected an array of event objects")
        #expect(failure(#"{"company_name": "A", "events": [3]}"#) == "events[0]: expected an object")
        let badTime = failure(#"{"company_name": "A", "events": [{"source": "s", "event_type": "funding_raised", "event_time": "soon"}]}"#)
        #expect(badTime?.hasPrefix("events[0].event_time: ") == true, "\(badTime ?? "")")
        let missingType = failure(#"{"company_name": "A", "events": [{"source": "s", "event_time": "2026-01-01"}, {}]}"#)
        #expect(missingType?.hasPrefix("events[0].event_type") == true, "\(missingType ?? "")")
        #expect(EvidenceBundleError(member: "events[1].url", reason: "too long").formatted(file: "b.json") == "b.json: events[1].url: too long")
    }
}
