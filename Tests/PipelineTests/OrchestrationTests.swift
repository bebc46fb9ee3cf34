import Foundation
import ReadModel
@testable import Pipeline
import Projections
import SiglogCore
import SiglogRecords
import Testing

private let feb18 = Day.ymd(2026, 2, 18)
private let testAdapter = StageFixture.packageRoot.appendingPathComponent("Fixtures/events/test_adapter.ndjson")
private let otherWorkspace = UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!

extension StageFixture {
    /// A file in the fixture's directory with `lines` (newline-terminated).
    func file(_ lines: [String]) throws -> URL {
        let url = directory.appendingPathComponent(UUID().uuidString + ".ndjson")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    /// The TestAdapter lines followed by `extra`.
    func testAdapterFile(plus extra: [String]) throws -> URL {
        let lines = try String(contentsOf: testAdapter, encoding: .utf8).split(separator: "\n").map(String.init)
        return try file(lines + extra)
    }

    func head() throws -> UInt64 { try store.log.head() }

    func addWorkspace(_ id: UUID, pack: UUID? = StageFixture.ctoPack) throws {
        _ = try store.write { writer in
            try writer.append(WorkspaceCreated(workspaceID: id, name: "Other", activePack: pack), at: .at(feb18))
        }
    }

    /// A pipeline over the same store with the given rate limit.
    func pipeline(rateLimit: Int, at now: Timestamp = .at(feb18, 23)) -> StageRunner {
        StageRunner(store: store, clock: FixedClock(now), rateLimitPerHour: rateLimit)
    }

    func eventCount() throws -> Int {
        try read { reader in try reader.allCompanies().reduce(0) { $0 + (try reader.events(ofCompany: $1.id).count) } }
    }
}

private func object(_ value: JSONValue?) throws -> JSONObject { try #require(value?.objectValue) }

private func runID(_ value: JSONValue?) -> UInt64? { value?.numberValue.map { UInt64($0) } }

@Suite("Orchestration: daily aggregation (§9.2, §11.18)")
struct OrchestrationDailyAggregationTests {
    @Test("§11.18 stage order ingest → derive → score → update_lead_feed, each a child run with the workspace and pack")
    func stageOrderAndChildRuns() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        #expect(result.json.keys == ["status", "job_run_id", "inserted", "companies_scored", "ingest_result", "derive_result",
                                     "score_result", "lead_feed_result", "ranked_companies", "ranked_count", "error"])
        #expect(result.json.int("inserted") == 3 && result.json.int("companies_scored") == 3, "§9.3's flat members")
        #expect(result.json["status"] == "completed")
        #expect(result.json["error"] == .null)
        let parentID = try #require(runID(result.json["job_run_id"]))

        let jobs = try fixture.jobs()
        #expect(jobs.map(\.started.jobType) == [.dailyAggregation, .ingest, .derive, .score, .updateLeadFeed])
        let parent = jobs[0]
        #expect(parent.id == parentID)
        #expect(parent.status == .completed)
        #expect(parent.companiesProcessed == 3, "parent companies_processed = score companies_scored")
        #expect(parent.started.parentJobRunID == nil)
        #expect(parent.started.asOf == feb18)
        for child in jobs.dropFirst() {
            #expect(child.started.parentJobRunID == parentID, "\(child.started.jobType)")
            #expect(child.started.workspaceID == StageFixture.workspace, "\(child.started.jobType)")
            #expect(child.started.pack == StageFixture.ctoPack, "\(child.started.jobType)")
            #expect(child.status == .completed, "\(child.started.jobType)")
        }
        #expect(jobs.map(\.id) == jobs.map(\.id).sorted(), "children start after the parent, in stage order")
        let childIDs = try ["ingest_result", "derive_result", "score_result", "lead_feed_result"].map {
            runID(try object(result.json[$0])["job_run_id"])
        }
        #expect(childIDs == jobs.dropFirst().map { Optional($0.id) })
        #expect(try object(result.json["ingest_result"]).int("inserted") == 3)
        #expect(try object(result.json["score_result"]).int("companies_scored") == 3)
        #expect(try object(result.json["lead_feed_result"]).int("rows_upserted") == 3)

