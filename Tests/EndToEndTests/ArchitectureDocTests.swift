import Foundation
import Testing

/// ARCHITECTURE.md's module table must list every target's direct dependencies exactly as
/// Package.swift declares them.
@Suite("Architecture document")
struct ArchitectureDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `target → dependencies` of every non-test target, read from Package.swift's target
    /// declarations (`.target(name:dependencies:)` and friends; products by their name). Reading the
    /// manifest's text rather than asking SwiftPM keeps the test free of the build lock `swift test`
    /// holds.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        var rest = manifest[...]
        let kinds = [".target(name: \"", ".executableTarget(name: \"", ".systemLibrary(name: \""]
        while let start = kinds.compactMap({ rest.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            rest = rest[start.upperBound...]
            guard let nameEnd = rest.firstIndex(of: "\"") else { break }
            let name = String(rest[..<nameEnd])
            // The declaration ends at the parenthesis that closes it.
            var depth = 1
            var index = rest.startIndex
            while depth > 0, index < rest.endIndex {
                if rest[index] == "(" { depth += 1 } else if rest[index] == ")" { depth -= 1 }
                index = rest.index(after: index)
            }
            let declaration = rest[..<index]
            var deps = Set<String>()
            if let list = declaration.range(of: "dependencies: [") {
                var body = declaration[list.upperBound...]
                var bracket = 1
                var end = body.startIndex
                while bracket > 0, end < body.endIndex {
                    if body[end] == "[" { bracket += 1 } else if body[end] == "]" { bracket -= 1 }
                    end = body.index(after: end)
                }
                body = body[..<body.index(before: end)]
                // `.product(name: "X", package: "y")` counts as X; a bare "X" is a target.
                for match in body.matches(of: /\.product\(name: "([^"]+)"/) { deps.insert(String(match.1)) }
                let withoutProducts = body.replacing(/\.product\([^)]*\)/, with: "")
                for match in withoutProducts.matches(of: /"([^"]+)"/) { deps.insert(String(match.1)) }
            }
            result[name] = deps
            rest = rest[index...]
        }
        return result
    }

    /// `module → dependencies` from the document's table (modules and dependencies in backticks or
    /// plain words; `—` means none).
    static func documentedDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        var inTable = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("| Module | Job | Depends on |") { inTable = true; continue }
            guard inTable else { continue }
            if !line.hasPrefix("|") { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, !cells[1].hasPrefix("---") else { continue }
            let module = cells[1].replacingOccurrences(of: "`", with: "")
            let deps = cells[3] == "—" ? [] : cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            result[module] = Set(deps)
        }
        return result
    }

    @Test("every target is in the module table with exactly its declared dependencies")
    func tableMatchesPackage() throws {
        let declared = try Self.declaredDependencies()
        let documented = try Self.documentedDependencies()
        #expect(declared.count > 10)
        #expect(Set(documented.keys) == Set(declared.keys), "targets missing from or extra in the table")
        for (module, deps) in declared.sorted(by: { $0.key < $1.key }) {
            #expect(documented[module] == deps, "\(module): documented \(documented[module] ?? []) but declared \(deps)")
        }
    }
}
