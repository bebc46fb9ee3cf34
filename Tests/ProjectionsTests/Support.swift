import Foundation
import LMDB
import ReadModel
import Pipeline
@testable import Projections
import SeededRandom
import SignalPacks
import SiglogCore
import Testing

let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh directory per test: an environment must never be opened twice in one process.
func temporaryPath(_ tag: String = "store") -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-projections-tests")
    try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.appendingPathComponent("\(tag)-\(UUID().uuidString)").path
}

/// The directory holding the test bundle, where SwiftPM also puts the package's executables.
func builtProductsDirectory() -> URL {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
}

func loadPack(_ name: String) throws -> Pack {
    try PackLoader.load(directory: packageRoot.appendingPathComponent("Fixtures/packs/\(name)"))
}

/// An initialized store (default workspace and pack) with a pipeline whose clock reads `now`.
func initializedStore(path: String = temporaryPath(), now: Timestamp, durable: Bool = false) throws -> (Store, StageRunner) {
    let store = try Store(path: path, mode: .create, durable: durable)
    let pipeline = StageRunner(store: store, clock: FixedClock(now), rateLimitPerHour: 0)
    _ = try pipeline.initialize(bundledPack: try loadPack("fractional_cto_v1"))
    return (store, pipeline)
}

/// Ingests NDJSON text through the pipeline's ingest stage.
@discardableResult
func ingest(_ text: String, into pipeline: StageRunner) throws -> IngestResult {
    let file = temporaryPath("input") + ".ndjson"
    try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
    defer { try? handle.close() }
    return try pipeline.ingest(from: handle, options: IngestOptions(inputName: file))
}

/// The fingerprints stored with the store's current views.
func storedFingerprints(_ store: Store) throws -> [View: Fingerprint] {
    try store.read { try $0.fingerprints() }
}

/// Fingerprints computed from the views' contents by a full scan.
func contentFingerprints(_ store: Store) throws -> [View: Fingerprint] {
    try store.read { reader in
        var result: [View: Fingerprint] = [:]
        for view in View.allCases { result[view] = try reader.views.computeFingerprint(of: view, in: reader.transaction) }
        return result
    }
}

/// Rebuilds `store` with `options` and expects the views it had: the fingerprints the rebuild
/// reports and those computed from the rebuilt views equal the stored ones, every view's keys and
/// values are the same bytes, and `--verify` with the same options is ok.
func expectRebuildKeepsViews(_ store: Store, options: ReplayOptions,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
    let incremental = try storedFingerprints(store)
    let appended = try viewContents(store)
    let result = try Replayer(store: store).rebuild(options: options)
    #expect(result.fingerprints == incremental, sourceLocation: sourceLocation)
    #expect(try contentFingerprints(store) == incremental, sourceLocation: sourceLocation)
    let rebuilt = try viewContents(store)
    for view in View.allCases { #expect(rebuilt[view] == appended[view], "\(view) differs", sourceLocation: sourceLocation) }
    #expect(try Replayer(store: store).verify(options: options).isOK, sourceLocation: sourceLocation)
}

/// Rebuilds only each set of `viewSets` in turn (the other views copied) and expects, after each,
/// the fingerprints the rebuild reports to equal the stored ones and every view's keys and values to
/// be the bytes the append path wrote.
func expectPartialRebuildsKeepViews(_ store: Store, viewSets: [[View]], transactionSize: Int,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let incremental = try storedFingerprints(store)
    let appended = try viewContents(store)
    for views in viewSets {
        var options = ReplayOptions()
        options.views = views
        options.transactionSize = transactionSize
        let result = try Replayer(store: store).rebuild(options: options)
        #expect(result.fingerprints == incremental, "partial rebuild of \(views)", sourceLocation: sourceLocation)
        let rebuilt = try viewContents(store)
        for view in View.allCases {
            #expect(rebuilt[view] == appended[view], "\(view) differs after \(views)", sourceLocation: sourceLocation)
        }
    }
}

/// Every key and value of every view of the store's current generation, in key order.
func viewContents(_ store: Store) throws -> [View: [[UInt8]]] {
    try store.read { reader in
        var all: [View: [[UInt8]]] = [:]
        for view in View.allCases {
            var rows: [[UInt8]] = []
            try reader.transaction.forEach(reader.views[view]) { key, value in
                rows.append(Array(key))
                rows.append(Array(value))
                return true
            }
            all[view] = rows
        }
        return all
    }
}

let eventTypes = ["job_posted_engineering", "repo_activity", "job_posted_infra", "launch_major", "funding_raised",
                  "headcount_growth", "api_launched", "ai_feature_launched", "enterprise_feature", "compliance_mentioned",
                  "cto_hired", "cto_departed"]

/// `count` random raw events over `companies` companies in the days before `end`, as NDJSON.
func randomEvents(_ count: Int, companies: Int, before end: Day, using generator: inout SeededGenerator) -> String {
    var lines: [String] = []
    for _ in 0..<count {
        let company = Int.random(in: 0..<companies, using: &generator)
        let type = eventTypes.randomElement(using: &generator)!
        let day = end.adding(days: -Int.random(in: 0..<120, using: &generator))
        let time = Timestamp(day: day, hour: Int.random(in: 0..<24, using: &generator))
        let id = UInt32.random(in: 0..<UInt32.max, using: &generator)
        let confidence = Bool.random(using: &generator) ? ", \"confidence\": 0.\(Int.random(in: 50...95, using: &generator))" : ""
        lines.append("""
            {"source": "test", "source_event_id": "e-\(id)", "company_name": "Company \(company)", "domain": "company\(company).example", "event_type": "\(type)", "event_time": "\(time.isoUTC)"\(confidence)}
            """)
    }
    return lines.joined(separator: "\n") + "\n"
}