        let batch = try #require(try fixture.read { try $0.jobBatch(parentID) })
        #expect(batch.status == .completed)
        #expect(batch.children.map(\.id) == jobs.dropFirst().map(\.id))
        #expect(try fixture.read { try $0.jobBatch(childIDs[0]!) }?.children.isEmpty == true)
        #expect(try fixture.read { try $0.jobBatch(9_999_999) } == nil)
    }

    @Test("§11.18 ranked list: threshold 0, items {company_name, composite, band}, ranked_count == len; A 11, C 10, B 2")
    func rankedOutputShape() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        let ranked = try #require(result.json["ranked_companies"]?.arrayValue)
        #expect(result.json.int("ranked_count") == ranked.count)
        for item in ranked { #expect(try object(item).keys == ["company_name", "composite", "band"]) }
        #expect(ranked.map { $0["company_name"]?.stringValue } == ["Test Company A", "Test Company C", "Test Company B"])
        #expect(ranked.map { $0["composite"]?.numberValue } == [11, 10, 2])
        #expect(ranked.allSatisfy { ($0["composite"]?.numberValue).map { (0...100).contains($0) } == true })
        #expect(ranked.allSatisfy { $0["band"]?.stringValue?.isEmpty == false })
        // Company B's outreach score is 0: only threshold 0 keeps it.
        #expect(try fixture.emergingCompanies(asOf: feb18, limit: 20, threshold: 1).count == 2)
        // Core instances and pack snapshots exist.
        let a = try #require(try fixture.read { try $0.allCompanies() }.first?.id)
        #expect(try fixture.read { try $0.instances(ofEntity: a) }.isEmpty == false)
        #expect(try fixture.readiness(a, feb18) != nil)
        #expect(try fixture.engagement(a, feb18) != nil)
    }

    @Test("§11.18 a bad input line is not fatal: ingest completed with errors_count > 0, later stages completed")
    func badLineNotFatal() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let input = try fixture.testAdapterFile(plus: ["{not json", #"{"source":"test","event_type":"funding_raised"}"#])
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: input)
        #expect(result.json["status"] == "completed")
        let ingest = try object(result.json["ingest_result"])
        #expect(ingest["status"] == "completed")
        #expect(ingest.int("inserted") == 3)
        #expect((ingest.int("errors_count") ?? 0) > 0)
        #expect(ingest["error"]?.stringValue?.isEmpty == false)
        for stage in ["derive_result", "score_result", "lead_feed_result"] {
            #expect(try object(result.json[stage])["status"] == "completed", "\(stage)")
        }
        #expect(try object(result.json["score_result"]).int("companies_scored") == 3)
        #expect(result.json.int("ranked_count") == 3)
        let parentID = try #require(runID(result.json["job_run_id"]))
        let batch = try #require(try fixture.read { try $0.jobBatch(parentID) })
        #expect(batch.status == .completed)
        #expect(batch.children.first?.errorMessage?.isEmpty == false, "the ingest child records its errors")
    }

    @Test("§11.18 a rerun on the same input inserts nothing: events still 3, inserted 0, skipped_duplicate 3")
    func rerunInsertsNothing() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let first = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        let second = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        #expect(try fixture.eventCount() == 3)
        let ingest = try object(second.json["ingest_result"])
        #expect(ingest.int("inserted") == 0)
        let firstInserted = try object(first.json["ingest_result"]).int("inserted")
        #expect(ingest.int("skipped_duplicate") == firstInserted)
        #expect(second.json["status"] == "completed")
        #expect(first.json["job_run_id"] != second.json["job_run_id"], "no key: a new batch")
        #expect(second.json["ranked_companies"] == first.json["ranked_companies"])
    }

    @Test("without events the ingest child runs on an empty input and the stored events are scored")
    func noEvents() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        _ = try fixture.pipeline.runStage(.ingest, StageParameters(events: testAdapter))
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: URL?.none)
        let ingest = try object(result.json["ingest_result"])
        #expect(ingest["status"] == "completed")
        #expect(ingest.int("inserted") == 0)
        #expect(ingest.int("errors_count") == 0)
        #expect(runID(ingest["job_run_id"]) != nil)
        #expect(try object(result.json["score_result"]).int("companies_scored") == 3)
        #expect(result.json.int("ranked_count") == 3)
    }

    @Test("§11.18 no pack → failed, job_run_id null, `No pack resolved for workspace`, no job run")
    func noPack() throws {
        let fixture = try StageFixture(packs: [], now: .at(feb18, 23))
        let head = try fixture.head()
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        #expect(result.json["status"] == "failed")
        #expect(result.json["job_run_id"] == .null)
        #expect(result.json["error"] == "No pack resolved for workspace")
        #expect(result.json["ranked_companies"] == [])
        #expect(result.json.int("ranked_count") == 0)
        #expect(result.json["ingest_result"] == .object([:]))
        #expect(result.json["derive_result"] == .object([:]))
        #expect(result.json["score_result"] == .object([:]))
        #expect(try fixture.jobs().isEmpty)
        #expect(try fixture.head() == head)
    }

    @Test("a workspace that does not exist, or a missing events file, is not found and nothing runs")
    func notFound() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let head = try fixture.head()
        let workspaceError = #expect(throws: SiglogError.self) {
            try fixture.pipeline.runDailyAggregation(workspace: otherWorkspace, asOf: feb18, events: testAdapter)
        }
        #expect(workspaceError?.kind == .notFound)
        let fileError = #expect(throws: SiglogError.self) {
            try fixture.pipeline.runDailyAggregation(asOf: feb18, events: fixture.directory.appendingPathComponent("none"))
        }
        #expect(fileError?.kind == .notFound)
        #expect(try fixture.head() == head)
    }

    @Test("a workspace with its own active pack: the batch and every child run carry that pack")
    func workspacePack() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.addWorkspace(otherWorkspace)
        let result = try fixture.pipeline.runDailyAggregation(workspace: otherWorkspace, asOf: feb18, events: testAdapter)
        #expect(result.json["status"] == "completed")
        let jobs = try fixture.jobs()
        #expect(jobs.count == 5)
        #expect(jobs.allSatisfy { $0.started.workspaceID == otherWorkspace && $0.started.pack == StageFixture.ctoPack })
        let feed = try fixture.read { try $0.leadFeedRows(workspace: otherWorkspace, pack: StageFixture.ctoPack) }
        #expect(feed.count == 3)
    }
}

