import Foundation
package import LMDB

/// Every view and index of the store: the one list that opening, the checkpoint row's fingerprint
/// slots, replay, verify and `stats` all iterate. A view's raw value is its slot in the checkpoint
/// row, so cases are only ever appended.
public enum View: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Pack UUID → the installed pack.
    case packs
    /// `(pack_id, version)` → pack UUID.
    case packsByKey
    /// Workspace id → workspace.
    case workspaces
    /// Company id → company.
    case companies
    /// Domain → company id (first company wins).
    case companiesByDomain
    /// `(alias_type, alias_value)` → company id.
    case companiesByAlias
    /// Website domain → company id.
    case companiesByWebsiteDomain
    /// LinkedIn URL → company id.
    case companiesByLinkedIn
    /// Normalized name → company id (lowest id wins, D12).
    case companiesByName
    /// `(company_id, event_id)` → nothing: the event itself is read from the log.
    case eventsByCompany
    /// `(entity_id, signal_id, pack_id)` → instance.
    case instances
    /// `(company_id, as_of, pack_id)` → readiness snapshot.
    case readiness
    /// `(pack_id, as_of, company_id)` → nothing: the snapshots of one day.
    case readinessByDay
    /// `(company_id, as_of, pack_id)` → engagement snapshot.
    case engagement
    /// `(workspace_id, pack_id, entity_id)` → lead-feed row.
    case leadFeed
    /// `(workspace_id, pack_id, as_of, 1000 − composite, entity_id)` → nothing: feed ranking order.
    case leadFeedRank
    /// `(company_id, sequence)` → timeline entry.
    case timeline
    /// `job_run_id` → job run.
    case jobs
    /// `(workspace_id, job_type, started_at, job_run_id)` → nothing: rate limiting.
    case jobsByWorkspace
    /// `(company_id, sequence)` → outreach record.
    case outreach
    /// `job_run_id` → nothing: the runs still `running` (so a writer finds interrupted runs without
    /// reading every run).
    case runningJobs
    /// `(workspace_id, company_id, stage)` → the company's state in that stage.
    case stageStates
    /// `(stage, workspace_id, queued_at, sequence)` → company id: queued items in queue order.
    case stageQueued
    /// `(stage, workspace_id, started_at, claim)` → company id: started items in start order.
    case stageStarted
    /// `(workspace_id, stage, status)` → count; `(workspace_id, "", "companies")` → companies in
    /// any stage of the queue.
    case stageCounts
    /// `(company_id, row_id)` → watchlist row (§1.11); at most one active row per company.
    case watchlist
    /// Bundle id → evidence bundle.
    case bundles
    /// Alert id → alert (§1.11).
    case alerts
    /// `(company_id, alert_type, as_of, alert_id)` → nothing: an alert of a type for a company and
    /// day (the alert scan creates at most one).
    case alertsByCompanyDay
    /// `(pack_id, as_of, 0 if cadence-blocked else 1, outreach descending, company_id)` → nothing:
    /// every engagement snapshot, so the lead cards find the rows below their threshold that still
    /// qualify without reading the others (§7.4).
    case engagementByOutreach

    /// The view's name (without the generation prefix), as `--projection` and `stats` spell it.
    public var name: String {
        switch self {
        case .packs: "packs"
        case .packsByKey: "packs.by_key"
        case .workspaces: "workspaces"
        case .companies: "companies"
        case .companiesByDomain: "companies.domain"
        case .companiesByAlias: "companies.alias"
        case .companiesByWebsiteDomain: "companies.website_domain"
        case .companiesByLinkedIn: "companies.linkedin"
        case .companiesByName: "companies.name"
        case .eventsByCompany: "events.by_company"
        case .instances: "instances"
        case .readiness: "readiness"
        case .readinessByDay: "readiness.by_day"
        case .engagement: "engagement"
        case .leadFeed: "lead_feed"
        case .leadFeedRank: "lead_feed.rank"
        case .timeline: "timeline"
        case .jobs: "jobs"
        case .jobsByWorkspace: "jobs.by_workspace"
        case .outreach: "outreach"
        case .runningJobs: "jobs.running"
        case .stageStates: "stage.states"
        case .stageQueued: "stage.queued"
        case .stageStarted: "stage.started"
        case .stageCounts: "stage.counts"
        case .watchlist: "watchlist"
        case .bundles: "bundles"
        case .alerts: "alerts"
        case .alertsByCompanyDay: "alerts.by_company_day"
        case .engagementByOutreach: "engagement.outreach"
        }
    }

    /// The view with this name (`lead_feed` or `lead-feed`, any case), or nil.
    public init?(name: String) {
        let normalized = name.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let view = View.allCases.first(where: { $0.name == normalized }) else { return nil }
        self = view
    }

    public var description: String { name }

    /// Every view's name, in slot order.
    public static var names: [String] { allCases.map(\.name) }
}

