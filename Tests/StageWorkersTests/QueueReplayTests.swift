import Foundation
import Pipeline
@testable import Projections
import ReadModel
import SiglogCore
import StageQueue
import SeededRandom
import Testing

/// Replay and verify cover the stage-queue views like every view (they are cases of `View`).
@Suite("Stage queue replay")
struct QueueReplayTests {
    /// Random queue traffic over two workspaces: enqueues, claims, every kind of outcome, job
    /// acceptances and completions, stale completions, stuck resets, releases, retries.
    func randomTraffic(seed: UInt64) throws -> QueueFixture {
        var random = SeededGenerator(seed: seed)
        let stages = chain(["scrape", "intel", "rescore"], maxRetries: 2, stuckTimeout: .seconds(30))
        let f = try QueueFixture(companies: 40, chain: stages)
        let other = try f.runner.createWorkspace(name: "second", id: nil, pack: nil)
        let workspaces = [defaultWorkspace, other]
        for _ in 0..<120 {
            f.clock.advance(seconds: Double(Int.random(in: 0...5, using: &random)))
            let workspace = workspaces.randomElement(using: &random)!
            let stage = stages.names.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                let companies = (0..<Int.random(in: 1...6, using: &random)).map { _ in Int64.random(in: 1...40, using: &random) }
                _ = try f.runner.enqueue(stage: stage, companies: companies, workspace: workspace)
            case 2, 3, 4, 5:
                let items = try f.runner.claim(stage: stage, limit: Int.random(in: 1...5, using: &random), worker: "w\(seed)",
                                               workspaces: [workspace])
                let outcomes: [(ClaimedStage, HandlerOutcome)] = items.map { item in
                    switch Int.random(in: 0..<6, using: &random) {
                    case 0, 1: (item, .completed(.object(["n": .int(Int64(item.subject.company))])))
                    case 2: (item, .failed(.retriable, "HTTP 503"))
                    case 3: (item, .failed(.hard, "HTTP 404"))
                    case 4: (item, .accepted(jobID: "job-\(item.claim)"))
                    default: (item, .completed(.null))
                    }
                }
                let keep = outcomes.filter { _ in Bool.random(using: &random) }
                _ = try f.runner.record(keep, chain: stages)
                if Bool.random(using: &random) {
                    _ = try f.runner.release(outcomes.filter { pair in !keep.contains { $0.0 == pair.0 } }.map(\.0))
                }
            case 6:
                // Accepted jobs complete by job id — sometimes twice, sometimes with a stale id.
                let jobs = try f.store.read { try QueueReads.acceptedJobs(stage: stage, workspaces: workspaces, limit: 5, in: $0) }
                for job in jobs {
                    let id = Bool.random(using: &random) ? job.jobID : "stale-\(job.jobID)"
                    _ = try f.runner.recordJobOutcome(.completed(.object(["job": .string(id)])), subject: job.subject, jobID: id, chain: stages)
                    _ = try f.runner.recordJobOutcome(.completed(.null), subject: job.subject, jobID: id, chain: stages)
                }
            case 7:
                f.clock.advance(seconds: 31)
                _ = try f.runner.resetStuck(stage: stages.stage(stage)!)
            case 8:
                _ = try f.runner.retryFailed(stage: stage, workspace: workspace)
            default:
                let items = try f.runner.claim(stage: stage, limit: 3, worker: "w", workspaces: [workspace])
                _ = try f.runner.runBuiltIn(items, chain: stages) { item, _ in .object(["built_in": .int(Int64(item.claim))]) }
            }
        }
        return f
    }

    @Test("random traffic: a rebuild reproduces every stage view byte for byte, verify is clean", arguments: [1, 2, 3] as [UInt64])
    func rebuildMatches(seed: UInt64) throws {
        let f = try randomTraffic(seed: seed)
        let incremental = try f.store.read { try $0.fingerprints() }
        let before = try stageViews.map { try dump($0, of: f.store) }
        #expect(before[0].count > 20, "traffic reached many states")
        #expect(incremental[.stageCounts]!.count > 0)
        // The stored fingerprints describe the content.
        for view in stageViews {
            let content = try f.store.read { try $0.views.computeFingerprint(of: view, in: $0.transaction) }
            #expect(content == incremental[view], "\(view)")
        }
        #expect(try Replayer(store: f.store).verify().isOK)
        let result = try Replayer(store: f.store).rebuild()
        #expect(result.rebuilt == View.allCases)
        #expect(result.fingerprints == incremental, "replay = incremental")
        let after = try stageViews.map { try dump($0, of: f.store) }
        #expect(after == before, "byte for byte")
    }

    @Test("a partial rebuild of the queue counts rebuilds the states they are folded from, and matches")
    func partialRebuild() throws {
        let f = try randomTraffic(seed: 7)
        #expect(Replayer.closure(of: [.stageCounts]) == [.stageStates, .stageCounts])
        #expect(Replayer.closure(of: [.stageQueued, .stageStarted]) == [.stageStates, .stageQueued, .stageStarted])
        let before = try stageViews.map { try dump($0, of: f.store) }
        var options = ReplayOptions()
        options.views = [.stageCounts, .stageQueued]
        _ = try Replayer(store: f.store).rebuild(options: options)
        #expect(try stageViews.map { try dump($0, of: f.store) } == before)
        #expect(try Replayer(store: f.store).verify().isOK)
    }

    @Test("a damaged stage view is found by verify and repaired by a rebuild")
    func damagedView() throws {
        let f = try randomTraffic(seed: 11)
        let key = try f.store.read { reader -> [UInt8] in
            var first: [UInt8] = []
            try reader.scan(.stageStates, prefix: ViewKey()) { key, _ in first = Array(key); return false }
            return first
        }
        try f.store.views.corruptRowForTesting(view: .stageStates, key: key, value: [0x0A, 0x01, 0x78], in: f.store.log.environment)
        let verify = try Replayer(store: f.store).verify()
        #expect(verify.checks.filter { !$0.isOK }.map(\.view) == [.stageStates])
        try Replayer(store: f.store).rebuild()
        #expect(try Replayer(store: f.store).verify().isOK)
    }
}
