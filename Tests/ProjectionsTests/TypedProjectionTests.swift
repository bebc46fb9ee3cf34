import EventLog
import Foundation
import LMDB
@testable import Projections
import Scoring
import SiglogCore
import SiglogRecords
import Testing

/// The append path hands the projector the typed record it just encoded: snapshots, lead-feed rows
/// and signal instances are projected from that value, and their stamped rows are the payload bytes
/// with the stamps appended. Replay decodes the payload and encodes the row again. These tests hold
/// the two to the same bytes on records with the values most likely to come back differently.
@Suite("Typed projection")
struct TypedProjectionTests {
    static let now = Timestamp(day: Day(year: 2025, month: 6, day: 1)!, hour: 12)
    static let pack = UUID(uuidString: "7e57ca5e-0000-4000-8000-000000000001")!
    static let workspace = UUID(uuidString: "7e57ca5e-0000-4000-8000-000000000002")!

    /// Weights as a pack may give them: integers, fractions, integral doubles, extremes, a negative
    /// zero and a non-finite value (written as JSON `null`).
    static let weightSets: [JSONObject] = [
        ["momentum": .int(35), "complexity": .double(0.3), "pressure": .double(1.0), "leadership_gap": .int(0)],
        ["a": .double(1e21), "b": .double(.leastNonzeroMagnitude), "c": .double(-0.0), "d": .double(0.1 + 0.2), "e": .int(-7)],
        ["nan": .double(.nan), "inf": .double(-.infinity), "text": .string("é\"\\\n"), "nested": .array([.null, .bool(true)])],
        JSONObject(),
    ]

    static func readiness(_ index: Int) -> ReadinessSnapshotRecorded {
        var events: [ReadinessTopEvent] = []
        for n in 0..<(index % 4) {
            let type: String = n == 2 ? "" : "funding_raised_\(n)"
            let time = Timestamp(microseconds: Int64(n) * 1_000_003 - 5)
            let source: String = n == 1 ? "crunchbase ✓" : "github"
            let url: String = n == 0 ? "" : "https://example.com/\(n)?q=\"x\""
            let points: Double = Double(n) * 0.1 - 0.35
            let confidence: Double = n == 3 ? 0.7 : 1.0 / 3.0
            events.append(ReadinessTopEvent(eventType: type, eventTime: time, source: source, url: url,
                                            contributionPoints: points, confidence: confidence))
        }
        let explain = ReadinessExplain(
            weights: weightSets[index % weightSets.count], momentum: index % 101, complexity: 40, pressure: 100 - index % 101,
            leadershipGap: 70, composite: (index * 37) % 101, topEvents: events,
            suppressorsApplied: index % 3 == 0 ? [] : ["dead_company"], quietSignalAmplificationApplied: index % 2 == 0 ? ["repo_activity"] : [],
            disqualifiersApplied: index % 5 == 0 ? ["acquired", "dead"] : [], minimumThreshold: index % 2 == 0 ? 0 : 15,
            recommendationBand: index % 4 == 0 ? nil : RecommendationBand.allCases[index % 3], delta1d: index % 7 - 3)
        return ReadinessSnapshotRecorded(
            companyID: Int64(index + 1), asOf: now.day, pack: pack, explain: explain, jobRunID: index % 2 == 0 ? 9 : nil,
            lastSignalAt: index % 3 == 0 ? nil : Timestamp(microseconds: 1_700_000_000_000_001 + Int64(index)),
            carriesLastSignal: index % 5 != 0)
    }

    static func engagement(_ index: Int) -> EngagementSnapshotRecorded {
        let explain = EngagementExplain(
            baseEngageability: 0.185 * Double(index % 4), stabilityModifier: index % 2 == 0 ? 0.74 : -0.0,
            cadenceModifier: index % 3 == 0 ? 0 : 1, alignmentModifier: 0.5, svi: 0.45, spi: Double.ulpOfOne, csi: 0.7,
            eslComposite: 1.0 / 7.0, cadenceBlocked: index % 3 == 0, recommendationType: index % 2 == 0 ? "Observe Only" : "",
            stabilityCapTriggered: index % 4 == 1, eslDecision: index % 5 == 0 ? nil : "allow_with_constraints",
            eslReasonCode: index % 2 == 0 ? "ok" : nil, sensitivityLevel: index % 3 == 1 ? "high" : nil,
            toneConstraint: index % 4 == 2 ? "soft" : nil)
        return EngagementSnapshotRecorded(companyID: Int64(index + 1), asOf: now.day, pack: pack, outreachScore: (index * 13) % 101 - 1,
                                          explain: explain, jobRunID: index % 2 == 1 ? 11 : nil)
    }

