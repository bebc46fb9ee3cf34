import FuzzSupport
import SiglogCore

/// `JSONParser` on arbitrary bytes: a value or a `Failure` inside the input, and every value
/// survives write → parse unchanged (plain and ASCII-only writers). `parseMembers` reads the same:
/// the same failure, the same non-object, an object's members in order (the ingest line parser's path).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        var members: [JSONObject.Member] = []
        let streamed = Result { () throws(JSONParser.Failure) -> JSONValue? in
            try JSONParser.parseMembers(bytes) { key, value in
                members.append(JSONObject.Member(key: String(decoding: key, as: UTF8.self), value: value))
            }
        }
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try JSONParser.parse(bytes)
        } catch {
            invariant((0...bytes.count).contains(error.offset), "failure offset \(error.offset) outside \(bytes.count) bytes")
            invariant(streamed == .failure(error), "parseMembers did not fail as parse did: \(streamed)")
            return
        }
        let streamedValue: JSONValue?
        switch streamed {
        case .success(let document): streamedValue = document ?? .object(JSONObject(members))
        case .failure: streamedValue = nil
        }
        invariant(streamedValue == value, "parseMembers read \(String(describing: streamedValue)), parse read \(value)")
        for writer in [JSONWriter(), JSONWriter(asciiOnly: true)] {
            let text = writer.string(value)
            invariant((try? JSONParser.parse(text)) == value, "write → parse changed the value: \(text)")
        }
    }
}
