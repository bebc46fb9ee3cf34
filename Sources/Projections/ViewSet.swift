import EventLog
public import LMDB

/// The named databases of one generation of views. Every view of the spec is here, keyed exactly by
/// its upsert key; index databases hold only keys, ordered for the reads that need them.
///
/// Views live under a generation prefix (`g1.companies`, …) so a rebuild can fill a new generation
/// while readers keep using the current one, then switch in one transaction.
public final class ViewSet: Sendable {
    /// Every view and index, by name without the generation prefix.
    public static let names: [String] = [
        "packs", "packs.by_key", "workspaces",
        "companies", "companies.domain", "companies.alias", "companies.website_domain", "companies.linkedin",
        "companies.name",
        "events.by_company", "instances", "readiness", "readiness.by_day", "engagement", "lead_feed",
        "lead_feed.rank", "timeline", "jobs", "jobs.by_workspace", "outreach", "checkpoint",
    ]

    /// Views carrying a fingerprint: every name but `checkpoint`, in `names` order. A view's index
    /// here is its slot in the checkpoint row.
    public static let fingerprinted: [String] = names.filter { $0 != "checkpoint" }

    public let generation: Int
    /// The databases of `fingerprinted`, in the same order.
    let fingerprintedDatabases: [Database]
    public let packs: Database
    /// `(pack_id, version)` → pack UUID.
    public let packsByKey: Database
    public let workspaces: Database
    public let companies: Database
    public let companiesByDomain: Database
    public let companiesByAlias: Database
    public let companiesByWebsiteDomain: Database
    public let companiesByLinkedIn: Database
    public let companiesByName: Database
    /// `(company_id, event_id)` → the stored event.
    public let eventsByCompany: Database
    /// `(entity_id, signal_id, pack_id)` → instance.
    public let instances: Database
    /// `(company_id, as_of, pack_id)` → readiness snapshot.
    public let readiness: Database
    /// `(pack_id, as_of, company_id)` → nothing: snapshots of one day.
    public let readinessByDay: Database
    /// `(company_id, as_of, pack_id)` → engagement snapshot.
    public let engagement: Database
    /// `(workspace_id, pack_id, entity_id)` → lead-feed row.
    public let leadFeed: Database
    /// `(workspace_id, pack_id, as_of, 1000 − composite, entity_id)` → nothing: feed ranking order.
    public let leadFeedRank: Database
    /// `(company_id, sequence)` → timeline entry.
    public let timeline: Database
    /// `job_run_id` → job run.
    public let jobs: Database
    /// `(workspace_id, job_type, started_at, job_run_id)` → nothing: rate limiting.
    public let jobsByWorkspace: Database
    /// `(company_id, sequence)` → outreach record.
    public let outreach: Database
    /// `"applied"` → last applied sequence number.
    public let checkpoint: Database

    /// The database name of a view in a generation.
    public static func databaseName(_ view: String, generation: Int) -> String { "g\(generation).\(view)" }

    /// Opens (creating when the environment is writable) every view of `generation`.
    public init(environment: Environment, generation: Int, create: Bool) throws {
        self.generation = generation
        func open(_ name: String) throws -> Database {
            try environment.database(ViewSet.databaseName(name, generation: generation), create: create)
        }
        packs = try open("packs")
        packsByKey = try open("packs.by_key")
        workspaces = try open("workspaces")
        companies = try open("companies")
        companiesByDomain = try open("companies.domain")
        companiesByAlias = try open("companies.alias")
        companiesByWebsiteDomain = try open("companies.website_domain")
        companiesByLinkedIn = try open("companies.linkedin")
        companiesByName = try open("companies.name")
        eventsByCompany = try open("events.by_company")
        instances = try open("instances")
        readiness = try open("readiness")
        readinessByDay = try open("readiness.by_day")
        engagement = try open("engagement")
        leadFeed = try open("lead_feed")
        leadFeedRank = try open("lead_feed.rank")
        timeline = try open("timeline")
        jobs = try open("jobs")
        jobsByWorkspace = try open("jobs.by_workspace")
        outreach = try open("outreach")
        checkpoint = try open("checkpoint")
        fingerprintedDatabases = [
            packs, packsByKey, workspaces, companies, companiesByDomain, companiesByAlias, companiesByWebsiteDomain,
            companiesByLinkedIn, companiesByName, eventsByCompany, instances, readiness, readinessByDay, engagement,
            leadFeed, leadFeedRank, timeline, jobs, jobsByWorkspace, outreach,
        ]
    }

    /// The database of a view by name (without the generation prefix), or nil.
    public func database(named name: String) -> Database? {
        all.first { $0.name == name }?.database
    }

    /// Every database of the set with its view name, in `names` order.
    public var all: [(name: String, database: Database)] {
        [("packs", packs), ("packs.by_key", packsByKey), ("workspaces", workspaces), ("companies", companies),
         ("companies.domain", companiesByDomain), ("companies.alias", companiesByAlias),
         ("companies.website_domain", companiesByWebsiteDomain), ("companies.linkedin", companiesByLinkedIn),
         ("companies.name", companiesByName), ("events.by_company", eventsByCompany), ("instances", instances),
         ("readiness", readiness), ("readiness.by_day", readinessByDay), ("engagement", engagement),
         ("lead_feed", leadFeed), ("lead_feed.rank", leadFeedRank), ("timeline", timeline), ("jobs", jobs),
         ("jobs.by_workspace", jobsByWorkspace), ("outreach", outreach), ("checkpoint", checkpoint)]
    }

    /// The checkpoint row: `applied u64 (big-endian)` then one `Fingerprint` (24 bytes, little-endian
    /// sum and count) per view of `fingerprinted`, in that order. One row, so the append path reads
    /// and writes a single small value per record whatever the number of views.
    static let checkpointKey = Array("applied".utf8)
    static let checkpointRowSize = 8 + fingerprinted.count * Fingerprint.encodedSize

    /// The last log sequence number reflected in these views.
    public func appliedSequence(in txn: Transaction) throws -> UInt64 {
        guard let bytes = try ViewSet.checkpointKey.withUnsafeBytes({ try txn.get(checkpoint, key: $0) }),
            bytes.count >= 8
        else { return 0 }
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    /// The stored fingerprint of every fingerprinted view, by name.
    public func fingerprints(in txn: Transaction) throws -> [String: Fingerprint] {
        let row = try txn.get(checkpoint, key: ViewSet.checkpointKey) ?? []
        return row.withUnsafeBytes { bytes in
            var result: [String: Fingerprint] = [:]
            for (index, name) in ViewSet.fingerprinted.enumerated() {
                result[name] = Fingerprint.load(from: bytes, at: 8 + index * Fingerprint.encodedSize)
            }
            return result
        }
    }

    /// The fingerprint of a view computed from its content (a full scan; for verification).
    public func computeFingerprint(of database: Database, in txn: Transaction) throws -> Fingerprint {
        var fingerprint = Fingerprint()
        let cursor = try txn.cursor(database)
        var entry = try cursor.first()
        while let e = entry {
            fingerprint.add(key: e.key, value: e.value)
            entry = try cursor.next()
        }
        return fingerprint
    }
}