@Suite("Orchestration: idempotency keys (D5, §11.19)")
struct OrchestrationIdempotencyTests {
    @Test("same key → the same job_run_id and the recorded result; nothing is appended")
    func sameKeySameRun() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let first = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "daily-1")
        let head = try fixture.head()
        let again = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "daily-1")
        #expect(again.json["job_run_id"] == first.json["job_run_id"])
        #expect(try fixture.head() == head, "a cached run appends nothing")
        for key in first.json.keys { #expect(again.json[key] == first.json[key], "\(key)") }
        // The §9.1 cached shape's flat members, read from the recorded run.
        #expect(again.json.int("inserted") == 3)
        #expect(again.json.int("companies_scored") == 3)
        #expect(again.json.keys.last == "error")
        // The same key on another stage type is another ledger entry.
        let score = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "daily-1")
        #expect(score.json["job_run_id"] != first.json["job_run_id"])
        // A new key runs again.
        let other = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "daily-2")
        #expect(other.json["job_run_id"] != first.json["job_run_id"])
    }

    @Test("same key in two workspaces → each workspace's own result")
    func keyPerWorkspace() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.addWorkspace(otherWorkspace)
        let inDefault = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "k")
        let inOther = try fixture.pipeline.runDailyAggregation(workspace: otherWorkspace, asOf: feb18, events: URL?.none,
                                                               idempotencyKey: "k")
        #expect(inDefault.json["job_run_id"] != inOther.json["job_run_id"])
        let head = try fixture.head()
        #expect(try fixture.pipeline.runDailyAggregation(asOf: feb18, events: URL?.none, idempotencyKey: "k").json["job_run_id"]
            == inDefault.json["job_run_id"])
        #expect(try fixture.pipeline.runDailyAggregation(workspace: otherWorkspace, asOf: feb18, events: URL?.none,
                                                         idempotencyKey: "k").json["job_run_id"] == inOther.json["job_run_id"])
        #expect(try fixture.head() == head)
    }

    /// Records a completed run of `jobType` with `processed` and no stored result (the reference's
    /// kind of job run) under `key`.
    private func recordRun(_ fixture: StageFixture, _ jobType: JobType, workspace: UUID, processed: Int, key: String) throws
        -> UInt64
    {
        let request = JobRequest(jobType: jobType, workspace: workspace, pack: StageFixture.ctoPack, idempotencyKey: key)
        return try fixture.store.write { writer in
            let id = try fixture.pipeline.startJob(request, in: writer)
            try writer.append(JobRunFinished(jobRunID: id, status: .completed, companiesProcessed: processed,
                                             companiesESLSuppressed: nil, errorMessage: nil, result: .null),
                              at: .at(feb18, 22), workspace: workspace)
            try writer.recordIdempotentResult(workspace: workspace, key: try #require(request.ledgerKey),
                                              result: withUnsafeBytes(of: id.bigEndian) { Array($0) })
            return id
        }
    }

    /// Whether `keys` holds `expected` in that order (siglog may add members; it never drops or reorders the spec's).
    private func hasMembers(_ keys: [String], _ expected: [String]) -> Bool {
        var rest = keys[...]
        for key in expected {
            guard let index = rest.firstIndex(of: key) else { return false }
            rest = rest[rest.index(after: index)...]
        }
        return true
    }

    @Test("§11.19 cached ingest `test-key-123` processed 5 → inserted 5, the stage not run; per workspace 10 and 20")
    func cachedShapesFromProcessed() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        try fixture.addWorkspace(otherWorkspace)
        let id = try recordRun(fixture, .ingest, workspace: StageFixture.workspace, processed: 5, key: "test-key-123")
        let head = try fixture.head()
        let cached = try fixture.pipeline.runStage(.ingest,
                                                   StageParameters(idempotencyKey: "test-key-123", events: testAdapter))
        #expect(hasMembers(cached.json.keys, ["status", "job_run_id", "inserted", "skipped_duplicate", "skipped_invalid",
                                              "errors_count", "error"]))
        #expect(cached.json["status"] == "completed")
        #expect(cached.jobRunID == id)
        #expect(cached.json.int("inserted") == 5)
        #expect(cached.json.int("skipped_duplicate") == 0)
        #expect(try fixture.head() == head, "stage not run")
        #expect(try fixture.eventCount() == 0)

        let ten = try recordRun(fixture, .ingest, workspace: StageFixture.workspace, processed: 10, key: "shared")
        let twenty = try recordRun(fixture, .ingest, workspace: otherWorkspace, processed: 20, key: "shared")
        let inDefault = try fixture.pipeline.runStage(.ingest, StageParameters(idempotencyKey: "shared"))
        let inOther = try fixture.pipeline.runStage(.ingest,
                                                    StageParameters(workspace: otherWorkspace, idempotencyKey: "shared"))
        #expect(inDefault.json.int("inserted") == 10 && inDefault.jobRunID == ten)
        #expect(inOther.json.int("inserted") == 20 && inOther.jobRunID == twenty)

        _ = try recordRun(fixture, .updateLeadFeed, workspace: StageFixture.workspace, processed: 3, key: "feed")
        let feed = try fixture.pipeline.runStage(.updateLeadFeed, StageParameters(asOf: feb18, idempotencyKey: "feed"))
        #expect(feed.json.keys == ["status", "job_run_id", "rows_upserted", "error"])
        #expect(feed.json.int("rows_upserted") == 3)

        _ = try recordRun(fixture, .score, workspace: StageFixture.workspace, processed: 4, key: "score")
        let score = try fixture.pipeline.runStage(.score, StageParameters(asOf: feb18, idempotencyKey: "score"))
        #expect(score.json.keys == ["status", "job_run_id", "companies_scored", "companies_engagement",
                                    "companies_esl_suppressed", "companies_skipped", "error"])
        #expect(score.json.int("companies_scored") == 4 && score.json.int("companies_engagement") == 4)

        _ = try recordRun(fixture, .derive, workspace: StageFixture.workspace, processed: 6, key: "derive")
        let derive = try fixture.pipeline.runStage(.derive, StageParameters(idempotencyKey: "derive"))
        #expect(derive.json.keys == ["status", "job_run_id", "instances_upserted", "events_processed", "events_skipped", "error"])
        #expect(derive.json.int("instances_upserted") == 6)

        _ = try recordRun(fixture, .dailyAggregation, workspace: StageFixture.workspace, processed: 7, key: "daily")
        let daily = try fixture.pipeline.runStage(.dailyAggregation, StageParameters(idempotencyKey: "daily"))
        #expect(hasMembers(daily.json.keys, ["status", "job_run_id", "inserted", "companies_scored", "ranked_count", "error"]))
        #expect(daily.json.int("companies_scored") == 7 && daily.json.int("inserted") == 0)
    }

    @Test("a failed run with a key is not cached: the next call runs")
    func failedNotCached() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let request = JobRequest(jobType: .score, workspace: StageFixture.workspace, pack: StageFixture.ctoPack,
                                 idempotencyKey: "retry")
        _ = try fixture.store.write { writer in
            let id = try fixture.pipeline.startJob(request, in: writer)
            try fixture.pipeline.finish(id, request, StageOutcome(ScoreResult.failed("boom"), companiesProcessed: nil,
                                                                  errorMessage: "boom"), writer)
        }
        let result = try fixture.pipeline.runScore(asOf: feb18, idempotencyKey: "retry")
        #expect(result.json["status"] == "completed")
        #expect(try fixture.jobs().count == 2)
    }
}

