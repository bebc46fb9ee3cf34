import Foundation
import Scoring
import SiglogCore
import StageQueue
import Testing

@Suite("Stage chain file")
struct StageChainLoaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func parse(_ text: String) throws -> StageChain { try StageChainLoader.parse(text, file: "chain.yaml") }

    /// The error a text gives, as `FILE: field: reason`.
    func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("the example chain in Fixtures loads: stages, next links, handlers, limits, trigger")
    func example() throws {
        let chain = try StageChainLoader.load(path: Self.root.appendingPathComponent("Fixtures/stage-chains/example.yaml").path)
        #expect(chain.names == ["scrape", "intel", "strategy", "subject", "messaging", "rescore"])
        #expect(chain.next(after: "scrape") == "intel")
        #expect(chain.next(after: "rescore") == nil)
        #expect(chain.stage("scrape")?.handler == .exec(command: ["/usr/local/bin/scrape-company", "--max-pages", "20"],
                                                         timeout: .seconds(120)))
        #expect(chain.stage("strategy")?.handler == .http(url: "http://127.0.0.1:9100/strategy", timeout: .seconds(30),
                                                           headers: ["X-Caller": "siglog"]))
        #expect(chain.stage("rescore")?.handler == .rescore)
        #expect(chain.stage("messaging")?.maxRetries == 5, "a stage overrides the defaults")
        #expect(chain.stage("intel")?.maxRetries == 3)
        #expect(chain.stage("intel")?.stuckTimeout == .seconds(600))
        #expect(chain.stage("intel")?.pollInterval == .milliseconds(500))
        #expect(chain.stage("intel")?.completionPollInterval == .seconds(2))
        #expect(chain.stage("intel")?.batchSize == 5)
        #expect(chain.trigger == BandTrigger(bands: [.highPriority], stage: "scrape"))
    }

    @Test("defaults apply when the file sets nothing; the trigger's stage defaults to the first")
    func defaults() throws {
        let chain = try parse("""
            stages:
              - {name: a, next: b, handler: {type: noop}}
              - {name: b, handler: {type: rescore}}
            trigger: {band_in: [HIGH_PRIORITY, WATCH]}
            """)
        let a = try #require(chain.stage("a"))
        #expect(a.maxRetries == 3 && a.stuckTimeout == .seconds(600) && a.pollInterval == .milliseconds(500))
        #expect(a.completionPollInterval == .milliseconds(2000) && a.batchSize == 5)
        #expect(chain.trigger == BandTrigger(bands: [.highPriority, .watch], stage: "a"))
    }

    @Test("durations: ms, s, m, h and bare seconds")
    func durations() {
        #expect(StageDurations.parse("500ms") == .milliseconds(500))
        #expect(StageDurations.parse("2s") == .seconds(2))
        #expect(StageDurations.parse("10m") == .seconds(600))
        #expect(StageDurations.parse("1h") == .seconds(3600))
        #expect(StageDurations.parse("1.5") == .milliseconds(1500))
        #expect(StageDurations.parse("ten") == nil)
        #expect(StageDurations.parse("-1s") == nil)
        #expect(StageDurations.format(.seconds(600)) == "10m")
        #expect(StageDurations.format(.milliseconds(1500)) == "1500ms")
    }

    @Test("bad files are reported as FILE: field: reason", arguments: [
        ("", "chain.yaml: (file): must be a mapping with a `stages` list"),
        ("stages: []", "chain.yaml: stages: must be a non-empty list"),
        ("stage: []", "chain.yaml: stage: unknown field (expected one of: defaults, stages, trigger)"),
        ("stages: [{name: a}]", "chain.yaml: stages[0].handler: is required"),
        ("stages: [{name: A, handler: {type: noop}}]",
         "chain.yaml: stages[0].name: must be lower-case letters, digits, '_' or '-', starting with a letter; got \"A\""),
        ("stages: [{name: a, handler: {type: noop}}, {name: a, handler: {type: noop}}]",
         "chain.yaml: stages[1].name: 'a' is already the name of stages[0]"),
        ("stages: [{name: a, next: b, handler: {type: noop}}]", "chain.yaml: stages[0].next: names no stage of the chain: 'b'"),
        // A later stage's unknown `next` is reported, not reached while following an earlier stage's links.
        ("stages: [{name: a, next: b, handler: {type: noop}}, {name: b, next: c, handler: {type: noop}}]",
         "chain.yaml: stages[1].next: names no stage of the chain: 'c'"),
        ("stages: [{name: a, next: a, handler: {type: noop}}]", "chain.yaml: stages[0].next: a stage cannot be its own next stage"),
        ("stages: [{name: a, next: b, handler: {type: noop}}, {name: b, next: a, handler: {type: noop}}]",
         "chain.yaml: stages[0].next: makes a cycle: the chain from 'a' comes back to 'a'"),
        ("stages: [{name: a, handler: {type: shell}}]", "chain.yaml: stages[0].handler.type: must be exec, http, rescore or noop; got 'shell'"),
        ("stages: [{name: a, handler: {type: exec}}]",
         "chain.yaml: stages[0].handler.command: must be a non-empty list: the program and its arguments"),
        ("stages: [{name: a, handler: {type: exec, command: [x], timeout: 20m}}]",
         "chain.yaml: stages[0].handler.timeout: must be shorter than the stage's stuck_timeout (10m), or a slow attempt would be reset while it runs"),
        ("stages: [{name: a, handler: {type: http, url: 'ftp://x/y'}}]",
         "chain.yaml: stages[0].handler.url: must be an http:// or https:// URL with a host and no query string; got 'ftp://x/y'"),
        ("stages: [{name: a, handler: {type: http, url: 'http://h/x', header: {}}}]",
         "chain.yaml: stages[0].handler.header: unknown field (expected one of: type, url, timeout, headers)"),
        ("stages: [{name: a, max_retries: -1, handler: {type: noop}}]",
         "chain.yaml: stages[0].max_retries: must be an integer of at least 0; got -1"),
        ("defaults: {stuck_timeout: soon}\nstages: [{name: a, handler: {type: noop}}]",
         "chain.yaml: defaults.stuck_timeout: must be a positive duration such as 500ms, 2s, 10m or 1h; got \"soon\""),
        ("stages: [{name: a, batch_size: 0, handler: {type: noop}}]",
         "chain.yaml: stages[0].batch_size: must be an integer of at least 1; got 0"),
        ("stages: [{name: a, handler: {type: noop}}]\ntrigger: {band_in: [HOT]}",
         "chain.yaml: trigger.band_in[0]: must be one of IGNORE, WATCH, HIGH_PRIORITY; got \"HOT\""),
        ("stages: [{name: a, handler: {type: noop}}]\ntrigger: {band_in: [WATCH], stage: b}",
         "chain.yaml: trigger.stage: names no stage of the chain: \"b\""),
    ])
    func badFiles(text: String, message: String) {
        #expect(error(text) == message)
    }

    @Test("a missing file names the file")
    func missingFile() {
        #expect(throws: StageChainError.self) { try StageChainLoader.load(path: "/nonexistent/stages.yaml") }
        do {
            _ = try StageChainLoader.load(path: "/nonexistent/stages.yaml")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/stages.yaml: (file): cannot be read"))
        }
    }

    @Test("QUEUE_BATCH_SIZE, QUEUE_POLL_INTERVAL and COMPLETION_POLL_INTERVAL override the file")
    func environment() throws {
        let chain = try parse("stages: [{name: a, batch_size: 7, handler: {type: noop}}]")
        let same = try chain.applyingEnvironment(["QUEUE_BATCH_SIZE": " "])
        #expect(same.stage("a")?.batchSize == 7)
        let changed = try chain.applyingEnvironment(["QUEUE_BATCH_SIZE": "100", "QUEUE_POLL_INTERVAL": "50",
                                                     "COMPLETION_POLL_INTERVAL": "250"])
        #expect(changed.stage("a")?.batchSize == 100)
        #expect(changed.stage("a")?.pollInterval == .milliseconds(50))
        #expect(changed.stage("a")?.completionPollInterval == .milliseconds(250))
        #expect(throws: InvalidValue("QUEUE_BATCH_SIZE must be a positive integer, got '0'")) {
            try chain.applyingEnvironment(["QUEUE_BATCH_SIZE": "0"])
        }
    }

    @Test("the chain is found by --chain, then SIGLOG_STAGE_CHAIN, then <store>/stages.yaml")
    func locate() throws {
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: store) }
        #expect(StageChainLoader.locate(explicit: nil, storePath: store.path, environment: [:]) == nil)
        let inStore = store.appendingPathComponent("stages.yaml").path
        try Data("stages: [{name: a, handler: {type: noop}}]".utf8).write(to: URL(fileURLWithPath: inStore))
        #expect(StageChainLoader.locate(explicit: nil, storePath: store.path, environment: [:]) == inStore)
        #expect(StageChainLoader.locate(explicit: nil, storePath: store.path, environment: ["SIGLOG_STAGE_CHAIN": "/e"]) == "/e")
        #expect(StageChainLoader.locate(explicit: "/x", storePath: store.path, environment: ["SIGLOG_STAGE_CHAIN": "/e"]) == "/x")
        #expect(try StageChainLoader.loadChain(explicit: nil, storePath: store.path, environment: [:])?.names == ["a"])
    }
}
