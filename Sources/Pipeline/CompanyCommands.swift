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
    /// the stored version the update is refused with `SiglogError.conflict` and nothing is written;
    /// an update that changes nothing writes nothing and keeps the version; otherwise a
    /// `CompanyUpdated` record carries the full new state with version + 1. `alignment` feeds the
    /// ESL alignment modifier (true 1.0, false 0.5, none 1.0); `status` `acquired`/`dead` zeroes
    /// readiness (D10), nil clears it.
    ///
    /// Returns `{company_id, version, alignment_ok_to_contact, status, changed}`.
    @discardableResult
    public func updateCompany(
        _ company: CompanyReference, alignment: FieldChange<Bool?> = .keep, status: FieldChange<CompanyStatus?> = .keep,
        expectedVersion: Int64
    ) throws -> JSONObject {
        try store.write { writer in
            let row = try writer.reader.company(company)
            guard row.version == expectedVersion else {
                throw SiglogError.conflict(
                    "Company \(row.id) is at version \(row.version), not \(expectedVersion); nothing was written")
            }
            let newAlignment = alignment.applied(to: row.alignmentOK)
            let newStatus = status.applied(to: row.status.flatMap(CompanyStatus.init(named:)))?.rawValue
            let changed = newAlignment != row.alignmentOK || newStatus != row.status
            var version = row.version
            if changed {
                version += 1
                try writer.append(CompanyUpdated(companyID: row.id, version: version, alignmentOK: newAlignment, status: newStatus),
                                  at: clock.now())
            }
            return [
                "company_id": .int(row.id),
                "version": .int(version),
                "alignment_ok_to_contact": newAlignment.map(JSONValue.bool) ?? .null,
                "status": newStatus.map(JSONValue.string) ?? .null,
                "changed": .bool(changed),
            ]
        }
    }
}
