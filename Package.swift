// swift-tools-version: 6.2
import PackageDescription

/// Strict settings shared by every target: Swift 6 language mode is the default for tools 6.x;
/// warnings fail the build and imports are internal unless a module re-exports on purpose.
let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    // Release code gets a generic type's metadata (`Set<RecordType>`, `[Int64: CompanyRow?]`, …)
    // through its accessor, with the conformances it needs passed in, not by demangling its name at
    // first use: that resolves each conformance by scanning every conformance record of the binary,
    // ≈ 16 % of a short query's CPU (docs/perf-notes.md).
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]

/// The static Foundation libraries and their own dependencies, which SwiftPM's link step does not add.
let staticFoundation = ["-lFoundation", "-lFoundationInternationalization", "-lFoundationEssentials", "-l_FoundationCollections",
                        "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims"]

/// Release builds of the command-line tools link the Swift runtime and Foundation statically: a
/// short process (a query) then starts without the dynamic loader resolving the symbols of twenty
/// shared libraries, which was most of its start-up CPU (docs/perf-notes.md).
let staticRuntime: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"] + staticFoundation, .when(configuration: .release))]

/// `siglog-query` is linked as a static executable (glibc, libstdc++ and LMDB included): no dynamic
/// loader runs at its start — no shared libraries searched and mapped, none of libstdc++'s ≈ 4,300
/// symbol relocations, no lazy binding — which was ≈ 15 % of a lead-feed call's CPU, and a
/// position-independent executable's ≈ 88,000 relocations of the runtime's data are not there either
/// (docs/perf-notes.md). Its address layout is fixed; it is a short, local, read-only process that
/// resolves no users, hosts or plug-ins (what a static glibc would need its shared libraries for). The
/// long-running, network-facing tools (`siglog-serve`, `siglog-worker`, `siglog-replicate`) stay
/// dynamically linked and position-independent. The C++ and C libraries come last again: the static
/// Foundation libraries need them after themselves.
let queryStart: [LinkerSetting] = [.unsafeFlags(
    ["-static-executable"] + staticFoundation + ["-lstdc++", "-lm", "-lpthread", "-ldl"], .when(configuration: .release))]

/// The modules that read untrusted bytes, exported as libraries only for the fuzzing package in
/// Fuzz/ (a separate package, so this one never links libFuzzer). A newly fuzzed module: one more name.
let fuzzedModules = ["SiglogCore", "Ingest", "EventLog", "SiglogRecords", "SignalPacks", "Scoring", "Queries", "Adapters", "StageQueue",
                     "ReadModel", "StoreMaintenance"]

