public import ArgumentParser
public import SiglogCore

// The tools' argument types: each value is parsed once, by its own parser in SiglogCore, at the
// command-line edge.

extension Day: ExpressibleByArgument {
    /// `YYYY-MM-DD`.
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension Timestamp: ExpressibleByArgument {
    /// A date alone (00:00 UTC) or an ISO-8601 time.
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension CompanyReference: ExpressibleByArgument {
    /// A company id or a domain.
    public init?(argument: String) { try? self.init(parsing: argument) }
}

extension JobType: ExpressibleByArgument {
    /// `update_lead_feed` or `update-lead-feed`, any case.
    public init?(argument: String) { self.init(named: argument) }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension JobStatus: ExpressibleByArgument {
    /// `running`, `completed`, `failed` or `skipped`, any case.
    public init?(argument: String) { self.init(named: argument) }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