    static func leadFeedRow(_ index: Int) -> LeadFeedRowRecorded {
        LeadFeedRowRecorded(
            workspaceID: workspace, pack: pack, entityID: Int64(index + 1), compositeScore: (index * 37) % 101,
            topSignalIDs: Array(["funding_raised", "", "cto_hired", "ünïcode"].prefix(index % 5)),
            eslDecision: index % 3 == 0 ? nil : "allow", sensitivityLevel: index % 2 == 0 ? "low" : nil,
            recommendationBand: index % 4 == 3 ? nil : RecommendationBand.allCases[index % 3],
            lastSeen: index % 5 == 0 ? nil : Timestamp(microseconds: -1 + Int64(index)),
            outreachStatusSummary: index % 3 == 2
                ? OutreachSummary(lastSentAt: Timestamp(microseconds: 42), outcome: index % 2 == 0 ? nil : "replied", outreachType: "email")
                : nil,
            asOf: now.day, jobRunID: index % 2 == 0 ? 3 : nil)
    }

    static func instance(_ index: Int) -> SignalInstanceDerived {
        SignalInstanceDerived(entityID: Int64(index + 1), signalID: index % 2 == 0 ? "funding" : "hiring_ü", pack: pack,
                              confidence: index % 3 == 0 ? nil : 0.95 - Double(index) * 1e-9,
                              firstSeen: Timestamp(microseconds: 1_000 + Int64(index)),
                              lastSeen: Timestamp(microseconds: 2_000 + Int64(index)),
                              evidence: (0..<Int64(index % 6)).map { $0 * 977 + 1 }, jobRunID: index % 2 == 0 ? nil : 5)
    }

    static let count = 24

    /// A store with every record above appended through `StoreWriter.append` (the typed path).
    func typedStore() throws -> Store {
        let store = try Store(path: temporaryPath("typed"), mode: .create, durable: false)
        try store.write { writer in
            for index in 0..<Self.count {
                let at = Timestamp(microseconds: Self.now.microseconds + Int64(index))
                try writer.append(Self.instance(index), at: at)
                try writer.append(Self.readiness(index), at: at, workspace: Self.workspace)
                try writer.append(Self.engagement(index), at: at, workspace: Self.workspace)
                try writer.append(Self.leadFeedRow(index), at: at, workspace: Self.workspace)
                try writer.append(Self.company(index), at: at)
            }
        }
        return store
    }

    /// The row `view` holds under `key`, as stored.
    func storedRow(_ store: Store, _ view: View, _ key: ViewKey) throws -> [UInt8]? {
        try store.log.read { txn in try txn.value(store.views[view], key: key.bytes) }
    }