let package = Package(
    name: "siglog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "siglog-append", targets: ["siglog-append"]),
        .executable(name: "siglog-replay", targets: ["siglog-replay"]),
        .executable(name: "siglog-query", targets: ["siglog-query"]),
        .executable(name: "siglog-worker", targets: ["siglog-worker"]),
        .executable(name: "siglog-serve", targets: ["siglog-serve"]),
        .executable(name: "siglog-replicate", targets: ["siglog-replicate"]),
    ] + fuzzedModules.map { .library(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // HTTP client of the source adapters.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // HTTP server of siglog-serve (and the adapters' tests' local fixture server).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // siglog-serve's operations: HTTP header names (HTTPTypes), the access and stage log
        // (swift-log), metrics (swift-metrics, exposed in Prometheus text by swift-prometheus) and
        // graceful shutdown on SIGTERM/SIGINT (swift-service-lifecycle). All but swift-prometheus are
        // already in the graph through Hummingbird.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Templates of the briefing pages (HTML-escaped by default).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The only place lmdb.h is seen.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        // Typed wrapper over the LMDB C API: environments, transactions, databases, cursors, errors.
        .target(name: "LMDB", dependencies: ["CLMDB"], swiftSettings: strict),
        // Value types shared by every layer: JSON values, UTC days and timestamps, the core taxonomy.
        .target(name: "SiglogCore", swiftSettings: strict),
        // Pack directories: loading, validation, canonical checksum. No storage.
        .target(name: "SignalPacks", dependencies: [
            "SiglogCore",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Pure pipeline formulas: derivers, TRS, ESL, decision gate, lead-feed rows, ranking.
        .target(name: "Scoring", dependencies: ["SiglogCore"], swiftSettings: strict),
        // Pure ingest rules: raw-event parsing, normalization, company matching.
        .target(name: "Ingest", dependencies: ["SiglogCore"], swiftSettings: strict),
        // Source adapters (ADAPTERS.md): fetch raw events from outside APIs over HTTP; adapter
        // selection and the per-adapter totals of a daily ingest. No storage.
        .target(name: "Adapters", dependencies: [
            "Ingest", "SiglogCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The adapters' production transport: the only module that sees AsyncHTTPClient (and so
        // SwiftNIO), which keeps them out of everything that only maps responses, the fuzz targets included.
        .target(name: "AdapterHTTP", dependencies: [
            "Adapters",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        // The stage queue's rules (STAGE-QUEUE.md): statuses, per-company stage state, the pure
        // state machine, the stage chain file (YAML through SignalPacks' reader), handler outcomes,
        // webhook signatures. No storage.
        .target(name: "StageQueue", dependencies: [
            "SiglogCore", "Scoring", "SignalPacks", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The CPU's CRC-32C instruction for the log's checksums (run-time checked, software fallback).
        .target(name: "CCRC32C"),
        // glibc's malloc_trim, for stages whose threads free what other threads allocated.
        .target(name: "CMallocTrim"),
        // A cache-line prefetch hint (the held company indexes' table and keys).
        .target(name: "CPrefetch"),
        // The append-only log: envelope, checksums, sequence, dedup and idempotency indexes.
        .target(name: "EventLog", dependencies: [
            "LMDB", "CCRC32C", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The record types appended to the log and their binary payload codec.
        .target(name: "SiglogRecords", dependencies: ["EventLog", "SiglogCore", "Scoring", "StageQueue"], swiftSettings: strict),
        // Projection builders (record -> view writes) and the replay engine.
        .target(name: "Projections", dependencies: [
            "EventLog", "SiglogRecords", "LMDB", "SiglogCore", "Scoring", "StageQueue", "CPrefetch",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // The read layer every reader and writer shares: scope and pack resolution (§9.4, D20),
        // company lookup, lead cards and the ranking, job batches, the shared error vocabulary.
        .target(name: "ReadModel", dependencies: [
            "Projections", "SiglogRecords", "EventLog", "Scoring", "Ingest", "SignalPacks", "SiglogCore", "StageQueue",
        ], swiftSettings: strict),
        // Store maintenance: hot backup and restore, import of an export, salvage of a damaged store.
        .target(name: "StoreMaintenance", dependencies: [
            "Projections", "ReadModel", "EventLog", "SiglogRecords", "Ingest", "SiglogCore",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Stages and orchestration: ingest, derive, score, lead feed, daily aggregation.
        .target(name: "Pipeline", dependencies: [
            "ReadModel", "Projections", "SiglogRecords", "Scoring", "Ingest", "SignalPacks", "Adapters", "AdapterHTTP", "SiglogCore",
            "StageQueue", "CMallocTrim",
        ], swiftSettings: strict),
        // Read-only queries over the read layer and their output shapes (JSON, tables, CSV).
        .target(name: "Queries", dependencies: [
            "ReadModel", "Projections", "SiglogRecords", "EventLog", "Scoring", "SiglogCore", "StageQueue",
        ], swiftSettings: strict),
        // Stage workers: the claim loop, completion poller and stuck reset any host runs (the worker
        // tool, the HTTP service), the exec / http / built-in handlers, webhook completions and
        // enqueue requests.
        .target(name: "StageWorkers", dependencies: [
            "Pipeline", "ReadModel", "Projections", "StageQueue", "Adapters", "AdapterHTTP", "SiglogCore",
        ], swiftSettings: strict),
        // Shared command-line pieces: store and scope options, argument types, output, exit codes.
        // Read side only: siglog-query links nothing of the write pipeline (its adapters' HTTP
        // stack included), which keeps its start-up short.
        .target(name: "SiglogCLI", dependencies: [
            "ReadModel", "Projections", "EventLog", "SiglogCore", "SignalPacks", "StageQueue",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The writing tools' command-line pieces: opening a store to append or rebuild (closing the
        // runs a dead process left, stopping on SIGINT/SIGTERM), progress lines.
        .target(name: "SiglogWriterCLI", dependencies: [
            "SiglogCLI", "Pipeline", "Projections", "EventLog", "SiglogCore", "StageQueue",
        ], swiftSettings: strict),
        .executableTarget(name: "siglog-append", dependencies: [
            "SiglogCLI", "SiglogWriterCLI", "Pipeline", "Adapters", "AdapterHTTP", "Projections", "ReadModel", "SiglogCore", "SignalPacks", "StageQueue",
            "Scoring", "StoreMaintenance", "EventLog",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict, linkerSettings: staticRuntime),
        // The HTTP service (siglog-serve): routes over a typed request context, auth, the one
        // writer in front of the stages, reads through the read layer, metrics and access log.
        .target(name: "SiglogService", dependencies: [
            "Pipeline", "Adapters", "Queries", "ReadModel", "Projections", "EventLog", "Scoring", "SiglogCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // The morning briefing: server-rendered HTML pages of siglog-serve (lead cards, company page
        // with its score chart, ranking, job runs), their login and session cookie.
        .target(name: "BriefingPages", dependencies: [
            "SiglogService", "Queries", "ReadModel", "Projections", "SiglogRecords", "Scoring", "SiglogCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: strict),
        // The stage queue on the HTTP service: the completion webhook, enqueue and queue reads,
        // and stage workers joining the server's lifecycle.
        .target(name: "QueueService", dependencies: [
            "SiglogService", "StageWorkers", "StageQueue", "Pipeline", "Queries", "ReadModel", "Projections", "EventLog", "SiglogCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "siglog-serve", dependencies: [
            "SiglogService", "BriefingPages", "QueueService", "StageQueue", "StageWorkers", "SiglogCLI", "SiglogWriterCLI", "Pipeline", "Projections",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .executableTarget(name: "siglog-replay", dependencies: [
            "SiglogCLI", "SiglogWriterCLI", "Projections", "SiglogCore", "ReadModel", "EventLog",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict, linkerSettings: staticRuntime),
        .executableTarget(name: "siglog-query", dependencies: [
            "SiglogCLI", "Queries", "ReadModel", "Projections", "Scoring", "SiglogCore", "StageQueue",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict, linkerSettings: queryStart),
        // Thin `@main` over StageWorkers: one stage's workers on one store until SIGTERM.
        .executableTarget(name: "siglog-worker", dependencies: [
            "StageWorkers", "SiglogCLI", "SiglogWriterCLI", "Pipeline", "ReadModel", "StageQueue", "SiglogCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The stage-queue benchmark of tools/bench-queue (not part of the test suite).
        .executableTarget(name: "siglog-bench-queue", dependencies: [
            "StageWorkers", "Pipeline", "ReadModel", "Projections", "SiglogRecords", "StageQueue", "SiglogCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // The only place the NATS C client's header is seen (Debian's libnats-dev).
        .systemLibrary(name: "CNATS", pkgConfig: "libnats", providers: [.apt(["libnats-dev"])]),
        // Typed wrapper over the NATS C client: connection to a server list, JetStream streams,
        // asynchronous publishes with message ids, durable pull consumers with explicit acks.
        .target(name: "NATSClient", dependencies: ["CNATS"], swiftSettings: strict),
        // Log shipping through NATS JetStream: publisher, follower (replica), promotion, status.
        .target(name: "Replication", dependencies: [
            "NATSClient", "Pipeline", "Projections", "EventLog", "SiglogRecords", "SiglogCore",
        ], swiftSettings: strict),
        .executableTarget(name: "siglog-replicate", dependencies: [
            "Replication", "NATSClient", "SiglogCLI", "EventLog", "SiglogCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // The ceiling of tools/bench-replicate: publishes a store's records from memory with the bare client.
        .executableTarget(name: "siglog-bench-nats", dependencies: ["NATSClient", "EventLog"], swiftSettings: strict),

        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "siglog-map-grower"], swiftSettings: strict),
        .testTarget(name: "SiglogCoreTests", dependencies: ["SiglogCore", "ByteMutations"], swiftSettings: strict),
        .testTarget(name: "SignalPacksTests", dependencies: ["SignalPacks", "SiglogCore"], swiftSettings: strict),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "SiglogCore", "SeededRandom"], swiftSettings: strict),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "SiglogCore", "ByteMutations", "SeededRandom"], swiftSettings: strict),
        // Adapters against a local fixture server (Hummingbird on 127.0.0.1, a free port per test).
        // Test support: a local HTTP server standing in for the outside APIs.
        // Test support: a TCP socket bound to 127.0.0.1 on a free port (test servers, refusing ports).
        .target(name: "LoopbackSocket", path: "Tests/Support/LoopbackSocket", swiftSettings: strict),
        .target(name: "FixtureServer", dependencies: ["LoopbackSocket", .product(name: "Hummingbird", package: "hummingbird")],
                path: "Tests/Support/FixtureServer", swiftSettings: strict),
        // Test support: one seeded random generator for the suites that build their inputs from a seed.
        .target(name: "SeededRandom", path: "Tests/Support/SeededRandom", swiftSettings: strict),
        // Test support: every single-byte edit of some bytes, for the suites comparing two readers of them.
        .target(name: "ByteMutations", path: "Tests/Support/ByteMutations", swiftSettings: strict),
        // Test support: waits for started tools with a deadline, so a hung tool fails its test by name.
        .target(name: "BoundedWait", path: "Tests/Support/BoundedWait", swiftSettings: strict),
        .testTarget(name: "AdaptersTests", dependencies: ["Adapters", "AdapterHTTP", "Ingest", "SiglogCore", "FixtureServer"], swiftSettings: strict),
        // Storage benchmarks (tools/bench-log); not part of the test suite.
        .executableTarget(name: "siglog-bench", dependencies: ["EventLog"], swiftSettings: strict),
        // Test helper: grows a store's map from another process (map-resize test).
        .executableTarget(name: "siglog-map-grower", dependencies: ["LMDB"], swiftSettings: strict),
        // The native SQLite baseline of tools/bench/run (not part of the test suite); the only place
        // sqlite3.h is seen.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .executableTarget(name: "siglog-bench-sqlite", dependencies: [
            "CSQLite", "Ingest", "SiglogCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        // Test helper: appends batches until killed (crash-safety test).
        .executableTarget(name: "siglog-crash-writer", dependencies: ["EventLog"], swiftSettings: strict),
        .testTarget(name: "SiglogRecordsTests", dependencies: [
            "SiglogRecords", "EventLog", "SiglogCore", "Scoring", "StageQueue", "SeededRandom",
        ], swiftSettings: strict),
        .testTarget(name: "ProjectionsTests", dependencies: [
            "Projections", "ReadModel", "Pipeline", "LMDB", "SiglogCore", "SignalPacks", "siglog-replay", "SeededRandom",
        ], swiftSettings: strict),
        .testTarget(name: "QueriesTests", dependencies: [
            "Queries", "ReadModel", "Pipeline", "Projections", "SiglogRecords", "SiglogCore", "SeededRandom",
        ], swiftSettings: strict),
        // Runs the built tools as a user would and compares their JSON with Fixtures/expected.
        .testTarget(name: "EndToEndTests", dependencies: [
            "SiglogCore", "FixtureServer", "BoundedWait", "siglog-append", "siglog-query", "siglog-replay", "siglog-bench-sqlite",
            "LMDB",  // to find where a record lies in data.mdb when damaging it on purpose
        ], swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "ReadModel", "Projections", "SiglogRecords", "EventLog", "Scoring", "SignalPacks", "SiglogCore",
            "Adapters", "Ingest", "FixtureServer", "SeededRandom",
        ], swiftSettings: strict),
        // The stage queue's pure rules: state machine, chain file, outcomes, webhook signatures.
        .testTarget(name: "StageQueueTests", dependencies: ["StageQueue", "SiglogCore", "Scoring"], swiftSettings: strict),
        // The stage queue on a store: views and replay, handlers against a local service
        // (FixtureServer on 127.0.0.1), workers in-process and as processes, crashes.
        .testTarget(name: "StageWorkersTests", dependencies: [
            "StageWorkers", "Pipeline", "ReadModel", "Projections", "Queries", "SiglogRecords", "StageQueue", "Adapters",
            "SignalPacks", "SiglogCore", "FixtureServer", "SeededRandom", "BoundedWait", "siglog-worker", "siglog-append", "siglog-query", "siglog-replay",
        ], swiftSettings: strict),
        // The HTTP service: every route in process (Hummingbird's test client), and the real
        // siglog-serve binary on a free 127.0.0.1 port (kill -9 mid-upload, restart, verify).
        .testTarget(name: "ServiceTests", dependencies: [
            "SiglogService", "Pipeline", "Adapters", "Queries", "ReadModel", "Projections", "Scoring", "SignalPacks", "SiglogCore",
            "QueueService", "StageQueue", "StageWorkers", "FixtureServer", "EventLog", "BoundedWait",
            "siglog-serve", "siglog-append", "siglog-query", "siglog-replay",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ], swiftSettings: strict),
        // The briefing pages: every page in process, and in headless Chromium against the real
        // siglog-serve binary (rendered DOM, screenshots, the XSS name shown as text).
        .testTarget(name: "BriefingPagesTests", dependencies: [
            "BriefingPages", "SiglogService", "Pipeline", "Queries", "ReadModel", "Projections", "SiglogRecords", "Scoring",
            "SignalPacks", "SiglogCore", "BoundedWait", "siglog-serve", "siglog-append",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: strict),
        // A JetStream cluster on loopback (nats-server processes started by the tests).
        .testTarget(name: "ReplicationTests", dependencies: [
            "Replication", "NATSClient", "EventLog", "Projections", "SiglogCore", "BoundedWait", "LoopbackSocket",
            "siglog-replicate", "siglog-append", "siglog-query", "siglog-replay",
        ], swiftSettings: strict),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog", "LMDB", "siglog-crash-writer"], swiftSettings: strict),
    ]
)
