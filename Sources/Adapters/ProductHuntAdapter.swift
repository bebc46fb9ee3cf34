public import Ingest
public import SiglogCore

/// Launches from the Product Hunt GraphQL API (ADAPTERS.md §3). Pages of 50 by cursor; each page
/// gets up to 3 attempts, waiting 1 s then 2 s after a 429 or 5xx; any other non-200, a last failed
/// attempt or GraphQL `errors` end paging and keep what was gathered. A transport error or a body
/// that is not JSON throws.
public struct ProductHuntAdapter: SourceAdapter {
    /// `producthunt`.
    public static let sourceName = "producthunt"
    /// The waits before the second and the third attempt of a page.
    static let backoff: [Duration] = [.seconds(1), .seconds(2)]

    /// What the adapter reads from the environment.
    public struct Configuration: Sendable, Hashable {
        /// `PRODUCTHUNT_API_TOKEN`, trimmed; nil means fetch nothing.
        public var apiToken: String?
        /// `PRODUCTHUNT_BASE_URL`, default `https://api.producthunt.com`.
        public var baseURL: String

        /// Reads the configuration from `environment`.
        public init(environment: AdapterEnvironment) {
            apiToken = environment.trimmedValue("PRODUCTHUNT_API_TOKEN")
            baseURL = environment.baseURL("PRODUCTHUNT_BASE_URL", default: "https://api.producthunt.com")
        }
    }

    /// The configuration.
    public var configuration: Configuration
    /// Transport, clock, sleeper, log.
    public var runtime: AdapterRuntime

    /// An adapter with the given configuration and runtime.
    public init(configuration: Configuration, runtime: AdapterRuntime) {
        self.configuration = configuration
        self.runtime = runtime
    }

    /// The source name written on every event.
    public var sourceName: String { Self.sourceName }

    /// Fetches as the type's comment says (`SourceAdapter.fetchEvents(since:)`).
    public func fetchEvents(since: Timestamp) async throws -> [RawEvent] {
        guard let token = configuration.apiToken else { return [] }
        let url = configuration.baseURL + "/v2/api/graphql"
        let headers = [HTTPHeader("Accept", "application/json"), HTTPHeader("Content-Type", "application/json"),
                       HTTPHeader("Authorization", "Bearer " + token)]
        let sinceStamp = ReferenceTime.sinceStamp(since)
        return try await runtime.transport.withSession { session in
            var events: [RawEvent] = []
            var seen = Set<String>()
            var cursor: JSONValue?
            paging: while true {
                let body = JSONWriter().string(ProductHuntMapping.requestBody(sinceStamp: sinceStamp, after: cursor))
                let request = runtime.request(.post, url, headers: headers, body: Array(body.utf8))
                var attempt = 1
                var response = try await session.send(request)
                while response.status != 200 {
                    let retryable = response.status == 429 || (500...599).contains(response.status)
                    guard retryable, attempt <= Self.backoff.count else {
                        runtime.log("producthunt: status \(response.status) from \(request.redactedURL) "
                            + "(attempt \(attempt)); paging stopped with \(events.count) events")
                        break paging
                    }
                    try await runtime.sleep(Self.backoff[attempt - 1])
                    attempt += 1
                    response = try await session.send(request)
                }
                let page = try ProductHuntMapping.page(of: try response.json(of: request))
                if page.hasErrors {
                    runtime.log("producthunt: GraphQL errors from \(request.redactedURL); "
                        + "paging stopped with \(events.count) events")
                    break
                }
                for node in page.nodes {
                    guard let event = try ProductHuntMapping.event(from: node, now: runtime.now()) else { continue }
                    if seen.insert(event.sourceEventID ?? "").inserted { events.append(event) }
                }
                guard let next = page.nextCursor else { break }
                cursor = next
            }
            return events
        }
    }
}
