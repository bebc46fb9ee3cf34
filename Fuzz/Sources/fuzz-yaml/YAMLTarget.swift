import FuzzSupport
import SiglogCore
import SignalPacks

/// `YAMLDocumentReader` (Yams with PyYAML's scalar rules) on any UTF-8 text, as the pack loader
/// reads every `.yaml` file: a value or a `YAMLReadError`. A value is stored in the log as JSON
/// (the pack document) and must read back unchanged, or a replayed pack would not match its checksum.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let text = String(validating: input, as: UTF8.self) else { return }  // the loader refuses it first
        let value: JSONValue
        do throws(YAMLReadError) {
            value = try YAMLDocumentReader.read(text)
        } catch {
            return
        }
        let json = JSONWriter().string(value)
        invariant((try? JSONParser.parse(json)) == value, "YAML value does not survive JSON: \(json)")
    }
}
