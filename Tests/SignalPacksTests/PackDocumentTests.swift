import SignalPacks
import SiglogCore
import Testing

/// A pack must survive being stored in the log as one JSON document and read back on replay
/// without touching pack files.
@Suite("Pack ⇄ stored JSONValue document")
struct PackDocumentTests {
    static let fixtures = ["fractional_cto_v1", "bookkeeping_v1", "example_v2", "example_esl_blocked"]

    @Test("round trip: Pack(document:) equals the loaded fixture pack", arguments: fixtures)
    func roundTrip(packID: String) throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture(packID))
        let restored = try Pack(document: pack.document)
        #expect(restored == pack)
        #expect(restored.checksum == pack.checksum)
        #expect(restored.allowedSignalIDs == pack.allowedSignalIDs)
        #expect(restored.labels == pack.labels)
    }

    @Test("round trip through JSON text (as the log stores it)", arguments: fixtures)
    func throughText(packID: String) throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture(packID))
        let text = JSONWriter().string(pack.document)
        #expect(try Pack(document: try JSONParser.parse(text)) == pack)
    }

    @Test("the document holds the checksummed sections plus checksum")
    func shape() throws {
        let v2 = try PackLoader.load(directory: PackPaths.fixture("example_v2")).document
        #expect(v2.objectValue?.keys.sorted() == [
            "checksum", "derivers", "esl_policy", "manifest", "playbooks", "prompt_bundles", "scoring", "taxonomy",
        ])
        let v1 = try PackLoader.load(directory: PackPaths.fixture("bookkeeping_v1")).document
        #expect(v1["prompt_bundles"] == nil)
        #expect(v1["checksum"]?.stringValue?.count == 64)
    }

    @Test("a changed value in a stored document fails the checksum check")
    func tampered() throws {
        let pack = try PackLoader.load(directory: PackPaths.fixture("fractional_cto_v1"))
        var document = try #require(pack.document.objectValue)
        var scoring = try #require(document["scoring"]?.objectValue)
        scoring["minimum_threshold"] = 1
        document["scoring"] = .object(scoring)
        let error = try #require(throws: PackError.self) { try Pack(document: .object(document)) }
        #expect(error.kind == .invalidDocument)
        #expect(error.message.contains("checksum mismatch"))
    }

    static func mutated(_ edit: (inout JSONObject) -> Void) throws -> JSONValue {
        var document = try #require(try PackLoader.load(directory: PackPaths.fixture("example_v2")).document.objectValue)
        edit(&document)
        return .object(document)
    }

    /// Ways a stored document can be damaged.
    enum Damage: String, CaseIterable, Sendable {
        case missingChecksum, missingScoring, scoringNotAnObject, v2WithoutPromptBundles, systemPromptNumber, playbookNotAnObject

        func apply(to document: inout JSONObject) {
            switch self {
            case .missingChecksum: document["checksum"] = nil
            case .missingScoring: document["scoring"] = nil
            case .scoringNotAnObject: document["scoring"] = [1]
            case .v2WithoutPromptBundles: document["prompt_bundles"] = nil
            case .systemPromptNumber:
                document["prompt_bundles"] = .object(["system": 1, "templates": .object([:]), "few_shot": .object([:])])
            case .playbookNotAnObject: document["playbooks"] = .object(["x": "y"])
            }
        }
    }

    @Test("malformed stored documents are refused with .invalidDocument", arguments: Damage.allCases)
    func malformed(damage: Damage) throws {
        let document = try Self.mutated { damage.apply(to: &$0) }
        let error = try #require(throws: PackError.self) { try Pack(document: document) }
        #expect(error.kind == .invalidDocument)
        #expect(error.description.contains("stored pack document"))
    }

    @Test("a stored document whose manifest lost its name is refused")
    func badManifest() throws {
        let document = try Self.mutated { $0["manifest"] = .object(["id": "example_v2", "version": "1", "schema_version": "2"]) }
        let error = try #require(throws: PackError.self) { try Pack(document: document) }
        #expect(error.message.contains("'name'"))
    }

    @Test("a non-object stored document is refused")
    func notAnObject() throws {
        let error = try #require(throws: PackError.self) { try Pack(document: .array([])) }
        #expect(error.kind == .invalidDocument)
    }
}
