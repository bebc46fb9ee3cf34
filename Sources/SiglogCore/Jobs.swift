import Foundation
/// The job types of the stage executor (§9.1), with the spec's names as raw values.
public enum JobType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ingest
    case derive
    case score
    case updateLeadFeed = "update_lead_feed"
    case dailyAggregation = "daily_aggregation"
    case watchlistSeed = "watchlist_seed"
    /// The readiness-jump alert scan (§9.3 `run_alert_scan`).
    case alertScan = "alert_scan"
    /// The lead-feed batch build over every workspace (§7.3 backfill, `run_backfill_lead_feed`).
    case backfillLeadFeed = "backfill_lead_feed"

    /// The job type a user names: the spec's name (`update_lead_feed`) or its command-line
    /// spelling (`update-lead-feed`), any case; nil when it names none.
    public init?(named name: String) {
        let normalized = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        self.init(rawValue: normalized)
    }

    /// The command-line spelling (`update-lead-feed`).
    public var commandName: String { rawValue.replacingOccurrences(of: "_", with: "-") }

    public var description: String { rawValue }
}

/// The status of a job run (§1.8).
public enum JobStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case running
    case completed
    case failed
    case skipped

    /// The status a user names (any case); nil when it names none.
    public init?(named name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }

    public var description: String { rawValue }
}

/// A company's recorded status. `acquired` and `dead` zero its readiness (D10).
public enum CompanyStatus: String, Sendable, Hashable, CaseIterable {
    case active
    case acquired
    case dead

    /// The status a user names (surrounding whitespace ignored, any case).
    public init?(named name: String) {
        self.init(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
