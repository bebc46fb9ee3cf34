/// The kinds of company alias (spec §1.2).
public enum CompanyAliasType: String, Sendable, Hashable, CaseIterable {
    /// A normalized name (`normalizeName`).
    case name
    /// A domain (`extractDomain` of the website).
    case domain
    /// The lower-cased website URL.
    case url
    /// A LinkedIn company URL.
    case social
}

/// One alias of a company.
public struct CompanyAlias: Sendable, Hashable {
    /// What kind of key the alias is.
    public var type: CompanyAliasType
    /// The key itself.
    public var value: String

    /// Creates an alias.
    public init(type: CompanyAliasType, value: String) {
        self.type = type
        self.value = value
    }
}

/// The lookups company resolution needs (spec §2.6). The storage layer implements it over its
/// companies view; `InMemoryCompanyDirectory` implements it in memory. Where several companies
/// qualify, every lookup returns the lowest id (D7, D12).
public protocol CompanyDirectory {
    /// Step 1: the company whose `domain` equals `domain`.
    func companyID(withDomain domain: String) -> Int?
    /// Steps 2 and 5: the company owning the alias.
    func companyID(aliasType: CompanyAliasType, value: String) -> Int?
    /// Step 3: the lowest id whose `extractDomain(website_url) == domain`.
    func companyID(withWebsiteDomain domain: String) -> Int?
    /// Step 4: the company whose `company_linkedin_url` equals `url` exactly.
    func companyID(withLinkedInURL url: String) -> Int?
    /// Step 6: the lowest id whose `normalizeName(name) == name`.
    func companyID(withNormalizedName name: String) -> Int?
}

/// A company that resolution decided to create, with its aliases (spec §2.6 step 7).
public struct NewCompany: Sendable, Hashable {
    /// The trimmed name as first seen (the display name).
    public var name: String
    /// The website from normalization, if any.
    public var websiteURL: String?
    /// The trimmed LinkedIn company URL, if any (`company_linkedin_url`).
    public var linkedinURL: String?
    /// `extractDomain(websiteURL)`.
    public var domain: String?
    /// Always `research` for companies created by ingest.
    public var source: String
    /// In the order of step 7: name, domain, url, social (each only when it applies).
    public var aliases: [CompanyAlias]

    /// Creates a new-company description.
    public init(name: String, websiteURL: String?, linkedinURL: String?, domain: String?, source: String,
                aliases: [CompanyAlias]) {
        self.name = name
        self.websiteURL = websiteURL
        self.linkedinURL = linkedinURL
        self.domain = domain
        self.source = source
        self.aliases = aliases
    }
}

/// The outcome of resolving a company input.
public enum CompanyResolution: Sendable, Hashable {
    /// An existing company matched.
    case existing(Int)
    /// No company matched; this one is to be created.
    case create(NewCompany)
}

/// The keys a company input is matched on (spec §2.6 "Inputs").
public struct CompanyMatchKeys: Sendable, Hashable {
    /// `extractDomain(websiteURL)`.
    public var domain: String?
    /// The trimmed LinkedIn URL, nil when absent or blank.
    public var linkedinURL: String?
    /// `normalizeName(name)`.
    public var normalizedName: String

    /// Computes the keys of an input.
    public init(_ input: CompanyInput) {
        self.init(domain: input.websiteURL.flatMap(CompanyIdentity.extractDomain),
                  linkedinURL: Text.nonBlank(input.linkedinURL),
                  normalizedName: CompanyIdentity.normalizeName(input.name))
    }

    /// Keys computed elsewhere.
    public init(domain: String?, linkedinURL: String?, normalizedName: String) {
        self.domain = domain
        self.linkedinURL = linkedinURL
        self.normalizedName = normalizedName
    }
}

