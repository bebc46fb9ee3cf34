import Ingest
import Testing

/// Ingest asks a company's domain itself (step 1) and hands the resolver the rest only when it
/// misses (`CompanyResolver.resolve(_:afterMissOfDomain:in:)`): the outcome and the lookups after
/// the first must be those of the whole resolution.
@Suite("Resolution after a domain miss")
struct ResolveAfterDomainMissTests {
    /// A directory that notes every lookup asked of it.
    final class Recording: CompanyDirectory {
        let directory: InMemoryCompanyDirectory
        var asked: [String] = []
        init(_ directory: InMemoryCompanyDirectory) { self.directory = directory }
        func companyID(withDomain domain: String) -> Int? {
            asked.append("domain \(domain)")
            return directory.companyID(withDomain: domain)
        }
        func companyID(aliasType: CompanyAliasType, value: String) -> Int? {
            asked.append("alias \(aliasType) \(value)")
            return directory.companyID(aliasType: aliasType, value: value)
        }
        func companyID(withWebsiteDomain domain: String) -> Int? {
            asked.append("website \(domain)")
            return directory.companyID(withWebsiteDomain: domain)
        }
        func companyID(withLinkedInURL url: String) -> Int? {
            asked.append("linkedin \(url)")
            return directory.companyID(withLinkedInURL: url)
        }
        func companyID(withNormalizedName name: String) -> Int? {
            asked.append("name \(name)")
            return directory.companyID(withNormalizedName: name)
        }
    }

    @Test("the same resolution and the same lookups after the domain's, for inputs matched by every later step or created")
    func sameAsWholeResolution() {
        var directory = InMemoryCompanyDirectory()
        // Companies findable only by a domain alias, a website domain, a LinkedIn URL or a social alias.
        directory.insert(.init(id: 1, name: "Aliased"), aliases: [CompanyAlias(type: .domain, value: "aliased.com")])
        directory.insert(.init(id: 2, name: "Manual", domain: nil, websiteURL: "http://www.manual.io/"))
        directory.insert(.init(id: 3, name: "Linked", linkedinURL: "https://linkedin.com/company/linked"))
        directory.insert(.init(id: 4, name: "Social"), aliases: [CompanyAlias(type: .social, value: "https://linkedin.com/company/social")])
        directory.insert(.init(id: 5, name: "Named Co", domain: "named.com"))
        var inputs: [CompanyInput] = []
        for website in ["https://aliased.com/x", "https://manual.io", "https://www.fresh.org/about", "https://new.dev/"] {
            for linkedin in [nil, "https://linkedin.com/company/linked", "https://linkedin.com/company/social", "https://linkedin.com/company/none", "  "] {
                for name in ["Named Co", "Fresh, Inc.", "Linked"] {
                    inputs.append(CompanyInput(name: name, websiteURL: website, linkedinURL: linkedin))
                }
            }
        }
        var outcomes = Set<String>()
        for input in inputs {
            guard let domain = input.websiteURL.flatMap(CompanyIdentity.extractDomain) else {
                Issue.record("no domain in \(input.websiteURL ?? "-")")
                continue
            }
            #expect(directory.companyID(withDomain: domain) == nil)
            let whole = Recording(directory)
            let expected = CompanyResolver.resolve(input, domain: domain, in: whole)
            let after = Recording(directory)
            let found = CompanyResolver.resolve(input, afterMissOfDomain: domain, in: after)
            #expect(found == expected)
            #expect(whole.asked.first == "domain \(domain)")
            #expect(after.asked == Array(whole.asked.dropFirst()))
            switch expected {
            case .existing(let id): outcomes.insert("existing \(id)")
            case .create: outcomes.insert("create")
            }
        }
        // Every later step answered somewhere, and some inputs created a company.
        #expect(outcomes == ["existing 1", "existing 2", "existing 3", "existing 4", "create"])
    }
}
