import Foundation
import SiglogCore
import Testing

@Suite("Request ids and company references")
struct ValueParsingTests {
    static let defaultWorkspace = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    static let ctoPack = UUID(uuidString: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")!

    @Test("workspace_id / pack_id: absent or blank means not given")
    func blankIDs() throws {
        #expect(try RequestIDs.workspaceID(nil) == nil)
        #expect(try RequestIDs.workspaceID("") == nil)
        #expect(try RequestIDs.workspaceID("  \t") == nil)
        #expect(try RequestIDs.packID(nil) == nil)
        #expect(try RequestIDs.packID(" ") == nil)
    }

    @Test("workspace_id / pack_id: a UUID in either case, surrounding spaces ignored")
    func validIDs() throws {
        #expect(try RequestIDs.workspaceID("00000000-0000-0000-0000-000000000001") == Self.defaultWorkspace)
        #expect(try RequestIDs.packID(" A1B2C3D4-E5F6-7890-ABCD-EF1234567890 ") == Self.ctoPack)
        #expect(try RequestIDs.packID("a1b2c3d4-e5f6-7890-abcd-ef1234567890") == Self.ctoPack)
    }

    @Test("workspace_id / pack_id: anything else is refused with the spec's message (§9.3)",
          arguments: ["not-a-uuid", "a1b2c3d4e5f67890abcdef1234567890", "{a1b2c3d4-e5f6-7890-abcd-ef1234567890}",
                      "a1b2c3d4-e5f6-7890-abcd-ef123456789", "a1b2c3d4-e5f6-7890-abcd-ef123456789g", "1"])
    func invalidIDs(_ text: String) {
        #expect(throws: InvalidValue("Invalid workspace_id: must be a valid UUID")) { try RequestIDs.workspaceID(text) }
        #expect(throws: InvalidValue("Invalid pack_id: must be a valid UUID")) { try RequestIDs.packID(text) }
    }

    @Test("a company reference: an integer is an id")
    func companyIDs() throws {
        #expect(try CompanyReference(parsing: "42") == .id(42))
        #expect(try CompanyReference(parsing: " 42\t") == .id(42))
        #expect(try CompanyReference(parsing: "9223372036854775807") == .id(Int64.max))
        #expect(CompanyReference.id(42).description == "42")
    }

    @Test("a company reference: anything else without spaces is a domain, lower-cased")
    func companyDomains() throws {
        #expect(try CompanyReference(parsing: "Acme.IO") == .domain("acme.io"))
        #expect(try CompanyReference(parsing: "  example.com ") == .domain("example.com"))
        #expect(try CompanyReference(parsing: "42.io") == .domain("42.io"))
        // One past Int64.max is not an integer id, so it is taken as a domain.
        #expect(try CompanyReference(parsing: "9223372036854775808") == .domain("9223372036854775808"))
        #expect(CompanyReference.domain("acme.io").description == "acme.io")
    }

    @Test("a company reference: blank, or with inner whitespace, is refused and quoted as given",
          arguments: ["", "   ", "acme io", "acme\tio", "acme\nio"])
    func invalidCompanies(_ text: String) {
        #expect(throws: InvalidValue("a company is named by its id or its domain, got '\(text)'")) {
            try CompanyReference(parsing: text)
        }
    }
}