@Suite("Orchestration: rate limit and stage executor (§9.1, §11.19)")
struct OrchestrationRateLimitTests {
    @Test("limit 0 disables the rate limit")
    func disabled() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let pipeline = fixture.pipeline(rateLimit: 0)
        for _ in 0..<12 { #expect(try pipeline.runScore(asOf: feb18).json["status"] == "completed") }
    }

    @Test("5 runs of 10 → allowed; the 11th run in the hour is blocked")
    func allowedUnderLimit() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let pipeline = fixture.pipeline(rateLimit: 10)
        for _ in 0..<5 { _ = try pipeline.runScore(asOf: feb18) }
        #expect(try pipeline.runScore(asOf: feb18).json["status"] == "completed")
        for _ in 0..<4 { _ = try pipeline.runScore(asOf: feb18) }
        #expect((#expect(throws: SiglogError.self) { try pipeline.runScore(asOf: feb18) })?.kind == .rateLimited)
        // Other job types and an hour later are not limited.
        #expect(try pipeline.runDerive().json["status"] == "completed")
        let later = fixture.pipeline(rateLimit: 10, at: .at(feb18.adding(days: 1), 1))
        #expect(try later.runScore(asOf: feb18).json["status"] == "completed")
    }

    @Test("limit 1 → the second score run is blocked with `Workspace job rate limit exceeded`; nothing recorded")
    func blocked() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let pipeline = fixture.pipeline(rateLimit: 1)
        _ = try pipeline.runScore(asOf: feb18)
        let head = try fixture.head()
        let error = #expect(throws: SiglogError.self) { try pipeline.runScore(asOf: feb18) }
        #expect(error?.message == "Workspace job rate limit exceeded")
        #expect(error?.kind == .rateLimited)
        #expect(try fixture.head() == head)
        // Another workspace has its own budget.
        try fixture.addWorkspace(otherWorkspace)
        #expect(try pipeline.runScore(workspace: otherWorkspace, asOf: feb18).json["status"] == "completed")
    }

    @Test("limit 1 with a daily aggregation: its children run; they count against later runs; a cached key is not limited")
    func batchAndChildren() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let pipeline = fixture.pipeline(rateLimit: 1)
        let first = try pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "once")
        #expect(first.json["status"] == "completed")
        #expect(try fixture.jobs().count == 5)
        #expect((#expect(throws: SiglogError.self) {
            try pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        })?.kind == .rateLimited)
        #expect((#expect(throws: SiglogError.self) { try pipeline.runScore(asOf: feb18) })?.kind == .rateLimited)
        // D5: the idempotency cache is consulted before the rate limit.
        let cached = try pipeline.runDailyAggregation(asOf: feb18, events: testAdapter, idempotencyKey: "once")
        #expect(cached.json["job_run_id"] == first.json["job_run_id"])
    }

    @Test("§9.1 unknown job type → `Unknown job_type: {type}`, a usage error; the registry")
    func unknownJobType() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let error = SiglogError.unknownJobType("bogus")
        #expect(error.message.hasPrefix("Unknown job_type: bogus"))
        #expect(error.message.contains("update_lead_feed"), "the message lists the valid job types")
        #expect(error.kind == .usage)
        #expect(JobType.allCases.map(\.rawValue) == ["ingest", "derive", "score", "update_lead_feed", "daily_aggregation",
                                                     "watchlist_seed", "alert_scan", "backfill_lead_feed"])
        #expect(JobType(named: "daily-aggregation") == .dailyAggregation)
        #expect(JobType(named: "update_lead_feed") == .updateLeadFeed)
        #expect(JobType(named: "Update-Lead-Feed") == .updateLeadFeed)
        #expect(JobType(named: "nightly") == nil)
        #expect(try fixture.jobs().isEmpty)
    }

    @Test("runStage dispatches every implemented job type with the workspace and pack")
    func dispatch() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let parameters = StageParameters(workspace: StageFixture.workspace, pack: StageFixture.ctoPack, asOf: feb18,
                                         events: testAdapter)
        var withoutEvents = parameters
        withoutEvents.events = nil
        let types: [JobType] = [.ingest, .derive, .score, .updateLeadFeed]
        for type in types {
            let result = try fixture.pipeline.runStage(type, type == .ingest ? parameters : withoutEvents)
            #expect(result.status == .completed, "\(type)")
        }
        #expect(try fixture.jobs().map(\.started.jobType) == types)
        #expect(try fixture.jobs().allSatisfy { $0.started.pack == StageFixture.ctoPack && $0.started.parentJobRunID == nil })
    }
}

