import Foundation
import SiglogCore

/// The GitHub owner-metadata cache of ADAPTERS.md §5.3: in memory for the life of the process (no
/// expiry), and, when the TTL is above 0, in `<dir>/github_owner_metadata.json`, read once before
/// the first lookup (entries younger than the TTL) and rewritten after every successful lookup.
/// Failed lookups are never cached here.
public actor GitHubOwnerMetadataCache {
    /// The cache of this process.
    public static let shared = GitHubOwnerMetadataCache()

    /// The name of the cache file inside the cache directory.
    public static let fileName = "github_owner_metadata.json"

    private var entries: [String: GitHubOwnerMetadata] = [:]
    private var loadedFromFile = false

    /// An empty cache (tests use their own; the adapters default to `shared`).
    public init() {}

    /// The cached metadata of `owner`. Before the first lookup with `ttlSeconds > 0`, the file in
    /// `directory` fills the memory cache with its entries no older than `ttlSeconds` at `now`.
    func metadata(of owner: String, directory: String, ttlSeconds: Int, now: Timestamp) -> GitHubOwnerMetadata? {
        if ttlSeconds > 0 && !loadedFromFile {
            loadedFromFile = true
            load(from: Self.filePath(directory), ttlSeconds: ttlSeconds, now: now)
        }
        return entries[owner]
    }

    /// Remembers a successful lookup; with `ttlSeconds > 0` also writes it to the file with
    /// `cached_at` = `now` (write errors are ignored: the cache is an optimisation).
    func remember(_ metadata: GitHubOwnerMetadata, of owner: String, directory: String, ttlSeconds: Int,
                  now: Timestamp) {
        entries[owner] = metadata
        guard ttlSeconds > 0 else { return }
        let path = Self.filePath(directory)
        var file = JSONObject()
        if let data = FileManager.default.contents(atPath: path), case .object(let existing)? = try? JSONParser.parse(data) {
            file = existing
        }
        file[owner] = .object([
            "blog": metadata.blog.map(JSONValue.string) ?? .null,
            "html_url": metadata.htmlURL.map(JSONValue.string) ?? .null,
            "cached_at": .string(now.isoUTC),
        ])
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(JSONWriter().string(.object(file)).utf8))
    }

    private func load(from path: String, ttlSeconds: Int, now: Timestamp) {
        guard let data = FileManager.default.contents(atPath: path),
            case .object(let file)? = try? JSONParser.parse(data)
        else { return }
        for member in file {
            guard case .object(let entry) = member.value, case .string(let stamp)? = entry["cached_at"],
                let cachedAt = ReferenceTime.isoDateTime(stamp)
            else { continue }
            let ageSeconds = Double(now.microseconds - cachedAt.microseconds) / 1_000_000
            guard ageSeconds <= Double(ttlSeconds) else { continue }
            entries[member.key] = GitHubMapping.metadata(fromProfile: entry)
        }
    }

    static func filePath(_ directory: String) -> String {
        directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
    }
}
