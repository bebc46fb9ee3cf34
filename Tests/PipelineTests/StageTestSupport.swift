import EventLog
import Foundation
import ReadModel
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SignalPacks
import SiglogCore
import SiglogRecords

/// A throwaway store in a temporary directory, filled by appending records, with a pipeline over
/// it whose clock is fixed.
final class StageFixture {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PipelineTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    static let ctoPack = WellKnownIDs.fractionalCTOPack
    static let blockedPack = UUID(uuidString: "0b10cced-0000-4000-8000-000000000001")!
    static let workspace = WellKnownIDs.defaultWorkspace

    let directory: URL
    let store: Store
    let pipeline: StageRunner
    private var nextCompany: Int64 = 0

    /// A store with `packs` installed (the first is the default workspace's pack) and the default
    /// workspace; the clock reads `now`. `initialMapSize`: the store's map size at open.
    init(packs: [(uuid: UUID, directory: String)] = [(ctoPack, "fractional_cto_v1")],
         workspace: Bool = true, now: Timestamp, initialMapSize: Int = EventLog.Options().initialMapSize) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-stages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store(path: directory.appendingPathComponent("store").path, mode: .create, durable: false,
                          initialMapSize: initialMapSize)
        pipeline = StageRunner(store: store, clock: FixedClock(now), rateLimitPerHour: 0)
        let loaded = try packs.map { entry in
            (entry.uuid, try PackLoader.load(directory: Self.packageRoot.appendingPathComponent("Fixtures/packs/\(entry.directory)")))
        }
        _ = try store.write { writer in
            for (uuid, pack) in loaded {
                try writer.append(PackInstalled(packUUID: uuid, packID: pack.id, version: pack.version,
                                                checksum: PackChecksum.sha256Hex(of: pack.document), document: pack.document),
                                  at: now)
            }
            if workspace {
                try writer.append(WorkspaceCreated(workspaceID: Self.workspace, name: WellKnownIDs.defaultWorkspaceName,
                                                   activePack: packs.first?.uuid), at: now)
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A pipeline over the same store whose clock reads `now`.
    func pipeline(at now: Timestamp) -> StageRunner { StageRunner(store: store, clock: FixedClock(now), rateLimitPerHour: 0) }

    @discardableResult
    func company(_ name: String, at time: Timestamp = Timestamp(microseconds: 0)) throws -> Int64 {
        nextCompany += 1
        let id = nextCompany
        _ = try store.write { writer in
            try writer.append(CompanyCreated(companyID: id, name: name, domain: nil, websiteURL: nil, linkedinURL: nil,
                                             source: "research", normalizedName: name.lowercased(), websiteDomain: nil,
                                             aliases: [], jobRunID: nil), at: time)
        }
        return id
    }

    @discardableResult
    func event(_ company: Int64, _ type: String, at time: Timestamp, confidence: Double? = nil,
               pack: UUID = StageFixture.ctoPack, title: String? = nil, url: String? = nil) throws -> UInt64 {
        try store.write { writer in
            try writer.append(EventStored(companyID: company, source: "test", sourceEventID: nil, eventType: type,
                                          eventTime: time, title: title, summary: nil, url: url, rawPayload: nil,
                                          confidence: confidence, pack: pack, jobRunID: nil), at: time)
        }
    }

    func read<T>(_ body: (ViewReader) throws -> T) throws -> T { try store.read(body) }

    func readiness(_ company: Int64, _ day: Day, pack: UUID = StageFixture.ctoPack) throws -> Stamped<ReadinessSnapshotRecorded>? {
        try read { try $0.readiness(company: company, asOf: day, pack: pack) }
    }

    func engagement(_ company: Int64, _ day: Day, pack: UUID = StageFixture.ctoPack) throws -> Stamped<EngagementSnapshotRecorded>? {
        try read { try $0.engagement(company: company, asOf: day, pack: pack) }
    }

    func feedRow(_ company: Int64, pack: UUID = StageFixture.ctoPack) throws -> Stamped<LeadFeedRowRecorded>? {
        try read { try $0.leadFeedRow(workspace: Self.workspace, pack: pack, entity: company) }
    }

    func jobs() throws -> [JobRow] { try read { try $0.allJobs() } }

    /// The emerging companies (§8) of a workspace (default: the default one) and its pack.
    func emergingCompanies(asOf: Day, limit: Int = 5, threshold: Int = 30, pack: UUID? = nil,
                           workspace: UUID? = nil) throws -> [EmergingCompany] {
        try read { reader in
            let scope = try Scope.resolve(workspace: workspace, pack: pack, in: reader)
            return try LeadReads.emergingCompanies(scope: scope, asOf: asOf, limit: limit, threshold: threshold, in: reader)
        }
    }

    /// The content of every view a stage writes, for "nothing changed" checks (job runs excluded).
    func viewDump(companies: [Int64], days: [Day], pack: UUID = StageFixture.ctoPack) throws -> [String] {
        try read { reader in
            var lines: [String] = []
            for company in companies {
                lines.append("instances \(company): \(try reader.instances(ofEntity: company))")
                for day in days {
                    let r = try reader.readiness(company: company, asOf: day, pack: pack)
                    let e = try reader.engagement(company: company, asOf: day, pack: pack)
                    lines.append("readiness \(company) \(day): \(String(describing: r.map { ($0.record, $0.sequence, $0.recordedAt) }))")
                    lines.append("engagement \(company) \(day): \(String(describing: e.map { ($0.record, $0.sequence, $0.recordedAt) }))")
                }
                let row = try reader.leadFeedRow(workspace: Self.workspace, pack: pack, entity: company)
                lines.append("feed \(company): \(String(describing: row.map { ($0.record, $0.sequence, $0.recordedAt) }))")
                lines.append("timeline \(company): \(try reader.timeline(ofCompany: company))")
            }
            return lines
        }
    }
}

extension Day {
    static func ymd(_ y: Int, _ m: Int, _ d: Int) -> Day { Day(year: y, month: m, day: d)! }
}

extension Timestamp {
    static func at(_ day: Day, _ hour: Int = 0, _ minute: Int = 0) -> Timestamp {
        Timestamp(day: day, hour: hour, minute: minute)
    }
}

extension JSONObject {
    func int(_ key: String) -> Int? { self[key]?.numberValue.map { Int($0) } }
}