@Suite("Orchestration: entity timeline")
struct OrchestrationTimelineTests {
    @Test("after a daily aggregation with events: creation, events, instances, snapshots in log order, each with its child run")
    func timelineWithRunLineage() throws {
        let fixture = try StageFixture(now: .at(feb18, 23))
        let result = try fixture.pipeline.runDailyAggregation(asOf: feb18, events: testAdapter)
        let ingestRun = runID(try object(result.json["ingest_result"])["job_run_id"])
        let deriveRun = runID(try object(result.json["derive_result"])["job_run_id"])
        let scoreRun = runID(try object(result.json["score_result"])["job_run_id"])
        let feedRun = runID(try object(result.json["lead_feed_result"])["job_run_id"])
        let company = try #require(try fixture.read { try $0.allCompanies() }.first { $0.name == "Test Company A" }).id

        let timeline = try fixture.read { try $0.timeline(ofCompany: company) }
        #expect(timeline.map(\.sequence) == timeline.map(\.sequence).sorted(), "log order")
        let kinds = timeline.map(\.kind)
        #expect(Array(kinds.prefix(5)) == ["company_created", "event_stored", "instance_derived", "readiness_snapshot",
                                           "engagement_snapshot"])
        let expectedRun: [String: UInt64?] = [
            "company_created": ingestRun, "event_stored": ingestRun, "instance_derived": deriveRun,
            "readiness_snapshot": scoreRun, "engagement_snapshot": scoreRun,
        ]
        for entry in timeline {
            #expect(entry.jobRunID != nil, "\(entry.kind) has its job run")
            if let run = expectedRun[entry.kind] { #expect(entry.jobRunID == run, "\(entry.kind)") }
            if entry.kind == "lead_feed_band" { #expect(entry.jobRunID == scoreRun || entry.jobRunID == feedRun) }
        }
        // Every run of the lineage belongs to the batch.
        let parentID = try #require(runID(result.json["job_run_id"]))
        let batch = try #require(try fixture.read { try $0.jobBatch(parentID) })
        let batchRuns = Set(batch.children.map(\.id))
        #expect(timeline.allSatisfy { $0.jobRunID.map { batchRuns.contains($0) } == true })
        #expect(timeline.first { $0.kind == "event_stored" }?.detail.contains("funding_raised") == true)
    }
}