    @Test("The rows written from the payload bytes are the rows replay encodes from the decoded records")
    func rowsFromPayloadMatchReencode() throws {
        let store = try typedStore()
        var checked = 0
        try store.log.forEach { view in
            let at = Timestamp(microseconds: view.appendedAt)
            let seq = view.sequence
            switch try AnyRecord(view) {
            case .readinessSnapshot(let r):
                let row = try storedRow(store, .readiness, ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack))
                #expect(row == Stamped(record: r, sequence: seq, recordedAt: at).encoded(), "readiness of \(r.companyID)")
                checked += 1
            case .engagementSnapshot(let r):
                let row = try storedRow(store, .engagement, ViewKey().appending(r.companyID).appending(r.asOf).appending(r.pack))
                #expect(row == Stamped(record: r, sequence: seq, recordedAt: at).encoded(), "engagement of \(r.companyID)")
                checked += 1
            case .leadFeedRow(let r):
                let row = try storedRow(store, .leadFeed, ViewKey().appending(r.workspaceID).appending(r.pack).appending(r.entityID))
                #expect(row == Stamped(record: r, sequence: seq, recordedAt: at).encoded(), "lead-feed row of \(r.entityID)")
                checked += 1
            default:
                break
            }
        }
        #expect(checked == 3 * Self.count)
        let verify = try Replayer(store: store).verify()
        #expect(verify.isOK, "\(verify.checks.filter { !$0.isOK }.map(\.view.name))")
    }

    @Test("Encoding a decoded snapshot or row gives back the payload it was decoded from")
    func payloadsAreCanonical() throws {
        for index in 0..<Self.count {
            try expectCanonical(Self.readiness(index))
            try expectCanonical(Self.engagement(index))
            try expectCanonical(Self.leadFeedRow(index))
            try expectCanonical(Self.instance(index))
        }
    }

    func expectCanonical<R: SiglogRecord>(_ record: R) throws {
        let payload = record.payload()
        let decoded = try payload.withUnsafeBytes { try R.decode($0) }
        #expect(decoded.payload() == payload, "\(R.self)")
        let stamped = payload.withUnsafeBytes { Stamped<R>.encoded(payload: $0, sequence: 77, recordedAt: Self.now) }
        #expect(stamped == Stamped(record: decoded, sequence: 77, recordedAt: Self.now).encoded(), "\(R.self)")
    }

    @Test("The typed record the projector uses is the record replay decodes (but for weights only the row carries)")
    func typedEqualsDecoded() throws {
        for index in 0..<Self.count {
            let readiness = Self.readiness(index)
            var decoded = try readiness.payload().withUnsafeBytes { try ReadinessSnapshotRecorded.decode($0) }
            decoded.explain.weights = readiness.explain.weights
            #expect(decoded == readiness)
            #expect(try Self.engagement(index).payload().withUnsafeBytes { try EngagementSnapshotRecorded.decode($0) } == Self.engagement(index))
            #expect(try Self.leadFeedRow(index).payload().withUnsafeBytes { try LeadFeedRowRecorded.decode($0) } == Self.leadFeedRow(index))
            #expect(try Self.instance(index).payload().withUnsafeBytes { try SignalInstanceDerived.decode($0) } == Self.instance(index))
        }
    }

    /// Companies as ingest creates them: optional fields absent, empty or set, aliases or none.
    static func company(_ index: Int) -> CompanyCreated {
        let aliases = Array([CompanyAliasEntry(type: "name", value: "acme ✓ \(index)"), CompanyAliasEntry(type: "domain", value: ""),
                             CompanyAliasEntry(type: "social", value: "https://linkedin.com/company/a\"b")].prefix(index % 4))
        return CompanyCreated(companyID: Int64(index) - 2, name: index % 5 == 0 ? "" : "Acme ✓ \(index)",
                              domain: index % 3 == 0 ? nil : index % 3 == 1 ? "" : "acme\(index).io",
                              websiteURL: index % 2 == 0 ? "https://www.acme.io/\(index)" : nil,
                              linkedinURL: index % 4 == 1 ? "https://linkedin.com/company/acme" : nil, source: "research",
                              normalizedName: index % 5 == 0 ? "" : "acme \(index)", websiteDomain: index % 2 == 0 ? "acme.io" : nil,
                              aliases: aliases, jobRunID: index % 3 == 2 ? nil : UInt64(index))
    }

    @Test("A created company the projector takes as appended is the company replay decodes")
    func typedCompanyEqualsDecoded() throws {
        for index in 0..<Self.count {
            let company = Self.company(index)
            #expect(try company.payload().withUnsafeBytes { try CompanyCreated.decode($0) } == company)
            try expectCanonical(company)
        }
    }

    @Test("A new company's row written from its appended payload is the row encoded from the record")
    func companyRowFromPayload() throws {
        for index in 0..<Self.count {
            let company = Self.company(index)
            let at = Timestamp(microseconds: Self.now.microseconds + Int64(index))
            let row = CompanyRow(created: company, version: 1, alignmentOK: nil, status: nil, createdAt: at, updatedAt: at)
            let fromPayload = company.payload().withUnsafeBytes { row.encoded(createdPayload: $0) }
            #expect(fromPayload == row.encoded())
            #expect(try fromPayload.withUnsafeBytes { try CompanyRow.decode($0) } == row)
        }
    }

    @Test("A store written through the typed path rebuilds to the same fingerprints")
    func replayMatchesTypedAppend() throws {
        let store = try typedStore()
        let incremental = try storedFingerprints(store)
        #expect(incremental[.readiness]!.count == Self.count && incremental[.leadFeed]!.count == Self.count)
        #expect(incremental[.companies]!.count == Self.count)
        let rebuilt = try Replayer(store: store).rebuild()
        #expect(rebuilt.fingerprints == incremental)
    }
}

