import FuzzSupport
import SiglogCore

/// `JSONParser` on arbitrary bytes: a value or a `Failure` inside the input, and every value
/// survives write → parse unchanged (plain and ASCII-only writers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        let value: JSONValue
        do throws(JSONParser.Failure) {
            value = try JSONParser.parse(bytes)
        } catch {
            invariant((0...bytes.count).contains(error.offset), "failure offset \(error.offset) outside \(bytes.count) bytes")
            return
        }
        for writer in [JSONWriter(), JSONWriter(asciiOnly: true)] {
            let text = writer.string(value)
            invariant((try? JSONParser.parse(text)) == value, "write → parse changed the value: \(text)")
        }
    }
}
