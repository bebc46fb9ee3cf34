import Ingest
import SiglogCore

/// The public profile fields of a GitHub user or organisation that give a company's website.
public struct GitHubOwnerMetadata: Sendable, Hashable {
    /// The trimmed `blog`, nil when missing or empty.
    public var blog: String?
    /// The trimmed `html_url`, nil when missing or empty.
    public var htmlURL: String?

    /// Metadata with the given fields.
    public init(blog: String?, htmlURL: String?) {
        self.blog = blog
        self.htmlURL = htmlURL
    }

    /// What a failed lookup leaves: no website.
    public static let empty = GitHubOwnerMetadata(blog: nil, htmlURL: nil)
}

/// GitHub events → raw events (ADAPTERS.md §5): targets, owner metadata, the mapping of one event.
/// Pure.
enum GitHubMapping {
    /// Events per page; a shorter page ends the repository or organisation.
    static let pageSize = 100

    /// A comma-separated target list: items trimmed, blanks dropped.
    static func targets(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",", omittingEmptySubsequences: false)
            .map { PythonValue.trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    /// `INGEST_GITHUB_METADATA_CACHE_TTL_SECS`: unset or not an integer → 86400, negative → 0.
    static func cacheTTL(_ value: String?) -> Int {
        guard let value else { return 86_400 }
        var body = Substring(PythonValue.trimmed(value))
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return 86_400 }
        if negative { return 0 }
        return Int(body) ?? Int.max
    }

    /// `{blog, html_url}` of a profile object, each trimmed text or nil.
    static func metadata(fromProfile profile: JSONObject) -> GitHubOwnerMetadata {
        func field(_ name: String) -> String? {
            guard let text = PythonValue.textIfTruthy(profile[name]) else { return nil }
            let trimmed = PythonValue.trimmed(text)
            return trimmed.isEmpty ? nil : trimmed
        }
        return GitHubOwnerMetadata(blog: field("blog"), htmlURL: field("html_url"))
    }

    /// The website a blog gives (§5.3): nil when blank or on `github.com` (any case); kept when it
    /// starts with `http://` or `https://` (case-sensitive), else prefixed with `https://`; at most
    /// 2048 characters.
    static func website(fromBlog blog: String?) -> String? {
        guard let blog else { return nil }
        let text = PythonValue.trimmed(blog)
        if text.isEmpty || text.lowercased().contains("github.com") { return nil }
        let url = text.hasPrefix("http://") || text.hasPrefix("https://") ? text : "https://" + text
        return PythonValue.truncated(url, to: 2048)
    }

    /// The owner part of a repository name: the text before the first `/`, or all of it.
    static func owner(of repoName: String) -> String {
        guard let slash = repoName.firstIndex(of: "/") else { return repoName }
        return String(repoName[..<slash])
    }

    /// The repository name R of an organisation event: `repo.name` when `repo` is an object with
    /// a `name` key, else the organisation login.
    static func repoName(of item: JSONValue, organisation: String) throws(AdapterError) -> String {
        guard case .object(let event) = item, case .object(let repo)? = event["repo"], let name = repo["name"] else {
            return organisation
        }
        if name.isNull { throw AdapterError.unexpectedType("repo.name", expected: "text", got: name) }
        return PythonValue.text(name)
    }

    /// The event of one item with repository name R, or nil when it has no id (or is not an
    /// object). `website` comes from the owner's metadata.
    static func event(from item: JSONValue, repoName: String, website: String?, now: Timestamp)
        throws(AdapterError) -> RawEvent?
    {
        guard case .object(let e) = item, let idValue = e["id"], !idValue.isNull else { return nil }
        let type = PythonValue.textIfTruthy(e["type"]) ?? "Event"
        var login = ""
        if case .object(let actor)? = e["actor"] { login = PythonValue.textIfTruthy(actor["login"]) ?? "" }

        var url = "https://github.com/" + repoName
        if case .object(let payload)? = e["payload"] {
            if type == "PushEvent" {
                if let sha = PythonValue.textIfTruthy(payload["head"]) ?? PythonValue.textIfTruthy(payload["before"]) {
                    url = "https://github.com/\(repoName)/commit/\(sha)"
                }
            } else if type == "PullRequestEvent" {
                let pullRequest = try PythonValue.object(payload["pull_request"], "payload.pull_request")
                if let link = PythonValue.textIfTruthy(pullRequest["html_url"]) { url = link }
            }
        }
        let owner = PythonValue.truncated(owner(of: repoName), to: 255)
        return try RawEventLimits.checked(RawEvent(
            source: GitHubAdapter.sourceName,
            sourceEventID: PythonValue.truncated("\(repoName):\(PythonValue.text(idValue)):\(type)", to: 255),
            companyName: owner.isEmpty ? "Unknown" : owner,
            websiteURL: website,
            eventType: "repo_activity",
            eventTime: try ReferenceTime.t1(e["created_at"], field: "created_at", now: now),
            title: "\(type) in \(repoName)",
            summary: login.isEmpty ? nil : PythonValue.truncated(login, to: 512),
            url: PythonValue.truncated(url, to: 2048),
            rawPayload: ["type": .string(type), "actor": .string(login), "repo": .string(repoName)]))
    }
}
