import Foundation
import ReadModel
import Pipeline
import Projections
import SignalPacks
import Queries
import SiglogCore
import SiglogRecords
import Testing

@Suite("Output forms")
struct OutputTests {
    @Test("table: header, rule, numbers right-aligned, null as -, empty list says so")
    func table() {
        let rows = QueryRows(columns: ["id", "name", "score"], rows: [
            ["id": 1, "name": "Alpha", "score": 80], ["id": 12, "name": "B", "score": .null],
        ])
        #expect(rows.rendered(.table) == """
            id  name   score
            --  -----  -----
             1  Alpha     80
            12  B          -
            """)
        #expect(QueryRows(columns: ["id"], rows: []).rendered(.table) == "id\n--\n(no rows)")
    }

    @Test("csv quotes commas and quotes; json and ndjson keep member order")
    func csvAndJSON() {
        let rows = QueryRows(columns: ["a", "b"], rows: [["a": "x,y", "b": "say \"hi\""], ["a": .null, "b": ["p", "q"]]])
        #expect(rows.rendered(.csv) == "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n,\"[\"\"p\"\",\"\"q\"\"]\"")
        #expect(rows.rendered(.json) == #"[{"a":"x,y","b":"say \"hi\""},{"a":null,"b":["p","q"]}]"#)
        #expect(rows.rendered(.ndjson).split(separator: "\n").count == 2)
    }

    @Test("sparkline scales 0…100 onto eight blocks")
    func sparkline() {
        #expect(Sparkline.render([0, 50, 100, 120, -5]) == "▁▅██▁")
        #expect(Sparkline.render([]) == "")
    }
}

/// A store with the default workspace and pack, written record by record.
private func makeStore() throws -> (Store, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-queries-\(UUID().uuidString)")
    let store = try Store(path: dir.path, mode: .create, durable: false)
    let pipeline = StageRunner(store: store, clock: FixedClock(Timestamp(day: Day(year: 2026, month: 2, day: 18)!, hour: 6)), rateLimitPerHour: 0)
    _ = try pipeline.initialize(bundledPack: try PackLoader.bundledDefault())
    return (store, dir)
}

@Suite("Lead-feed query scoping (§11.21)")
struct LeadFeedScopingTests {
    @Test("lead cards for workspace A never include workspace B rows; no ES → outreach = composite")
    func scoping() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let day = Day(year: 2099, month: 1, day: 1)!
        let a = WellKnownIDs.defaultWorkspace
        let b = UUID(uuidString: "0b0b0b0b-0000-4000-8000-000000000002")!
        let pack = WellKnownIDs.fractionalCTOPack
        let at = Timestamp(day: day, hour: 1)
        try store.write { w in
            try w.append(WorkspaceCreated(workspaceID: b, name: "B", activePack: pack), at: at, workspace: b)
            try w.append(CompanyCreated(companyID: 1, name: "Acme", domain: "acme.example", websiteURL: nil, linkedinURL: nil,
                                        source: "manual", normalizedName: "acme", websiteDomain: nil, aliases: [], jobRunID: nil), at: at)
            for (ws, composite) in [(a, 80), (b, 70)] {
                try w.append(LeadFeedRowRecorded(workspaceID: ws, pack: pack, entityID: 1, compositeScore: composite,
                                                 topSignalIDs: ["cto_role_posted"], eslDecision: "allow", sensitivityLevel: nil,
                                                 recommendationBand: nil, lastSeen: nil, outreachStatusSummary: nil, asOf: day,
                                                 jobRunID: nil), at: at, workspace: ws)
            }
        }
        let ro = try Store.openForReading(path: dir.path)
        for (ws, composite) in [(a, 80), (b, 70)] {
            let cards = try ro.read { reader in
                try LeadReads.leads(scope: try Scope.resolve(workspace: ws, pack: nil, in: reader), asOf: day, in: reader)
            }
            #expect(cards.map(\.compositeScore) == [composite])
            #expect(cards.map(\.outreachScore) == [composite])
        }
        // An unknown workspace is "not found", never another workspace's rows.
        #expect(throws: SiglogError.self) {
            try ro.read { try Scope.resolve(workspace: UUID(), pack: nil, in: $0) }
        }
    }

    @Test("a pack is found installed without reading its row: a given pack, a workspace's active pack, else the default")
    func installedPacks() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let installed = WellKnownIDs.fractionalCTOPack
        let missing = UUID(uuidString: "0c0c0c0c-0000-4000-8000-000000000009")!
        let b = UUID(uuidString: "0b0b0b0b-0000-4000-8000-000000000002")!
        let c = UUID(uuidString: "0b0b0b0b-0000-4000-8000-000000000003")!
        let at = Timestamp(day: Day(year: 2099, month: 1, day: 1)!, hour: 1)
        try store.write { w in
            try w.append(WorkspaceCreated(workspaceID: b, name: "B", activePack: missing), at: at, workspace: b)
            try w.append(WorkspaceCreated(workspaceID: c, name: "C", activePack: installed), at: at, workspace: c)
        }
        let ro = try Store.openForReading(path: dir.path)
        try ro.read { (reader: ViewReader) throws in
            for pack in [installed, missing, WellKnownIDs.defaultWorkspace] {
                #expect(try reader.hasPack(pack) == (try reader.pack(pack) != nil))
            }
            #expect(try reader.hasPack(installed) && !(try reader.hasPack(missing)))
            #expect(try Scope.resolve(workspace: nil, pack: installed, in: reader).pack == installed)
            #expect(throws: SiglogError.packNotInstalled(missing)) { try Scope.resolve(workspace: nil, pack: missing, in: reader) }
            // B's active pack is not installed: the default pack; C's is.
            #expect(try Scope.workspacePack(b, in: reader) == Scope.defaultPack(in: reader))
            #expect(try Scope.workspacePack(c, in: reader) == installed)
        }
    }

    @Test("opening with MDB_NOLOCK reads the same rows and changes no file")
    func noLockOpen() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = store
        let data = dir.appendingPathComponent("data.mdb")
        let before = try Data(contentsOf: data)
        let mtime = try FileManager.default.attributesOfItem(atPath: data.path)[.modificationDate] as? Date
        let ro = try Store(path: dir.path, mode: .readOnly, noLock: true)
        let rows = try ro.read { try RegistryQueries.workspaces(in: $0) }
        #expect(rows.rows.first?["name"] == "Default")
        #expect(try Data(contentsOf: data) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: data.path)[.modificationDate] as? Date == mtime)
    }
}
