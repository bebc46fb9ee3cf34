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

/// Changes to a company's profile fields (§1.1); each is kept unless set. A blank text sets nil.
public struct CompanyProfileChange: Sendable, Hashable {
    public var founderName: FieldChange<String?> = .keep
    public var founderLinkedInURL: FieldChange<String?> = .keep
    public var notes: FieldChange<String?> = .keep
    public var alignmentNotes: FieldChange<String?> = .keep
    public var currentStage: FieldChange<String?> = .keep
    public var targetProfileMatch: FieldChange<Bool> = .keep

    /// No change.
    public init() {}

    /// `current` with the changes applied; texts are trimmed and a blank one clears the field.
    func applied(to current: CompanyProfileFields) -> CompanyProfileFields {
        func text(_ change: FieldChange<String?>, _ value: String?) -> String? {
            let new = change.applied(to: value)?.trimmingCharacters(in: .whitespacesAndNewlines)
            return new?.isEmpty == false ? new : nil
        }
        return CompanyProfileFields(
            founderName: text(founderName, current.founderName),
            founderLinkedInURL: text(founderLinkedInURL, current.founderLinkedInURL), notes: text(notes, current.notes),
            alignmentNotes: text(alignmentNotes, current.alignmentNotes), currentStage: text(currentStage, current.currentStage),
            targetProfileMatch: targetProfileMatch.applied(to: current.targetProfileMatch))
    }
}

extension StageRunner {
    /// Updates a company's mutable state with stale-write protection: when `expectedVersion` is not
    /// the stored version the update is refused with `SiglogError.conflict` and nothing is written;
    /// an update that changes nothing writes nothing and keeps the version; otherwise a
    /// `CompanyUpdated` record carries the full new state with version + 1. `alignment` feeds the
    /// ESL alignment modifier (true 1.0, false 0.5, none 1.0); `status` `acquired`/`dead` zeroes
    /// readiness (D10), nil clears it; the profile fields (founder, notes, stage, target match)
    /// change nothing in scoring.
    ///
    /// Returns `{company_id, version, alignment_ok_to_contact, status, founder_name,
    /// founder_linkedin_url, notes, alignment_notes, current_stage, target_profile_match, changed}`.
    @discardableResult
    public func updateCompany(
        _ company: CompanyReference, alignment: FieldChange<Bool?> = .keep, status: FieldChange<CompanyStatus?> = .keep,
        profile: CompanyProfileChange = CompanyProfileChange(), expectedVersion: Int64
    ) throws -> JSONObject {
        try store.write { writer in
            let row = try writer.reader.company(company)
            guard row.version == expectedVersion else {
                throw SiglogError.conflict(
                    "Company \(row.id) is at version \(row.version), not \(expectedVersion); nothing was written")
            }
            let newAlignment = alignment.applied(to: row.alignmentOK)
            let newStatus = status.applied(to: row.status.flatMap(CompanyStatus.init(named:)))?.rawValue
            let newProfile = profile.applied(to: row.profile)
            let changed = newAlignment != row.alignmentOK || newStatus != row.status || newProfile != row.profile
            var version = row.version
            if changed {
                version += 1
                try writer.append(CompanyUpdated(companyID: row.id, version: version, alignmentOK: newAlignment, status: newStatus,
                                                 profile: newProfile),
                                  at: clock.now())
            }
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            return [
                "company_id": .int(row.id),
                "version": .int(version),
                "alignment_ok_to_contact": newAlignment.map(JSONValue.bool) ?? .null,
                "status": newStatus.map(JSONValue.string) ?? .null,
                "founder_name": text(newProfile.founderName),
                "founder_linkedin_url": text(newProfile.founderLinkedInURL),
                "notes": text(newProfile.notes),
                "alignment_notes": text(newProfile.alignmentNotes),
                "current_stage": text(newProfile.currentStage),
                "target_profile_match": .bool(newProfile.targetProfileMatch),
                "changed": .bool(changed),
            ]
        }
    }
}
