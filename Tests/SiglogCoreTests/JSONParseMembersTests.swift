import ByteMutations
import SiglogCore
import Testing

/// `JSONParser.parseMembers` must read exactly what `JSONParser.parse` reads: the same failure at
/// the same offset, the same non-object document, and for an object the same members (a repeated
/// key handed over each time, so the last one wins as in the parsed object).
@Suite("JSONParser.parseMembers against parse")
struct JSONParseMembersTests {
    /// What `parseMembers` gives for `bytes`: the failure, the non-object document, or the object
    /// its members make (built the way the parser builds one).
    enum Outcome: Equatable {
        case failure(JSONParser.Failure)
        case value(JSONValue)
    }

    static func viaMembers(_ bytes: [UInt8]) -> Outcome {
        var members: [JSONObject.Member] = []
        do {
            let document = try bytes.withUnsafeBufferPointer { buffer throws(JSONParser.Failure) -> JSONValue? in
                try JSONParser.parseMembers(buffer) { key, value in
                    members.append(JSONObject.Member(key: String(decoding: key, as: UTF8.self), value: value))
                }
            }
            return .value(document ?? .object(JSONObject(members)))
        } catch {
            return .failure(error)
        }
    }

    static func viaParse(_ bytes: [UInt8]) -> Outcome {
        do { return .value(try JSONParser.parse(bytes)) } catch { return .failure(error) }
    }

    /// Documents in the shape of ingest lines and around it: escapes and non-ASCII in keys and
    /// values, repeated keys, nesting, numbers, literals, whitespace, non-objects.
    static let seeds: [String] = [
        #"{"company_name":"Maple Labs 9642","domain":"maplelabs9642.example.com","source":"github","source_event_id":"github-00000000","event_type":"repo_activity","event_time":"2025-05-09T02:01:04Z","title":"Repo Activity at Maple Labs 9642","url":"https://github.example.net/items/0","confidence":0.75}"#,
        #" { "sour\u0063e" : "a\"b" , "t\u00eftle":"Caf\u00e9 \ud83d\ude00", "x":[1,-2.5e3,true,false,null,{"y":{}}] } "#,
        #"{"a":1,"a":2,"b":{"a":3},"a":"last","c":[],"d":{}}"#,
        "{\"k\u{e9}y\":\"v\u{e9}\",\"raw_payload\":{\"n\":[0,1e-5,12345678901234567890,-0]}}",
        #"{}"#,
        #"[1,{"a":2}]"#,
        #""text""#,
        #"42"#,
        #"null"#,
        #"{"event_type_candidate":"funding","event_type":null,"company_profile_url":"https://www.linkedin.com/company/x"}"#,
    ]

    /// Bytes a mutation puts in: the grammar's punctuation, escapes, digits, literals, controls and
    /// bytes that are not (or not always) valid UTF-8.
    static let insertions: [UInt8] = Array(#"{}[]":,\/u0-.eE+ tnfx"#.utf8) + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xC3, 0xE9, 0xED, 0xF0, 0xFF]

    @Test("every single-byte replacement, insertion and deletion of the seeds reads the same")
    func mutations() {
        var compared = 0
        for seed in Self.seeds {
            let original = Array(seed.utf8)
            for document in [original] + singleByteMutations(of: original, with: Self.insertions) {
                #expect(Self.viaMembers(document) == Self.viaParse(document), "\(document)")
                compared += 1
            }
        }
        #expect(compared > 40_000)
    }

    @Test("truncations of the seeds fail where parse fails")
    func truncations() {
        for seed in Self.seeds {
            let bytes = Array(seed.utf8)
            for end in 0...bytes.count {
                let prefix = Array(bytes[..<end])
                #expect(Self.viaMembers(prefix) == Self.viaParse(prefix))
            }
        }
    }

    @Test("members come in document order with their keys decoded, repeats included")
    func order() throws {
        var seen: [String] = []
        let bytes = Array(#"{"b":1,"a\u0062":2,"b":3,"\u00e9":4}"#.utf8)
        let document = try bytes.withUnsafeBufferPointer { buffer throws(JSONParser.Failure) -> JSONValue? in
            try JSONParser.parseMembers(buffer) { key, value in seen.append("\(String(decoding: key, as: UTF8.self))=\(value)") }
        }
        #expect(document == nil)
        #expect(seen == ["b=1", "ab=2", "b=3", "é=4"])
    }
}
