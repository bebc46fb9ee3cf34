import Metrics
public import Prometheus

/// The service's metrics, through swift-metrics into a Prometheus registry of their own (not the
/// process-wide `MetricsSystem`, so several servers in one process — tests — keep their counts
/// apart). `GET /metrics` prints `exposition()`.
///
/// * `siglog_http_requests_total{route, method, status}` and
///   `siglog_http_request_duration_seconds{route, method}` (histogram), one per request;
/// * `siglog_stage_runs_total{type, status}` per stage request answered;
/// * `siglog_events_ingested_total` (events inserted by ingest stages);
/// * `siglog_read_cache_lookups_total{result}` (`/api/*` answers served from the read cache or read);
/// * `siglog_log_head` and `siglog_views_behind` (log records not yet in the views), read from the
///   store when scraped.
public final class ServiceMetrics: Sendable {
    /// The registry `exposition()` prints.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    static let requestDuration = "siglog_http_request_duration_seconds"

    /// Metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.requestDuration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            .seconds(30), .seconds(120),
        ]
        self.factory = factory
        // Present from the start, so a scrape before any ingest shows 0 rather than nothing.
        Counter(label: "siglog_events_ingested_total", factory: factory).increment(by: 0)
    }

    /// One answered request: `route` is the matched route pattern (not the raw path, so the label
    /// set stays small).
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: "siglog_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))],
                factory: factory).increment()
        Timer(label: Self.requestDuration, dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// One stage request answered with `status` (`completed`, `failed`, `skipped`, or `refused`
    /// when it never ran: rate limit, busy writer).
    public func recordStage(type: String, status: String) {
        Counter(label: "siglog_stage_runs_total", dimensions: [("type", type), ("status", status)], factory: factory).increment()
    }

    /// A read answered from the read cache (`hit`) or read from the store.
    public func recordReadCache(hit: Bool) {
        Counter(label: "siglog_read_cache_lookups_total", dimensions: [("result", hit ? "hit" : "miss")], factory: factory).increment()
    }

    /// Events an ingest inserted.
    public func recordIngested(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "siglog_events_ingested_total", factory: factory).increment(by: count)
    }

    /// The log head and how far the views are behind it.
    public func recordStore(head: UInt64, viewsBehind: Int64) {
        Gauge(label: "siglog_log_head", factory: factory).record(Int64(head))
        Gauge(label: "siglog_views_behind", factory: factory).record(viewsBehind)
    }

    /// Log shipping as the store knows it (`siglog-query stats`' `replication`): `role` is `writer`
    /// or `replica`; `position` the publisher's acknowledged sequence (writer; absent when it never
    /// published) or the replica's applied head; the lag in records and seconds.
    public func recordReplication(role: String, position: UInt64?, lagRecords: UInt64, lagSeconds: Double) {
        for candidate in ["writer", "replica"] {
            Gauge(label: "siglog_replication_role", dimensions: [("role", candidate)], factory: factory)
                .record(candidate == role ? 1 : 0)
        }
        if let position {
            Gauge(label: "siglog_replication_position", factory: factory).record(Int64(clamping: position))
        }
        Gauge(label: "siglog_replication_lag_records", factory: factory).record(Int64(clamping: lagRecords))
        Gauge(label: "siglog_replication_lag_seconds", factory: factory).record(lagSeconds)
    }

    /// Every metric in the Prometheus text format.
    public func exposition() -> String { registry.emitToString() }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