/// Match-or-create for companies (spec §2.6 with D12).
public enum CompanyResolver {
    /// Resolves an input against a directory; the first matching step wins:
    /// 1. domain → `companies.domain`; 2. domain → alias `(domain, d)`; 3. domain → domain of a
    /// company's website; 4. LinkedIn URL → `company_linkedin_url`; 5. LinkedIn URL → alias
    /// `(social, url)`; 6. only when there is neither a domain nor a LinkedIn URL: normalized name
    /// (lowest id, D12); 7. otherwise a new company.
    public static func resolve(_ input: CompanyInput, in directory: some CompanyDirectory) -> CompanyResolution {
        // The name is normalized only when steps 1-5 miss: most events match by domain.
        resolve(input, domain: input.websiteURL.flatMap(CompanyIdentity.extractDomain),
                linkedin: Text.nonBlank(input.linkedinURL), normalizedName: nil, in: directory)
    }

    /// The same resolution with `extractDomain(input.websiteURL)` computed beforehand (e.g. on the
    /// thread that parses, not the one that owns the directory); the name is still normalized only
    /// when steps 1-5 miss.
    public static func resolve(_ input: CompanyInput, domain: String?, in directory: some CompanyDirectory)
        -> CompanyResolution
    {
        resolve(input, domain: domain, linkedin: Text.nonBlank(input.linkedinURL), normalizedName: nil, in: directory)
    }

    /// `resolve(_:domain:in:)` for an input whose `domain` the caller already asked
    /// `directory.companyID(withDomain:)` for, and which found none: the resolution goes on from the
    /// next step (the same lookups in the same order as `resolve`, without the first).
    public static func resolve(_ input: CompanyInput, afterMissOfDomain domain: String, in directory: some CompanyDirectory)
        -> CompanyResolution
    {
        resolve(input, domain: domain, linkedin: Text.nonBlank(input.linkedinURL), normalizedName: nil, askDomain: false,
                in: directory)
    }

    private static func resolve(_ input: CompanyInput, domain: String?, linkedin: String?, normalizedName: String?,
                                askDomain: Bool = true, in directory: some CompanyDirectory) -> CompanyResolution {
        if let domain {
            if askDomain, let id = directory.companyID(withDomain: domain) { return .existing(id) }
            if let id = directory.companyID(aliasType: .domain, value: domain) { return .existing(id) }
            if let id = directory.companyID(withWebsiteDomain: domain) { return .existing(id) }
        }
        if let linkedin {
            if let id = directory.companyID(withLinkedInURL: linkedin) { return .existing(id) }
            if let id = directory.companyID(aliasType: .social, value: linkedin) { return .existing(id) }
        }
        let keys = CompanyMatchKeys(domain: domain, linkedinURL: linkedin,
                                    normalizedName: normalizedName ?? CompanyIdentity.normalizeName(input.name))
        if domain == nil, linkedin == nil, !keys.normalizedName.isEmpty,
            let id = directory.companyID(withNormalizedName: keys.normalizedName)
        {
            return .existing(id)
        }
        return .create(newCompany(for: input, keys: keys))
    }

    /// The company step 7 creates for an input.
    public static func newCompany(for input: CompanyInput, keys: CompanyMatchKeys) -> NewCompany {
        var aliases: [CompanyAlias] = []
        if !keys.normalizedName.isEmpty { aliases.append(CompanyAlias(type: .name, value: keys.normalizedName)) }
        if let domain = keys.domain {
            aliases.append(CompanyAlias(type: .domain, value: domain))
            // The website yields a domain, so it is also kept as a `url` alias.
            if let website = input.websiteURL {
                aliases.append(CompanyAlias(type: .url, value: Text.trimmed(website).lowercased()))
            }
        }
        if let linkedin = keys.linkedinURL { aliases.append(CompanyAlias(type: .social, value: linkedin)) }
        return NewCompany(
            name: Text.trimmed(input.name),
            websiteURL: Text.nonBlank(input.websiteURL),
            linkedinURL: keys.linkedinURL,
            domain: keys.domain,
            source: input.source,
            aliases: aliases
        )
    }
}
