public import Ingest
public import SiglogCore

/// Incorporation filings from Delaware's Socrata open-data API (ADAPTERS.md §6): pages of 1000 by
/// offset, filtered on the server by date column and on the client by instant (`event_time ≥
/// since`). A 429 is retried twice, after 60 s then 120 s; a 400 on the first page drops the server
/// filter once; any other failure ends paging and keeps what was gathered: no API failure throws.
public struct DelawareSocrataAdapter: SourceAdapter {
    /// `delaware_socrata`.
    public static let sourceName = "delaware_socrata"
    /// The waits after a first and a second 429.
    static let rateLimitWaits: [Duration] = [.seconds(60), .seconds(120)]

    /// What the adapter reads from the environment.
    public struct Configuration: Sendable, Hashable {
        /// `INGEST_DELAWARE_SOCRATA_DATASET_ID`, trimmed; nil means fetch nothing.
        public var datasetID: String?
        /// The server-side filter column from `INGEST_DELAWARE_SOCRATA_DATE_COLUMN`; nil for none.
        public var dateColumn: String?
        /// `DELAWARE_SOCRATA_BASE_URL`, default `https://data.delaware.gov`.
        public var baseURL: String

        /// Reads the configuration from `environment`.
        public init(environment: AdapterEnvironment) {
            datasetID = environment.trimmedValue("INGEST_DELAWARE_SOCRATA_DATASET_ID")
            dateColumn = DelawareSocrataMapping.dateColumn(environment["INGEST_DELAWARE_SOCRATA_DATE_COLUMN"])
            baseURL = environment.baseURL("DELAWARE_SOCRATA_BASE_URL", default: "https://data.delaware.gov")
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
        guard let datasetID = configuration.datasetID else { return [] }
        let sinceDate = ReferenceTime.sinceDate(since)
        let resource = configuration.baseURL + "/resource/" + URLEncoding.path(datasetID) + ".json?"
        return try await runtime.transport.withSession { session in
            var events: [RawEvent] = []
            var seen = Set<String>()
            var dateColumn = configuration.dateColumn
            var offset = 0
            while true {
                var outcome = try await page(resource, offset: offset, dateColumn: dateColumn, sinceDate: sinceDate,
                                             session)
                if case .badRequest = outcome, offset == 0, dateColumn != nil {
                    runtime.log("delaware_socrata: status 400 with the date filter; retrying without it")
                    dateColumn = nil
                    outcome = try await page(resource, offset: offset, dateColumn: nil, sinceDate: sinceDate, session)
                }
                guard case .rows(let rows) = outcome else { break }
                for row in rows {
                    guard let event = try DelawareSocrataMapping.event(from: row, datasetID: datasetID, now: runtime.now()),
                        event.eventTime >= since, !seen.contains(event.sourceEventID ?? "")
                    else { continue }
                    seen.insert(event.sourceEventID ?? "")
                    events.append(event)
                }
                if rows.count < DelawareSocrataMapping.pageSize { break }
                offset += DelawareSocrataMapping.pageSize
            }
            return events
        }
    }

    private enum PageOutcome {
        case rows([JSONValue])
        case badRequest
        case failed
    }

    /// One page with the 429 rule; every failure is an outcome, not an error.
    private func page(_ resource: String, offset: Int, dateColumn: String?, sinceDate: String,
                      _ session: any HTTPSession) async throws -> PageOutcome {
        let request = runtime.request(
            .get, resource + DelawareSocrataMapping.query(offset: offset, dateColumn: dateColumn, sinceDate: sinceDate))
        do {
            var response = try await session.send(request)
            for wait in Self.rateLimitWaits where response.status == 429 {
                try await runtime.sleep(wait)
                response = try await session.send(request)
            }
            if response.status == 400 { return .badRequest }
            guard response.status == 200 else {
                runtime.log("delaware_socrata: status \(response.status) from \(request.redactedURL); paging stopped")
                return .failed
            }
            guard case .array(let rows)? = try? response.json(of: request) else {
                runtime.log("delaware_socrata: unusable body from \(request.redactedURL); paging stopped")
                return .failed
            }
            return .rows(rows)
        } catch let error as TransportError {
            runtime.log("delaware_socrata: \(error); paging stopped")
            return .failed
        }
    }
}
