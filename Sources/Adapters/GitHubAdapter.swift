import Foundation
public import Ingest
public import SiglogCore

/// Repository and organisation events from the GitHub REST API (ADAPTERS.md §5): the configured
/// repositories, then the organisations, pages of 100. A 429 is retried twice after `Retry-After`
/// or 60 s, then 120 s; any other failure (non-200, transport error, a body that is not an array)
/// ends that repository or organisation and keeps what was gathered. Events older than `since`
/// are dropped on the client. Each event's website comes from its owner's profile `blog`.
public struct GitHubAdapter: SourceAdapter {
    /// `github`.
    public static let sourceName = "github"
    /// The waits after a first and a second 429 when `Retry-After` gives none.
    static let rateLimitWaits: [Duration] = [.seconds(60), .seconds(120)]
    /// The pause before each uncached owner lookup.
    static let metadataPause: Duration = .milliseconds(500)

    /// What the adapter reads from the environment.
    public struct Configuration: Sendable, Hashable {
        /// The first non-blank of `GITHUB_TOKEN`, `GITHUB_PAT`, trimmed; nil means fetch nothing.
        public var token: String?
        /// `INGEST_GITHUB_REPOS`: `owner/repo` specs as typed (trimmed).
        public var repositories: [String]
        /// `INGEST_GITHUB_ORGS`: organisation logins.
        public var organisations: [String]
        /// `INGEST_GITHUB_CACHE_DIR`, default `~/.cache/siglog` (a leading `~` is `HOME`, else the
        /// user's home directory).
        public var cacheDirectory: String
        /// `INGEST_GITHUB_METADATA_CACHE_TTL_SECS` (default 86400); 0 turns the file cache off.
        public var cacheTTLSeconds: Int
        /// `GITHUB_BASE_URL`, default `https://api.github.com`.
        public var baseURL: String

        /// Reads the configuration from `environment`.
        public init(environment: AdapterEnvironment) {
            token = environment.trimmedValue("GITHUB_TOKEN") ?? environment.trimmedValue("GITHUB_PAT")
            repositories = GitHubMapping.targets(environment["INGEST_GITHUB_REPOS"])
            organisations = GitHubMapping.targets(environment["INGEST_GITHUB_ORGS"])
            var directory = environment.trimmedValue("INGEST_GITHUB_CACHE_DIR") ?? "~/.cache/siglog"
            if directory == "~" || directory.hasPrefix("~/") {
                let home = environment.trimmedValue("HOME") ?? FileManager.default.homeDirectoryForCurrentUser.path
                directory = home + directory.dropFirst()
            }
            cacheDirectory = directory
            cacheTTLSeconds = GitHubMapping.cacheTTL(environment["INGEST_GITHUB_METADATA_CACHE_TTL_SECS"])
            baseURL = environment.baseURL("GITHUB_BASE_URL", default: "https://api.github.com")
        }
    }

    /// The configuration.
    public var configuration: Configuration
    /// Transport, clock, sleeper, log.
    public var runtime: AdapterRuntime
    /// The process's owner-metadata cache.
    public var metadataCache: GitHubOwnerMetadataCache

    /// An adapter with the given configuration, runtime and metadata cache.
    public init(configuration: Configuration, runtime: AdapterRuntime,
                metadataCache: GitHubOwnerMetadataCache = .shared) {
        self.configuration = configuration
        self.runtime = runtime
        self.metadataCache = metadataCache
    }

    /// The source name written on every event.
    public var sourceName: String { Self.sourceName }

    /// Fetches as the type's comment says (`SourceAdapter.fetchEvents(since:)`).
    public func fetchEvents(since: Timestamp) async throws -> [RawEvent] {
        guard let token = configuration.token,
            !(configuration.repositories.isEmpty && configuration.organisations.isEmpty)
        else { return [] }
        let headers = [HTTPHeader("Authorization", "Bearer " + token),
                       HTTPHeader("Accept", "application/vnd.github+json"),
                       HTTPHeader("X-GitHub-Api-Version", "2022-11-28")]
        return try await runtime.transport.withSession { session in
            var fetch = Fetch(since: since, headers: headers)
            for spec in configuration.repositories {
                guard let slash = spec.firstIndex(of: "/") else {
                    runtime.log("github: repository spec without '/' skipped: \(spec)")
                    continue
                }
                let owner = String(spec[..<slash])
                try await lookUpOnce(owner, &fetch, session)
                let path = "/repos/" + URLEncoding.path(owner) + "/" + URLEncoding.path(String(spec[spec.index(after: slash)...]))
                    + "/events"
                try await page(path, &fetch, session) { item, fetch in
                    try GitHubMapping.event(from: item, repoName: spec, website: fetch.website(of: owner), now: runtime.now())
                }
            }
            for organisation in configuration.organisations {
                try await lookUpOnce(organisation, &fetch, session)
                try await page("/orgs/" + URLEncoding.path(organisation) + "/events", &fetch, session) { item, fetch in
                    let repoName = try GitHubMapping.repoName(of: item, organisation: organisation)
                    let owner = GitHubMapping.owner(of: repoName)
                    try await lookUpOnce(owner, &fetch, session)
                    return try GitHubMapping.event(from: item, repoName: repoName, website: fetch.website(of: owner),
                                                   now: runtime.now())
                }
            }
            return fetch.events
        }
    }

