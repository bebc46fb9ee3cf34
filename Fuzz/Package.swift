// swift-tools-version: 6.2
import PackageDescription

// The fuzz targets of siglog: one libFuzzer executable per reader of untrusted bytes. Built only by
// tools/fuzz (with `--sanitize fuzzer --sanitize address`, scratch path .build-fuzz); see README.md.

/// Same strict settings as the main package.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

/// One line per target: its name (`tools/fuzz NAME`, sources in `Sources/fuzz-NAME/`, seeds in
/// `Fixtures/fuzz/NAME/`) and the siglog modules its glue calls.
let fuzzTargets: [(name: String, modules: [String])] = [
    ("json", ["SiglogCore"]),
    ("ndjson", ["Ingest", "SiglogCore"]),
    ("bundle", ["Ingest", "SiglogCore"]),
    ("envelope", ["EventLog", "SiglogRecords", "Queries", "SiglogCore"]),
    ("records", ["EventLog", "SiglogRecords"]),
    ("yaml", ["SignalPacks", "SiglogCore"]),
    ("pack", ["SignalPacks", "Scoring", "SiglogCore"]),
    ("adapters", ["Adapters", "Ingest", "SiglogCore"]),
    ("request", ["SiglogCore"]),
    ("stage-queue", ["StageQueue", "SiglogCore"]),
    ("datafile", ["EventLog"]),
    ("batch", ["EventLog"]),
    ("import", ["StoreMaintenance", "ReadModel", "Queries", "EventLog", "SiglogRecords", "Ingest", "SiglogCore"]),
]

let package = Package(
    name: "siglog-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "siglog", path: "..")],
    targets: [
        // The entry-point helper and invariant checks every target shares.
        .target(name: "FuzzSupport", swiftSettings: strict),
    ] + fuzzTargets.map { target in
        .executableTarget(
            name: "fuzz-\(target.name)",
            dependencies: ["FuzzSupport"] + target.modules.map { .product(name: $0, package: "siglog") },
            swiftSettings: strict)
    }
)
