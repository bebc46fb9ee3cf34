import Foundation
import FuzzSupport
import SiglogCore

/// The project's own readers of request values — query parameters and body fields of
/// `siglog-serve` and the tools' options: `Day(parsing:)`, `Timestamp(parsing:)`,
/// `RequestIDs.workspaceID/packID`, `CompanyReference(parsing:)`, `NameOrID(parsing:)` — on the
/// input as text. Each returns a value or an `InvalidValue`; a value prints as text that reads back
/// as the same value; an invalid id gets exactly the spec's message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let day = try? Day(parsing: text) {
            invariant((try? Day(parsing: day.description)) == day, "day \(day) does not read back")
        }
        if let time = try? Timestamp(parsing: text), let again = try? Timestamp(parsing: time.description) {
            invariant(again == time, "time \(time) reads back as \(again)")
        }
        do throws(InvalidValue) {
            if let id = try RequestIDs.workspaceID(text) {
                invariant((try? RequestIDs.workspaceID(id.uuidString)) == id, "workspace id \(id) does not read back")
            }
        } catch {
            invariant(error.message == "Invalid workspace_id: must be a valid UUID", "message: \(error.message)")
        }
        if let reference = try? CompanyReference(parsing: text) {
            invariant((try? CompanyReference(parsing: reference.description)) == reference,
                      "company reference \(reference) does not read back")
        }
        if let named = NameOrID(parsing: text) {
            invariant(NameOrID(parsing: named.description) == named, "name or id \(named) does not read back")
        }
    }
}
