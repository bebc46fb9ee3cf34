import Foundation
import Pipeline
import Projections
import ReadModel
import SiglogCore
import SiglogRecords
import StageQueue
import StageWorkers
import Testing

/// The stage queue on a store: records appended by the write side, views folded by the projector.
@Suite("Stage queue on the store")
struct QueueStoreTests {
    let stages = chain(["scrape", "intel"])

    @Test("enqueue, claim, complete: states, queue order, counts, and the chain advances")
    func happyPath() throws {
        let f = try QueueFixture(companies: 3)
        let result = try f.runner.enqueue(stage: "scrape", companies: [2, 1, 3], workspace: defaultWorkspace)
        #expect(result.queued == [2, 1, 3] && result.unchanged.isEmpty)
        try f.store.read { reader in
            var order: [Int64] = []
            try reader.forEachQueued(stage: "scrape", workspace: defaultWorkspace) { order.append($0.subject.company); return true }
            #expect(order == [2, 1, 3], "queue order is the order they were queued")
            #expect(try reader.stageCount(workspace: defaultWorkspace, stage: "scrape", status: .queued) == 3)
            #expect(try reader.stageCompanies(workspace: defaultWorkspace) == 3)
        }
        f.clock.advance(seconds: 1)
        let claimed = try f.runner.claim(stage: "scrape", limit: 2, worker: "w1")
        #expect(claimed.map(\.subject.company) == [2, 1], "oldest first, at most the limit")
        #expect(claimed.allSatisfy { $0.attempt == 1 && $0.retryCount == 0 })
        let state = try f.state(2, "scrape")
        #expect(state.status == .started && state.worker == "w1" && state.startedAt == f.clock.now())
        #expect(state.claim == claimed[0].claim)
        try f.store.read { reader in
            var started: [Int64] = []
            try reader.forEachStarted(stage: "scrape", workspace: defaultWorkspace) { started.append($0.subject.company); return true }
            #expect(started == [2, 1])
        }
        let applied = try f.runner.record([(claimed[0], .completed(.object(["pages": 4]))), (claimed[1], .failed(.hard, "HTTP 404"))],
                                          chain: stages)
        #expect(applied == [true, true])
        #expect(try f.state(2, "scrape").status == .completed)
        #expect(try f.state(2, "scrape").result == .object(["pages": 4]))
        #expect(try f.state(2, "intel").status == .queued, "completion queues the next stage")
        #expect(try f.state(1, "scrape").status == .failed)
        #expect(try f.state(1, "intel").status == .pending, "a failed stage does not advance")
        let depth = try f.store.read { try QueueReads.depth(stages: stages.names, workspace: defaultWorkspace, in: $0) }
        #expect(depth[0] == StageDepth(stage: "scrape", pending: 0, queued: 1, started: 0, completed: 1, failed: 1,
                                       oldestQueuedAt: QueueFixture.start))
        #expect(depth[1].pending == 2 && depth[1].queued == 1 && depth[1].completed == 0)
        #expect(depth[1].oldestQueuedAt == f.clock.now())
    }

    @Test("no item is claimed twice: concurrent claimers on one store split the queue")
    func concurrentClaims() async throws {
        let f = try QueueFixture(companies: 200)
        _ = try f.runner.enqueue(stage: "scrape", companies: Array(1...200), workspace: defaultWorkspace)
        let runner = f.runner
        let all = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while true {
                        let batch = try runner.claim(stage: "scrape", limit: 7, worker: "w\(worker)")
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.subject.company)
                    }
                }
            }
            var all: [Int64] = []
            for try await part in group { all += part }
            return all
        }
        #expect(all.count == 200)
        #expect(Set(all) == Set(1...200))
    }

    @Test("stale and duplicate completions append nothing")
    func staleAndDuplicate() throws {
        let f = try QueueFixture(companies: 1)
        _ = try f.runner.enqueue(stage: "scrape", companies: [1], workspace: defaultWorkspace)
        let item = try #require(try f.runner.claim(stage: "scrape", limit: 1, worker: "w").first)
        #expect(try f.runner.record([(item, .accepted(jobID: "J1"))], chain: stages) == [true])
        let subject = item.subject
        let head = try f.head()
        #expect(try f.runner.recordJobOutcome(.completed(.null), subject: subject, jobID: "J0", chain: stages) == false)
        #expect(try f.head() == head, "a job id that is not the current one changes nothing")
        #expect(try f.runner.recordJobOutcome(.completed(.object(["ok": true])), subject: subject, jobID: "J1", chain: stages))
        let afterFirst = try f.head()
        #expect(try f.runner.recordJobOutcome(.completed(.object(["ok": false])), subject: subject, jobID: "J1", chain: stages) == false)
        #expect(try f.runner.record([(item, .completed(.object(["ok": false])))], chain: stages) == [false])
        #expect(try f.head() == afterFirst, "a second completion changes nothing")
        #expect(try f.state(1, "scrape").result == .object(["ok": true]))
    }

    @Test("retriable failures and stuck resets: queued with retry + 1 until max_retries, then failed")
    func retriesAndStuck() throws {
        let f = try QueueFixture(companies: 2)
        let stages = chain(["scrape"], maxRetries: 2, stuckTimeout: .seconds(60))
        let stage = try #require(stages.stage("scrape"))
        _ = try f.runner.enqueue(stage: "scrape", companies: [1], workspace: defaultWorkspace)
        // Company 1: retriable failures.
        for expected in 1...2 {
            let item = try #require(try f.runner.claim(stage: "scrape", limit: 1, worker: "w").first)
            _ = try f.runner.record([(item, .failed(.retriable, "HTTP 503"))], chain: stages)
            #expect(try f.state(1, "scrape").status == .queued)
            #expect(try f.state(1, "scrape").retryCount == expected)
        }
        let last = try #require(try f.runner.claim(stage: "scrape", limit: 1, worker: "w").first)
        _ = try f.runner.record([(last, .failed(.retriable, "timeout"))], chain: stages)
        #expect(try f.state(1, "scrape").status == .failed)
        #expect(try f.state(1, "scrape").attempts == 3)
        _ = try f.runner.enqueue(stage: "scrape", companies: [2], workspace: defaultWorkspace)
        #expect(try f.runner.claim(stage: "scrape", limit: 1, worker: "w").map(\.subject.company) == [2])
        // Company 2 is started now; nothing is stuck before the timeout, then it is reset.
        #expect(try f.state(2, "scrape").status == .started)
        #expect(try f.runner.resetStuck(stage: stage).isEmpty)
        f.clock.advance(seconds: 61)
        #expect(try f.runner.resetStuck(stage: stage).map(\.company) == [2])
        #expect(try f.state(2, "scrape").status == .queued && f.state(2, "scrape").retryCount == 1)
        // Manual retry of the failed one.
        #expect(try f.runner.retryFailed(stage: "scrape", workspace: defaultWorkspace) == [1])
        #expect(try f.state(1, "scrape").status == .queued && f.state(1, "scrape").retryCount == 0)
        let counts = try f.store.read { try QueueReads.depth(stages: ["scrape"], workspace: defaultWorkspace, in: $0) }
        #expect(counts[0].queued == 2 && counts[0].failed == 0 && counts[0].started == 0)
    }

    @Test("release puts an unstarted claim back at its place without a retry")
    func release() throws {
        let f = try QueueFixture(companies: 3)
        _ = try f.runner.enqueue(stage: "scrape", companies: [1, 2, 3], workspace: defaultWorkspace)
        let claimed = try f.runner.claim(stage: "scrape", limit: 2, worker: "w")
        #expect(try f.runner.release(claimed) == 2)
        #expect(try f.state(1, "scrape").retryCount == 0 && f.state(1, "scrape").attempts == 0)
        let again = try f.runner.claim(stage: "scrape", limit: 3, worker: "w2")
        #expect(again.map(\.subject.company) == [1, 2, 3], "released items keep their queue position")
        #expect(try f.runner.release(claimed) == 0, "an old claim cannot release the new one")
    }

    @Test("the band trigger queues a company when its lead-feed band enters the set; enqueue by band")
    func bandTrigger() throws {
        var stages = chain(["scrape"])
        stages = StageChain(stages: stages.stages, trigger: BandTrigger(bands: [.highPriority, .watch], stage: "scrape"))
        let f = try QueueFixture(companies: 0, chain: stages)
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/events/sample.ndjson"), encoding: .utf8)
        let file = f.directory.path("events.ndjson")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        _ = try f.runner.ingest(from: handle, options: IngestOptions(inputName: file))
        let day = Day(year: 2026, month: 2, day: 28)!
        _ = try f.runner.runDerive()
        _ = try f.runner.runScore(asOf: day)
        let rows = try f.store.read { reader in
            try reader.leadFeed(workspace: defaultWorkspace, pack: try #require(try Scope.defaultPack(in: reader)), asOf: day)
        }
        let hot = rows.filter { [.highPriority, .watch].contains($0.record.recommendationBand) }.map(\.record.entityID)
        #expect(!hot.isEmpty, "the sample has companies in the trigger's bands")
        let queued = try f.store.read { reader in
            try rows.map(\.record.entityID).filter {
                try reader.stageState(StageSubject(workspace: defaultWorkspace, company: $0, stage: "scrape")).status == .queued
            }
        }
        #expect(Set(queued) == Set(hot), "exactly the companies whose band entered the set")
        // Scoring again changes no band: nothing is queued again.
        let head = try f.head()
        _ = try f.runner.runUpdateLeadFeed(asOf: day)
        #expect(try f.head() - head <= 2, "a re-run appends at most its job run records")
        // Enqueue by band (another stage, no trigger involved).
        let byBand = try f.runner.enqueue(stage: "brief", bands: [.highPriority], asOf: day, workspace: nil)
        #expect(Set(byBand.queued) == Set(rows.filter { $0.record.recommendationBand == .highPriority }.map(\.record.entityID)))
    }

    @Test("rescore: scores one company now in the stage's transaction; no job run; lead-feed row refreshed")
    func rescore() throws {
        let f = try QueueFixture(companies: 0)
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/events/sample.ndjson"), encoding: .utf8)
        let file = f.directory.path("events.ndjson")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        _ = try f.runner.ingest(from: try FileHandle(forReadingFrom: URL(fileURLWithPath: file)), options: IngestOptions(inputName: file))
        let stages = chain(["rescore"], handler: .rescore)
        let runner = StageRunner(store: f.store, clock: f.clock, rateLimitPerHour: 1, stageChain: stages)
        let jobsBefore = try f.store.read { try $0.allJobs().count }
        _ = try runner.enqueue(stage: "rescore", companies: [1, 2], workspace: defaultWorkspace)
        let items = try runner.claim(stage: "rescore", limit: 5, worker: "w")
        let outcomes = try runner.runBuiltIn(items, chain: stages) { item, writer in
            try RescoreHandler().perform(item, writer: writer, runner: runner)
        }
        #expect(outcomes.count == 2)
        guard case .completed(let result) = outcomes[0] else { Issue.record("rescore failed: \(outcomes[0])"); return }
        #expect(result["scored"] == true && result["company_id"] == 1)
        #expect(result["as_of"] == .string(f.clock.now().day.description))
        let pack = try f.store.read { try #require(try Scope.defaultPack(in: $0)) }
        let row = try f.store.read { try $0.leadFeedRow(workspace: defaultWorkspace, pack: pack, entity: 1) }
        #expect(row?.record.asOf == f.clock.now().day && row?.record.jobRunID == nil)
        #expect(row.map { Int64($0.record.compositeScore) } == result["composite"].flatMap { if case .int(let v) = $0 { v } else { nil } })
        #expect(try f.store.read { try $0.allJobs().count } == jobsBefore, "built-in work is not a job run")
        #expect(try f.state(1, "rescore").status == .completed && f.state(1, "rescore").result == result)
        // Not rate limited: with a limit of 1 per hour, twice more works.
        for _ in 0..<2 {
            _ = try runner.enqueue(stage: "rescore", companies: [1], workspace: defaultWorkspace)
            let again = try runner.claim(stage: "rescore", limit: 5, worker: "w")
            let out = try runner.runBuiltIn(again, chain: stages) { item, writer in
                try RescoreHandler().perform(item, writer: writer, runner: runner)
            }
            #expect(out.count == 1 && { if case .completed = out[0] { true } else { false } }())
        }
        // Work that throws is kept out, and the stage fails hard.
        _ = try runner.enqueue(stage: "rescore", companies: [1, 2], workspace: defaultWorkspace)
        let failing = try runner.claim(stage: "rescore", limit: 5, worker: "w")
        let headBefore = try f.head()
        let mixed = try runner.runBuiltIn(failing, chain: stages) { item, writer in
            if item.subject.company == 2 { throw SiglogError.usage("boom") }
            return .object(["ok": true])
        }
        #expect(mixed[0] == .completed(.object(["ok": true])) && mixed[1] == .failed(.hard, "boom"))
        #expect(try f.state(2, "rescore").status == .failed && f.state(2, "rescore").error == "boom")
        #expect(try f.head() - headBefore == 2, "one completion and one failure, nothing of the failed work")
    }

    @Test("enqueue requests: companies by id or domain, or bands; unknown stage, company or workspace refused")
    func enqueueRequests() throws {
        let f = try QueueFixture(companies: 3)
        let request = try EnqueueRequest.parse(Array(#"{"stage": "scrape", "company_ids": [1, "company3.example"]}"#.utf8),
                                               today: QueueFixture.start.day)
        #expect(request.target == .companies([.id(1), .domain("company3.example")]))
        let result = try request.run(runner: f.runner, chain: stages)
        #expect(result.queued == [1, 3])
        #expect(result.json["queued"] == 2)
        #expect(try request.run(runner: f.runner, chain: stages).unchanged == [1, 3], "already queued: unchanged")
        let bands = try EnqueueRequest.parse(Array(#"{"stage": "scrape", "bands": ["HIGH_PRIORITY"], "as_of": "2026-02-28"}"#.utf8),
                                             today: QueueFixture.start.day)
        #expect(bands.target == .bands([.highPriority], asOf: Day(year: 2026, month: 2, day: 28)!))
        #expect(throws: InvalidValue("give exactly one of company_ids and bands")) {
            try EnqueueRequest.parse(Array(#"{"stage": "scrape"}"#.utf8), today: QueueFixture.start.day)
        }
        #expect(throws: SiglogError.self) {
            try EnqueueRequest(stage: "nope", workspace: nil, target: .companies([.id(1)])).run(runner: f.runner, chain: stages)
        }
        #expect(throws: SiglogError.companyNotFound(.id(99))) {
            try EnqueueRequest(stage: "scrape", workspace: nil, target: .companies([.id(99)])).run(runner: f.runner, chain: stages)
        }
        let unknown = UUID()
        #expect(throws: SiglogError.workspaceNotFound(unknown)) {
            try EnqueueRequest(stage: "scrape", workspace: unknown, target: .companies([.id(1)])).run(runner: f.runner, chain: stages)
        }
    }
}
