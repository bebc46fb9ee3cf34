public import Ingest
public import SiglogCore

/// Funding rounds from the Crunchbase v4 search API (ADAPTERS.md §2). Pages of 100 by `after_id`;
/// a non-200 (429 included) ends paging and keeps what was gathered, with no retry; a transport
/// error or a body that is not JSON throws.
public struct CrunchbaseAdapter: SourceAdapter {
    /// `crunchbase`.
    public static let sourceName = "crunchbase"

    /// What the adapter reads from the environment.
    public struct Configuration: Sendable, Hashable {
        /// `CRUNCHBASE_API_KEY`, trimmed; nil means fetch nothing.
        public var apiKey: String?
        /// `CRUNCHBASE_BASE_URL`, default `https://api.crunchbase.com`.
        public var baseURL: String

        /// Reads the configuration from `environment`.
        public init(environment: AdapterEnvironment) {
            apiKey = environment.trimmedValue("CRUNCHBASE_API_KEY")
            baseURL = environment.baseURL("CRUNCHBASE_BASE_URL", default: "https://api.crunchbase.com")
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
        guard let apiKey = configuration.apiKey else { return [] }
        // The key goes into the query as it is (§2); it never reaches a message (`redactedURL`).
        let url = configuration.baseURL + "/v4/data/searches/funding_rounds?user_key=" + apiKey
        let sinceDate = ReferenceTime.sinceDate(since)
        return try await runtime.transport.withSession { session in
            var events: [RawEvent] = []
            var seen = Set<String>()
            var cursor: String?
            while true {
                let body = JSONWriter().string(CrunchbaseMapping.requestBody(sinceDate: sinceDate, afterID: cursor))
                let request = runtime.request(.post, url, headers: [HTTPHeader("Content-Type", "application/json")],
                                              body: Array(body.utf8))
                let response = try await session.send(request)
                guard response.status == 200 else {
                    runtime.log("crunchbase: status \(response.status) from \(request.redactedURL); "
                        + "paging stopped with \(events.count) events")
                    break
                }
                let entities = try CrunchbaseMapping.entities(in: try response.json(of: request))
                for entity in entities {
                    let event = try CrunchbaseMapping.event(from: entity, now: runtime.now())
                    if seen.insert(event.sourceEventID ?? "").inserted { events.append(event) }
                }
                guard entities.count >= CrunchbaseMapping.pageSize, let last = entities.last,
                    let next = try CrunchbaseMapping.cursor(after: last)
                else { break }
                cursor = next
            }
            return events
        }
    }
}
