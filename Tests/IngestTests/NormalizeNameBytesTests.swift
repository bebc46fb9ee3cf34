@testable import Ingest
import SeededRandom
import Testing

@Suite("normalizeName's ASCII path")
struct NormalizeNameBytesTests {
    /// Pieces an ASCII company name is made of: words, legal suffixes in any case, separators.
    static let pieces = [
        "acme", "Beta", "GAMMA", "foo_bar", "x9", "Inc", "inc.", "LLC", "Ltd", "corp", "Corporation", "co", "Co.",
        "company", "Company", "zinc", "incorporated", "_", "42", " ", "  ", "\t", ",", "-", ".", "&", "(", ")", "'", "/",
        "\u{7F}", "\u{01}",
    ]

    @Test("gives what the scalar path gives for every ASCII name, and nothing for any other")
    func matchesScalarPath() {
        var random = SeededGenerator(seed: 0x4E41_4D45)
        for _ in 0..<20_000 {
            var name = ""
            for _ in 0..<random.below(8) { name += Self.pieces[random.below(Self.pieces.count)] }
            #expect(CompanyIdentity.normalizedASCIIName(name) == CompanyIdentity.normalizeNameByScalars(name), "\(name.debugDescription)")
        }
        for name in ["Café Inc.", "Acme\u{00A0}Inc", "ÉCOLE Ltd"] {
            #expect(CompanyIdentity.normalizedASCIIName(name) == nil)
            #expect(CompanyIdentity.normalizeName(name) == CompanyIdentity.normalizeNameByScalars(name))
        }
    }
}
