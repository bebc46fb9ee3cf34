public import Foundation
public import SiglogCore

/// What `siglog-serve` is configured with besides the store and the address: secrets, the
/// bearer tokens and their workspaces, request-body limits and the writer's queue. Read from the
/// environment by `init(environment:)`; tests build it directly.
public struct ServiceConfiguration: Sendable {
    /// `INTERNAL_JOB_TOKEN`: the `X-Internal-Token` of `/internal/*`. Unset or empty refuses every
    /// internal request (403).
    public var internalToken: String
    /// `SIGLOG_API_TOKEN` and the lines of `SIGLOG_API_TOKENS_FILE`: the bearer tokens of `/api/*`.
    public var apiTokens: APITokens
    /// `SIGLOG_MAX_NDJSON_BYTES` (default 256 MiB): the largest NDJSON request body.
    public var ndjsonBodyLimit: Int
    /// `SIGLOG_MAX_BODY_BYTES` (default 1 MiB): the largest other request body.
    public var bodyLimit: Int
    /// `SIGLOG_WRITE_QUEUE_LIMIT` (default 16): stage requests that may wait for the writer; past
    /// it a request gets 503 with `Retry-After`.
    public var writeQueueLimit: Int
    /// `SIGLOG_RETRY_AFTER_SECONDS` (default 5): the `Retry-After` of a 503.
    public var retryAfterSeconds: Int
    /// `OUTREACH_SCORE_THRESHOLD` (default 30): the ranking threshold of `/api/companies/top` (§8).
    public var outreachScoreThreshold: Int = 30
    /// `SIGLOG_READ_CACHE_BYTES` (default 64 MiB): the most bytes of `/api/*` answers kept for
    /// repeated requests while the store does not move (`ReadCache`); 0 turns the cache off.
    public var readCacheBytes: Int = 64 << 20

    /// Creates a configuration.
    public init(internalToken: String = "", apiTokens: APITokens = APITokens(), ndjsonBodyLimit: Int = 256 << 20,
                bodyLimit: Int = 1 << 20, writeQueueLimit: Int = 16, retryAfterSeconds: Int = 5) {
        self.internalToken = internalToken
        self.apiTokens = apiTokens
        self.ndjsonBodyLimit = ndjsonBodyLimit
        self.bodyLimit = bodyLimit
        self.writeQueueLimit = writeQueueLimit
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Reads the configuration from `environment`; a malformed number or tokens file is an error
    /// naming the variable (or file and line).
    public init(environment: [String: String]) throws(InvalidValue) {
        func number(_ name: String, default value: Int, minimum: Int) throws(InvalidValue) -> Int {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return value }
            guard let parsed = Int(text), parsed >= minimum else {
                throw InvalidValue("\(name) must be an integer of at least \(minimum), got '\(text)'")
            }
            return parsed
        }
        var tokens = APITokens()
        if let token = environment["SIGLOG_API_TOKEN"], !token.isEmpty { tokens.add(token, access: .all) }
        if let path = environment["SIGLOG_API_TOKENS_FILE"], !path.isEmpty {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw InvalidValue("SIGLOG_API_TOKENS_FILE: cannot read \(path)")
            }
            try tokens.add(parsing: text, file: path)
        }
        self.init(
            internalToken: environment["INTERNAL_JOB_TOKEN"] ?? "", apiTokens: tokens,
            ndjsonBodyLimit: try number("SIGLOG_MAX_NDJSON_BYTES", default: 256 << 20, minimum: 0),
            bodyLimit: try number("SIGLOG_MAX_BODY_BYTES", default: 1 << 20, minimum: 0),
            writeQueueLimit: try number("SIGLOG_WRITE_QUEUE_LIMIT", default: 16, minimum: 0),
            retryAfterSeconds: try number("SIGLOG_RETRY_AFTER_SECONDS", default: 5, minimum: 1))
        outreachScoreThreshold = try number("OUTREACH_SCORE_THRESHOLD", default: 30, minimum: Int.min)
        readCacheBytes = try number("SIGLOG_READ_CACHE_BYTES", default: 64 << 20, minimum: 0)
    }
}

/// Which workspaces a bearer token may read.
public enum WorkspaceAccess: Sendable, Hashable {
    /// Every workspace, and the store-wide figures of `/api/stats`.
    case all
    /// Only these workspaces.
    case only(Set<UUID>)

    /// Whether the token may read `workspace`.
    public func allows(_ workspace: UUID) -> Bool {
        switch self {
        case .all: true
        case .only(let workspaces): workspaces.contains(workspace)
        }
    }
}

/// The bearer tokens of `/api/*` and what each may read.
public struct APITokens: Sendable {
    private var entries: [(token: String, access: WorkspaceAccess)] = []

    /// No tokens: every `/api/*` request is refused.
    public init() {}

    /// Adds `token` with `access` (empty tokens are ignored).
    public mutating func add(_ token: String, access: WorkspaceAccess) {
        guard !token.isEmpty else { return }
        entries.append((token, access))
    }

    /// Adds the lines of a tokens file: `TOKEN WORKSPACE_ID[,WORKSPACE_ID…]` or `TOKEN *`, blank
    /// lines and lines starting with `#` ignored. A bad line is an error naming `file` and the line.
    public mutating func add(parsing text: String, file: String) throws(InvalidValue) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2 else {
                throw InvalidValue("\(file):\(index + 1): expected 'TOKEN WORKSPACE_ID[,WORKSPACE_ID…]' or 'TOKEN *'")
            }
            if parts[1] == "*" {
                add(String(parts[0]), access: .all)
                continue
            }
            var workspaces = Set<UUID>()
            for item in parts[1].split(separator: ",") {
                guard let id = UUID(uuidString: String(item)) else {
                    throw InvalidValue("\(file):\(index + 1): workspace_id: must be a valid UUID, got '\(item)'")
                }
                workspaces.insert(id)
            }
            add(String(parts[0]), access: .only(workspaces))
        }
    }

    /// The access of `token`, nil when it matches none. Every configured token is compared (in
    /// constant time) whatever matched before, so the time taken does not tell which one matched.
    public func access(for token: String) -> WorkspaceAccess? {
        var found: WorkspaceAccess?
        for entry in entries where ConstantTime.equals(token, entry.token) && found == nil {
            found = entry.access
        }
        return found
    }

    /// Whether any token is configured.
    public var isEmpty: Bool { entries.isEmpty }
}