    /// The state of one fetch.
    private struct Fetch {
        let since: Timestamp
        let headers: [HTTPHeader]
        var events: [RawEvent] = []
        var seen = Set<String>()
        /// Owner → metadata for this fetch; a failed lookup is remembered as empty.
        var owners: [String: GitHubOwnerMetadata] = [:]

        init(since: Timestamp, headers: [HTTPHeader]) {
            self.since = since
            self.headers = headers
        }

        func website(of owner: String) -> String? { GitHubMapping.website(fromBlog: owners[owner]?.blog) }
    }

    /// Pages through one events listing, keeping each mapped event that is new and not older than
    /// `since`. Any failure of a page ends the listing.
    private func page(_ path: String, _ fetch: inout Fetch, _ session: any HTTPSession,
                      map: (JSONValue, inout Fetch) async throws -> RawEvent?) async throws {
        var page = 1
        while true {
            let url = configuration.baseURL + path + "?"
                + URLEncoding.query([("per_page", String(GitHubMapping.pageSize)), ("page", String(page))])
            let request = runtime.request(.get, url, headers: fetch.headers)
            let status: Int
            var body: TransportResponse?
            do {
                let response = try await sendWithRateLimitRule(request, session)
                status = response.status
                body = response
            } catch let error as TransportError {
                runtime.log("github: \(error); counted as status 500")
                status = 500
            }
            guard status == 200, let response = body, case .array(let items)? = try? response.json(of: request) else {
                runtime.log("github: status \(status) or unusable body from \(request.redactedURL); "
                    + "moving to the next repository or organisation")
                return
            }
            for item in items {
                guard let event = try await map(item, &fetch), event.eventTime >= fetch.since else { continue }
                if fetch.seen.insert(event.sourceEventID ?? "").inserted { fetch.events.append(event) }
            }
            if items.count < GitHubMapping.pageSize { return }
            page += 1
        }
    }

    /// Looks `owner` up unless this fetch already did.
    private func lookUpOnce(_ owner: String, _ fetch: inout Fetch, _ session: any HTTPSession) async throws {
        guard fetch.owners[owner] == nil else { return }
        fetch.owners[owner] = try await lookUp(owner, headers: fetch.headers, session)
    }

    /// §5.3 lookup: the process cache, else (after a pause) `/orgs/<owner>`, then `/users/<owner>`;
    /// the first 200 with an object body wins and is cached. Empty metadata when both fail.
    private func lookUp(_ owner: String, headers: [HTTPHeader], _ session: any HTTPSession) async throws
        -> GitHubOwnerMetadata
    {
        let directory = configuration.cacheDirectory
        let ttl = configuration.cacheTTLSeconds
        if let cached = await metadataCache.metadata(of: owner, directory: directory, ttlSeconds: ttl, now: runtime.now()) {
            return cached
        }
        try await runtime.sleep(Self.metadataPause)
        for kind in ["/orgs/", "/users/"] {
            let request = runtime.request(.get, configuration.baseURL + kind + URLEncoding.path(owner), headers: headers,
                                          timeout: runtime.metadataTimeout)
            let response: TransportResponse
            do {
                response = try await sendWithRateLimitRule(request, session)
            } catch let error as TransportError {
                runtime.log("github: \(error)")
                continue
            }
            guard response.status == 200, case .object(let profile)? = try? response.json(of: request) else { continue }
            let metadata = GitHubMapping.metadata(fromProfile: profile)
            await metadataCache.remember(metadata, of: owner, directory: directory, ttlSeconds: ttl, now: runtime.now())
            return metadata
        }
        runtime.log("github: no profile for owner \(owner); no website")
        return .empty
    }

    /// Sends `request` up to 3 times while it gets 429, waiting `Retry-After` seconds (when all
    /// digits) or 60 s, then 120 s. Returns the last response; transport errors are thrown.
    private func sendWithRateLimitRule(_ request: TransportRequest, _ session: any HTTPSession) async throws -> TransportResponse {
        var response = try await session.send(request)
        for wait in Self.rateLimitWaits where response.status == 429 {
            let retryAfter = response.header("Retry-After") ?? ""
            let seconds = !retryAfter.isEmpty && retryAfter.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                ? Int64(retryAfter) : nil
            try await runtime.sleep(seconds.map { .seconds($0) } ?? wait)
            response = try await session.send(request)
        }
        return response
    }
}