/// The named databases of one generation of views, keyed exactly by the spec's upsert keys; index
/// databases hold only keys, ordered for the reads that need them.
///
/// Views live under a generation prefix (`g1.companies`, …) so a rebuild can fill a new generation
/// while readers keep using the current one, then switch in one transaction. Besides the views, a
/// generation has one `checkpoint` database: the last applied log sequence and every view's
/// fingerprint, in one row.
public final class ViewSet: Sendable {
    /// The generation these databases belong to.
    public let generation: Int
    /// The database of each view, indexed by `View.rawValue`.
    private let databases: [Database]
    /// `"applied"` → last applied sequence number and the fingerprints.
    package let checkpoint: Database

    /// The name of the checkpoint database (not a view: it carries no fingerprint).
    static let checkpointName = "checkpoint"

    /// The database name of a view (or of the checkpoint) in a generation.
    static func databaseName(_ name: String, generation: Int) -> String { "g\(generation).\(name)" }

    /// Opens (creating when `create` and the environment is writable) every view of `generation`.
    package init(environment: Environment, generation: Int, create: Bool) throws {
        self.generation = generation
        // One transaction for the whole generation: a new generation costs one commit, not one per view.
        let names = (View.names + [ViewSet.checkpointName]).map { ViewSet.databaseName($0, generation: generation) }
        var opened = try environment.databases(names, create: create)
        checkpoint = opened.removeLast()
        databases = opened
    }

    /// The database of `view`.
    package subscript(view: View) -> Database { databases[view.rawValue] }

    /// Every database of the generation: the views in slot order, then the checkpoint.
    package var allDatabases: [Database] { databases + [checkpoint] }

    /// The checkpoint row: `applied u64 (big-endian)` then one `Fingerprint` (24 bytes, little-endian
    /// sum and count) per view, in slot order. One row, so the append path reads and writes a single
    /// small value per record whatever the number of views.
    static let checkpointKey = Array("applied".utf8)
    static let checkpointRowSize = 8 + View.allCases.count * Fingerprint.encodedSize

    /// The offset of a view's fingerprint in the checkpoint row.
    @inline(__always)
    static func fingerprintOffset(_ view: View) -> Int { 8 + view.rawValue * Fingerprint.encodedSize }

    /// The last log sequence number reflected in these views.
    package func appliedSequence(in txn: Transaction) throws -> UInt64 {
        try txn.withValue(checkpoint, key: ViewSet.checkpointKey) { bytes -> UInt64 in
            bytes.count >= 8 ? UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)) : 0
        } ?? 0
    }

    /// The stored fingerprint of every view.
    package func fingerprints(in txn: Transaction) throws -> [View: Fingerprint] {
        let row = try txn.value(checkpoint, key: ViewSet.checkpointKey) ?? []
        return row.withUnsafeBytes { bytes in
            var result: [View: Fingerprint] = [:]
            for view in View.allCases { result[view] = Fingerprint.load(from: bytes, at: ViewSet.fingerprintOffset(view)) }
            return result
        }
    }

    /// The fingerprint of a view computed from its content (a full scan; for verification).
    package func computeFingerprint(of view: View, in txn: Transaction) throws -> Fingerprint {
        var fingerprint = Fingerprint()
        try txn.forEach(self[view]) { key, value in
            fingerprint.add(key: key, value: value)
            return true
        }
        return fingerprint
    }
}
