import Ingest
import Testing

@Suite("Company resolution (§11.15 test_company_resolver, D12)")
struct CompanyResolverTests {
    /// Resolves each input in order against one directory, creating companies as the ingest does.
    static func resolveAll(_ inputs: [CompanyInput]) -> (ids: [Int], directory: InMemoryCompanyDirectory) {
        var directory = InMemoryCompanyDirectory()
        let ids = inputs.map { directory.resolveOrCreate($0).id }
        return (ids, directory)
    }

    @Test("input normalization: LinkedIn Co has norm linkedin")
    func linkedinCoNorm() {
        #expect(CompanyMatchKeys(CompanyInput(name: "LinkedIn Co")).normalizedName == "linkedin")
    }

    @Test("input normalization: whitespace LinkedIn URL is none")
    func whitespaceLinkedIn() {
        let keys = CompanyMatchKeys(CompanyInput(name: "Whitespace", linkedinURL: "   "))
        #expect(keys.linkedinURL == nil)
        guard case .create(let company) = CompanyResolver.resolve(
            CompanyInput(name: "Whitespace", linkedinURL: "   "), in: InMemoryCompanyDirectory())
        else {
            Issue.record("expected a new company")
            return
        }
        #expect(company.linkedinURL == nil)
        #expect(company.aliases == [CompanyAlias(type: .name, value: "whitespace")])
    }

    @Test("same domain via www and path resolves to the same company, name kept")
    func sameDomainViaWWWAndPath() {
        let (ids, directory) = Self.resolveAll([
            CompanyInput(name: "DomainTest Inc", websiteURL: "https://domaintest.com"),
            CompanyInput(name: "DomainTest Incorporated Ltd", websiteURL: "https://www.domaintest.com/about"),
        ])
        #expect(ids == [1, 1])
        #expect(directory.companies[1]?.name == "DomainTest Inc")
        #expect(directory.companies[1]?.domain == "domaintest.com")
    }

    @Test("NameVariant Inc vs NameVariant LLC without URL is the same company")
    func nameVariantIncVsLLC() {
        let (ids, directory) = Self.resolveAll([
            CompanyInput(name: "NameVariant Inc"), CompanyInput(name: "NameVariant LLC"),
        ])
        #expect(ids == [1, 1])
        #expect(directory.count == 1)
    }

    @Test("different domains make two companies")
    func differentDomains() {
        let (ids, directory) = Self.resolveAll([
            CompanyInput(name: "Same Name", websiteURL: "https://one.example.com"),
            CompanyInput(name: "Same Name", websiteURL: "https://two.example.com"),
        ])
        #expect(ids == [1, 2])
        #expect(directory.count == 2)
    }

    @Test("NameMatch Foo Bar Company vs NameMatch Foo Bar is the same company")
    func nameMatchCompanySuffix() {
        let (ids, _) = Self.resolveAll([
            CompanyInput(name: "NameMatch Foo Bar Company"), CompanyInput(name: "NameMatch Foo Bar"),
        ])
        #expect(ids == [1, 1])
    }

    @Test("same LinkedIn URL is the same company")
    func sameLinkedInURL() {
        let url = "https://www.linkedin.com/company/linkedin-match"
        let (ids, directory) = Self.resolveAll([
            CompanyInput(name: "LinkedIn Match", linkedinURL: url),
            CompanyInput(name: "Totally Different Name", linkedinURL: url),
        ])
        #expect(ids == [1, 1])
        #expect(directory.companies[1]?.linkedinURL == url)
    }

    @Test("a name match is not tried when the input has a domain or a LinkedIn URL")
    func nameMatchOnlyWithoutKeys() {
        let (ids, _) = Self.resolveAll([
            CompanyInput(name: "Orbit Labs"),
            CompanyInput(name: "Orbit Labs", websiteURL: "https://orbitlabs.io"),
            CompanyInput(name: "Orbit Labs", linkedinURL: "https://linkedin.com/company/orbit"),
            CompanyInput(name: "Orbit Labs Inc"),
        ])
        #expect(ids == [1, 2, 3, 1])
    }

