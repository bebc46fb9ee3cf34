import BoundedWait
import Foundation
import Projections
import Queries
import ReadModel
import Scoring
import SiglogCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built tools next to the test binary, run as a user would.
enum Tools {
    static let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    /// Runs `executable` to its end; its status, standard output and standard error.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["WORKSPACE_JOB_RATE_LIMIT_PER_HOUR"] = "0"
        process.environment = environment.merging(extra) { $1 }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        try BoundedWait.untilExit(process)
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    /// Runs a built siglog tool and requires exit 0.
    static func siglog(_ tool: String, _ arguments: [String]) throws {
        let result = try run(binaries.appendingPathComponent(tool), arguments)
        guard result.status == 0 else { throw ToolFailure(message: "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
    }

    struct ToolFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// `siglog-serve` on a free 127.0.0.1 port.
final class ServeProcess: @unchecked Sendable {
    // @unchecked: only the test that owns it touches `process`.
    let process = Process()
    let log: URL
    let port: Int

    init(store: String, token: String) async throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = Tools.binaries.appendingPathComponent("siglog-serve")
        process.arguments = ["--store", store, "--port", "0"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SIGLOG_API_TOKEN": token]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var found: Int?
        for _ in 0..<6_000 where found == nil && process.isRunning {
            if let match = (try? String(contentsOf: log, encoding: .utf8))?.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/) {
                found = Int(match.1)
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        guard let found else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw Tools.ToolFailure(message: "siglog-serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = found
    }

    deinit {
        try? BoundedWait.stop(process, signal: SIGTERM, within: .seconds(60))
        try? FileManager.default.removeItem(at: log)
    }

    var base: String { "http://127.0.0.1:\(port)" }
}

/// What `tools/browser-check` reports for one page.
struct BrowserPage: Decodable {
    var url: String
    var status: Int?
    var title: String?
    var dom: String
    var screenshot: String
    var height: Double
    var document_cookie: String?
    var dialogs: [AnyDecodable]
    var exceptions: [String?]
    var console_errors: [AnyDecodable]
}

/// Any JSON value (the report's dialogs and console entries are only counted).
struct AnyDecodable: Decodable {
    init(from decoder: any Decoder) throws {}
}

struct BrowserReport: Decodable {
    struct Login: Decodable {
        var status_before: Int?
        var form_found: Bool?
    }
    var login: Login?
    var pages: [BrowserPage]
}

@Suite("briefing pages in headless Chromium", .serialized)
struct BrowserTests {
    static let token = "browser-test-token-0123456789abcdef"

    @Test("siglog-serve on a fixture store: sign in through the form, then /, a company page, /ranked and /jobs render with names, scores and the chart; the XSS name is text and nothing executes")
    func pagesInChromium() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("briefing-browser-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("store").path
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let events = try Repository.fixtureEvents()
        defer { try? FileManager.default.removeItem(at: events) }
        try Tools.siglog("siglog-append", ["init", "--store", store])
        for day in Repository.days {
            try Tools.siglog("siglog-append", ["stage", "daily-aggregation", "--store", store, "--events", events.path, "--as-of", day])
        }
        try Tools.siglog("siglog-append", ["outreach", "--store", store, "--company", "xss-script.example", "--type", "email",
                                           "--sent-at", "2026-02-20T10:00:00Z", "--outcome", "replied"])

        // What the pages must show, read through the read layer before the server starts.
        let day = try Day(parsing: Repository.lastDay)
        let (cards, names, xssID, history) = try {
            let reading = try Store.openForReading(path: store)
            return try reading.read { reader in
                let scope = try Scope.resolve(workspace: nil, pack: nil, in: reader)
                let cards = try LeadReads.leads(scope: scope, asOf: day, limit: 24, threshold: 0, in: reader)
                let names = try cards.map { try reader.company(Int64($0.entityID))?.name ?? "" }
                let xss = try reader.company(.domain("xss-script.example")).id
                let history = try reader.readinessHistory(company: xss).filter { $0.record.pack == scope.pack }.map(\.record)
                return (cards, names, xss, history)
            }
        }()
        #expect(cards.count == 24)
        #expect(names.contains("<script>alert(1)</script>"), "the hostile company is among the first cards")

        let server = try await ServeProcess(store: store, token: Self.token)
        let shots = Repository.root.appendingPathComponent(".build/briefing-screenshots")
        try? FileManager.default.removeItem(at: shots)
        let urls = ["/?threshold=0", "/companies/\(xssID)", "/ranked?threshold=0", "/jobs"].map { server.base + $0 }
        let check = try Tools.run(Repository.root.appendingPathComponent("tools/browser-check"),
                                  ["--out", shots.path, "--login-token", Self.token] + urls)
        try #require(check.status == 0, "tools/browser-check failed: \(check.stderr)")
        let report = try JSONDecoder().decode(BrowserReport.self, from: Data(check.stdout.utf8))

        #expect(report.login?.status_before == 401, "the first visit is the 401 page")
        #expect(report.login?.form_found == true)
        #expect(report.pages.count == urls.count)
        for page in report.pages {
            #expect(page.status == 200, "\(page.url)")
            #expect(page.dialogs.isEmpty, "no alert ran on \(page.url)")
            #expect(page.exceptions.isEmpty, "\(page.url)")
            #expect(page.console_errors.isEmpty, "\(page.url)")
            #expect(page.title != "XSS", "the <img onerror> name did not run")
            #expect(page.document_cookie == "", "the session cookie is HttpOnly")
            #expect(page.height > 600)
            let png = try Data(contentsOf: URL(fileURLWithPath: page.screenshot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG screenshot of \(page.url)")
            let dom = try String(contentsOfFile: page.dom, encoding: .utf8)
            #expect(!dom.contains("Internal server error"))
            #expect(!dom.contains("<script"), "no script element in the rendered DOM of \(page.url)")
            #expect(!dom.contains("<img"), "the <img onerror> name is text on \(page.url)")
        }

        let briefing = try String(contentsOfFile: report.pages[0].dom, encoding: .utf8)
        #expect(briefing.occurrences(of: #"<li class="card "#) == 24)
        for (card, name) in zip(cards, names) {
            let escaped = name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
            #expect(briefing.contains(">\(escaped)</a></h2>") , "card of \(name)")
            #expect(briefing.contains(#"id="company-\#(card.entityID)""#))
            #expect(briefing.contains(#"title="Readiness composite">\#(card.compositeScore)</span>"#))
        }
        #expect(briefing.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))

        let company = try String(contentsOfFile: report.pages[1].dom, encoding: .utf8)
        #expect(company.contains(#"<h1 class="company-name">&lt;script&gt;alert(1)&lt;/script&gt;</h1>"#))
        #expect(company.contains(#"<svg class="score-chart""#))
        #expect(company.occurrences(of: "<polyline ") == 5)
        #expect(company.occurrences(of: "<circle ") == 5 * history.count)
        for snapshot in history { #expect(company.contains("\(snapshot.asOf): composite \(snapshot.composite)")) }

        let ranked = try String(contentsOfFile: report.pages[2].dom, encoding: .utf8)
        #expect(ranked.contains(#"<table class="ranked">"#))
        let jobs = try String(contentsOfFile: report.pages[3].dom, encoding: .utf8)
        #expect(jobs.occurrences(of: #"<tbody class="batch"#) == Repository.days.count)
    }
}
