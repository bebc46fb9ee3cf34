import SignalPacks
import Testing

@Suite("§10.2 step 5 regex safety")
struct RegexSafetyTests {
    static let nested = [
        "(.+)+", "(.*)+", "(.+)*", "(.*)*", "(\\w+)+", "(\\w+)*", "(\\w*)+", "(\\w*)*",
        "(\\s+)+", "(\\s+)*", "(\\s*)+", "(\\s*)*", "(\\d+)+", "(\\d+)*", "(\\d*)+", "(\\d*)*",
    ]

    @Test("§11.20 regex of 500 characters is accepted")
    func length500() throws {
        try PackValidator.checkRegex(String(repeating: "a", count: 500))
    }

    @Test("§11.20 regex of 501 characters → error")
    func length501() throws {
        let error = try #require(throws: PackError.self) {
            try PackValidator.checkRegex(String(repeating: "a", count: 501))
        }
        #expect(error.message.contains("501"))
        #expect(error.message.contains("500"))
    }

    @Test("§11.20 nested quantifiers → catastrophic/backtracking/unsafe", arguments: nested)
    func nestedQuantifier(fragment: String) throws {
        let error = try #require(throws: PackError.self) { try PackValidator.checkRegex("^prefix" + fragment + "$") }
        #expect(error.message.contains("catastrophic"))
        #expect(error.message.contains("backtracking"))
        #expect(error.message.contains("unsafe"))
        #expect(error.message.contains(fragment))
    }

    @Test("§10.2 a regex that does not compile → error", arguments: ["([a-z", "a{2,1}", "*a"])
    func invalid(pattern: String) throws {
        let error = try #require(throws: PackError.self) { try PackValidator.checkRegex(pattern) }
        #expect(error.message.contains("does not compile"))
    }

    @Test("§10.2 ordinary regexes pass", arguments: ["\\bCTO\\b", "(?i)series [a-c]", "raised \\$\\d+(\\.\\d+)?m", "(\\w+) hired"])
    func ordinary(pattern: String) throws {
        try PackValidator.checkRegex(pattern)
    }
}
