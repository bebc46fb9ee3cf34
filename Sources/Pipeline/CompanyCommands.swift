import Foundation
public import SiglogCore
import Projections
import ReadModel
import SiglogRecords

/// A field of a versioned update: left as stored, or set to a value (which may be "none").
public enum FieldChange<Value: Sendable & Hashable>: Sendable, Hashable {
    case keep
    case set(Value)

    func applied(to current: Value) -> Value {
        switch self {
        case .keep: current
        case .set(let value): value
        }
    }
}

extension StageRunner {
    /// Updates a company's mutable state with stale-write protection: when `expectedVersion` is not
    /// the stored version the update is refused with `SiglogError.conflict(…)` and nothing is
    /// written; otherwise a `CompanyUpdated` record carries the full new state with version + 1.
    /// `alignment` feeds the ESL alignment modifier (true 1.0, false 0.5, none 1.0); `status`
    /// `acquired`/`dead` zeroes readiness (D10). A blank status reads as none.
    ///
    /// Returns `{company_id, version, alignment_ok_to_contact, status}`.
    @discardableResult
    public func updateCompany(
        companyID: Int64, alignment: FieldChange<Bool?> = .keep, status: FieldChange<String?> = .keep,
        expectedVersion: Int64
    ) throws -> JSONObject {
        try store.write { writer in
            guard let row = try writer.reader.company(companyID) else {
                throw SiglogError.companyNotFound(.id(companyID))
            }
            guard row.version == expectedVersion else {
                throw SiglogError.conflict("Company \(companyID) is at version \(row.version), not \(expectedVersion); nothing was written")
            }
            let newStatus = status.applied(to: row.status)?.trimmingCharacters(in: .whitespacesAndNewlines)
            let record = CompanyUpdated(
                companyID: companyID, version: row.version + 1, alignmentOK: alignment.applied(to: row.alignmentOK),
                status: newStatus?.isEmpty == false ? newStatus : nil)
            try writer.append(record, at: clock.now())
            return [
                "company_id": .int(companyID),
                "version": .int(record.version),
                "alignment_ok_to_contact": record.alignmentOK.map(JSONValue.bool) ?? .null,
                "status": record.status.map(JSONValue.string) ?? .null,
            ]
        }
    }
}
