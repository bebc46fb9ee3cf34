/// A company directory held in dictionaries: the matching indexes of §2.6 for tests and for the
/// storage layer's rebuildable cache. Inserting is O(1) per alias; every index keeps the lowest
/// company id when several companies share a key (D12 allows duplicate name aliases).
public struct InMemoryCompanyDirectory: CompanyDirectory, Sendable, Hashable {
    /// A company as the directory knows it.
    public struct Company: Sendable, Hashable {
        /// The company id (`entity_id`).
        public var id: Int
        /// The display name.
        public var name: String
        /// The unique domain, if any.
        public var domain: String?
        /// The website, if any.
        public var websiteURL: String?
        /// The LinkedIn company URL, if any.
        public var linkedinURL: String?
        /// `research` for companies created by ingest.
        public var source: String

        /// Creates a company record.
        public init(id: Int, name: String, domain: String? = nil, websiteURL: String? = nil,
                    linkedinURL: String? = nil, source: String = "research") {
            self.id = id
            self.name = name
            self.domain = domain
            self.websiteURL = websiteURL
            self.linkedinURL = linkedinURL
            self.source = source
        }
    }

    /// Every company by id.
    public private(set) var companies: [Int: Company] = [:]
    private var byDomain: [String: Int] = [:]
    private var byAlias: [CompanyAlias: Int] = [:]
    private var byWebsiteDomain: [String: Int] = [:]
    private var byLinkedInURL: [String: Int] = [:]
    private var byNormalizedName: [String: Int] = [:]

    /// An empty directory.
    public init() {}

    /// The id after the highest one known (1 when empty): ids are small integers in creation order.
    public var nextID: Int { highestID + 1 }
    private var highestID = 0

    /// The number of companies.
    public var count: Int { companies.count }

    /// Records a company created by resolution, with its aliases.
    public mutating func insert(id: Int, newCompany: NewCompany) {
        insert(
            Company(id: id, name: newCompany.name, domain: newCompany.domain, websiteURL: newCompany.websiteURL,
                    linkedinURL: newCompany.linkedinURL, source: newCompany.source),
            aliases: newCompany.aliases)
    }

    /// Records a company and aliases (a company inserted again under the same id is replaced in the
    /// table; its old index entries stay, which is fine for the append-only data this serves).
    public mutating func insert(_ company: Company, aliases: [CompanyAlias] = []) {
        companies[company.id] = company
        highestID = max(highestID, company.id)
        if let domain = company.domain { Self.keepLowest(&byDomain, domain, company.id) }
        if let website = company.websiteURL, let domain = CompanyIdentity.extractDomain(website) {
            Self.keepLowest(&byWebsiteDomain, domain, company.id)
        }
        if let linkedin = company.linkedinURL { Self.keepLowest(&byLinkedInURL, linkedin, company.id) }
        let normalized = CompanyIdentity.normalizeName(company.name)
        if !normalized.isEmpty { Self.keepLowest(&byNormalizedName, normalized, company.id) }
        for alias in aliases { Self.keepLowest(&byAlias, alias, company.id) }
    }

    /// Records an alias for an existing company.
    public mutating func addAlias(_ alias: CompanyAlias, companyID: Int) {
        Self.keepLowest(&byAlias, alias, companyID)
    }

    /// Resolves an input and, when it creates a company, records it under `nextID`.
    /// - Returns: the company id and whether it was created.
    public mutating func resolveOrCreate(_ input: CompanyInput) -> (id: Int, created: Bool) {
        switch CompanyResolver.resolve(input, in: self) {
        case .existing(let id):
            return (id, false)
        case .create(let newCompany):
            let id = nextID
            insert(id: id, newCompany: newCompany)
            return (id, true)
        }
    }

    /// Step 1: the company whose `domain` equals `domain`.
    public func companyID(withDomain domain: String) -> Int? { byDomain[domain] }
    /// Steps 2 and 5: the lowest id owning the alias.
    public func companyID(aliasType: CompanyAliasType, value: String) -> Int? {
        byAlias[CompanyAlias(type: aliasType, value: value)]
    }
    /// Step 3: the lowest id whose website has this domain.
    public func companyID(withWebsiteDomain domain: String) -> Int? { byWebsiteDomain[domain] }
    /// Step 4: the lowest id with exactly this LinkedIn URL.
    public func companyID(withLinkedInURL url: String) -> Int? { byLinkedInURL[url] }
    /// Step 6: the lowest id whose normalized name is `name`.
    public func companyID(withNormalizedName name: String) -> Int? { byNormalizedName[name] }

    private static func keepLowest<Key: Hashable>(_ index: inout [Key: Int], _ key: Key, _ id: Int) {
        if let existing = index[key], existing <= id { return }
        index[key] = id
    }
}
