/// The sources siglog can fetch from, in the fixed order of ADAPTERS.md §7 step 4.
public enum AdapterSource: String, Sendable, Hashable, CaseIterable {
    /// The fixed test list (§1).
    case test
    /// Crunchbase funding rounds (§2).
    case crunchbase
    /// Product Hunt launches (§3).
    case producthunt
    /// NewsAPI funding news (§4).
    case newsapi
    /// GitHub repository and organisation events (§5).
    case github
    /// Delaware incorporation filings (§6).
    case delawareSocrata = "delaware_socrata"

    /// The flag that enables a network source; nil for `test`.
    public var enableFlag: String? {
        switch self {
        case .test: return nil
        case .crunchbase: return "INGEST_CRUNCHBASE_ENABLED"
        case .producthunt: return "INGEST_PRODUCTHUNT_ENABLED"
        case .newsapi: return "INGEST_NEWSAPI_ENABLED"
        case .github: return "INGEST_GITHUB_ENABLED"
        case .delawareSocrata: return "INGEST_DELAWARE_SOCRATA_ENABLED"
        }
    }

    /// The variables of which one must be non-blank (§7 step 4); empty for `test`.
    public var credentialVariables: [String] {
        switch self {
        case .test: return []
        case .crunchbase: return ["CRUNCHBASE_API_KEY"]
        case .producthunt: return ["PRODUCTHUNT_API_TOKEN"]
        case .newsapi: return ["NEWSAPI_API_KEY"]
        case .github: return ["GITHUB_TOKEN", "GITHUB_PAT"]
        case .delawareSocrata: return ["INGEST_DELAWARE_SOCRATA_DATASET_ID"]
        }
    }

    /// The adapter of this source, configured from `environment`.
    public func makeAdapter(environment: AdapterEnvironment, runtime: AdapterRuntime,
                            gitHubMetadataCache: GitHubOwnerMetadataCache = .shared) -> any SourceAdapter {
        switch self {
        case .test:
            return TestAdapter()
        case .crunchbase:
            return CrunchbaseAdapter(configuration: .init(environment: environment), runtime: runtime)
        case .producthunt:
            return ProductHuntAdapter(configuration: .init(environment: environment), runtime: runtime)
        case .newsapi:
            return NewsAPIAdapter(configuration: .init(environment: environment), runtime: runtime)
        case .github:
            return GitHubAdapter(configuration: .init(environment: environment), runtime: runtime,
                                 metadataCache: gitHubMetadataCache)
        case .delawareSocrata:
            return DelawareSocrataAdapter(configuration: .init(environment: environment), runtime: runtime)
        }
    }
}

/// Which adapters a daily ingest runs (ADAPTERS.md §7 step 4). Pure.
public enum AdapterSelection {
    /// `[test]` when `INGEST_USE_TEST_ADAPTER` is true; else each network source, in order, whose
    /// flag is true and one of whose credentials is non-blank; if none and `DEBUG` is true,
    /// `[test]`; else none. Targets and keywords are not checked here (the adapter then returns
    /// nothing).
    public static func sources(environment: AdapterEnvironment) -> [AdapterSource] {
        if environment.flag("INGEST_USE_TEST_ADAPTER") { return [.test] }
        let enabled = AdapterSource.allCases.filter { source in
            guard let flag = source.enableFlag, environment.flag(flag) else { return false }
            return source.credentialVariables.contains { environment.trimmedValue($0) != nil }
        }
        if enabled.isEmpty && environment.flag("DEBUG") { return [.test] }
        return enabled
    }
}
