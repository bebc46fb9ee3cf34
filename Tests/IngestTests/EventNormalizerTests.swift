import Ingest
import SiglogCore
import Testing

@Suite("Event normalization and acceptance (§11.15 test_event_normalizer, test_event_types)")
struct EventNormalizerTests {
    static let time = Timestamp(iso: "2026-02-18T10:00:00Z")!

    static func raw(
        domain: String? = nil, website: String? = nil, profile: String? = nil, type: String = "funding_raised"
    ) -> RawEvent {
        RawEvent(source: "test", companyName: "Acme", domain: domain, websiteURL: website,
                 companyProfileURL: profile, eventType: type, eventTime: time)
    }

    @Test("normalizer field mapping")
    func fieldMapping() {
        let raw = RawEvent(
            source: "crunchbase", sourceEventID: "  cb-1  ", companyName: "  Acme Inc  ", domain: "acme.io",
            websiteURL: "  https://acme.io  ", companyProfileURL: "https://www.linkedin.com/company/acme",
            eventType: "funding_raised", eventTime: Self.time, title: "  Series A ", summary: " Raised $5M ",
            url: " https://example.com/a ", confidence: nil, rawPayload: ["amount": 5_000_000])
        let (event, company) = EventNormalizer.normalize(raw)
        #expect(event == NormalizedEvent(
            source: "crunchbase", sourceEventID: "cb-1", eventType: "funding_raised", eventTime: Self.time,
            title: "Series A", summary: "Raised $5M", url: "https://example.com/a",
            rawPayload: ["amount": 5_000_000], confidence: nil))
        #expect(company == CompanyInput(
            name: "Acme Inc", websiteURL: "https://acme.io",
            linkedinURL: "https://www.linkedin.com/company/acme", source: "research"))
    }

    @Test("confidence is kept as given (D16)", arguments: [nil, 0.9, 0.0, 1.5, -0.2] as [Double?])
    func confidenceKept(value: Double?) {
        var raw = Self.raw()
        raw.confidence = value
        #expect(EventNormalizer.normalize(raw).event.confidence == value)
    }

    @Test("blank source_event_id, title, summary and url become nil")
    func blanksBecomeNil() {
        var raw = Self.raw()
        raw.sourceEventID = "   "
        raw.title = " "
        raw.summary = ""
        raw.url = "\t"
        let event = EventNormalizer.normalize(raw).event
        #expect(event.sourceEventID == nil && event.title == nil && event.summary == nil && event.url == nil)
    }

    @Test("domain beta.io becomes website https://beta.io")
    func domainToWebsite() {
        #expect(EventNormalizer.normalize(Self.raw(domain: "beta.io")).company.websiteURL == "https://beta.io")
        #expect(EventNormalizer.normalize(Self.raw(domain: " Beta.IO ")).company.websiteURL == "https://beta.io")
        #expect(EventNormalizer.normalize(Self.raw(domain: "http://beta.io")).company.websiteURL == "http://beta.io")
    }

    @Test("website wins over domain")
    func websiteWins() {
        let company = EventNormalizer.normalize(Self.raw(domain: "beta.io", website: "https://www.beta.io/home")).company
        #expect(company.websiteURL == "https://www.beta.io/home")
    }

    @Test("profile URL https://gamma.com becomes the website")
    func profileToWebsite() {
        let company = EventNormalizer.normalize(Self.raw(profile: "https://gamma.com")).company
        #expect(company.websiteURL == "https://gamma.com")
        #expect(company.linkedinURL == nil)
    }

    @Test("LinkedIn profile becomes company_linkedin_url, not the website")
    func linkedinProfile() {
        let company = EventNormalizer.normalize(Self.raw(profile: " https://www.LinkedIn.com/company/delta ")).company
        #expect(company.linkedinURL == "https://www.LinkedIn.com/company/delta")
        #expect(company.websiteURL == nil)
    }

    @Test("LinkedIn website is both website and company_linkedin_url")
    func linkedinWebsite() {
        let company = EventNormalizer.normalize(Self.raw(website: "https://linkedin.com/company/eps")).company
        #expect(company.websiteURL == "https://linkedin.com/company/eps")
        #expect(company.linkedinURL == "https://linkedin.com/company/eps")
    }

    @Test("unknown_event_type is rejected")
    func unknownTypeRejected() {
        #expect(!EventTypeAcceptance.coreOnly.accepts("unknown_event_type"))
        #expect(!EventTypeAcceptance(packSignalIDs: ["funding_raised"]).accepts("unknown_event_type"))
    }

    @Test("all 20 core ids are accepted", arguments: CoreTaxonomy.signalIDs)
    func coreIDAccepted(id: String) {
        #expect(EventTypeAcceptance.coreOnly.accepts(id))
        #expect(EventTypeAcceptance(packSignalIDs: ["financial_distress"]).accepts(id))
    }

    @Test("there are 20 core ids, including repo_activity and incorporation")
    func coreCount() {
        #expect(CoreTaxonomy.signalIDs.count == 20)
        #expect(EventTypeAcceptance.coreOnly.accepts("repo_activity"))
        #expect(EventTypeAcceptance.coreOnly.accepts("incorporation"))
    }

    @Test("pack without taxonomy uses core validation (launch_major accepted)")
    func packWithoutTaxonomy() {
        let noTaxonomy = EventTypeAcceptance(packSignalIDs: nil)
        let emptyList = EventTypeAcceptance(packSignalIDs: [])
        #expect(noTaxonomy.accepts("launch_major") && emptyList.accepts("launch_major"))
        #expect(!noTaxonomy.accepts("financial_distress") && !emptyList.accepts("financial_distress"))
    }

    @Test("pack signal_ids add pack-only types (bookkeeping_v1)")
    func packOnlyTypes() {
        let bookkeeping = EventTypeAcceptance(packSignalIDs: ["financial_distress", "layoffs_announced"])
        #expect(bookkeeping.accepts("financial_distress") && bookkeeping.accepts("layoffs_announced"))
        #expect(!bookkeeping.accepts("Financial_Distress"))
    }
}
