import Foundation
import Glibc
@testable import Pipeline
import Projections
import ReadModel
import Scoring
import SiglogCore
import SiglogRecords
import SeededRandom
import Testing

private let feb18 = Day.ymd(2026, 2, 18)

/// Random text of valid, printable Unicode: ASCII, Latin, Greek, CJK, emoji (four UTF-8 bytes) and
/// combining marks (which make one character of several scalars).
private func text(_ count: Int, using rng: inout SeededGenerator) -> String {
    let ranges: [ClosedRange<UInt32>] = [0x41...0x5A, 0x61...0x7A, 0xC0...0xFF, 0x391...0x3C9, 0x4E00...0x9FFF,
                                         0x1F600...0x1F64F, 0x1F300...0x1F5FF]
    var scalars: [Unicode.Scalar] = []
    scalars.reserveCapacity(count)
    while scalars.count < count {
        let range = ranges.randomElement(using: &rng)!
        scalars.append(Unicode.Scalar(UInt32.random(in: range, using: &rng))!)
        if scalars.count < count, Int.random(in: 0..<8, using: &rng) == 0 { scalars.append(Unicode.Scalar(0x301)!) }
    }
    var text = String.UnicodeScalarView()
    text.append(contentsOf: scalars)
    return String(text)
}

@Suite("First hour: the pipeline")
struct FirstHourPipelineTests {
    @Test("1: random lines of valid Unicode up to every field's limit are all stored, replay verifies, a rerun finds duplicates",
          arguments: [UInt64(1), 2, 3])
    func randomLongLines(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let fixture = try StageFixture(now: .at(feb18, 20))
        let types = ["funding_raised", "api_launched", "cto_role_posted", "job_posted_engineering"]
        var lines: [String] = []
        for i in 0..<60 {
            // Limits of §2.1, counted in scalars (a character is one or more): the longest values are
            // far over LMDB's 511-byte key limit in UTF-8.
            func upTo(_ limit: Int) -> Int { Bool.random(using: &rng) ? limit : Int.random(in: 1...limit, using: &rng) }
            var fields: [String: Any] = [
                "source": text(upTo(64), using: &rng),
                "source_event_id": "\(i)-" + text(upTo(255) - 1 - String(i).count, using: &rng),
                "company_name": text(upTo(255), using: &rng),
                "event_type": types.randomElement(using: &rng)!,
                "event_time": "2026-02-\(10 + i % 8)T10:00:00Z",
            ]
            if Bool.random(using: &rng) { fields["domain"] = text(upTo(250), using: &rng) + ".ex" }
            if Bool.random(using: &rng) { fields["website_url"] = "https://" + text(upTo(2_030), using: &rng) + ".example" }
            if Bool.random(using: &rng) {
                fields["company_profile_url"] = "https://linkedin.com/company/" + text(upTo(2_000), using: &rng)
            }
            if Bool.random(using: &rng) { fields["title"] = text(upTo(512), using: &rng) }
            if Bool.random(using: &rng) { fields["summary"] = text(upTo(20_000), using: &rng) }
            if Bool.random(using: &rng) { fields["url"] = "https://x/" + text(upTo(2_030), using: &rng) }
            let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        let file = fixture.directory.appendingPathComponent("random.ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: file)

        let first = try fixture.pipeline.ingest(from: try FileHandle(forReadingFrom: file), options: IngestOptions(inputName: "random.ndjson"))
        #expect(first.json["errors_count"] == 0, "seed \(seed): \(first.json["errors"] ?? .null)")
        #expect(first.json["inserted"] == 60, "seed \(seed)")
        let again = try fixture.pipeline.ingest(from: try FileHandle(forReadingFrom: file), options: IngestOptions(inputName: "random.ndjson"))
        #expect(again.json["inserted"] == 0 && again.json["skipped_duplicate"] == 60, "seed \(seed)")
        #expect(try Replayer(store: fixture.store).verify().isOK, "seed \(seed)")
        // Every company can be found again by its own name.
        for company in try fixture.read({ try $0.allCompanies() }) {
            #expect(try fixture.read { try $0.company(.id(company.created.companyID)) }.name == company.created.name)
        }
    }

    @Test("3 (D15): an outreach sent after a row's as_of is not in that row's summary; one sent by its end is")
    func outreachAfterAsOf() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let a = try fixture.company("Test Company A")
        try fixture.event(a, "funding_raised", at: .at(feb18, 10))
        _ = try fixture.pipeline.runScore(asOf: feb18)
        #expect(try fixture.feedRow(a)?.record.outreachStatusSummary == nil)
        // Sent the next morning: the feb18 row stays without it.
        try fixture.pipeline.recordOutreach(.id(a), type: "email", sentAt: .at(feb18.adding(days: 1), 9), force: true)
        #expect(try fixture.feedRow(a)?.record.asOf == feb18)
        #expect(try fixture.feedRow(a)?.record.outreachStatusSummary == nil)
        _ = try fixture.pipeline.runUpdateLeadFeed(asOf: feb18)
        #expect(try fixture.feedRow(a)?.record.outreachStatusSummary == nil, "a batch rebuild keeps it out too")
        // Sent late on feb18 itself (the day's last microsecond counts): it is the row's summary.
        let late = Timestamp(microseconds: feb18.adding(days: 1).midnight.microseconds - 1)
        try fixture.pipeline.recordOutreach(.id(a), type: "linkedin", sentAt: late, force: true)
        let summary = try #require(try fixture.feedRow(a)?.record.outreachStatusSummary)
        #expect(summary.outreachType == "linkedin" && summary.lastSentAt == late)
        // Scoring the next day picks up the morning email.
        _ = try fixture.pipeline(at: .at(feb18.adding(days: 1), 23)).runScore(asOf: feb18.adding(days: 1))
        #expect(try fixture.feedRow(a)?.record.outreachStatusSummary?.outreachType == "email")
        #expect(try Replayer(store: fixture.store).verify().isOK)
    }

    @Test("2: a run owned by another host is left alone by closeInterruptedRuns and closed by closeRun; a run records its owner")
    func runsOfOtherHosts() throws {
        let fixture = try StageFixture(now: .at(feb18, 20))
        let elsewhere = RunOwner(host: RunOwner.current.host + "-elsewhere", processID: 1, processStart: 1)
        let gone = RunOwner(host: RunOwner.current.host, processID: RunOwner.current.processID, processStart: 1)
        let (other, dead) = try fixture.store.write { writer in
            (try writer.append(JobRunStarted(jobType: .score, workspaceID: StageFixture.workspace, pack: nil, idempotencyKey: nil,
                                             parentJobRunID: nil, asOf: feb18, owner: elsewhere), at: .at(feb18, 19)),
             try writer.append(JobRunStarted(jobType: .derive, workspaceID: StageFixture.workspace, pack: nil, idempotencyKey: nil,
                                              parentJobRunID: nil, asOf: nil, owner: gone), at: .at(feb18, 19)))
        }
        let closed = try fixture.pipeline.closeInterruptedRuns()
        #expect(closed.map(\.id) == [dead], "only the run of this host whose process start time does not match")
        #expect(try fixture.read { try $0.job(dead) }?.status == .failed)
        #expect(try fixture.read { try $0.job(dead) }?.errorMessage == "interrupted")
        #expect(try fixture.read { try $0.job(other) }?.status == .running)
        #expect(try fixture.read { try $0.runningJobs() }.map(\.id) == [other])
        _ = try fixture.pipeline.closeRun(other)
        #expect(try fixture.read { try $0.job(other) }?.status == .failed)
        #expect(try fixture.read { try $0.runningJobs() }.isEmpty)
        #expect(throws: SiglogError.self) { try fixture.pipeline.closeRun(other) }
        // A stage run by this process records this process as its owner.
        let derive = try fixture.pipeline.runDerive()
        let id = try #require(derive.json["job_run_id"]?.numberValue).rounded()
        #expect(try fixture.read { try $0.job(UInt64(id)) }?.started.owner == RunOwner.current)
        #expect(try Replayer(store: fixture.store).verify().isOK)
    }

    @Test("2: a killed process whose zombie is not yet reaped counts as gone; a live one does not")
    func zombieIsGone() throws {
        #expect(RunOwner.processStartTime(getpid()) != nil)
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, arguments, nil) == 0)
        // Not reaped yet: wait until the child has exited (its state turns to Z).
        var exited = false
        for _ in 0..<200 where !exited {
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            exited = stat.split(separator: ")").last?.split(separator: " ").first == "Z"
            if !exited { usleep(10_000) }
        }
        #expect(exited, "the child became a zombie")
        #expect(RunOwner.processStartTime(pid) == nil, "a zombie never writes again")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(RunOwner.processStartTime(pid) == nil)
    }
}
