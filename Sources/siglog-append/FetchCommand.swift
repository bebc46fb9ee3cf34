import AdapterHTTP
import Adapters
import ArgumentParser
import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCLI
import SiglogWriterCLI
import SiglogCore

/// `fetch`: what one source adapter returns, as ingest input, without storing anything.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch raw events from one source adapter and write them as NDJSON; stores nothing.",
        discussion: """
            Writes one line per event in the format `events` reads, so `fetch --out F` then `events F` \
            stores exactly what a direct `stage ingest` would. The source is configured from the \
            environment as the daily ingest configures it (credential, base URL, targets); its \
            INGEST_<SOURCE>_ENABLED flag is not needed. --since defaults to where the next daily \
            ingest of the store would start (else 24 hours ago).
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The source: \(AdapterSource.allCases.map(\.rawValue).joined(separator: ", ")).")
    var source: String
    @Option(help: "Fetch events published since this time (ISO-8601; a date alone means 00:00 UTC).")
    var since: Timestamp?
    @Option(help: "Where to write the NDJSON: a file, or - for standard output.")
    var out = "-"

    func run() throws {
        try runReportingErrors {
            guard let adapterSource = AdapterSource(rawValue: source) else {
                throw SiglogError.usage("Unknown source: \(source) (one of \(AdapterSource.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let environment = AdapterEnvironment.process
            if !adapterSource.credentialVariables.isEmpty,
               !adapterSource.credentialVariables.contains(where: { environment.trimmedValue($0) != nil }) {
                printError("note: \(adapterSource.credentialVariables.joined(separator: " or ")) is not set: "
                           + "the \(source) adapter returns nothing without it")
            }
            let clock = SystemClock()
            let start = try since ?? defaultSince(clock: clock)
            let runtime = AdapterRuntime(transport: AsyncHTTPClientTransport(), now: { clock.now() }, log: { printError("warning: \($0)") })
            let adapter = adapterSource.makeAdapter(environment: environment, runtime: runtime)
            let interruption = Interruption()
            stopOnSignals(interruption)
            let events = try waitFor(interruption: interruption) { try await adapter.fetchEvents(since: start) }
            let text = events.map { JSONWriter().string(.object($0.json)) + "\n" }.joined()
            if out == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out))
            }
            printError("fetched \(events.count.formatted()) events from \(source) since \(start)"
                       + (out == "-" ? "" : " into \(out)"))
        }
    }

    /// The `since` of the store's next daily ingest, or 24 hours ago when there is no store.
    private func defaultSince(clock: SystemClock) throws -> Timestamp {
        guard FileManager.default.fileExists(atPath: store.path) else {
            return Timestamp(microseconds: clock.now().microseconds - 86_400_000_000)
        }
        let runner = StageRunner(store: try store.openForReading(), clock: clock, rateLimitPerHour: 0)
        return try runner.store.read { try runner.dailyIngestSince(in: $0) }
    }
}