    @Test("D12: same normalized name coexists with different domains; name matching picks the lowest id")
    func duplicateNamesLowestID() {
        let (ids, directory) = Self.resolveAll([
            CompanyInput(name: "Nimbus", websiteURL: "https://nimbus.dev"),
            CompanyInput(name: "Nimbus Inc", websiteURL: "https://nimbus.ai"),
            CompanyInput(name: "Nimbus, LLC"),
        ])
        #expect(ids == [1, 2, 1])
        #expect(directory.count == 2)
        #expect(directory.companyID(aliasType: .name, value: "nimbus") == 1)
    }

    @Test("D12: lowest id wins even when companies are inserted out of order")
    func lowestIDOutOfOrder() {
        var directory = InMemoryCompanyDirectory()
        directory.insert(.init(id: 7, name: "Zephyr Corp", websiteURL: "https://zephyr.io"), aliases: [])
        directory.insert(.init(id: 3, name: "Zephyr", websiteURL: "https://www.zephyr.io/x"), aliases: [])
        #expect(directory.companyID(withNormalizedName: "zephyr") == 3)
        #expect(directory.companyID(withWebsiteDomain: "zephyr.io") == 3)
        #expect(directory.nextID == 8)
    }

    @Test("step 3 matches a company by its website domain when its domain column is empty")
    func websiteDomainStep() {
        var directory = InMemoryCompanyDirectory()
        directory.insert(.init(id: 1, name: "Manual Entry", domain: nil, websiteURL: "http://www.manual.io:80/"))
        let resolution = CompanyResolver.resolve(CompanyInput(name: "Other", websiteURL: "https://manual.io"), in: directory)
        #expect(resolution == .existing(1))
    }

    @Test("step 2 matches a domain alias")
    func domainAliasStep() {
        var directory = InMemoryCompanyDirectory()
        directory.insert(.init(id: 4, name: "Aliased"), aliases: [CompanyAlias(type: .domain, value: "aliased.com")])
        #expect(CompanyResolver.resolve(CompanyInput(name: "X", websiteURL: "https://aliased.com"), in: directory) == .existing(4))
    }

    @Test("step 5 matches a social alias")
    func socialAliasStep() {
        var directory = InMemoryCompanyDirectory()
        let url = "https://linkedin.com/company/social"
        directory.insert(.init(id: 2, name: "Social"), aliases: [CompanyAlias(type: .social, value: url)])
        #expect(CompanyResolver.resolve(CompanyInput(name: "Y", linkedinURL: url), in: directory) == .existing(2))
    }

    @Test("step 7 creates the company with name, domain, url and social aliases")
    func creationAliases() {
        let input = CompanyInput(name: " Acme, Inc. ", websiteURL: "HTTPS://WWW.Acme.com/Home",
                                 linkedinURL: "https://linkedin.com/company/acme")
        let resolution = CompanyResolver.resolve(input, in: InMemoryCompanyDirectory())
        #expect(resolution == .create(NewCompany(
            name: "Acme, Inc.", websiteURL: "HTTPS://WWW.Acme.com/Home",
            linkedinURL: "https://linkedin.com/company/acme", domain: "acme.com", source: "research",
            aliases: [
                CompanyAlias(type: .name, value: "acme"),
                CompanyAlias(type: .domain, value: "acme.com"),
                CompanyAlias(type: .url, value: "https://www.acme.com/home"),
                CompanyAlias(type: .social, value: "https://linkedin.com/company/acme"),
            ])))
    }

    @Test("a website without a network location gives no domain and no url alias")
    func websiteWithoutDomain() {
        let resolution = CompanyResolver.resolve(CompanyInput(name: "Bare", websiteURL: "bare.io"), in: InMemoryCompanyDirectory())
        guard case .create(let company) = resolution else {
            Issue.record("expected a new company")
            return
        }
        #expect(company.domain == nil)
        #expect(company.aliases == [CompanyAlias(type: .name, value: "bare")])
    }
}
