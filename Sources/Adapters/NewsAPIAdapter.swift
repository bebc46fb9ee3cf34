public import Ingest
public import SiglogCore

/// Funding news from the NewsAPI "everything" search (ADAPTERS.md §4): each keyword in turn, pages
/// of 100. Any failed request (non-200, `status` other than `ok`, a transport error, a body that is
/// not JSON) ends that keyword only; nothing is retried and the events gathered are kept.
public struct NewsAPIAdapter: SourceAdapter {
    /// `newsapi`.
    public static let sourceName = "newsapi"

    /// What the adapter reads from the environment.
    public struct Configuration: Sendable, Hashable {
        /// `NEWSAPI_API_KEY`, trimmed; nil means fetch nothing.
        public var apiKey: String?
        /// The keywords searched (§4 "Config"); empty means fetch nothing.
        public var keywords: [String]
        /// `NEWSAPI_BASE_URL`, default `https://newsapi.org`.
        public var baseURL: String

        /// Reads the configuration from `environment`.
        public init(environment: AdapterEnvironment) {
            apiKey = environment.trimmedValue("NEWSAPI_API_KEY")
            keywords = NewsAPIMapping.keywords(environment: environment)
            baseURL = environment.baseURL("NEWSAPI_BASE_URL", default: "https://newsapi.org")
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
        guard let apiKey = configuration.apiKey, !configuration.keywords.isEmpty else { return [] }
        let sinceDate = ReferenceTime.sinceDate(since)
        return try await runtime.transport.withSession { session in
            var events: [RawEvent] = []
            var seen = Set<String>()  // one set for all keywords (§10.4)
            for keyword in configuration.keywords {
                var page = 1
                while true {
                    let url = configuration.baseURL + "/v2/everything?"
                        + NewsAPIMapping.query(keyword: keyword, sinceDate: sinceDate, page: page, apiKey: apiKey)
                    let request = runtime.request(.get, url)
                    guard let document = await usableBody(request, session: session) else { break }
                    let articles: [JSONValue]
                    switch document["articles"] {
                    case .array(let items)?: articles = items
                    case let other where !PythonValue.isTruthy(other): articles = []
                    case let other:
                        throw AdapterError.unexpectedType("articles", expected: "an array", got: other)
                    }
                    let total: Double
                    switch document["totalResults"] {
                    case nil, .null?: total = 0
                    case let value?:
                        guard let number = value.numberValue else {
                            throw AdapterError.unexpectedType("totalResults", expected: "a number", got: value)
                        }
                        total = number
                    }
                    for article in articles {
                        guard let event = try NewsAPIMapping.event(from: article, now: runtime.now()) else { continue }
                        if seen.insert(event.sourceEventID ?? "").inserted { events.append(event) }
                    }
                    if articles.count < NewsAPIMapping.pageSize || Double(page * NewsAPIMapping.pageSize) >= total { break }
                    page += 1
                }
            }
            return events
        }
    }

    /// The JSON body of a successful request, or nil (logged) when the keyword has to stop here.
    private func usableBody(_ request: TransportRequest, session: any HTTPSession) async -> JSONValue? {
        let response: TransportResponse
        do {
            response = try await session.send(request)
        } catch {
            runtime.log("newsapi: \(error); next keyword")
            return nil
        }
        guard response.status == 200 else {
            runtime.log("newsapi: status \(response.status) from \(request.redactedURL); next keyword")
            return nil
        }
        guard let document = try? response.json(of: request), document["status"] == .string("ok") else {
            runtime.log("newsapi: unusable body from \(request.redactedURL); next keyword")
            return nil
        }
        return document
    }
}