@Suite("Company scoring state")
struct CompanyScoringStateTests {
    @Test("The alignment and status read alone are those of the decoded row, with and without updates")
    func matchesDecode() throws {
        let created = CompanyCreated(companyID: 7, name: "Acme ✓", domain: "acme.io", websiteURL: "https://www.acme.io",
                                     linkedinURL: nil, source: "research", normalizedName: "acme", websiteDomain: "acme.io",
                                     aliases: [], jobRunID: 2)
        var rows = [CompanyRow(created: created, version: 1, alignmentOK: nil, status: nil,
                               createdAt: Timestamp(microseconds: 5), updatedAt: Timestamp(microseconds: 5))]
        for alignment in [true, false] as [Bool?] {
            for status in [nil, "acquired", ""] as [String?] {
                var row = rows[0]
                row.version = 3
                row.alignmentOK = alignment
                row.status = status
                rows.append(row)
            }
        }
        for row in rows {
            let bytes = row.encoded()
            let state = try bytes.withUnsafeBytes { try CompanyRow.scoringState($0) }
            let decoded = try bytes.withUnsafeBytes { try CompanyRow.decode($0) }
            #expect(state.alignmentOK == decoded.alignmentOK && state.status == decoded.status)
            #expect(state.alignmentOK == row.alignmentOK && state.status == row.status)
        }
    }
}

@Suite("Company label")
struct CompanyLabelTests {
    @Test("The name and domain read alone are those of the decoded row: with and without a domain, aliases, updates and profile fields")
    func matchesDecode() throws {
        var rows: [CompanyRow] = []
        for domain in ["acme.io", nil, ""] as [String?] {
            for aliases in [[], [CompanyAliasEntry(type: "name", value: "acme"), CompanyAliasEntry(type: "domain", value: "acme.dev")]] {
                let created = CompanyCreated(companyID: 7, name: "Acme ✓ \(rows.count)", domain: domain, websiteURL: "https://www.acme.io",
                                             linkedinURL: "https://linkedin.com/company/acme", source: "research",
                                             normalizedName: "acme", websiteDomain: "other.io", aliases: aliases, jobRunID: 2)
                var row = CompanyRow(created: created, version: 1, alignmentOK: nil, status: nil,
                                     createdAt: Timestamp(microseconds: 5), updatedAt: Timestamp(microseconds: 5))
                rows.append(row)
                row.version = 4
                row.alignmentOK = false
                row.status = "acquired"
                row.profile = CompanyProfileFields(founderName: "Ada", founderLinkedInURL: nil, notes: "n", alignmentNotes: nil,
                                                   currentStage: "seed", targetProfileMatch: true)
                rows.append(row)
            }
        }
        let nameless = CompanyCreated(companyID: 8, name: "", domain: nil, websiteURL: nil, linkedinURL: nil, source: "manual",
                                      normalizedName: "", websiteDomain: nil, aliases: [], jobRunID: nil)
        rows.append(CompanyRow(created: nameless, version: 1, alignmentOK: nil, status: nil,
                               createdAt: Timestamp(microseconds: 1), updatedAt: Timestamp(microseconds: 1)))
        for row in rows {
            let bytes = row.encoded()
            let label = try bytes.withUnsafeBytes { try CompanyRow.label($0) }
            let decoded = try bytes.withUnsafeBytes { try CompanyRow.decode($0) }
            #expect(label == CompanyLabel(name: decoded.name, domain: decoded.created.domain))
            #expect(label == CompanyLabel(name: row.name, domain: row.created.domain))
        }
    }
}

@Suite("Readiness pressure columns")
struct ReadinessPressureColumnsTests {
    @Test("as_of, pack and pressure read alone are those of the decoded snapshot, stamped rows included")
    func matchesDecode() throws {
        for index in 0..<TypedProjectionTests.count {
            let record = TypedProjectionTests.readiness(index)
            let row = Stamped(record: record, sequence: UInt64(index), recordedAt: TypedProjectionTests.now).encoded()
            let columns = try row.withUnsafeBytes { try ReadinessSnapshotRecorded.pressureColumns(payload: $0) }
            let decoded = try row.withUnsafeBytes { try Stamped<ReadinessSnapshotRecorded>.decode($0) }.record
            #expect(columns.asOf == decoded.asOf && columns.pack == decoded.pack && columns.pressure == decoded.pressure)
            #expect(columns.pressure == record.pressure)
        }
    }

    @Test("A row without pack_id is an error, as for the full decoder")
    func missingPack() throws {
        var writer = PayloadWriter()
        writer.write(1, Int64(3))
        writer.write(6, 55)
        let bytes = writer.bytes
        #expect(throws: PayloadError.self) { try bytes.withUnsafeBytes { try ReadinessSnapshotRecorded.pressureColumns(payload: $0) } }
        #expect(throws: PayloadError.self) { try bytes.withUnsafeBytes { try ReadinessSnapshotRecorded.decode($0) } }
    }
}
