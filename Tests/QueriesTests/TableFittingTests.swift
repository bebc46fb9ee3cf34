import Queries
import SiglogCore
import Testing

@Suite("Tables fitted to a terminal")
struct TableFittingTests {
    static let columns = ["id", "name", "score", "seen", "note"]
    static let rows: [[String]] = [
        ["1", "A company with a long name", "80", "2026-02-18T10:00:00.000000Z", "first"],
        ["22", "Short", "7", "2026-02-19T10:00:00.000000Z", "second note, longer"],
    ]

    static func render(_ width: Int?) -> [String] {
        TableRenderer.render(columns: columns, rows: rows, width: width).split(separator: "\n").map(String.init)
    }

    @Test("without a width every cell is whole; a wide enough width changes nothing")
    func unfitted() {
        #expect(Self.render(nil) == Self.render(500))
        #expect(Self.render(nil)[2].contains("A company with a long name"))
    }

    @Test("text is cut to the comfortable width before any column is left out; numbers and times stay whole")
    func cutsTextFirst() {
        let lines = Self.render(76)
        #expect(lines.count == 4 && lines.allSatisfy { $0.count <= 76 }, "\(lines)")
        // 2 + 17 + 5 + 27 + 17 + 4 gaps of 2 = 76: the two text columns share the cut, widest first.
        #expect(lines[0] == "id  name               score  seen                         note")
        #expect(lines[2] == " 1  A company with a…     80  2026-02-18T10:00:00.000000Z  first", "\(lines)")
        #expect(lines[3].hasSuffix("second note, lon…"), "\(lines)")
    }

    @Test("columns that do not fit are left out from the right and named")
    func leavesOutColumns() {
        let lines = Self.render(50)
        #expect(lines.allSatisfy { $0.count <= 50 }, "\(lines)")
        #expect(lines[0] == "id  name                        score", "\(lines)")
        #expect(lines.last == "(left out to fit: seen, note; --wide shows all)")
    }

    @Test("when even two columns do not fit whole, headers and text are cut down to the minimum")
    func tight() {
        let lines = Self.render(12)
        #expect(lines[0] == "id  name")
        #expect(lines[2] == " 1  A compa…", "\(lines)")
        #expect(lines.last == "(3 more columns left out to fit; --wide shows all)")
    }
}

@Suite("Streamed tables")
struct StreamedTableTests {
    @Test("a streamed table longer than its sample keeps the sample's layout, leaves out the same columns and names them at the end")
    func longStreamedTable() {
        final class Lines: @unchecked Sendable { var text = "" }
        let out = Lines()
        var writer = StreamingRows(format: .table, columns: ["id", "name", "seen", "note"], width: 40, sink: { out.text += $0 })
        let total = StreamingRows.tableSample + 50
        for i in 0..<total {
            writer.add(["id": .int(Int64(i)), "name": .string("Company \(i) with a name long enough to be cut"),
                        "seen": .string("2026-02-18T10:00:00.000000Z"), "note": .string("n")])
        }
        writer.finish(cut: "showing \(total) of 9999")
        let lines = out.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + total + 2, "\(lines.suffix(3))")
        #expect(lines.dropLast(2).allSatisfy { $0.count <= 40 }, "\(lines.filter { $0.count > 40 }.prefix(2))")
        #expect(Set(lines.dropFirst(2).dropLast(2).map { $0.count }).count == 1, "every row has the same layout")
        #expect(lines[lines.count - 2] == "(2 more columns left out to fit; --wide shows all)")
        #expect(lines.last == "showing \(total) of 9999")
    }
}
